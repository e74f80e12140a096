"""Invoca calls into leads: a post-call webhook's body or a Transactions API row becomes one lead
per call on the inbound campaign linked to the call's advertiser campaign.

Both ways in are stored as inbound deliveries first (`WEBHOOK_SOURCE` for the webhook,
`TRANSACTIONS_SOURCE` for rows read by the poll) and processed here, idempotently: the lead's
external id is the call's `transaction_id`, so the webhook and the poll of one call make one
lead. A correction (`corrects_transaction_id`) updates the lead of the transaction it corrects
instead of making a new one; its values replace the original's (external-apis.md §2.5). A call
no live campaign takes is stored as ignored with a reason starting `HELD` ("held") and is
captured again when an advertiser campaign is linked (`capture_held_calls`) or on replay.
"""

import json
import logging
from dataclasses import dataclass
from urllib.parse import parse_qsl

from campaignhub import intake
from campaignhub.cleaning import (
    NOT_UTF8_FORM,
    body_text,
    bounded_id,
    clean_json,
    clean_text,
    declared_charset,
    number_text,
    parse_json,
)
from campaignhub.models import DeliveryStatus, InboundDelivery
from campaigns import events
from campaigns import services as campaigns
from campaigns.models import Campaign, Integration, Lead, LeadSource
from invoca.models import AdvertiserCampaign

logger = logging.getLogger(__name__)

WEBHOOK_SOURCE = "invoca"
TRANSACTIONS_SOURCE = "invoca_transactions"
SOURCES = (WEBHOOK_SOURCE, TRANSACTIONS_SOURCE)
CALL = "call"
HELD = "Held: "
NO_TRANSACTION_ID = (
    "The call has no transaction_id: add the Transaction ID parameter to the post-call webhook "
    "in Invoca (calls without one still arrive through the Transactions API)."
)
XML_BODY = (
    "XML post-call webhooks are not read: choose JSON POST or HTTP Form POST for the webhook "
    "in Invoca."
)
# Where a call's details may be found, first match wins: the Transactions API's column names,
# which a post-call webhook's substitution parameters should be named after too.
NAME_KEYS = ("display_name_data_append", "caller_name", "name")
PHONE_KEYS = ("calling_phone_number", "caller_id", "caller_phone_number")


@dataclass(frozen=True)
class CallFields:
    """The parts of an Invoca transaction the lead needs, as text ("" when absent)."""

    transaction_id: str
    corrects_transaction_id: str
    transaction_type: str
    advertiser_id: str
    campaign_id: str
    name: str
    phone: str

    @property
    def is_call(self) -> bool:
        return self.transaction_type.replace(" ", "").lower() == CALL

    @property
    def event(self) -> str:
        """The delivery's event name: `call`, `call_correction`, `sale`, `postcallevent`, …"""
        kind = self.transaction_type.replace(" ", "").lower() or "unknown"
        return f"{kind}_correction" if self.corrects_transaction_id else kind


@dataclass
class Outcome:
    """What became of a delivery: `handled` (a lead was captured or updated) or not, and why."""

    handled: bool
    reason: str = ""
    # The paused inbound campaign the call was held for (its page counts it), if any.
    held_for: int | None = None
    # The inbound campaign whose lead the call made or updated, and that lead, if any.
    campaign_id: int | None = None
    lead_id: int | None = None


def read_body(body: bytes, content_type: str = "") -> dict:
    """A post-call webhook body as a dict of its parameters.

    Invoca posts JSON (an object; a one-object array is read as that object) or a form
    (`application/x-www-form-urlencoded`; a repeated key keeps its last value, empty fields and
    bare keys are read as browsers write them), in the charset
    the Content-Type names, else UTF-8 (`body_text`). Raises ValueError saying why for anything
    else: bytes not in that charset, XML, an empty body, text that is neither.
    """
    text = body_text(body, content_type)
    kind = content_type.split(";")[0].strip().lower()
    start = text.lstrip()[:1]
    if kind.endswith("xml") or start == "<":
        raise ValueError(XML_BODY)
    if not start:
        raise ValueError("The body is empty.")
    looks_like_json = kind.endswith("json") or start in "{["
    if kind == "application/x-www-form-urlencoded" or not looks_like_json:
        charset = declared_charset(content_type)
        if "=" not in text:
            raise ValueError("The body is not a form: it holds no field=value.")
        try:
            # Read as browsers and Django read forms: an empty field (`a=1&&b=2`, a trailing
            # `&`) is skipped and a bare key (`flag`) is that key with an empty value.
            pairs = parse_qsl(
                text.strip(),
                keep_blank_values=True,
                encoding=charset or "utf-8",
                errors="strict",
            )
        except UnicodeDecodeError:
            raise ValueError(
                f"The form's %-escaped values are not {charset} text, the charset its "
                "Content-Type names."
                if charset
                else NOT_UTF8_FORM
            ) from None
        except ValueError as exc:
            raise ValueError(f"The body is not a form: {exc}") from exc
        return dict(pairs)
    data = parse_json(text)
    if isinstance(data, list) and len(data) == 1:
        data = data[0]
    if not isinstance(data, dict):
        raise ValueError("A post-call webhook body is one JSON object (or a form).")
    return data


