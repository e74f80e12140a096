"""The dialer's notifications: `POST /webhooks/dialer/<token>/`, one token per account.

Each delivery is stored raw first and processed in Celery (campaignhub.intake). Campaign state
changes only here: `TRANSITIONS` says which reported status may follow which; a duplicate or a
stale one (e.g. `stopping` after `stopped` with no start in between) is stored as an event with
the reason it was ignored, and logged. A `stopped` (or `completed`) for a campaign being removed
triggers the delete on the dialer. A connected call no inbound campaign takes yet (none
linked, or it is paused) is held, not dropped: see `call_record`.
"""

import json
import logging

from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from campaignhub import intake
from campaignhub.cleaning import clean_json, parse_json
from campaignhub.webhooks import Target, WebhookView
from campaigns import events
from campaigns import services as campaigns
from campaigns.models import LeadSource
from dialer import client as dialer
from dialer.models import (
    HELD,
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
            # Why the body is not text in its charset, "Malformed JSON: …" for one that does not
            # decode, else what the notification lacks.
            dialer.parse_notification(parse_json(delivery.body_text()))
        except ValueError as exc:
            return str(exc)
        return None


def process(delivery) -> bool:
    """Apply one stored notification; True when it changed something, False when ignored.

    Idempotent: a replayed status finds the state already moved (a duplicate), a cdr is
    stored once per `call_ref`, a lead once per call.
    """
    note = dialer.parse_notification(json.loads(delivery.body_text()))
    delivery.event = note.kind if note.kind != "unknown" else f"unknown:{note.type}"
    account = delivery.account
    campaign = (
        DialerCampaign.objects.for_account(account)
        .select_for_update(of=("self",))
        .select_related("inbound_campaign")
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
        payload=clean_json(json.loads(delivery.body_text())),
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
    an agent) becomes a lead of the linked inbound campaign (one per call, whatever the
    redeliveries), given to the agent who talked to the callee when they are one of its
    representatives, else round-robin. Who that agent is (`agent_user_id`) is settled when
    the cdr first arrives and kept on its event (`taken_by`): a held call captured later goes
    to the person who had the extension then, whoever has it now.

    While no inbound campaign takes the call (none linked, or it is paused or deleted:
    `DialerCampaign.leads_held_because`), the call is held: its event's `ignored` and the
    delivery's error say why, starting `HELD`, and the delivery is stored as ignored (False).
    A held call is tried again when its delivery is replayed (`services.capture_held_calls`)
    or the dialer sends it again; any other repeat is a duplicate.

    Only the one-record-per-call constraint makes a cdr a duplicate; any other database
    refusal is raised, so the delivery fails with its reason and can be replayed.
    """
    call = note.call
    event = _recorded_call(delivery, campaign.account, call["call_ref"])
    if event is None:
        try:
            with transaction.atomic():
                event = _event(
                    delivery,
                    campaign,
                    EventKind.CDR,
                    extension=note.extension,
                    taken_by_id=agent_user_id(campaign, note.extension),
                    call_ref=call["call_ref"],
                    contact_ref=call["contact_ref"],
                    end_reason=call["end_reason"],
                    call_time=call["call_time"],
                    dialed_at=call["dialed_at"],
                )
        except IntegrityError:
            event = _recorded_call(delivery, campaign.account, call["call_ref"])
            if event is None:
                raise
            if not event.is_held:
                return _duplicate(delivery, call)
    elif not event.is_held:
        return _duplicate(delivery, call)
    handled = _lead_from_call(delivery, event, campaign, call, note.extension)
    _push_campaign(campaign)
    return handled


def _duplicate(delivery, call) -> bool:
    call_ref = call["call_ref"]
    delivery.error = (
        f"Duplicate call record {call_ref!r}."
        if call_ref
        else "Duplicate: this call record was stored already."
    )
    return False


def _recorded_call(delivery, account, call_ref):
    """The account's stored cdr of `call_ref`, or for a cdr without one the event this very
    delivery stored (a replay), or None."""
    events = DialerEvent.objects.filter(account=account, kind=EventKind.CDR)
    if call_ref:
        return events.filter(call_ref=call_ref).first()
    return events.filter(delivery_id=delivery.pk).first()


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


UNKNOWN_CONTACT = (
    "Contact {ref} was added on the dialer itself, not uploaded here: its name and number are "
    "on the dialer."
)


def _contact_details(contact, contact_ref) -> dict:
    """The lead details of the callee: the uploaded contact's name, number and email; for a
    contact we never had (one added on the dialer itself, e.g. in an adopted campaign) a message
    naming its ref, since a call record carries no number (dialer-api.md)."""
    if contact is None:
        return {"message": UNKNOWN_CONTACT.format(ref=contact_ref)}
    name = " ".join(part for part in (contact.first_name, contact.last_name) if part)
    return {"name": name, "phone": contact.number, "email": contact.email}


def _lead_from_call(delivery, event, campaign, call, extension) -> bool:
    """Make the lead of a conversation, or hold it (False) while no inbound campaign takes it.
    Every conversation makes one, a callee we never had too (`_contact_details`)."""
    if not dialer.was_conversation(call["end_reason"], extension):
        return True
    contact = campaign.contacts.filter(ref=call["contact_ref"]).first()
    # The inbound campaign the call is for, whether it takes the call or holds it.
    delivery.campaign_id = campaign.inbound_campaign_id or delivery.campaign_id
    because = campaign.leads_held_because
    if because:
        held = (HELD + because + ".")[: DialerEvent._meta.get_field("ignored").max_length]
        if event.ignored != held:
            event.ignored = held
            event.save(update_fields=["ignored"])
        delivery.error = held
        if campaign.inbound_campaign_id:
            inbound_id = campaign.inbound_campaign_id
            intake.when_held(delivery, lambda: events.held_changed(inbound_id))
        return False
    lead, _ = campaigns.capture_lead(
        campaign=campaign.inbound_campaign,
        source=LeadSource.DIALER,
        external_id=campaigns.lead_external_id(call["call_ref"], raw=delivery.body),
        **_contact_details(contact, call["contact_ref"]),
        payload={
            "call": {"extension": extension, **call},
            "contact_ref": call["contact_ref"],
            "dialer_campaign": campaign.ref,
        },
        handled_by=event.taken_by_id,
        received_at=delivery.received_at,
    )
    delivery.lead_id = lead.pk
    if event.ignored:
        event.ignored = ""
        event.save(update_fields=["ignored"])
    return True


def _push_campaign(campaign):
    from dialer import live_updates

    transaction.on_commit(lambda: live_updates.campaign_changed(campaign.pk), robust=True)
