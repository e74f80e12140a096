"""Writes for CallRail: the key, the chosen account/company, the webhook, and trackers."""

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from callrail import client as callrail
from callrail import selectors
from callrail.models import CallRailKey, CallRailSettings
from campaignhub.api import ApiProblem
from campaignhub.http import ApiError
from campaignhub.intake import replay_deliveries
from campaignhub.integrations import Upstream
from campaignhub.phones import for_display
from campaigns.models import Campaign

if TYPE_CHECKING:
    from callrail.access import Access

NO_KEY = "API key not found. Please add your CallRail API key first."
NO_ACCOUNT = "Callrail account id is required."
KEY_REJECTED = "CallRail rejected the API key. Please reconnect CallRail with a valid key."
POOL_SIZE_MESSAGE = "Pool size must be at least 5 for session trackers"  # CallRail's own words
SESSION_POOL_MINIMUM = 5
SOURCE_HAS_ONE_NUMBER = (
    "Source trackers have one number; pool size and swap targets are for session trackers."
)
TRACKER_NOT_FOUND = "Tracker not found"
NO_COMPANY = "Callrail company id is required."
CANNOT_ENABLE = "A disabled tracker cannot be enabled again; CallRail released its numbers."


class CallRailUpstream(Upstream):
    """CallRail on the platform's shared integration base: its key, client and messages."""

    label = "CallRail"
    secret_name = "API key"
    credential_model = CallRailKey
    not_connected_message = NO_KEY
    rejected_message = KEY_REJECTED
    refused_message = "CallRail did not accept this API key."

    def make_client(self, secret, *, web_request, **fields):
        return callrail.CallRailClient(secret, web_request=web_request)

    def verify(self, client):
        client.accounts(per_page=1)


CALLRAIL = CallRailUpstream()


def live_key(account) -> CallRailKey | None:
    """The account's live CallRail key, or None."""
    return CALLRAIL.live_credential(account)


def settings_for(account) -> CallRailSettings:
    """The account's CallRail settings row, created empty the first time it is asked for."""
    found, _ = CallRailSettings.objects.get_or_create(account=account)
    return found


def client_for(account, *, web_request=False) -> callrail.CallRailClient:
    """A CallRail client with the account's live key; raises NotConnected (400) without one.

    `web_request=True` for code answering a web request (one attempt, no backoff sleep)."""
    return CALLRAIL.client_for(account, web_request=web_request)


def receiver_url(account) -> str:
    """Our webhook receiver for the account: `PUBLIC_BASE_URL/webhooks/callrail/<token>/`."""
    token = settings_for(account).webhook_token
    return settings.PUBLIC_BASE_URL + reverse("callrail_webhook", args=[token])


def connect_key(*, account, api_key) -> CallRailKey:
    """Check the key against CallRail, then make it the account's one live key.

    Raises ValidationError when CallRail refuses it, ApiProblem when CallRail cannot answer;
    either way nothing changes.
    """
    return CALLRAIL.connect(account=account, secret=api_key)


def remove_key(*, account) -> bool:
    """Soft delete: the row stays for the record, the secret itself is wiped."""
    return CALLRAIL.remove(account=account)


def choose(*, account, account_id, account_name="", company_id="", company_name="", script_url=""):
    """Save the CallRail account (and company) this agency works in. Another company drops
    the signing key (it is the old company's); open CallRail pages then redraw their badge."""
    chosen = settings_for(account)
    had_key = bool(chosen.signing_key)
    if chosen.callrail_account_id != account_id:
        chosen.company_id = chosen.company_name = chosen.script_url = chosen.webhook_id = ""
    chosen.callrail_account_id = account_id
    chosen.callrail_account_name = account_name or chosen.callrail_account_name
    if company_id:
        if company_id != chosen.company_id:
            chosen.webhook_id = ""
            if chosen.signing_key:
                chosen.signing_key = ""
                chosen.signing_key_saved_at = timezone.now()
        chosen.company_id = company_id
        chosen.company_name = company_name
        chosen.script_url = script_url
    chosen.save()
    if had_key and not chosen.signing_key:
        _signing_key_changed(account)
    return chosen


