"""The dialer's notifications: `POST /webhooks/dialer/<token>/`, one token per account.

Each delivery is stored raw first and processed in Celery (campaignhub.intake). Campaign state
changes only here: `TRANSITIONS` says which reported status may follow which; a duplicate or a
stale one (e.g. `stopping` after `stopped` with no start in between) is stored as an event with
the reason it was ignored, and logged. A `stopped` (or `completed`) for a campaign being removed
triggers the delete on the dialer.
"""

import json
import logging

from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from campaignhub.cleaning import clean_json, parse_json
from campaignhub.webhooks import Target, WebhookView
from campaigns import services as campaigns
from campaigns.models import LeadSource
from dialer import client as dialer
from dialer.models import (
    AgentExtension,
    CampaignState,
    DialerAgent,
    DialerCampaign,
    DialerEvent,
    DialerReceiver,
    EventKind,
    PendingAction,
)

SOURCE = "dialer"
logger = logging.getLogger(__name__)

S = CampaignState
# Which reported status may follow our current state; anything else is stale.
TRANSITIONS = {
    S.STOPPED: {S.STARTED},
    S.STARTED: {S.STOPPING, S.STOPPED, S.COMPLETED},
    S.STOPPING: {S.STOPPED, S.COMPLETED, S.STARTED},
    S.COMPLETED: {S.STARTED},
}
# The pending action a reported status answers.
SETTLES = {
    S.STARTED: {PendingAction.START_REQUESTED},
    S.STOPPING: {PendingAction.STOP_REQUESTED},
    S.STOPPED: {PendingAction.STOP_REQUESTED, PendingAction.START_REQUESTED},
    S.COMPLETED: {PendingAction.STOP_REQUESTED, PendingAction.START_REQUESTED},
}


class DialerWebhook(WebhookView):
    """Deliveries authenticated by the account's unguessable URL token (the dialer does not
    sign them)."""

    source = SOURCE

    def resolve(self, token):
        receiver = DialerReceiver.objects.filter(webhook_token=token).select_related("account")
        found = receiver.first()
        if found is None:
            raise Http404
        return Target(found.account)

    def check(self, delivery):
        try:
            # "Malformed JSON: …" for a body that does not decode, else what the notification lacks.
            dialer.parse_notification(parse_json(bytes(delivery.body)))
        except ValueError as exc:
            return str(exc)
        return None


def process(delivery) -> bool:
    """Apply one stored notification; True when it changed something, False when ignored.

    Idempotent: a replayed status finds the state already moved (a duplicate), a cdr is
    stored once per `call_ref`, a lead once per call.
    """
    note = dialer.parse_notification(json.loads(bytes(delivery.body)))
    delivery.event = note.kind if note.kind != "unknown" else f"unknown:{note.type}"
    account = delivery.account
    campaign = (
        DialerCampaign.objects.for_account(account)
        .select_for_update()
        .filter(ref=note.campaign_ref)
        .first()
    )
    if note.kind == "unknown":
        delivery.error = f"Unknown dialer notification type {note.type!r}; stored and ignored."
        logger.warning("Dialer delivery %s: %s", delivery.pk, delivery.error)
        return False
    if campaign is None:
        delivery.error = f"No campaign {note.campaign_ref!r} here; stored and ignored."
        logger.info("Dialer delivery %s: %s", delivery.pk, delivery.error)
        return False
    handler = {
        "campaign_status": campaign_status,
        "agent_status": agent_status,
        "cdr": call_record,
    }[note.kind]
    return handler(delivery, campaign, note)


def _event(delivery, campaign, kind, **fields):
    """Store the notification as an event; its payload is the body cleaned for a JSON column
    (`clean_json`: no NUL, NaN and ±Infinity as null). The delivery keeps the body as sent."""
    return DialerEvent.objects.create(
        account=campaign.account,
        campaign=campaign,
        delivery_id=delivery.pk,
        kind=kind,
        campaign_ref=campaign.ref,
        payload=clean_json(json.loads(bytes(delivery.body))),
        **fields,
    )


