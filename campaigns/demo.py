"""Demo data for campaigns: one campaign per lead source built so far, with a few leads."""

from campaigns import services
from campaigns.models import Campaign, Integration, LeadSource, NotificationType

DEMO_CAMPAIGNS = [
    {
        "campaign_name": "Spring roofing offer",
        "integration": Integration.FORM,
        "page_url": "https://example.com/roofing",
        "notification_type": NotificationType.SEND_EMAIL_SMS,
        "email_details": {
            "subject": "New roofing lead: {{lead_name}}",
            "message": (
                "Hi {{representative_name}}, {{lead_name}} ({{lead_phone}}) asked for a quote."
            ),
        },
        "sms_details": {"message": "Roofing lead {{lead_name}} {{lead_phone}}"},
    },
    {
        "campaign_name": "Website chat leads",
        "integration": Integration.WEBHOOK,
        "notification_type": NotificationType.ONLY_SEND_EMAIL,
    },
]

DEMO_LEADS = [
    ("Jordan Miles", "+14155550181", "jordan@example.com", "Need a new roof before winter."),
    ("Priya Shah", "+14155550182", "priya@example.com", "Gutter repair quote, please."),
    ("Luis Gomez", "+14155550183", "", "Call me after 5pm."),
]


def load(*, account, admin, member, stdout):
    for spec in DEMO_CAMPAIGNS:
        campaign = (
            Campaign.objects.for_account(account)
            .filter(campaign_name=spec["campaign_name"], is_deleted=False)
            .first()
        )
        if campaign is None:
            campaign = services.create_campaign(
                account=account,
                owner=admin,
                data={**spec, "selected_user": [{"id": member.pk}, {"id": admin.pk}]},
            )
    stdout.write(f"Campaigns: {', '.join(spec['campaign_name'] for spec in DEMO_CAMPAIGNS)}.")


def arrive(*, account, admin, member, stdout):
    """Today's leads on the form campaign, captured (and alerted) like real ones; once."""
    campaign = (
        Campaign.objects.for_account(account)
        .filter(campaign_name=DEMO_CAMPAIGNS[0]["campaign_name"], is_deleted=False)
        .first()
    )
    if campaign is None or campaign.leads.filter(external_id="demo-0").exists():
        return
    capture_form_leads(campaign, DEMO_LEADS, prefix="demo-")
    stdout.write(f"Campaigns: {len(DEMO_LEADS)} leads arrived on “{campaign.campaign_name}”.")


def capture_form_leads(campaign, leads, *, prefix):
    """Capture `leads` ((name, phone, email, message) tuples) as the form campaign's leads of
    now, alerted like real ones, with external ids `prefix` + their index."""
    for n, (name, phone, email, message) in enumerate(leads):
        services.capture_lead(
            campaign=campaign,
            source=LeadSource.FORM,
            external_id=f"{prefix}{n}",
            name=name,
            phone=phone,
            email=email,
            message=message,
            payload={"name": name, "phone": phone, "email": email, "message": message},
        )
