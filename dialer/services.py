"""Writes for the dialer: the connection, campaigns (create, settings, start/stop, remove),
agents, the list correlated with the dialer's, and lead-list uploads sent in batches.

Rules of the integration guide (reference 003) held here: references are generated and never
reused; a campaign's state changes only when a notification says so (`dialer.webhooks`), a
request only sets what we are waiting for (`pending_action`); a settings change sends only the
ref and the settings; a campaign is deleted on the dialer only once it is stopped.
"""

import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from campaignhub.api import ApiProblem
from campaignhub.http import ApiError
from campaignhub.integrations import Upstream
from campaignhub.models import User
from dialer import client as dialer
from dialer.models import (
    AgentState,
    CampaignState,
    DialerAgent,
    DialerCampaign,
    DialerConnection,
    DialerReceiver,
    PendingAction,
)

logger = logging.getLogger(__name__)

REMOVING = "This campaign is being removed; it can no longer be changed."
NO_EXTENSION = "{name} has no dialer extension. Add one on their profile first."
NOT_A_MEMBER = "That person is not a member of this account."
ALREADY_ON_DIALER = "A campaign with this reference is already on the dialer."


class DialerUpstream(Upstream):
    """The dialer on the platform's shared integration base. Each connection carries its own
    base URL, so clients are made from the stored connection rather than the key alone."""

    label = "The dialer"
    name = "the dialer"
    secret_name = "API key"
    credential_model = DialerConnection
    not_connected_message = "The dialer is not connected. Please connect the dialer first."
    rejected_message = "The dialer rejected the API key. Please reconnect it with a valid key."
    refused_message = "The dialer did not accept this API key."
    missing_message = "Enter the dialer's API key."

    def make_client(self, secret, *, web_request, base_url=None) -> dialer.DialerClient:
        return dialer.DialerClient(
            secret, base_url=base_url or settings.DIALER_API_BASE, web_request=web_request
        )

    def verify(self, client):
        client.list_campaigns()

    def client_fields(self, credential):
        return {"base_url": credential.base_url}

    def connect(self, *, account, secret, base_url=None) -> DialerConnection:
        """Check the key with one list call at `base_url` (default DIALER_API_BASE), then make
        it the account's live connection (the previous one is soft deleted). Raises
        ValidationError when the dialer refuses the key or no address is given, ApiProblem when
        it cannot answer; either way nothing changes."""
        base_url = (base_url or settings.DIALER_API_BASE).strip().rstrip("/")
        if not base_url:
            raise ValidationError("Enter the dialer's API address.", code="required")
        return super().connect(account=account, secret=secret, base_url=base_url)


DIALER = DialerUpstream()


def receiver_for(account) -> DialerReceiver:
    """The account's notification endpoint, made the first time it is asked for."""
    found, _ = DialerReceiver.objects.get_or_create(account=account)
    return found


def receiver_url(account) -> str:
    """Where the dialer sends notifications: `PUBLIC_BASE_URL/webhooks/dialer/<token>/`."""
    token = receiver_for(account).webhook_token
    return settings.PUBLIC_BASE_URL + reverse("dialer_webhook", args=[token])


def connect(*, account, base_url, api_key) -> DialerConnection:
    """Validate `api_key` at `base_url` with a list call and keep it (see DialerUpstream),
    then register our notification URL with the dialer where it takes one."""
    connection = DIALER.connect(account=account, secret=api_key, base_url=base_url)
    register_receiver(account=account)
    return connection


def register_receiver(*, account) -> bool:
    """Tell the dialer where to send this account's notifications; False when it has no
    endpoint for that (404/405: its operator sets the URL) or cannot answer now."""
    connection = DIALER.connection_for(account, web_request=True)
    try:
        connection.client.register_webhook(receiver_url(account))
    except ApiError as exc:
        logger.warning("The dialer did not take our notification URL: %s", exc)
        return False
    return True


def disconnect(*, account) -> bool:
    """Soft delete the live connection, wiping the key; False when there was none."""
    return DIALER.remove(account=account)