def campaign_status(delivery, campaign, note) -> bool:
    """Move the campaign to the reported status when `TRANSITIONS` allows it."""
    status = note.status
    if status not in dialer.CAMPAIGN_STATES:
        reason = f"Unknown campaign status {status!r}."
    elif status == campaign.state:
        reason = f"Duplicate: already {status}."
    elif status not in TRANSITIONS[campaign.state]:
        reason = f"Stale: {status} cannot follow {campaign.state}."
    else:
        reason = ""
    _event(delivery, campaign, EventKind.CAMPAIGN_STATUS, status=status[:20], ignored=reason)
    if reason:
        delivery.error = reason
        logger.info("Dialer %s status %s ignored: %s", campaign.ref, status, reason)
        return False
    campaign.state = status
    campaign.state_changed_at = timezone.now()
    if campaign.pending_action in SETTLES[status]:
        campaign.pending_action = PendingAction.NONE
    campaign.save(update_fields=["state", "state_changed_at", "pending_action", "updated_at"])
    if status in (S.STOPPED, S.COMPLETED):
        # At campaign end every agent of it goes offline (dialer-api.md).
        campaign.agents.update(status="offline", status_at=timezone.now())
    if campaign.is_removing and status in (S.STOPPED, S.COMPLETED):
        from dialer.tasks import finish_removal

        campaign_id = campaign.pk
        transaction.on_commit(lambda: finish_removal.delay(campaign_id), robust=True)
    _push_campaign(campaign)
    return True


def agent_status(delivery, campaign, note) -> bool:
    """Store the agent's status in this campaign (shown on the agent board)."""
    _event(
        delivery,
        campaign,
        EventKind.AGENT_STATUS,
        status=note.status,
        extension=note.extension,
    )
    updated = DialerAgent.objects.filter(campaign=campaign, extension=note.extension).update(
        status=note.status, status_at=timezone.now()
    )
    if not updated:
        delivery.error = f"Extension {note.extension!r} is not an agent of this campaign here."
    _push_campaign(campaign)
    return True


def call_record(delivery, campaign, note) -> bool:
    """Store the cdr once per call; a conversation (`client.was_conversation`: connected, with
    an agent) on a campaign linked to an active inbound campaign becomes a lead there (one per
    call, whatever the redeliveries), given to the agent who talked to the callee when they
    are one of its representatives (`agent_user_id`), else round-robin.

    Only the one-record-per-call constraint makes a cdr a duplicate; any other database
    refusal is raised, so the delivery fails with its reason and can be replayed.
    """
    call = note.call
    try:
        with transaction.atomic():
            _event(
                delivery,
                campaign,
                EventKind.CDR,
                extension=note.extension,
                call_ref=call["call_ref"],
                contact_ref=call["contact_ref"],
                end_reason=call["end_reason"],
                call_time=call["call_time"],
                dialed_at=call["dialed_at"],
            )
    except IntegrityError:
        if not _call_recorded(campaign.account, call["call_ref"]):
            raise
        delivery.error = f"Duplicate call record {call['call_ref']!r}."
        return False
    _lead_from_call(delivery, campaign, call, note.extension)
    _push_campaign(campaign)
    return True


def _call_recorded(account, call_ref) -> bool:
    """Whether the account already holds the cdr of `call_ref` (never for a cdr without one)."""
    if not call_ref:
        return False
    return DialerEvent.objects.filter(
        account=account, kind=EventKind.CDR, call_ref=call_ref
    ).exists()


def _lead_from_call(delivery, campaign, call, extension) -> None:
    inbound = campaign.inbound_campaign
    if not dialer.was_conversation(call["end_reason"], extension):
        return
    if inbound is None or inbound.is_deleted or not inbound.status:
        return
    contact = campaign.contacts.filter(ref=call["contact_ref"]).first()
    if contact is None:
        delivery.error = f"Call to unknown contact {call['contact_ref']!r}: no lead made."
        return
    campaigns.capture_lead(
        campaign=inbound,
        source=LeadSource.DIALER,
        external_id=campaigns.lead_external_id(call["call_ref"], raw=delivery.body),
        name=" ".join(part for part in (contact.first_name, contact.last_name) if part),
        phone=contact.number,
        email=contact.email,
        payload={
            "call": {"extension": extension, **call},
            "contact_ref": contact.ref,
            "dialer_campaign": campaign.ref,
        },
        handled_by=agent_user_id(campaign, extension),
    )


def agent_user_id(campaign, extension):
    """The id of the user who took a call of `campaign` under `extension`: its agent under
    that extension, else the member of the account whose extension it is; None for neither."""
    if not extension:
        return None
    agent = campaign.agents.filter(extension=extension).values_list("user_id", flat=True)
    found = agent.first()
    if found is None:
        found = (
            AgentExtension.objects.filter(account_id=campaign.account_id, extension=extension)
            .values_list("membership__user_id", flat=True)
            .first()
        )
    return found


def _push_campaign(campaign):
    from dialer import live_updates

    transaction.on_commit(lambda: live_updates.campaign_changed(campaign.pk), robust=True)
