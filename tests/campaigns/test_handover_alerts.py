"""A lead given to someone (on its page, or passed on by a member's removal) is announced as
given to them, in email, SMS and push: who gave it, when it first came in and its status;
a new lead keeps the new-lead words."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from campaignhub import services as account_services
from campaigns import assignment, services
from campaigns.models import Lead, LeadSource, LeadStatus
from notifications.services import register_device
from notifications.transports import push, sms
from tests.campaigns.factories import make_campaign
from tests.factories import make_member

pytestmark = pytest.mark.django_db

ARRIVED = datetime(2026, 3, 3, 19, 5, tzinfo=ZoneInfo("UTC"))


@pytest.fixture
def rep(tenant_a):
    """Riley Rep, with a phone and a push device."""
    rep = make_member(tenant_a.account, "rep@acme.test", name="Riley Rep")
    rep.phone = "+14155550100"
    rep.save()
    register_device(user=rep, registration_id="rep-phone", type="ios")
    return rep


@pytest.fixture
def campaign(tenant_a, rep):
    tenant_a.account.timezone = "America/New_York"
    tenant_a.account.save()
    return make_campaign(
        tenant_a,
        campaign_name="Roofing",
        notification_type="send_email_sms",
        selected_user=[{"id": rep.pk}],
    )


def _new_lead(campaign, **fields):
    lead, _ = services.capture_lead(
        campaign=campaign,
        source=LeadSource.FORM,
        external_id=fields.pop("external_id", "F1"),
        name="Ann Lee",
        phone="+14155550111",
        **fields,
    )
    return lead


def test_a_new_lead_keeps_the_new_lead_words_in_every_channel(tenant_a, rep, campaign, committed):
    with committed():
        _new_lead(campaign)
    [email] = mail.outbox
    assert email.subject == "New lead for Roofing"
    assert email.body.startswith("Ann Lee, (415) 555-0111 just came in through Roofing.")
    assert "given" not in email.body
    [text] = sms.outbox
    assert text.body.startswith("New lead for Roofing: Ann Lee, (415) 555-0111")
    [(_, message)] = push.outbox
    assert (message.title, message.body) == (
        "New lead for Roofing",
        "Ann Lee, (415) 555-0111 · Form",
    )


def test_a_lead_given_on_its_page_says_who_gave_it_when_it_came_and_its_status(
    tenant_a, rep, campaign, committed
):
    campaign.assignments.all().delete()
    lead = _new_lead(campaign)  # No representative then: the owner (the admin) was told.
    Lead.objects.filter(pk=lead.pk).update(created_at=ARRIVED, status=LeadStatus.CONTACTED)
    campaign.assignments.create(user=rep, position=0)
    mail.outbox.clear()
    sms.outbox.clear()
    push.outbox.clear()
    with committed():
        assignment.assign_lead(
            lead=Lead.objects.get(pk=lead.pk),
            user_id=rep.pk,
            actor=tenant_a.account.memberships.get(user=tenant_a.admin),
        )
    sentence = (
        "Acme Agency Admin gave you the lead Ann Lee, (415) 555-0111 of Roofing. It first came in "
        "3 Mar 2026, 14:05 EST; its status is Contacted."
    )
    [email] = mail.outbox
    assert email.to == [rep.email]
    assert email.subject == "Lead given to you: Ann Lee, (415) 555-0111 (Roofing)"
    assert email.body.startswith(sentence + "\n\nName: Ann Lee")
    assert "just came in" not in email.body and "New lead" not in email.subject
    [(html, _)] = email.alternatives
    assert f"<p>{sentence}</p>" in html
    [text] = sms.outbox
    assert text.body == (
        "Lead given to you by Acme Agency Admin: Ann Lee, (415) 555-0111, Roofing. Came in "
        f"3 Mar 2026, 14:05 EST; status Contacted. http://testserver/leads/{lead.pk}/"
    )
    [(_, message)] = push.outbox
    assert message.title == "Lead given to you · Roofing"
    assert message.body == (
        "Ann Lee, (415) 555-0111 · from Acme Agency Admin · came in 3 Mar 2026, 14:05 EST · "
        "Contacted"
    )


def test_a_lead_passed_on_by_a_removal_says_why_it_came(tenant_a, rep, campaign, committed):
    """Riley Rep's alert had not gone out when they were removed: the lead passes to the
    campaign's next representative, the member, told that it was passed on and why."""
    tenant_a.member.phone = "+14155550122"
    tenant_a.member.save()
    register_device(user=tenant_a.member, registration_id="member-phone", type="android")
    lead = _new_lead(campaign)  # Queued for Riley Rep, not sent yet.
    Lead.objects.filter(pk=lead.pk).update(created_at=ARRIVED)
    campaign.assignments.create(user=tenant_a.member, position=1)
    with committed():
        account_services.remove_member(
            membership=tenant_a.account.memberships.get(user=rep), removed_by=tenant_a.admin
        )
    [email] = [m for m in mail.outbox if m.to == [tenant_a.member.email]]
    assert email.subject == "Lead given to you: Ann Lee, (415) 555-0111 (Roofing)"
    assert email.body.startswith(
        "You were given the lead Ann Lee, (415) 555-0111 of Roofing, because Riley Rep was "
        "removed from the account. It first came in 3 Mar 2026, 14:05 EST; its status is New."
    )
    [text] = [t for t in sms.outbox if t.to == "+14155550122"]
    assert text.body.startswith(
        "Lead given to you: Ann Lee, (415) 555-0111, Roofing. Came in 3 Mar 2026, 14:05 EST; "
        "status New."
    )
    [message] = [m for tokens, m in push.outbox if tokens == ["member-phone"]]
    assert message.title == "Lead given to you · Roofing"
    assert message.body == "Ann Lee, (415) 555-0111 · came in 3 Mar 2026, 14:05 EST · New"
