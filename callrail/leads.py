"""CallRail calls, texts and form submissions into leads on the matching active campaign."""

from dataclasses import dataclass

from callrail import client as callrail
from campaigns import selectors
from campaigns import services as campaigns
from campaigns.models import Integration, LeadSource


@dataclass
class Outcome:
    """What became of a delivery: `handled` (a lead was captured) or not, and why not."""

    handled: bool
    reason: str = ""


def _capture(delivery, campaign, missing, *, source, payload, external_id, **details) -> Outcome:
    if campaign is None:
        return Outcome(False, missing)
    campaigns.capture_lead(
        campaign=campaign,
        source=source,
        payload=payload,
        external_id=campaigns.lead_external_id(external_id, raw=delivery.body),
        **details,
    )
    return Outcome(True)


def _by_number(delivery, number):
    # Tracking numbers are stored in E.164; CallRail sends E.164 too, but formats vary.
    e164 = campaigns.clean_lead_details(phone=number)["phone"]
    return selectors.live_campaign_for_number(delivery.account, Integration.CALLRAIL, e164)


def _on_tracking_number(delivery, payload, fields, *, source, **details) -> Outcome:
    number = fields["tracking_number"]
    return _capture(
        delivery,
        _by_number(delivery, number),
        f"No active CallRail campaign uses {number or 'no tracking number'}.",
        source=source,
        payload=payload,
        external_id=fields["external_id"],
        **details,
    )


def lead_from_call(delivery, payload) -> Outcome:
    """A call (pre-call, routing complete, post-call, modified) on a tracking number -> a lead.

    Later events of the same call update the lead made by the first (same `resource_id`). A
    withheld or unparseable caller number still makes a lead, without a phone.
    """
    fields = callrail.call_fields(payload)
    return _on_tracking_number(
        delivery,
        payload,
        fields,
        source=LeadSource.CALL,
        name=fields["name"],
        phone=fields["phone"],
    )


def lead_from_text(delivery, payload) -> Outcome:
    """A text message received on a tracking number -> a lead; each message is its own lead."""
    fields = callrail.text_fields(payload)
    return _on_tracking_number(
        delivery,
        payload,
        fields,
        source=LeadSource.TEXT,
        phone=fields["phone"],
        message=fields["message"],
    )


def lead_from_form(delivery, payload) -> Outcome:
    """A form submission on a campaign's page (host + path, `live_campaign_for_page`) -> a lead;
    every form field stays in the lead's payload."""
    fields = callrail.form_fields(payload)
    return _capture(
        delivery,
        selectors.live_campaign_for_page(
            delivery.account, Integration.CALLRAIL, fields["page_url"]
        ),
        f"No active CallRail campaign has the page {fields['page_url'] or '(none sent)'}.",
        source=LeadSource.FORM,
        payload=payload,
        external_id=fields["external_id"],
        name=fields["name"],
        phone=fields["phone"],
        email=fields["email"],
        message=fields["message"],
    )
