"""The generic lead webhook: `POST /webhooks/leads/<token>/` with a JSON lead."""

from django.http import Http404

from campaignhub import intake, schemas
from campaignhub.api import form_errors
from campaignhub.cleaning import parse_json
from campaignhub.webhooks import Target, WebhookView
from campaigns import events, services
from campaigns.forms import WebhookLeadForm
from campaigns.models import LEAD_WEBHOOK_SOURCE, Campaign, Integration, LeadSource
from campaigns.schemas import WebhookLeadBody

SOURCE = LEAD_WEBHOOK_SOURCE
PAUSED = (
    "The campaign is paused; the lead is stored and captured from the campaign's page once it "
    "is active."
)


class LeadWebhook(WebhookView):
    source = SOURCE

    def resolve(self, token):
        campaign = (
            Campaign.objects.filter(
                webhook_token=token, integration=Integration.WEBHOOK, is_deleted=False
            )
            .select_related("account")
            .first()
        )
        if campaign is None:
            raise Http404
        # A paused campaign's leads are kept (ignored, replayable), never refused like a 404.
        paused = "" if campaign.status else PAUSED
        return Target(
            campaign.account, target_id=campaign.pk, campaign_id=campaign.pk, ignore_reason=paused
        )

    def hold_reason(self, delivery, target):
        """PAUSED naming the lead (`held_reason`)."""
        return held_reason(_key(_lead_form(_payload(delivery)), raw=delivery.body))

    def held(self, delivery, target):
        """The paused campaign's page, open anywhere, counts the lead it holds."""
        events.held_changed(target.target_id)

    def check(self, delivery):
        """Tell the sender at once what is wrong with a lead, instead of failing later."""
        try:
            payload = _payload(delivery)
        except ValueError as exc:
            return str(exc)
        if payload is None:
            return "The body must be a JSON object."
        try:
            form = _lead_form(payload)
        except schemas.InvalidBody as exc:
            return exc.errors
        if not form.is_valid():
            return form_errors(form)
        return None


def _payload(delivery):
    """The body's JSON object, or None for valid JSON that is no object (`[1, 2]`). Raises
    ValueError naming why for a body that is not text in its charset
    (`InboundDelivery.body_text`) or not JSON at all ("Malformed JSON: Expecting value: line 1
    column 2 (char 1)", `cleaning.parse_json`, as our API says it), and DuplicateKey
    ("Malformed JSON: the key 'x' appears more than once in one object") for an object naming
    a key twice, as our API does: which value was meant is unknown."""
    payload = parse_json(delivery.body_text(), unique_keys=True, unreadable_numbers_as_text=True)
    return payload if isinstance(payload, dict) else None


def _lead_form(payload):
    """The lead form bound to a payload whose fields have their declared JSON types.

    Raises `campaignhub.schemas.InvalidBody` naming a field of the wrong type (`"name": ["a"]`).
    """
    return WebhookLeadForm(data=schemas.check(WebhookLeadBody, payload))


def _key(form, *, raw) -> str:
    """The lead's external id from a valid lead form (`services.lead_external_id`)."""
    form.is_valid()
    return services.lead_external_id(form.cleaned_data["external_id"], raw=raw)


def held_reason(key: str) -> str:
    """Why a lead is held: PAUSED and the lead's external id, so repeats of one lead are counted
    once (`campaigns.selectors.held_count`), as capturing them makes one lead."""
    return f"{PAUSED} Lead key: {key}."


def process(delivery):
    """Capture the lead on the delivery's campaign, looked up within the delivery's account and
    checked to be live now (it may have been paused or deleted since the delivery arrived)."""
    payload = _payload(delivery)
    form = _lead_form(payload)
    if not form.is_valid():
        raise ValueError(f"Invalid lead: {form.errors.as_json()}")
    delivery.event = "lead"
    campaign = (
        Campaign.objects.for_account(delivery.account)
        .filter(pk=delivery.target_id, integration=Integration.WEBHOOK, is_deleted=False)
        .first()
    )
    # Without an id from the sender, the same body sent twice is taken for a retry.
    key = _key(form, raw=delivery.body)
    if campaign is None:
        delivery.error = "The campaign no longer exists."
        return False
    delivery.campaign_id = campaign.pk
    if not campaign.status:
        delivery.error = held_reason(key)
        intake.when_held(delivery, lambda: events.held_changed(campaign.pk))
        return False
    delivery.lead_id = services.capture_lead(
        campaign=campaign,
        source=LeadSource.WEBHOOK,
        external_id=key,
        received_at=delivery.received_at,
        name=form.cleaned_data["name"],
        phone=form.cleaned_data["phone"],
        email=form.cleaned_data["email"],
        message=form.cleaned_data["message"],
        payload=payload,
    )[0].pk
    return True