def _existing_webhook(client, account_id, company_id, url):
    for record in client.all_webhooks(account_id, company_id):
        if record.get("url") == url:
            return record
    return None


def register_webhook(*, account, client, account_id, company_id, url) -> dict:
    """Create the webhook on CallRail, or take the one the company already has for `url`.

    CallRail refuses a second webhook for the same URL (422 "Url has already been taken"); the
    company's webhook for that URL is then looked up, enabled again if it was disabled, and
    used, so connecting again is never an error. When `url` is our receiver, the webhook's id
    and (when CallRail sends it) signing key are remembered. Returns CallRail's webhook record;
    raises ApiError as `client` does.
    """
    try:
        record = client.create_webhook(account_id, company_id, url)
    except ApiError as exc:
        if exc.status != 422:
            raise
        record = _existing_webhook(client, account_id, company_id, url)
        if record is None:
            raise
        if record.get("status") == "disabled":
            record = client.update_webhook(account_id, company_id, record["id"], status="enabled")
    if url == receiver_url(account):
        chosen = settings_for(account)
        webhook = callrail.webhook_out(record, account_id=account_id, company_id=company_id)
        chosen.webhook_id = str(webhook["id"] or "")
        signing_key = callrail.webhook_signing_key(record)
        key_changed = bool(signing_key) and signing_key != chosen.signing_key
        if key_changed:
            chosen.signing_key = signing_key
            chosen.signing_key_saved_at = timezone.now()
        chosen.save(
            update_fields=["webhook_id", "signing_key", "signing_key_saved_at", "updated_at"]
        )
        if key_changed:
            _signing_key_changed(account)
    return record


def set_signing_key(*, account, signing_key):
    """Keep the company's webhook signing key (from CallRail's UI); empty stops verifying.
    Deliveries rejected for their signature before it are counted apart from those after it
    (`selectors.rejections`), and can be processed again (`process_rejected_again`)."""
    chosen = settings_for(account)
    chosen.signing_key = signing_key
    chosen.signing_key_saved_at = timezone.now()
    chosen.save(update_fields=["signing_key", "signing_key_saved_at", "updated_at"])
    _signing_key_changed(account)


def _signing_key_changed(account) -> None:
    """The signing key was saved, replaced or removed: once that is committed, the CallRail
    page open anywhere in the account redraws its signature badge, the rejections it counts
    and the offer to process them again (`live_updates.page_changed`)."""
    from callrail import live_updates

    transaction.on_commit(lambda: live_updates.page_changed(account), robust=True)


def process_rejected_again(*, account) -> int:
    """Process again the CallRail deliveries rejected for their signature before the signing
    key in use was saved (calls signed while a wrong key was pasted). Replay checks each
    signature again with that key and takes only those it verifies, oldest first; the others
    stay rejected. Returns how many were queued."""
    chosen = settings_for(account)
    return replay_deliveries(selectors.rejected_before_key(account, chosen))


# Trackers: one set of rules for the pages and the API


def get_tracker(*, found: "Access", tracker_id: str) -> dict:
    """CallRail's record of one tracker; ApiProblem 404 "Tracker not found" when it has none."""
    return CALLRAIL.call(
        found.key,
        lambda: found.client.tracker(found.account_id, tracker_id),
        not_found=TRACKER_NOT_FOUND,
    )


def create_tracker(*, found: "Access", spec: dict) -> dict:
    """Create a tracker in the chosen company from TrackerCreateForm's cleaned data.

    Raises ApiProblem 400 when no company is chosen (nothing is sent), or as CallRail fails.
    Returns CallRail's record of the new tracker.
    """
    if not found.company_id:
        raise ApiProblem(400, NO_COMPANY)
    payload = callrail.tracker_payload(spec, company_id=found.company_id)
    return CALLRAIL.call(found.key, lambda: found.client.create_tracker(found.account_id, payload))