def _upstream(account, call, *, not_found="Campaign not found on the dialer"):
    """Run `call(client)` with the account's dialer in the web-request mode; failures become
    ApiProblem as the platform maps them."""
    connection = DIALER.connection_for(account, web_request=True)
    return DIALER.call(connection.credential, lambda: call(connection.client), not_found=not_found)


# Campaigns


def _refuse_when_removing(campaign):
    if campaign.is_removing or campaign.deleted_at:
        raise ApiProblem(409, REMOVING)


def create_campaign(
    *,
    account,
    name: str,
    aggression,
    max_attempts: int,
    retry_delay_s: int,
    caller_id: str = "",
    record_calls: bool = False,
    default_agent_state: str = AgentState.OFFLINE,
    inbound_campaign=None,
) -> DialerCampaign:
    """Create a campaign on the dialer under a fresh reference, then keep it here.

    Values come validated from `CampaignForm`. It starts `stopped` with no agents and no
    contacts. Raises ApiProblem when the dialer refuses or cannot answer; nothing is kept then.
    No transaction is held while the dialer answers (its notifications write meanwhile).
    """
    campaign = DialerCampaign(
        account=account,
        name=name,
        aggression=aggression,
        max_attempts=max_attempts,
        retry_delay_s=retry_delay_s,
        caller_id=caller_id,
        record_calls=record_calls,
        default_agent_state=default_agent_state,
        inbound_campaign=inbound_campaign,
    )
    _upstream(
        account,
        lambda client: client.create_campaign(
            ref=campaign.ref,
            name=campaign.name,
            settings=dialer.settings_payload(campaign),
            agents=[],
        ),
    )
    campaign.save()
    return campaign


SETTINGS_FIELDS = ("aggression", "max_attempts", "retry_delay_s", "caller_id", "record_calls")


def apply_settings(*, campaign: DialerCampaign, **values) -> DialerCampaign:
    """Send the campaign's settings (`SETTINGS_FIELDS`, validated by `SettingsForm`) with only
    the ref and the settings object, in any state; kept here once the dialer took them.

    `name`, `default_agent_state` and `inbound_campaign` are ours alone and may come along.
    Raises ApiProblem 409 while the campaign is being removed, or the dialer's failure.
    """
    _refuse_when_removing(campaign)
    campaign = DialerCampaign.objects.select_related("account").get(pk=campaign.pk)
    for name, value in values.items():
        setattr(campaign, name, value)
    _upstream(
        campaign.account,
        lambda client: client.apply_settings(campaign.ref, dialer.settings_payload(campaign)),
    )
    # Only our own fields: state and pending action belong to notifications and requests.
    DialerCampaign.objects.filter(pk=campaign.pk).update(
        **{name: getattr(campaign, name) for name in values}, updated_at=timezone.now()
    )
    campaign.refresh_from_db()
    return campaign


def _request_state(campaign, wanted, pending, *, already):
    _refuse_when_removing(campaign)
    _upstream(campaign.account, lambda client: client.request_state(campaign.ref, wanted))
    # Asking again for the state it is in changes nothing on the dialer and no notification
    # will come, so nothing is awaited.
    pending_now = PendingAction.NONE if campaign.state in already else pending
    DialerCampaign.objects.filter(pk=campaign.pk).exclude(
        pending_action=PendingAction.REMOVING
    ).update(pending_action=pending_now)
    campaign.refresh_from_db()
    return campaign


def request_start(*, campaign: DialerCampaign) -> DialerCampaign:
    """Ask the dialer to start the campaign; its state stays until the `started` notification.

    Idempotent: starting a started campaign is sent and awaits nothing. Raises ApiProblem 409
    while it is being removed, or the dialer's failure.
    """
    return _request_state(
        campaign, "started", PendingAction.START_REQUESTED, already={CampaignState.STARTED}
    )


def request_stop(*, campaign: DialerCampaign) -> DialerCampaign:
    """Ask the dialer to stop the campaign; its state stays until `stopping`/`stopped` come.

    Idempotent like `request_start`."""
    return _request_state(
        campaign,
        "stopped",
        PendingAction.STOP_REQUESTED,
        already={CampaignState.STOPPED, CampaignState.STOPPING, CampaignState.COMPLETED},
    )