def _value(row: dict, *keys, max_length=255, bound=clean_text) -> str:
    lowered = {str(key).strip().lower(): value for key, value in row.items()}
    for key in keys:
        text = bound(lowered.get(key), max_length)
        if text and text.lower() not in ("null", "none"):
            return text
    return ""


def _bounded_id(value, max_length: int) -> str:
    if isinstance(value, float):
        value = number_text(value)
    return bounded_id(value, max_length)


def _id(row: dict, key) -> str:
    """A transaction id as the 64-character columns keep it (`bounded_id`: a longer one becomes
    its digest, never cut, so two long ids never make one lead). An id sent as a JSON number
    reads as `number_text` has it: 12345 and 12345.0 are one call, NaN or ±Infinity no id."""
    return _value(row, key, max_length=64, bound=_bounded_id)


def call_fields(row: dict) -> CallFields:
    """The lead's view of a transaction row or webhook body. Keys are matched in any case;
    `transaction_type` missing (a webhook) counts as a call; the caller's name is Invoca's
    `display_name_data_append` (caller demographics), else `caller_name`/`name`, else first and
    last name; the phone is `calling_phone_number` as sent (`866-555-1234`), made E.164 when
    the lead is saved."""
    name = _value(row, *NAME_KEYS)
    if not name:
        name = " ".join(
            part
            for part in (
                _value(row, "first_name_data_append"),
                _value(row, "last_name_data_append"),
            )
            if part
        )
    return CallFields(
        transaction_id=_id(row, "transaction_id"),
        corrects_transaction_id=_id(row, "corrects_transaction_id"),
        transaction_type=_value(row, "transaction_type", max_length=40) or "Call",
        advertiser_id=_value(row, "advertiser_id_from_network", max_length=64),
        campaign_id=_value(row, "advertiser_campaign_id_from_network", max_length=64),
        name=name,
        phone=_value(row, *PHONE_KEYS, max_length=40),
    )


def _invoca_campaigns(account):
    """The account's campaigns with the lead source Invoca, deleted ones included: those a
    call may be (or have been made) a lead on."""
    return Campaign.objects.for_account(account).filter(integration=Integration.INVOCA)


def _invoca_leads(account):
    """The account's call leads on Invoca campaigns (by campaign, so the lead-per-event
    index is used)."""
    campaign_ids = _invoca_campaigns(account).values("pk")
    return Lead.objects.filter(campaign__in=campaign_ids, source=LeadSource.CALL)


def lead_for_transaction(account, transaction_id, *, corrections=False):
    """The lead of the call whose transaction is `transaction_id`, or None. With
    `corrections`, a lead last corrected by that transaction counts too (a correction of a
    correction)."""
    leads = _invoca_leads(account).select_related("campaign")
    lead = leads.filter(external_id=transaction_id).first()
    if lead is None and corrections:
        lead = leads.filter(payload__transaction_id=transaction_id).first()
    return lead


def _campaign_for(account, fields: CallFields):
    """(live inbound campaign, "", None) for the call's advertiser campaign, or (None, why
    not, the id of the paused inbound campaign it feeds when that is why)."""
    if not fields.campaign_id:
        return (
            None,
            "the call names no advertiser campaign (advertiser_campaign_id_from_network).",
            None,
        )
    found = AdvertiserCampaign.objects.for_account(account).filter(
        id_from_network=fields.campaign_id
    )
    if fields.advertiser_id:
        found = found.filter(advertiser_id_from_network=fields.advertiser_id)
    found = list(found.select_related("inbound_campaign")[:2])
    named = f"{fields.advertiser_id or '?'}/{fields.campaign_id}"
    if not found:
        return None, f"advertiser campaign {named} is not one of this account's.", None
    if len(found) > 1:
        return (
            None,
            f"advertiser campaign {fields.campaign_id} exists under several advertisers; "
            "send advertiser_id_from_network too.",
            None,
        )
    campaign = found[0].inbound_campaign
    if campaign is None:
        return None, f"no inbound campaign is linked to advertiser campaign {named}.", None
    if campaign.is_deleted or campaign.integration != Integration.INVOCA:
        return None, f"“{campaign.campaign_name}” no longer takes Invoca calls.", None
    if not campaign.status:
        paused = f"“{campaign.campaign_name}” is paused; activate it to capture the call."
        return None, paused, campaign.pk
    return campaign, "", None