def campaigns_using_tracker(account, record) -> list[Campaign]:
    """The account's active campaigns whose tracking number is one of the tracker's numbers."""
    numbers = [number for number in record.get("tracking_numbers") or [] if number]
    return list(
        Campaign.objects.for_account(account)
        .filter(is_deleted=False, status=True, tracking_number__in=numbers)
        .order_by("campaign_name")
    )


def _refuse_if_in_use(account, record):
    # Disabling releases the tracker's numbers: an active campaign on one would lose its calls.
    using = campaigns_using_tracker(account, record)
    if not using:
        return
    names = ", ".join(
        f"“{campaign.campaign_name}” on {for_display(campaign.tracking_number, account.country)}"
        for campaign in using
    )
    plural = "s" if len(using) > 1 else ""
    raise ApiProblem(
        409,
        f"This tracker's number is used by the active campaign{plural} {names}. Pause the "
        f"campaign{plural} or give {'them' if plural else 'it'} another number before disabling "
        "the tracker.",
    )


def _disable(found, tracker_id, current):
    record = CALLRAIL.call(
        found.key,
        lambda: found.client.disable_tracker(found.account_id, tracker_id),
        not_found=TRACKER_NOT_FOUND,
    )
    return record or {**current, "status": "disabled"}


def disable_tracker(*, found: "Access", tracker_id: str) -> dict:
    """Disable a tracker (CallRail's DELETE: a soft delete that releases its numbers).

    Refused with ApiProblem 409, sending nothing, while an active campaign of the account uses
    one of its numbers; 404 "Tracker not found" for an unknown tracker. Returns the disabled
    record.
    """
    current = get_tracker(found=found, tracker_id=tracker_id)
    _refuse_if_in_use(found.account, current)
    return _disable(found, tracker_id, current)


def _pool_rules(kind, changes):
    """Pool fields by tracker type: a source tracker has one number and no swap targets (its
    own pool size 1 sent back is no change, and is dropped); a session pool holds at least 5."""
    if kind == "session":
        pool_size = changes.get("pool_size")
        if pool_size is not None and pool_size < SESSION_POOL_MINIMUM:
            raise ApiProblem(400, POOL_SIZE_MESSAGE, {"pool_size": [POOL_SIZE_MESSAGE]})
        return changes
    pool_size = changes.pop("pool_size", None)
    swap_targets = changes.pop("swap_targets", None)
    if pool_size not in (None, 1) or swap_targets:
        field = "pool_size" if pool_size not in (None, 1) else "swap_targets"
        raise ApiProblem(400, SOURCE_HAS_ONE_NUMBER, {field: [SOURCE_HAS_ONE_NUMBER]})
    return changes


def update_tracker(*, found: "Access", tracker_id: str, changes: dict) -> dict:
    """Apply `changes` (TrackerUpdateForm's cleaned values of the fields sent) to a tracker.

    The same rules for the pages and the API, all checked before anything is sent: pool fields
    by tracker type (source: none; session: at least 5 numbers); `status: "disabled"` disables
    the tracker as `disable_tracker` does, after the other changes (CallRail ignores `status`
    on PUT) and is refused (409) while an active campaign uses its number; `status: "active"`
    on a disabled tracker is refused (400), as CallRail cannot enable one again. Returns
    CallRail's record of the tracker after the changes.
    """
    current = get_tracker(found=found, tracker_id=tracker_id)
    changes = dict(changes)
    status = changes.pop("status", None) or ""
    changes = _pool_rules(current.get("type"), changes)
    disabled = current.get("status") == "disabled"
    if status == "active" and disabled:
        raise ApiProblem(400, CANNOT_ENABLE, {"status": [CANNOT_ENABLE]})
    disabling = status == "disabled" and not disabled
    if disabling:
        _refuse_if_in_use(found.account, current)
    record = current
    payload = callrail.tracker_payload(changes, current=current)
    if payload:
        record = CALLRAIL.call(
            found.key,
            lambda: found.client.update_tracker(found.account_id, tracker_id, payload),
            not_found=TRACKER_NOT_FOUND,
        )
    if disabling:
        record = _disable(found, tracker_id, record)
    return record