DELETABLE_STATES = (CampaignState.STOPPED, CampaignState.COMPLETED)


def remove_campaign(*, campaign: DialerCampaign) -> DialerCampaign:
    """The remove flow: mark it `removing` (every other change is refused from then on); a
    stopped or completed campaign is deleted on the dialer at once, a started or stopping one
    is sent a stop and deleted when the `stopped` notification comes (`finish_removal`).

    Calling it again repeats whatever step is due. Raises ApiProblem for the dialer's failure
    (the campaign stays `removing`, so a later call or notification carries on).
    """
    if campaign.deleted_at:
        return campaign
    DialerCampaign.objects.filter(pk=campaign.pk).update(pending_action=PendingAction.REMOVING)
    campaign.refresh_from_db()
    if campaign.state in DELETABLE_STATES:
        connection = DIALER.connection_for(campaign.account, web_request=True)
        try:
            delete_on_dialer(campaign, connection.client)
        except ApiError as exc:
            raise DIALER.problem(exc, credential=connection.credential) from exc
    else:
        _upstream(campaign.account, lambda client: client.request_state(campaign.ref, "stopped"))
    campaign.refresh_from_db()
    return campaign


def delete_on_dialer(campaign: DialerCampaign, client) -> bool:
    """Delete a stopped campaign on the dialer and mark it removed here; True once done.

    Never sends the delete while our state is `started` or `stopping`. When the dialer says
    409 (it is still running there: a notification we have not seen yet) a stop is sent and
    the delete waits for `stopped`. 404 means it is already gone. Other ApiErrors propagate.
    """
    if campaign.state not in DELETABLE_STATES:
        return False
    try:
        client.delete_campaign(campaign.ref)
    except ApiError as exc:
        if exc.status == 409:
            logger.info("Dialer refused deleting %s (409); asking it to stop first", campaign.ref)
            client.request_state(campaign.ref, "stopped")
            return False
        if exc.status != 404:
            raise
    DialerCampaign.objects.filter(pk=campaign.pk, deleted_at__isnull=True).update(
        deleted_at=timezone.now(), pending_action=PendingAction.NONE
    )
    return True


def finish_removal(campaign_id) -> bool:
    """Task step after a `stopped`/`completed` notification on a campaign being removed: the
    delete (with the task mode's retries). True when it was deleted on the dialer."""
    campaign = DialerCampaign.objects.select_related("account").get(pk=campaign_id)
    if not campaign.is_removing or campaign.deleted_at:
        return False
    client = DIALER.client_for(campaign.account)
    return delete_on_dialer(campaign, client)


# Agents


@dataclass
class AgentAdded:
    """The agent row, and warnings for the person adding them (shown, never blocking)."""

    agent: DialerAgent
    warnings: list[str] = field(default_factory=list)


def agent_warnings(campaign: DialerCampaign, extension: str) -> list[str]:
    """The guide's warning: an agent cannot be active in two running campaigns at once."""
    others = (
        DialerCampaign.objects.for_account(campaign.account)
        .live()
        .filter(agents__extension=extension, state=CampaignState.STARTED)
        .exclude(pk=campaign.pk)
        .order_by("name")
    )
    return [
        f"Extension {extension} is also in the started campaign {other.name} ({other.ref}); "
        "an agent cannot be active in two running campaigns at the same time."
        for other in others
    ]


def add_agent(*, campaign: DialerCampaign, user: User) -> AgentAdded:
    """Add a member with a dialer extension to the campaign with its default agent state.

    Adding them again sends the default state again. Raises ApiProblem 400 when they have no
    extension or are not a member, 409 while the campaign is being removed, or the dialer's
    failure (nothing is kept then).
    """
    _refuse_when_removing(campaign)
    if not campaign.account.memberships.filter(user=user).exists():
        raise ApiProblem(400, NOT_A_MEMBER)
    extension = user.dialer_extension
    if not extension:
        message = NO_EXTENSION.format(name=user.get_full_name())
        raise ApiProblem(400, message, {"extension": [message]})
    warnings = agent_warnings(campaign, extension)
    _upstream(
        campaign.account,
        lambda client: client.put_agent(campaign.ref, extension, campaign.default_agent_state),
    )
    agent, _ = DialerAgent.objects.update_or_create(
        campaign=campaign,
        extension=extension,
        defaults={
            "account": campaign.account,
            "user": user,
            "default_state": campaign.default_agent_state,
        },
    )
    return AgentAdded(agent, warnings)


