"""CallRail calls, texts and form submissions into leads on the matching active campaign.

A call or text to the tracking number of a paused campaign is held for it: stored as ignored
with a reason starting `held_reason_prefix(campaign_id)`, counted on the campaign's page and
captured from there once it is active. One to a number no campaign uses is ignored with a
reason starting `UNUSED_NUMBER` and the number in E.164 (the CallRail page counts them).
"""

from collections.abc import Callable
from dataclasses import dataclass

from callrail import client as callrail
from campaignhub import intake
from campaigns import events, selectors
from campaigns import services as campaigns
from campaigns.models import Campaign, Integration, Lead, LeadSource

UNUSED_NUMBER = "No active CallRail campaign uses "
HELD = "Held for paused campaign #"


def held_reason_prefix(campaign_id) -> str:
    """How the reason of every delivery held for campaign `campaign_id` starts."""
    return f"{HELD}{campaign_id}:"


@dataclass
class Outcome:
    """What became of a delivery: `handled` (a lead was captured) or not, and why not."""

    handled: bool
    reason: str = ""


def _callrail_leads(account, source):
    """The account's `source` leads on CallRail campaigns, deleted or paused ones too (by
    campaign, so the lead-per-event index is used)."""
    campaign_ids = Campaign.objects.for_account(account).filter(integration=Integration.CALLRAIL)
    return Lead.objects.filter(campaign__in=campaign_ids.values("pk"), source=source)


def _capture(
    delivery,
    find_campaign,
    missing: Callable[[str], str],
    *,
    source,
    payload,
    external_id,
    **details,
):
    """Capture the delivery's lead: an event already known (a call modified after its
    tracking number moved to another campaign, a delivery sent again) updates the lead it made,
    wherever it is; a new one goes to the campaign `find_campaign()` returns, or is not handled
    (`missing(external_id)` says why) when that is None."""
    external_id = campaigns.lead_external_id(external_id, raw=delivery.body)
    known = (
        _callrail_leads(delivery.account, source)
        .filter(external_id=external_id)
        .select_related("campaign")
        .first()
    )
    campaign = known.campaign if known is not None else find_campaign()
    if campaign is None:
        return Outcome(False, missing(external_id))
    delivery.campaign_id = campaign.pk
    lead, _ = campaigns.capture_lead(
        campaign=campaign,
        source=source,
        payload=payload,
        external_id=external_id,
        received_at=delivery.received_at,
        **details,
    )
    delivery.lead_id = lead.pk
    return Outcome(True)


def _e164(number) -> str:
    # Tracking numbers are stored in E.164; CallRail sends E.164 too, but formats vary.
    return campaigns.clean_lead_details(phone=number)["phone"]


def _unanswered(delivery, number, e164, source, external_id) -> str:
    """Why a call or text to `number` found no active campaign: held for the paused campaign
    that uses it, else no campaign uses it. Every event of one call gets the same reason (it
    names the call), so counting distinct reasons counts calls."""
    what = f"{source} {external_id}"
    paused = selectors.paused_campaign_for_number(delivery.account, Integration.CALLRAIL, e164)
    if paused is not None:
        delivery.campaign_id = paused.pk
        intake.when_held(delivery, lambda: events.held_changed(paused.pk))
        return (
            f"{held_reason_prefix(paused.pk)} {what} to {e164}, its tracking number; "
            "captured from its page once it is active."
        )
    if e164:
        intake.when_held(delivery, lambda: _unused_number_announced(delivery.account))
    return f"{UNUSED_NUMBER}{e164 or number or 'no tracking number'} ({what})."


def _unused_number_announced(account):
    from callrail import live_updates

    live_updates.page_changed(account)


def _on_tracking_number(delivery, payload, fields, *, source, **details) -> Outcome:
    number = fields["tracking_number"]
    e164 = _e164(number)
    return _capture(
        delivery,
        lambda: selectors.live_campaign_for_number(delivery.account, Integration.CALLRAIL, e164),
        lambda external_id: _unanswered(delivery, number, e164, source, external_id),
        source=source,
        payload=payload,
        external_id=fields["external_id"],
        **details,
    )


def lead_from_call(delivery, payload) -> Outcome:
    """A call (pre-call, routing complete, post-call, modified) on a tracking number -> a lead.

    Later events of the same call update the lead made by the first (same `resource_id`),
    wherever it is: a call modified after its tracking number moved to another campaign, or
    after its campaign was deleted, updates the old lead and alerts nobody again. A
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
        lambda: selectors.live_campaign_for_page(
            delivery.account, Integration.CALLRAIL, fields["page_url"]
        ),
        lambda _: (
            f"No active CallRail campaign has the page {fields['page_url'] or '(none sent)'}."
        ),
        source=LeadSource.FORM,
        payload=payload,
        external_id=fields["external_id"],
        name=fields["name"],
        phone=fields["phone"],
        email=fields["email"],
        message=fields["message"],
    )
