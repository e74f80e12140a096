"""The generic lead webhook: `POST /webhooks/leads/<token>/` with a JSON lead."""

import hashlib
import json

from django.http import Http404

from campaignhub.api import form_errors
from campaignhub.webhooks import Target, WebhookView
from campaigns import services
from campaigns.forms import WebhookLeadForm
from campaigns.models import Campaign, Integration, LeadSource

SOURCE = "leads"


class LeadWebhook(WebhookView):
    source = SOURCE

    def resolve(self, token):
        campaign = Campaign.objects.filter(
            webhook_token=token, integration=Integration.WEBHOOK, is_deleted=False, status=True
        ).first()
        if campaign is None:
            raise Http404
        return Target(campaign.account, target_id=campaign.pk)

    def check(self, delivery):
        """Tell the sender at once what is wrong with a lead, instead of failing later."""
        payload = _payload(delivery)
        if payload is None:
            return "The body must be a JSON object."
        form = WebhookLeadForm(data=payload)
        if not form.is_valid():
            return form_errors(form)
        return None


def _payload(delivery):
    try:
        payload = json.loads(delivery.text)
    except json.JSONDecodeError:
        return None
    return payload if isinstance(payload, dict) else None


def process(delivery):
    payload = _payload(delivery)
    form = WebhookLeadForm(data=payload)
    if not form.is_valid():
        raise ValueError(f"Invalid lead: {form.errors.as_json()}")
    campaign = Campaign.objects.get(pk=delivery.target_id)
    # Without an id from the sender, the same body sent twice is taken for a retry.
    external_id = form.cleaned_data["external_id"] or (
        "sha256:" + hashlib.sha256(bytes(delivery.body)).hexdigest()
    )
    delivery.event = "lead"
    services.capture_lead(
        campaign=campaign,
        source=LeadSource.WEBHOOK,
        external_id=external_id,
        name=form.cleaned_data["name"],
        phone=form.cleaned_data["phone"],
        email=form.cleaned_data["email"],
        message=form.cleaned_data["message"],
        payload=payload,
    )
    return True
