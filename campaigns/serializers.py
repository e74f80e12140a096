"""The JSON shapes of campaigns and leads, as the API returns them and the forms read them."""

from django.conf import settings
from django.urls import reverse

from campaigns.checks import campaign_warnings
from campaigns.models import Integration
from campaigns.selectors import held_kinds, held_noun
from campaigns.sources import link_values


def form_url(campaign):
    if campaign.integration != Integration.FORM or not campaign.form_secret_id:
        return None
    return settings.PUBLIC_BASE_URL + reverse("public_form", args=[campaign.form_secret_id])


def form_send_url(campaign):
    """Where a form campaign's public form posts (`/f/<form_secret_id>/send/`), and so where a
    landing page's own HTML form posts its fields; None for other lead sources."""
    if campaign.integration != Integration.FORM or not campaign.form_secret_id:
        return None
    return settings.PUBLIC_BASE_URL + reverse("public_form_send", args=[campaign.form_secret_id])


def webhook_url(campaign):
    if campaign.integration != Integration.WEBHOOK or not campaign.webhook_token:
        return None
    return settings.PUBLIC_BASE_URL + reverse("lead_webhook", args=[campaign.webhook_token])


def _details(details, keys):
    return {key: details.get(key, default) for key, default in keys.items()}


def email_details_data(email_details) -> dict:
    """A campaign's stored `email_details` (any subset of its keys, or None) as reads give it:
    `subject`, `message`, `from` (strings), `reply_to` (`email`, `name`), `attachments` (list)."""
    email = email_details or {}
    return {
        **_details(email, {"subject": "", "message": "", "from": ""}),
        "reply_to": _details(email.get("reply_to") or {}, {"email": "", "name": ""}),
        "attachments": email.get("attachments") or [],
    }


def sms_details_data(sms_details) -> dict:
    """A campaign's stored `sms_details` (any subset, or None) as reads give it: `message`,
    `from` (strings)."""
    return _details(sms_details or {}, {"message": "", "from": ""})


def campaign_data(campaign):
    data = {
        "id": campaign.pk,
        "campaign_name": campaign.campaign_name,
        "integration": campaign.integration,
        "owner": campaign.owner_id,
        "page_id": campaign.page_id,
        "page_url": campaign.page_url,
        "tracking_number": campaign.tracking_number,
        "selected_user": [
            {
                "id": assignment.user_id,
                "name": assignment.user.get_full_name(),
                "custom_number": assignment.custom_number or None,
            }
            for assignment in campaign.assignments.all()
        ],
        "notification_type": campaign.notification_type,
        "email_details": email_details_data(campaign.email_details),
        "sms_details": sms_details_data(campaign.sms_details),
        "add_to_crm": campaign.add_to_crm,
        "add_person_or_business": campaign.add_person_or_business,
        "create_deal": campaign.create_deal,
        "pipeline_id": campaign.pipeline_id,
        "stage_id": campaign.stage_id,
        "deal_value": float(campaign.deal_value) if campaign.deal_value is not None else None,
        "currency": campaign.currency,
        "status": campaign.status,
        "is_deleted": campaign.is_deleted,
        "created_at": campaign.created_at,
        "updated_at": campaign.updated_at,
    }
    if campaign.integration == Integration.FORM:
        data["form_secret_id"] = str(campaign.form_secret_id) if campaign.form_secret_id else None
        data["form_url"] = form_url(campaign)
        data["form_send_url"] = form_send_url(campaign)
    if campaign.integration == Integration.WEBHOOK:
        data["webhook_url"] = webhook_url(campaign)
    return data


# The keys of campaign_data a client may send back in `campaigndata`.
WRITABLE = [
    "campaign_name",
    "integration",
    "owner",
    "page_id",
    "page_url",
    "tracking_number",
    "selected_user",
    "notification_type",
    "email_details",
    "sms_details",
    "add_to_crm",
    "add_person_or_business",
    "create_deal",
    "pipeline_id",
    "stage_id",
    "deal_value",
    "currency",
    "status",
    "is_deleted",
    # A lead source's link (sources.SourceLink); in single-campaign answers of that source.
    "invoca_campaign_id",
]


def campaign_with_warnings(campaign):
    """`campaign_data` plus `warnings`: `[{"code", "message"}]`, what stops the campaign from
    working as set up (campaigns.checks), and `held`: `{"count": int, "noun": "lead" | "call" |
    "text message" | "call or text message"}` (`selectors.held_noun`), what reached it while it
    was paused and waits to be captured (`POST /v1/campaigns/<id>/held-leads` once it is
    active); for responses about one campaign, not lists. A lead source with a link adds its
    key (`invoca_campaign_id`, `sources.SourceLink`)."""
    warnings = [
        {"code": warning.code, "message": warning.message}
        for warning in campaign_warnings(campaign)
    ]
    kinds = held_kinds(campaign)
    held = {"count": sum(count for count, _noun in kinds), "noun": held_noun(campaign, kinds)}
    return {
        **campaign_data(campaign),
        **link_values(campaign),
        "warnings": warnings,
        "held": held,
    }


def writable_data(campaign):
    data = {**campaign_data(campaign), **link_values(campaign)}
    writable = {key: data.get(key) for key in WRITABLE}
    writable["selected_user"] = [
        {"id": rep["id"], "custom_number": rep["custom_number"]} for rep in data["selected_user"]
    ]
    return writable


def lead_data(lead):
    return {
        "id": lead.pk,
        "campaign": {"id": lead.campaign_id, "campaign_name": lead.campaign.campaign_name},
        "source": lead.source,
        "external_id": lead.external_id,
        "name": lead.name,
        "phone": lead.phone,
        "email": lead.email,
        "message": lead.message,
        "representative": (
            {"id": lead.representative_id, "name": lead.representative.get_full_name()}
            if lead.representative_id
            else None
        ),
        "payload": lead.payload,
        "status": lead.status,
        # In the account's currency, like a campaign's `deal_value`.
        "revenue": float(lead.revenue) if lead.revenue is not None else None,
        "first_response_s": lead.first_response_s,
        # When the first alert about the lead was sent (any channel); null when none was.
        "alerted_at": lead.alerted_at,
        "contact_id": lead.contact_id,
        "created_at": lead.created_at,
        "updated_at": lead.updated_at,
    }
