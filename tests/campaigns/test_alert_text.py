"""The default lead alert names the caller without empty brackets, whatever is known."""

import pytest
from django.core import mail

from campaigns import assignment, services
from campaigns.models import Lead, LeadSource
from notifications.services import register_device
from notifications.transports import push, sms
from tests.campaigns.factories import make_campaign

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("name", "phone", "email", "caller"),
    [
        ("Ann Lee", "+14155550111", "", "Ann Lee, (415) 555-0111"),
        ("", "+14155550111", "", "(415) 555-0111"),
        ("", "+442079460018", "", "+44 20 7946 0018"),
        ("Ann Lee", "", "", "Ann Lee"),
        ("", "", "", "Unknown caller"),
        ("Ann Lee", "", "ann@example.com", "Ann Lee, ann@example.com"),
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
        lead, _ = services.capture_lead(
            campaign=campaign, source=LeadSource.CALL, external_id="CAL1"
        )
    [email] = mail.outbox
    assert email.body.startswith("Unknown caller just came in through Roofing.")
    [text] = sms.outbox
    assert text.body == f"New lead for Roofing: Unknown caller http://testserver/leads/{lead.pk}/"
    assert "()" not in email.body


def test_the_alert_texts_show_the_leads_phone_as_the_accounts_pages_do(tenant_a, committed):
    tenant_a.member.phone = "+14155550100"
    tenant_a.member.save()
    campaign = make_campaign(
        tenant_a,
        campaign_name="Roofing",
        notification_type="send_email_sms",
        selected_user=[{"id": tenant_a.member.pk}],
        sms_details={"message": "Call {{lead_phone}} ({{lead_name}})"},
    )
    with committed():
        services.capture_lead(
            campaign=campaign,
            source=LeadSource.CALL,
            external_id="CAL2",
            name="Ann Lee",
            phone="+14125550142",
        )
    [email] = mail.outbox
    assert email.body.startswith("Ann Lee, (412) 555-0142 just came in through Roofing.")
    assert "Phone: (412) 555-0142" in email.body
    assert "+14125550142" not in email.body
    [text] = sms.outbox
    assert text.body == "Call (412) 555-0142 (Ann Lee)"


def test_a_number_of_another_country_reads_in_international_format(tenant_a):
    campaign = make_campaign(tenant_a)
    values = services.template_values(campaign, Lead(phone="+442079460018"), None)
    assert values["lead_phone"] == "+44 20 7946 0018"
    assert values["lead_caller"] == "+44 20 7946 0018"


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


OWNER_SENTENCE = (
    "This lead came to you as the owner of Roofing, because the campaign has no representative "
    "to give it to."
)


@pytest.fixture
def owned_campaign(tenant_a):
    """Roofing, by email and SMS, owned by the member (a phone, a push device) and represented
    by the admin."""
    tenant_a.member.phone = "+14155550100"
    tenant_a.member.save()
    register_device(user=tenant_a.member, registration_id="owner-phone", type="ios")
    return make_campaign(
        tenant_a,
        owner=tenant_a.member,
        campaign_name="Roofing",
        notification_type="send_email_sms",
        selected_user=[{"id": tenant_a.admin.pk}],
    )


def test_the_owners_alert_for_a_lead_with_no_representative_says_why_it_came_to_them(
    tenant_a, owned_campaign, committed
):
    owned_campaign.assignments.all().delete()
    with committed():
        lead, _ = services.capture_lead(
            campaign=owned_campaign,
            source=LeadSource.FORM,
            external_id="F1",
            name="Ann Lee",
            phone="+14155550111",
        )
    [email] = mail.outbox
    assert email.to == [tenant_a.member.email]
    assert email.body.startswith(
        f"Ann Lee, (415) 555-0111 just came in through Roofing.\n\n{OWNER_SENTENCE}\n\nName:"
    )
    [(html, _)] = email.alternatives
    assert f"<p>{OWNER_SENTENCE}</p>" in html
    [text] = sms.outbox
    assert text.body == (
        f"New lead for Roofing: Ann Lee, (415) 555-0111 http://testserver/leads/{lead.pk}/ "
        "(To you as owner: the campaign has no representative.)"
    )
    [(_, message)] = push.outbox
    assert message.body == (
        "Ann Lee, (415) 555-0111 · Form\nTo you as the campaign's owner: it has no representative."
    )


def test_a_representatives_alert_and_a_lead_given_to_the_owner_do_not_say_it(
    tenant_a, owned_campaign, committed
):
    with committed():
        lead, _ = services.capture_lead(
            campaign=owned_campaign, source=LeadSource.FORM, external_id="F1", name="Ann Lee"
        )
    # The admin, its representative, is told without it; then the owner is given the lead.
    with committed():
        assignment.assign_lead(
            lead=lead,
            user_id=tenant_a.member.pk,
            actor=tenant_a.account.memberships.get(user=tenant_a.admin),
        )
    assert [m.to for m in mail.outbox] == [[tenant_a.admin.email], [tenant_a.member.email]]
    assert not any("owner" in m.body for m in mail.outbox)
    # Given, the lead is announced as given to them (not new), without the owner's words.
    [text] = sms.outbox
    assert text.body.startswith("Lead given to you by Acme Agency Admin: Ann Lee, Roofing.")
    assert "owner" not in text.body
    [(_, message)] = push.outbox
    assert message.body.startswith("Ann Lee · from Acme Agency Admin · came in ")
    assert "owner" not in message.body


def test_the_default_sms_links_the_lead_and_a_campaigns_own_text_only_by_placeholder(
    tenant_a, committed
):
    """The default SMS ends with the lead's page, as the email's "Open the lead" does; a
    campaign's own SMS text is sent as written, and links it with `{{lead_url}}`."""
    tenant_a.member.phone = "+14155550100"
    tenant_a.member.save()
    rule = {"notification_type": "only_send_sms", "selected_user": [{"id": tenant_a.member.pk}]}
    default = make_campaign(tenant_a, campaign_name="Google Ads calls", **rule)
    own = make_campaign(
        tenant_a, campaign_name="Own", sms_details={"message": "Call {{lead_name}}"}, **rule
    )
    linked = make_campaign(
        tenant_a,
        campaign_name="Linked",
        sms_details={"message": "Call {{lead_name}}: {{lead_url}}"},
        **rule,
    )
    with committed():
        leads = [
            services.capture_lead(
                campaign=campaign,
                source=LeadSource.CALL,
                external_id=f"CAL{n}",
                name="Carl Caller",
                phone="+14155550301",
            )[0]
            for n, campaign in enumerate((default, own, linked))
        ]
    assert [text.body for text in sms.outbox] == [
        "New lead for Google Ads calls: Carl Caller, (415) 555-0301 "
        f"http://testserver/leads/{leads[0].pk}/",
        "Call Carl Caller",
        f"Call Carl Caller: http://testserver/leads/{leads[2].pk}/",
    ]
