"""Writes for the dialer: the connection, campaigns (create, settings, start/stop, remove),
agents and the members' extensions, the list correlated with the dialer's (and adopting from
it); lead-list uploads are in `dialer.uploads`.

Rules of the integration guide (reference 003) held here: references are generated and never
reused; a campaign's state changes only when a notification says so (`dialer.webhooks`), a
request only sets what we are waiting for (`pending_action`); a settings change sends only the
ref and the settings; a campaign is deleted on the dialer only once it is stopped.
"""

import hmac
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from campaignhub.api import ApiProblem
from campaignhub.http import ApiError
from campaignhub.integrations import NotConnected, Upstream
from campaignhub.models import User
from dialer import client as dialer
from dialer import selectors
from dialer.models import (
    AgentExtension,
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
NO_EXTENSION = "{name} has no dialer extension in this account. Set one under Dialer → Extensions."
NOT_A_MEMBER = "That person is not a member of this account."
ALREADY_ON_DIALER = "A campaign with this reference is already on the dialer."


class DialerUpstream(Upstream):
    """The dialer on the platform's shared integration base. Each connection carries its own
    base URL, so clients are made from the stored connection rather than the key alone."""

    label = "The dialer"
    name = "the dialer"
    secret_name = "API key"
    credential_model = DialerConnection
    address_field = "base_url"
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
        if _connected_elsewhere(account, secret.strip()):
            raise ValidationError(KEY_CONNECTED_ELSEWHERE, code="connected_elsewhere")
        return super().connect(account=account, secret=secret, base_url=base_url)


KEY_CONNECTED_ELSEWHERE = (
    "This API key is already connected to another CampaignHub account. The dialer sends one "
    "key's notifications to one address, so that account would stop hearing of its calls. "
    "Use a key of this account's own dialer account."
)


def _connected_elsewhere(account, secret: str) -> bool:
    """Whether another account's live connection holds `secret`, at whatever address: one
    dialer can be written many ways (host names, addresses, ports), so the key alone decides.
    Keys are encrypted at rest, so each is compared once decrypted (live connections are few)."""
    others = DialerConnection.objects.filter(deleted_at__isnull=True).exclude(account=account)
    return any(
        hmac.compare_digest(other.secret.encode(), secret.encode())
        for other in others.only("secret").iterator()
        if other.secret
    )


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


NO_CAMPAIGNS_PATH = (
    "The dialer has no campaigns at this address: check the API address under Dialer → Connection."
)
MISSING_UPSTREAM = (
    "The dialer does not have this campaign (any more): it is missing upstream. Remove it here."
)


def _upstream(account, call, *, not_found=MISSING_UPSTREAM):
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
        not_found=NO_CAMPAIGNS_PATH,
        call=lambda client: client.create_campaign(
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
    if "inbound_campaign" in values:
        _capture_held_calls_after_commit([campaign.pk])
    _push_campaign(campaign)
    return campaign


def capture_held_calls(*, campaign: DialerCampaign) -> int:
    """Process the campaign's held calls again (`selectors.held_calls`: connected calls no
    inbound campaign took) by replaying their deliveries, oldest first; those its inbound
    campaign takes now become leads, the others stay held. Returns how many deliveries were
    queued. Captures into one inbound campaign take turns on its row
    (`campaigns.services.capture_turn`), so two saves of it at once (each capturing after
    commit) queue each held call once between them, in the order the calls came."""
    from campaignhub.intake import replay_deliveries
    from campaignhub.models import InboundDelivery
    from campaigns.models import Campaign
    from campaigns.services import capture_turn

    delivery_ids = selectors.held_calls(campaign).values("delivery_id")
    with capture_turn(Campaign.objects.filter(pk=campaign.inbound_campaign_id)):
        return replay_deliveries(
            InboundDelivery.objects.for_account(campaign.account).filter(pk__in=delivery_ids)
        )


def _capture_held_calls_after_commit(campaign_ids) -> None:
    def capture():
        for campaign in DialerCampaign.objects.live().filter(pk__in=campaign_ids):
            if not campaign.leads_held_because:
                capture_held_calls(campaign=campaign)

    transaction.on_commit(capture, robust=True)


def on_inbound_campaign_saved(sender, instance, **kwargs):
    """`post_save` of an inbound campaign: when it is an active Dialer campaign, the held calls
    of the dialer campaigns linked to it are captured as its leads after commit (say, once it
    is switched back on)."""
    from campaigns.models import Integration

    if instance.integration != Integration.DIALER or not instance.status or instance.is_deleted:
        return
    campaign_ids = selectors.campaigns_holding_calls_for(instance)
    if campaign_ids:
        _capture_held_calls_after_commit(campaign_ids)


def _request_state(campaign, wanted, pending, *, already, refusal):
    _refuse_when_removing(campaign)
    if refusal:
        raise ApiProblem(409, refusal, {"state": [campaign.state]})
    _upstream(campaign.account, lambda client: client.request_state(campaign.ref, wanted))
    # Asking again for the state it is in changes nothing on the dialer and no notification
    # will come, so nothing is awaited.
    pending_now = PendingAction.NONE if campaign.state in already else pending
    DialerCampaign.objects.filter(pk=campaign.pk).exclude(
        pending_action=PendingAction.REMOVING
    ).update(pending_action=pending_now)
    campaign.refresh_from_db()
    _push_campaign(campaign)
    return campaign


def request_start(*, campaign: DialerCampaign) -> DialerCampaign:
    """Ask the dialer to start the campaign; its state stays until the `started` notification.

    Idempotent, as the guide says: starting a started campaign is sent and awaits nothing.
    Raises ApiProblem 409 while it is being removed, or when its state allows no start
    (`DialerCampaign.start_refusal`: completed with no lead list uploaded since, nothing is
    sent then; `errors` `{"state": [<state>]}`), or the dialer's failure.
    """
    return _request_state(
        campaign,
        "started",
        PendingAction.START_REQUESTED,
        already={CampaignState.STARTED},
        refusal=campaign.start_refusal,
    )


def request_stop(*, campaign: DialerCampaign) -> DialerCampaign:
    """Ask the dialer to stop the campaign; its state stays until `stopping`/`stopped` come.

    Idempotent like `request_start`: stopping a stopping or stopped one is sent and awaits
    nothing. Raises ApiProblem 409 for a completed one (`DialerCampaign.stop_refusal`: it has
    ended; nothing is sent), like `request_start` otherwise."""
    return _request_state(
        campaign,
        "stopped",
        PendingAction.STOP_REQUESTED,
        already={CampaignState.STOPPED, CampaignState.STOPPING},
        refusal=campaign.stop_refusal,
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
    _push_campaign(campaign)
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
    removed = DialerCampaign.objects.filter(pk=campaign.pk, deleted_at__isnull=True).update(
        deleted_at=timezone.now(), pending_action=PendingAction.NONE
    )
    if removed:
        _push_campaign(campaign)
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
    """Add a member with a dialer extension in the campaign's account (`AgentExtension`) to
    the campaign with its default agent state.

    Adding them again sends the default state again. Raises ApiProblem 400 when they have no
    extension or are not a member, 409 while the campaign is being removed, or the dialer's
    failure (nothing is kept then).
    """
    _refuse_when_removing(campaign)
    if not campaign.account.memberships.filter(user=user).exists():
        raise ApiProblem(400, NOT_A_MEMBER)
    extension = selectors.extension_of(campaign.account, user)
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
    _push_campaign(campaign)
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
    _push_campaign(campaign)


def withdraw_agent(*, account, user) -> list[tuple[int, str]]:
    """Take `user`, who is leaving `account`, off every dialer campaign of it.

    Runs inside the removal's transaction (`campaignhub.signals.member_removed`) and calls no
    upstream: their agent rows go at once (with their `AgentExtension`, which leaves with the
    membership), and once the removal commits `tasks.remove_departed_agent` deletes each
    agent from the dialer (dialer-api.md, `DELETE /campaigns/<ref>/agents/<extension>`), with
    retries of its own, so a dialer that fails or is unreachable never blocks the removal.
    Campaigns already deleted on the dialer only lose the row here.

    Returns the `(campaign id, extension)` pairs queued for the dialer.
    """
    rows = DialerAgent.objects.for_account(account).filter(user=user)
    found = list(rows.values_list("campaign_id", "extension", "campaign__deleted_at"))
    rows.delete()
    queued = sorted(
        {(campaign_id, ext) for campaign_id, ext, deleted_at in found if not deleted_at}
    )
    for campaign_id, extension in queued:
        transaction.on_commit(
            lambda campaign_id=campaign_id, extension=extension: _queue_departed_agent(
                campaign_id, extension
            ),
            robust=True,
        )
    for campaign_id in sorted({campaign_id for campaign_id, _ in queued}):
        _push_campaign(campaign_id)
    return queued


def _queue_departed_agent(campaign_id, extension):
    from dialer.tasks import remove_departed_agent

    remove_departed_agent.delay(campaign_id, extension)


def on_member_removed(*, account, user, **signal):
    """The `campaignhub.signals.member_removed` receiver: `withdraw_agent`."""
    withdraw_agent(account=account, user=user)


def remove_departed_agent(*, campaign_id: int, extension: str) -> bool:
    """Task step of `withdraw_agent`: delete the agent `extension` of the campaign on the
    dialer (task mode: the client's own retries). True when the dialer deleted it.

    Safe to run twice, and does nothing (False) when there is nothing left to do: the
    campaign is gone or deleted on the dialer, the account's dialer is disconnected, the
    dialer has no such agent any more (404), or `extension` is an agent of the campaign here
    again (given to another member, or to the same person back in the account, and added since:
    the dialer's agent is theirs now). 401 marks the connection rejected, then raises like any
    other ApiError; the task decides whether trying again could help (`ApiError.permanent`).
    """
    campaign = DialerCampaign.objects.select_related("account").filter(pk=campaign_id).first()
    if campaign is None or campaign.deleted_at:
        return False
    if campaign.agents.filter(extension=extension).exists():
        logger.info(
            "Agent %s of %s is an agent here again; kept on the dialer", extension, campaign.ref
        )
        return False
    try:
        connection = DIALER.connection_for(campaign.account)
    except NotConnected:
        logger.warning(
            "Agent %s of %s left the account while the dialer is disconnected; not removed there",
            extension,
            campaign.ref,
        )
        return False
    try:
        connection.client.remove_agent(campaign.ref, extension)
    except ApiError as exc:
        if exc.status == 404:
            return False
        if exc.status == 401:
            DIALER.mark_rejected(connection.credential)
        raise
    return True


# Extensions

EXTENSION_TAKEN = "Extension {extension} is already {name}'s in this account."
STILL_AN_AGENT = (
    "{name} is an agent of {campaigns}; remove them there before clearing their extension."
)


@dataclass
class ExtensionSet:
    """A member's extension after `set_extension` (None when cleared), the refs of the
    campaigns whose agent row moved to it, and warnings naming those the dialer did not take
    (they keep the old extension; setting the same extension again retries them)."""

    extension: str | None
    moved: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _extension_holder(account, extension, user):
    """Who else in `account` has `extension`: another member's `AgentExtension`, or an agent
    row of another member in a live campaign not moved off it yet. None when it is free."""
    record = (
        AgentExtension.objects.filter(account=account, extension=extension)
        .exclude(membership__user=user)
        .select_related("membership__user")
        .first()
    )
    if record is not None:
        return record.membership.user
    agent = (
        DialerAgent.objects.filter(
            account=account, extension=extension, campaign__deleted_at__isnull=True
        )
        .exclude(user=user)
        .select_related("user")
        .first()
    )
    return agent.user if agent else None


@transaction.atomic
def _keep_extension(membership, extension):
    user = membership.user
    if extension is None:
        agent_of = list(
            DialerCampaign.objects.for_account(membership.account)
            .live()
            .filter(agents__user=user)
            .order_by("name")
            .values_list("name", flat=True)
            .distinct()
        )
        if agent_of:
            raise ApiProblem(
                409, STILL_AN_AGENT.format(name=user.get_full_name(), campaigns=", ".join(agent_of))
            )
        AgentExtension.objects.filter(membership=membership).delete()
        return
    holder = _extension_holder(membership.account, extension, user)
    if holder is not None:
        message = EXTENSION_TAKEN.format(extension=extension, name=holder.get_full_name())
        raise ApiProblem(400, message, {"extension": [message]})
    try:
        with transaction.atomic():
            AgentExtension.objects.update_or_create(
                membership=membership,
                defaults={"account_id": membership.account_id, "extension": extension},
            )
    except IntegrityError:
        # Someone took it in the same moment.
        message = EXTENSION_TAKEN.format(extension=extension, name="another member")
        raise ApiProblem(400, message, {"extension": [message]}) from None


def set_extension(*, membership, extension: str | None) -> ExtensionSet:
    """Make `extension` (3 or 4 digits, checked by `ExtensionForm`; None clears it) the
    member's dialer extension in their account, then move their agent rows in the account's
    live campaigns to it, since the dialer knows agents by extension (dialer-api.md):
    `PUT /campaigns/<ref>/agents/<new>` with the agent's default state, `DELETE` the old one
    (404: already gone), then the row (its status unknown until the dialer reports one).

    A campaign being removed is left as it is (it is about to be deleted). A campaign the dialer
    does not take the change for keeps the old extension, named in `warnings`; the old one
    stays reserved to this member meanwhile, and setting the same extension again retries.

    Raises ApiProblem 400 when the extension is another member's in the account, 409 when
    clearing the extension of an agent of a live campaign; nothing changes then.
    """
    extension = extension or None
    _keep_extension(membership, extension)
    result = ExtensionSet(extension)
    if extension is None:
        return result
    agents = (
        DialerAgent.objects.filter(
            account=membership.account,
            user=membership.user,
            campaign__deleted_at__isnull=True,
        )
        .exclude(extension=extension)
        .exclude(campaign__pending_action=PendingAction.REMOVING)
        .select_related("campaign__account")
        .order_by("campaign__name", "pk")
    )
    for agent in agents:
        problem = _move_agent(agent, extension)
        if problem is None:
            result.moved.append(agent.campaign.ref)
        else:
            result.warnings.append(
                f"{agent.campaign.name} ({agent.campaign.ref}) still has extension "
                f"{agent.extension}: {problem.message} Save the extension again to retry."
            )
    return result


def _move_agent(agent, extension) -> ApiProblem | None:
    """Move one agent row to `extension` on the dialer, then here; the dialer's refusal or
    failure is returned (the row keeps its extension then)."""
    campaign, old = agent.campaign, agent.extension
    already_there = campaign.agents.filter(extension=extension).exists()
    try:
        if not already_there:
            _upstream(
                campaign.account,
                lambda client: client.put_agent(campaign.ref, extension, agent.default_state),
            )
        try:
            _upstream(campaign.account, lambda client: client.remove_agent(campaign.ref, old))
        except ApiProblem as problem:
            if problem.status != 404:
                raise
    except ApiProblem as problem:
        logger.info("Extension of agent %s not moved to %s: %s", agent, extension, problem)
        return problem
    if already_there:
        agent.delete()
    else:
        DialerAgent.objects.filter(pk=agent.pk, extension=old).update(
            extension=extension, status="", status_at=None
        )
    _push_campaign(campaign)
    return None


def _push_campaign(campaign_or_id):
    """Redraw the campaign on the pages showing it once the current transaction commits
    (at once outside one)."""
    from dialer import live_updates

    campaign_id = getattr(campaign_or_id, "pk", campaign_or_id)
    transaction.on_commit(lambda: live_updates.campaign_changed(campaign_id), robust=True)


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


def correlate(*, account, upstream_records: list[dict], membership=None) -> list[Correlated]:
    """Our live campaigns beside the dialer's list (`client.list_campaigns()`), as the guide
    advises: ours first (newest first), then those only on the dialer.

    With `membership` of a member (not an admin), only the campaigns they are an agent of, and
    none of those only on the dialer (adopting is the admins', `permissions`)."""
    by_ref = {record["ref"]: record for record in upstream_records if record.get("ref")}
    ours = DialerCampaign.objects.for_account(account).live()
    if membership is not None:
        ours = selectors.campaigns_visible_to(membership, ours)
    lines = []
    for campaign in ours.select_related("inbound_campaign"):
        record = by_ref.pop(campaign.ref, None)
        lines.append(Correlated(ON_BOTH if record else ONLY_HERE, campaign, record))
    if membership is not None and not membership.is_admin:
        return lines
    # A ref we once had (removed since) is not offered for adoption under another account.
    known = set(DialerCampaign.objects.filter(ref__in=list(by_ref)).values_list("ref", flat=True))
    for ref, record in by_ref.items():
        if ref not in known:
            lines.append(Correlated(ONLY_DIALER, None, record))
    return lines


def list_correlated(*, account, membership=None) -> list[Correlated]:
    """`correlate` with the dialer's list fetched now (web-request mode)."""
    records = _upstream(
        account, lambda client: client.list_campaigns(), not_found=NO_CAMPAIGNS_PATH
    )
    return correlate(account=account, upstream_records=records, membership=membership)


NOT_ON_DIALER = "Campaign not found on the dialer"
# A dialer answering these to `GET /campaigns/<ref>` has no show call: its list is all we get.
NO_SHOW_STATUSES = (405, 501)
ADOPTED_FIELDS = ("name", "state", "contacts_total", "contacts_sent", *SETTINGS_FIELDS)


@dataclass
class Adopted:
    """The adopted campaign, and warnings for the person adopting it (shown, never blocking)."""

    campaign: DialerCampaign
    warnings: list[str] = field(default_factory=list)


def _adopted_values(record, ref) -> dict:
    """Our fields from a dialer record (`client.campaign_in`); settings outside our ranges
    keep our defaults (Apply sends them back)."""
    values = {
        "name": record["name"] or ref,
        "state": record["status"] or CampaignState.STOPPED,
        "contacts_total": record["contacts"],
        "contacts_sent": record["contacts"],
        "contacts_added_on_dialer": record["contacts"],
    }
    candidate = DialerCampaign(name=values["name"], **record["settings"])
    try:
        candidate.full_clean(exclude=["account", "ref"], validate_unique=False)
    except ValidationError:
        candidate = DialerCampaign(name=values["name"])
    values.update({name: getattr(candidate, name) for name in SETTINGS_FIELDS})
    return values


def adopt(*, account, ref: str) -> Adopted:
    """Keep a campaign found only on the dialer here, under its own reference.

    It is kept with what the dialer's list says (name, status, settings, contact count), so
    notifications apply to it from then on; then the campaign itself is fetched (`GET
    /campaigns/<ref>`), the authoritative record: its settings and name replace the list's,
    and its status too unless a notification already moved the state meanwhile. Its agents
    whose extensions are members' here become agents here too; others are named in warnings.
    A dialer without that call (405/501) leaves the list's record; a failure of it is a warning.

    Raises ApiProblem: the dialer's failure (not connected: 400); 409 when it is already managed
    in this account (removed ones included); 404 when this account's dialer does not list it;
    409 when another account manages it (which only an account whose dialer lists the
    reference learns: one without a connection, or whose dialer does not have it, is told that
    instead, whatever other accounts hold).
    """
    connection = DIALER.connection_for(account, web_request=True)
    if DialerCampaign.objects.filter(account=account, ref=ref).exists():
        raise ApiProblem(409, "That campaign is already managed here.")
    records = DIALER.call(connection.credential, connection.client.list_campaigns)
    record = next((r for r in records if r["ref"] == ref), None)
    if record is None:
        raise ApiProblem(404, NOT_ON_DIALER)
    if DialerCampaign.objects.filter(ref=ref).exists():
        raise ApiProblem(409, "That campaign is already managed by another account.")
    adopted_at = timezone.now()
    campaign = DialerCampaign(
        account=account,
        ref=ref,
        state_changed_at=adopted_at,
        adopted_at=adopted_at,
        **_adopted_values(record, ref),
    )
    try:
        campaign.save()
    except IntegrityError:
        # Another adoption of the same reference won meanwhile (here or in another account).
        raise ApiProblem(409, "That campaign is already managed.") from None
    warnings = []
    try:
        shown = connection.client.show_campaign(ref)
    except ApiError as exc:
        shown = None
        if exc.status not in NO_SHOW_STATUSES:
            logger.warning("Adopted %s; the dialer did not show it: %s", ref, exc)
            warnings.append(
                "The dialer did not answer for this campaign just now, so it shows what the "
                f"dialer's list said ({DIALER.problem(exc, not_found=NOT_ON_DIALER).message})."
            )
    if shown is not None:
        values = _adopted_values(shown, ref)
        state = values.pop("state")
        DialerCampaign.objects.filter(pk=campaign.pk).update(**values)
        # A notification applied since it was kept is newer than what was shown.
        DialerCampaign.objects.filter(pk=campaign.pk, state_changed_at=adopted_at).update(
            state=state
        )
        record = shown
    warnings += _adopt_agents(campaign, record)
    campaign.refresh_from_db()
    return Adopted(campaign, warnings)


def _adopt_agents(campaign, record) -> list[str]:
    """Keep the record's agents whose extensions are members' here, with the status the
    dialer's record gives each (`agent_statuses`): the statuses it sent before the campaign
    was adopted never reached a campaign here. Warnings name the other extensions."""
    unknown = []
    for extension in record["agents"]:
        user = selectors.member_with_extension(campaign.account, extension)
        if user is None:
            unknown.append(extension)
            continue
        DialerAgent.objects.get_or_create(
            campaign=campaign,
            extension=extension,
            defaults={
                "account": campaign.account,
                "user": user,
                "default_state": record["agent_states"].get(extension)
                or campaign.default_agent_state,
                "status": record["agent_statuses"].get(extension, ""),
            },
        )
    if not unknown:
        return []
    if len(unknown) == 1:
        return [
            f"Agent extension {unknown[0]} on the dialer belongs to no member here; give a "
            "member that extension under Dialer → Extensions to see them."
        ]
    return [
        f"Agent extensions {', '.join(unknown)} on the dialer belong to no member here; give "
        "members those extensions under Dialer → Extensions to see them."
    ]


def count_sent(campaign_id, sent: int) -> None:
    DialerCampaign.objects.filter(pk=campaign_id).update(contacts_sent=F("contacts_sent") + sent)