def _capture(campaign, external_id, fields: CallFields, row: dict) -> int:
    """Make or update the call's lead (`campaigns.capture_lead`); returns its id."""
    lead, _ = campaigns.capture_lead(
        campaign=campaign,
        source=LeadSource.CALL,
        external_id=external_id,
        name=fields.name,
        phone=fields.phone,
        payload=row,
    )
    return lead.pk


def capture_call(account, row: dict) -> Outcome:
    """Make or update the lead of one Invoca call transaction (`row`, a webhook body or a
    Transactions API row); idempotent.

    A new call goes to the live inbound campaign linked to its advertiser campaign, with
    `transaction_id` as the lead's external id; a call already known (the webhook and the poll
    of one call, a relinked campaign) updates the lead it made, wherever it is. A correction
    updates the lead of `corrects_transaction_id` (its values replace the original's), or makes
    the call's lead under that id when the original never became one. An original read after
    its correction changes nothing. Transactions that are not calls (PostCallEvent, Sale,
    Signal) are ignored. Raises ValueError for a call without a transaction id.
    """
    fields = call_fields(row)
    if not fields.transaction_id:
        raise ValueError(NO_TRANSACTION_ID)
    if not fields.is_call:
        return Outcome(False, f"Invoca {fields.transaction_type} transactions are not calls.")
    payload = clean_json(row)
    if fields.corrects_transaction_id:
        external_id = fields.corrects_transaction_id
        lead = lead_for_transaction(account, external_id, corrections=True)
    else:
        external_id = fields.transaction_id
        lead = lead_for_transaction(account, external_id)
        if lead is not None and (lead.payload or {}).get("corrects_transaction_id"):
            return Outcome(
                True,
                "The call was corrected since; its correction stands.",
                campaign_id=lead.campaign_id,
                lead_id=lead.pk,
            )
    if lead is not None:
        lead_id = _capture(lead.campaign, lead.external_id, fields, payload)
        return Outcome(True, campaign_id=lead.campaign_id, lead_id=lead_id)
    campaign, reason, paused = _campaign_for(account, fields)
    if campaign is None:
        return Outcome(False, HELD + reason, held_for=paused)
    lead_id = _capture(campaign, external_id, fields, payload)
    return Outcome(True, campaign_id=campaign.pk, lead_id=lead_id)


def webhook_row(delivery) -> dict:
    """A stored post-call webhook delivery's parameters (`read_body`, in the charset its stored
    Content-Type names). Raises ValueError saying why it cannot be a post-call webhook: a body
    `read_body` cannot read, or one without a `transaction_id` (`NO_TRANSACTION_ID`)."""
    content_type = next(
        (v for k, v in (delivery.headers or {}).items() if k.lower() == "content-type"), ""
    )
    row = read_body(bytes(delivery.body), content_type)
    if not call_fields(row).transaction_id:
        raise ValueError(NO_TRANSACTION_ID)
    return row


def process(delivery) -> bool:
    """The intake processor of both Invoca sources: read the stored body (a webhook's JSON or
    form, or a Transactions API row as JSON), capture the call. True when a lead was made or
    updated; otherwise `delivery.error` says why (a held call starts with `HELD`). Raises
    ValueError for a body that cannot be read (the delivery fails with that reason)."""
    if delivery.source == TRANSACTIONS_SOURCE:
        row = json.loads(delivery.text)
        if not isinstance(row, dict):
            raise ValueError("A transaction is a JSON object.")
    else:
        row = webhook_row(delivery)
    delivery.event = call_fields(row).event
    outcome = capture_call(delivery.account, row)
    delivery.campaign_id = outcome.campaign_id or outcome.held_for or delivery.campaign_id
    delivery.lead_id = outcome.lead_id or delivery.lead_id
    if not outcome.handled:
        delivery.error = outcome.reason
    if outcome.held_for is not None:
        # The paused campaign's open page counts it (`selectors.held_calls_for`).
        paused = outcome.held_for
        intake.when_held(delivery, lambda: events.held_changed(paused))
    return outcome.handled


def held_calls(account):
    """The account's Invoca deliveries stored as held: no live campaign took the call."""
    return InboundDelivery.objects.for_account(account).filter(
        source__in=SOURCES, status=DeliveryStatus.IGNORED, error__startswith=HELD
    )


def capture_held_calls(account) -> list[int]:
    """Process the account's held Invoca calls again (after a link or an activation, or
    "Capture held calls"), oldest first; those still without a campaign stay held. Returns the
    ids of the deliveries queued (`intake.replayed`).

    A held call may become a lead on any of the account's Invoca campaigns (a correction on
    the lead of the call it corrects), so the capture takes its turn on all of them
    (`campaigns.services.capture_turn`): captures sent at once (two admins pressing, a press
    while an activation captures) queue each held delivery once between them, each its own
    in the order they arrived."""
    with campaigns.capture_turn(_invoca_campaigns(account)):
        return intake.replayed(held_calls(account))