def remove_agent(*, campaign: DialerCampaign, extension: str) -> None:
    """Take the agent with `extension` out of the campaign, on the dialer then here (one the
    dialer no longer has is removed here too).

    Raises ApiProblem 404 when they are not in it, 409 while it is being removed."""
    _refuse_when_removing(campaign)
    agent = campaign.agents.filter(extension=extension).first()
    if agent is None:
        raise ApiProblem(404, "That agent is not in this campaign.")
    try:
        _upstream(campaign.account, lambda client: client.remove_agent(campaign.ref, extension))
    except ApiProblem as problem:
        if problem.status != 404:
            raise
    agent.delete()


# List and correlate

ON_BOTH, ONLY_DIALER, ONLY_HERE = "both", "only_dialer", "only_here"


@dataclass
class Correlated:
    """One line of the overview: our campaign, the dialer's record, or both.

    `presence` is `both`, `only_dialer` (can be adopted) or `only_here` (missing upstream).
    """

    presence: str
    campaign: DialerCampaign | None
    upstream: dict | None

    @property
    def ref(self):
        return self.campaign.ref if self.campaign else self.upstream["ref"]


def correlate(*, account, upstream_records: list[dict]) -> list[Correlated]:
    """Our live campaigns beside the dialer's list (`client.list_campaigns()`), as the guide
    advises: ours first (newest first), then those only on the dialer."""
    by_ref = {record["ref"]: record for record in upstream_records if record.get("ref")}
    ours = list(
        DialerCampaign.objects.for_account(account).live().select_related("inbound_campaign")
    )
    lines = []
    for campaign in ours:
        record = by_ref.pop(campaign.ref, None)
        lines.append(Correlated(ON_BOTH if record else ONLY_HERE, campaign, record))
    # A ref we once had (removed since) is not offered for adoption under another account.
    known = set(DialerCampaign.objects.filter(ref__in=list(by_ref)).values_list("ref", flat=True))
    for ref, record in by_ref.items():
        if ref not in known:
            lines.append(Correlated(ONLY_DIALER, None, record))
    return lines


def list_correlated(*, account) -> list[Correlated]:
    """`correlate` with the dialer's list fetched now (web-request mode)."""
    records = _upstream(account, lambda client: client.list_campaigns())
    return correlate(account=account, upstream_records=records)


def adopt(*, account, ref: str) -> DialerCampaign:
    """Keep a campaign found only on the dialer here, under its own reference.

    Its name and settings are the dialer's; its state is the status the dialer's list reports.
    Raises ApiProblem 404 when the dialer has no such campaign, 409 when it is already ours.
    """
    if DialerCampaign.objects.filter(ref=ref).exists():
        raise ApiProblem(409, "That campaign is already managed here.")
    records = _upstream(account, lambda client: client.list_campaigns())
    record = next((r for r in records if r["ref"] == ref), None)
    if record is None:
        raise ApiProblem(404, "Campaign not found on the dialer")
    campaign = DialerCampaign(
        account=account,
        ref=ref,
        name=record["name"] or ref,
        state=record["status"] or CampaignState.STOPPED,
        state_changed_at=timezone.now(),
        contacts_total=record["contacts"],
        contacts_sent=record["contacts"],
    )
    for name, value in record["settings"].items():
        setattr(campaign, name, value)
    try:
        campaign.full_clean(exclude=["account", "ref"])
    except ValidationError:
        # The dialer's settings are outside our ranges: keep ours; Apply sends them back.
        for name in dialer.settings_payload(campaign):
            setattr(campaign, name, DialerCampaign._meta.get_field(name).get_default())
    campaign.save()
    return campaign


def count_sent(campaign_id, sent: int) -> None:
    DialerCampaign.objects.filter(pk=campaign_id).update(contacts_sent=F("contacts_sent") + sent)
