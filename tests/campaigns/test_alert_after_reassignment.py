"""A lead alert still waiting to go out when its lead is given to someone else (or to nobody)
is not sent: the send task records it cancelled, with the reason, in the delivery log."""

import json
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from campaigns import assignment, services
from campaigns.models import Lead, LeadSource
from notifications.models import Delivery, Status
from notifications.services import register_device
from notifications.tasks import send_delivery
from notifications.transports import push, sms
from tests.campaigns.factories import make_campaign
from tests.factories import bearer, make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def rep(tenant_a):
    return make_member(tenant_a.account, "rep@acme.test", name="Riley Rep")


@pytest.fixture
def campaign(tenant_a, rep):
    """Owned by the member; Riley Rep represents it (custom SMS number), by email and SMS."""
    return make_campaign(
        tenant_a,
        owner=tenant_a.member,
        campaign_name="Roofing",
        notification_type="send_email_sms",
        selected_user=[{"id": rep.pk, "custom_number": "+14155550177"}],
    )


def capture(campaign):
    lead, _ = services.capture_lead(
        campaign=campaign, source=LeadSource.FORM, external_id="x", name="Ann Lee"
    )
    return lead


def admin_of(tenant):
    return tenant.account.memberships.get(user=tenant.admin)


def alerts(user):
    return Delivery.objects.filter(event=services.LEAD_EVENT, user=user).order_by("channel")


def sent_to(address):
    """Emails and SMS that reached `address`."""
    return [m for m in mail.outbox if address in m.to] + [m for m in sms.outbox if m.to == address]


def test_an_alert_not_yet_sent_when_the_lead_is_given_to_someone_else_is_cancelled(
    tenant_a, rep, campaign, committed
):
    register_device(user=rep, registration_id="riley-phone", type="android", name="Pixel")
    with committed():
        lead = capture(campaign)
        # Given to the owner before the representative's alerts were sent (after commit).
        assignment.assign_lead(lead=lead, user_id=tenant_a.member.pk, actor=admin_of(tenant_a))
    assert [(d.channel, d.status, d.error, d.attempts) for d in alerts(rep)] == [
        ("email", Status.CANCELLED, services.LEAD_GIVEN_TO_SOMEONE_ELSE, 0),
        ("push", Status.CANCELLED, services.LEAD_GIVEN_TO_SOMEONE_ELSE, 0),
        ("sms", Status.CANCELLED, services.LEAD_GIVEN_TO_SOMEONE_ELSE, 0),
    ]
    assert sent_to("rep@acme.test") == [] and sent_to("+14155550177") == []
    assert push.outbox == []
    # The person who holds it now is told (no phone on their profile: no SMS), and that is the
    # lead's first alert.
    assert alerts(tenant_a.member).get(channel="email").status == Status.SENT
    assert len(sent_to(tenant_a.member.email)) == 1
    assert Lead.objects.get(pk=lead.pk).alerted_at is not None


def test_an_alert_waiting_on_a_retry_is_not_sent_after_a_patch_gives_the_lead_away(
    tenant_a, rep, campaign, committed
):
    lead = capture(campaign)  # not committed: its alerts wait in the queue
    text = alerts(rep).get(channel="sms")
    Delivery.objects.filter(pk=text.pk).update(
        attempts=1,
        error="Twilio error 20500: Service unavailable",
        next_attempt_at=timezone.now() + timedelta(seconds=30),
    )
    with committed():
        response = Client().patch(
            f"/v1/leads/{lead.pk}",
            json.dumps({"representative": tenant_a.member.pk}),
            content_type="application/json",
            **bearer(tenant_a.token.raw),
        )
    assert response.status_code == 200
    # The retry's turn comes: the task finds the lead held by someone else.
    send_delivery.delay(text.pk)
    text.refresh_from_db()
    assert (text.status, text.error, text.attempts, text.next_attempt_at) == (
        Status.CANCELLED,
        services.LEAD_GIVEN_TO_SOMEONE_ELSE,
        1,
        None,
    )
    assert sent_to("+14155550177") == []
    # Run again (a duplicate task message): nothing changes, nothing is sent.
    version = text.version
    send_delivery.delay(text.pk)
    text.refresh_from_db()
    assert (text.status, text.version) == (Status.CANCELLED, version)
    assert sent_to("+14155550177") == []


def test_an_alert_for_a_lead_made_unassigned_is_cancelled_saying_so(
    tenant_a, rep, campaign, committed
):
    with committed():
        lead = capture(campaign)
        assignment.assign_lead(lead=lead, user_id=None, actor=admin_of(tenant_a))
    assert {(d.status, d.error) for d in alerts(rep)} == {
        (Status.CANCELLED, services.LEAD_LEFT_UNASSIGNED)
    }
    assert mail.outbox == [] and sms.outbox == []
    assert Lead.objects.get(pk=lead.pk).alerted_at is None


def test_the_owners_alert_for_a_lead_that_came_with_no_representative_is_sent(
    tenant_a, campaign, committed
):
    campaign.assignments.all().delete()
    with committed():
        capture(campaign)
    assert alerts(tenant_a.member).get(channel="email").status == Status.SENT
    assert len(sent_to(tenant_a.member.email)) == 1


def test_the_owners_alert_is_cancelled_once_the_lead_is_given_to_a_representative(
    tenant_a, rep, campaign, committed
):
    campaign.assignments.all().delete()
    with committed():
        lead = capture(campaign)
        # Riley Rep is chosen for the campaign, and given the lead, before its alert went out.
        campaign.assignments.create(user=rep, custom_number="+14155550177", position=0)
        assignment.assign_lead(lead=lead, user_id=rep.pk, actor=admin_of(tenant_a))
    assert {(d.status, d.error) for d in alerts(tenant_a.member)} == {
        (Status.CANCELLED, services.LEAD_GIVEN_TO_SOMEONE_ELSE)
    }
    assert {d.status for d in alerts(rep)} == {Status.SENT}


def test_an_alert_for_the_person_who_still_holds_the_lead_is_sent(
    tenant_a, rep, campaign, committed
):
    with committed():
        lead = capture(campaign)
        assignment.assign_lead(lead=lead, user_id=rep.pk, actor=admin_of(tenant_a))
    assert [(d.channel, d.status) for d in alerts(rep)] == [
        ("email", Status.SENT),
        ("sms", Status.SENT),
    ]
    assert len(sent_to("rep@acme.test")) == 1 and len(sent_to("+14155550177")) == 1
