"""Submissions to a paused form campaign's public form: kept as held deliveries, captured later.

A visitor at the public form of a paused campaign is served as ever (same page, same checks,
same thanks); what they send is stored as an `InboundDelivery` of `SOURCE`, ignored with a
reason naming the lead's key (so repeats of one submission count once, as for the lead
webhook), and becomes a lead when the campaign page's "Capture it now" replays it
(`services.capture_held_leads`) once the campaign is active.
"""

import json

from django.db import transaction
from django.http import QueryDict

from campaignhub import intake
from campaignhub.cleaning import clean_json, clean_text
from campaignhub.models import DeliveryStatus, InboundDelivery
from campaigns import events, services
from campaigns.forms import PublicLeadForm
from campaigns.models import LEAD_FORM_SOURCE, Campaign, Integration

SOURCE = LEAD_FORM_SOURCE
PAUSED = "The campaign is paused; the form submission is stored and is captured once it is active."
# What of the visitor's request is kept with a held submission (never their cookies).
KEPT_HEADERS = ("User-Agent", "Referer", "Origin")


def held_reason(key: str) -> str:
    """Why a submission is held: PAUSED and the lead's external id
    (`services.form_submission_key`), so `selectors.held_count` counts repeats once."""
    return f"{PAUSED} Lead key: {key}."


@transaction.atomic
def hold_submission(
    *, campaign, cleaned, data, headers=None, path="", remote_addr=None
) -> InboundDelivery | None:
    """Store a valid public form submission for the paused form `campaign` as held: an ignored
    InboundDelivery of SOURCE whose body is `{"fields": {...}, "form_encoded": bool}` (the
    posted fields as `services.posted_fields` gives them; whether they came as a posted page
    rather than JSON). `cleaned` is `PublicLeadForm.cleaned_data`, `data` the posted fields,
    `headers` (`{name: value}`), `path` and `remote_addr` what the request came with. Returns
    the delivery, or None for a bot (a posted page's trap field filled), which keeps nothing.
    Open pages of the campaign count it after commit (`events.held_changed`)."""
    if cleaned["website"]:
        return None
    body = {"fields": services.posted_fields(data), "form_encoded": isinstance(data, QueryDict)}
    kept = {name: value for name, value in (headers or {}).items() if name in KEPT_HEADERS}
    delivery = InboundDelivery.objects.create(
        account=campaign.account,
        source=SOURCE,
        event="submission",
        target_id=str(campaign.pk),
        campaign_id=campaign.pk,
        headers=clean_json({**kept, "Content-Type": "application/json"}),
        body=json.dumps(body, default=str).encode(),
        path=clean_text(path, 500),
        remote_addr=remote_addr or None,
        status=DeliveryStatus.IGNORED,
        error=held_reason(services.form_submission_key(cleaned, data)),
    )
    transaction.on_commit(lambda: events.held_changed(campaign.pk), robust=True)
    return delivery


def _submission(delivery):
    """The posted fields of a held submission, as the public form's view had them (a
    `QueryDict` for a posted page, a dict for JSON)."""
    body = json.loads(delivery.body_text())
    fields = body["fields"]
    if not body.get("form_encoded"):
        return fields
    data = QueryDict(mutable=True)
    for name, values in fields.items():
        data.setlist(name, values)
    return data


def process(delivery) -> bool:
    """The `campaignhub.webhooks` processor of SOURCE: capture the held submission as the
    public form would have, on its campaign if that is a live form campaign of the delivery's
    account and active now; held again while it is still paused. Raises ValueError for a
    body that no longer passes the form (it did when stored)."""
    data = _submission(delivery)
    form = PublicLeadForm(data=data)
    if not form.is_valid():
        raise ValueError(f"Invalid form submission: {form.errors.as_json()}")
    campaign = (
        Campaign.objects.for_account(delivery.account)
        .filter(pk=delivery.target_id, integration=Integration.FORM, is_deleted=False)
        .first()
    )
    if campaign is None:
        delivery.error = "The campaign no longer exists or no longer takes form submissions."
        return False
    delivery.campaign_id = campaign.pk
    if not campaign.status:
        delivery.error = held_reason(services.form_submission_key(form.cleaned_data, data))
        intake.when_held(delivery, lambda: events.held_changed(campaign.pk))
        return False
    captured = services.capture_form_submission(
        campaign=campaign, cleaned=form.cleaned_data, data=data, received_at=delivery.received_at
    )
    if captured is not None:
        delivery.lead_id = captured[0].pk
    return True
