"""The default lead alert names the caller without empty brackets, whatever is known."""

import pytest
from django.core import mail

from campaigns import services
from campaigns.models import Lead, LeadSource
from notifications.transports import sms
from tests.campaigns.factories import make_campaign

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("name", "phone", "email", "caller"),
    [
        ("Ann Lee", "+14155550111", "", "Ann Lee (+14155550111)"),
        ("", "+14155550111", "", "+14155550111"),
        ("Ann Lee", "", "", "Ann Lee"),
        ("", "", "", "Unknown caller"),
        ("Ann Lee", "", "ann@example.com", "Ann Lee (ann@example.com)"),
        ("", "", "ann@example.com", "ann@example.com"),
    ],
)
def test_lead_caller_is_whatever_is_known(name, phone, email, caller):
    assert services.lead_caller(Lead(name=name, phone=phone, email=email)) == caller


def test_a_withheld_caller_id_alerts_as_unknown_caller_without_brackets(tenant_a, committed):
    tenant_a.member.phone = "+14155550100"
    tenant_a.member.save()
    campaign = make_campaign(
        tenant_a,
        campaign_name="Roofing",
        notification_type="send_email_sms",
        selected_user=[{"id": tenant_a.member.pk}],
    )
    with committed():
        services.capture_lead(campaign=campaign, source=LeadSource.CALL, external_id="CAL1")
    [email] = mail.outbox
    assert email.body.startswith("Unknown caller just came in through Roofing.")
    [text] = sms.outbox
    assert text.body == "New lead for Roofing: Unknown caller"
    assert "()" not in email.body


def test_the_form_offers_the_lead_caller_placeholder(tenant_a):
    page = tenant_a.admin_client.get("/campaigns/new/").content.decode()
    assert "{{lead_caller}}" in page


def test_a_subject_longer_than_its_column_is_cut_and_the_lead_kept(tenant_a, committed):
    """A 255-character name in "New roofing lead: {{lead_name}}" would not fit the delivery's
    subject (255 characters; PostgreSQL refuses it and the lead's capture with it)."""
    from notifications.models import Delivery

    campaign = make_campaign(
        tenant_a,
        notification_type="only_send_email",
        email_details={"subject": "New roofing lead: {{lead_name}}"},
        selected_user=[{"id": tenant_a.member.pk}],
    )
    with committed():
        lead, _ = services.capture_lead(
            campaign=campaign, source=LeadSource.WEBHOOK, external_id="L1", name="N" * 255
        )
    [delivery] = Delivery.objects.filter(event="lead_arrived")
    assert len(delivery.subject) == 255
    assert delivery.subject.startswith("New roofing lead: NNN") and delivery.subject.endswith("…")
    assert mail.outbox[0].subject == delivery.subject
    assert Lead.objects.get(pk=lead.pk).name == "N" * 255
