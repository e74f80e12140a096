"""A new lead's alert also goes as a push to the representative's active devices."""

from unittest import mock

import pytest
from django.core import mail
from firebase_admin import exceptions, messaging

from campaigns import services
from campaigns.models import LeadSource
from notifications.models import Delivery
from notifications.services import attempt_delivery, register_device
from notifications.tasks import send_delivery
from notifications.transports import push, sms
from tests.campaigns.factories import make_campaign
from tests.notifications.conftest import firebase  # noqa: F401  (shared fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(tenant_a):
    return make_campaign(
        tenant_a,
        campaign_name="Roofing",
        notification_type="only_send_email",
        selected_user=[{"id": tenant_a.member.pk}],
        email_details={"subject": "Lead {{lead_name}}", "from": "leads@acme.test"},
    )


def capture(campaign, external_id="e1", **details):
    lead, _ = services.capture_lead(
        campaign=campaign,
        source=LeadSource.FORM,
        external_id=external_id,
        **{"name": "Ann Lee", "phone": "+14155550111", **details},
    )
    return lead


def pushes():
    return Delivery.objects.filter(event="lead_arrived", channel="push")


def firebase_answers(*outcomes):
    """`messaging.send_each` answering each call with the next outcome: a SendResponse for
    every device, or an exception for every device."""
    answers = iter(outcomes)

    def send_each(messages, **kwargs):
        outcome = next(answers)
        if isinstance(outcome, Exception):
            return messaging.BatchResponse([messaging.SendResponse(None, outcome)] * len(messages))
        return messaging.BatchResponse([messaging.SendResponse({"name": outcome}, None)])

    return mock.patch.object(messaging, "send_each", side_effect=send_each)


def test_a_representative_with_a_device_gets_a_push_beside_the_rule(tenant_a, campaign, committed):
    register_device(user=tenant_a.member, registration_id="member-phone", type="android")
    with committed():
        lead = capture(campaign)
    assert len(mail.outbox) == 1
    [(tokens, message)] = push.outbox
    assert tokens == ["member-phone"]
    assert message.title == "New lead for Roofing"
    assert message.body == "Ann Lee, (415) 555-0111 · Form"
    assert message.data == {
        "lead_id": str(lead.pk),
        "campaign_id": str(campaign.pk),
        "module": "inbound",
        "type": "lead_arrived",
    }
    [delivery] = pushes()
    assert (delivery.status, delivery.user, delivery.sender) == ("sent", tenant_a.member, "")
    lead.refresh_from_db()
    assert lead.alerted_at is not None


@pytest.mark.parametrize("rule", ["only_send_email", "only_send_sms", "send_email_sms"])
def test_the_push_goes_whatever_the_rule(tenant_a, campaign, committed, rule):
    register_device(user=tenant_a.member, registration_id="member-phone", type="ios")
    services.update_campaign(campaign=campaign, changes={"notification_type": rule})
    with committed():
        capture(campaign)
    assert pushes().count() == 1
    assert len(push.outbox) == 1


def test_without_an_active_device_no_push_is_written(tenant_a, campaign, committed):
    device = register_device(user=tenant_a.member, registration_id="old-phone", type="android")
    device.active = False
    device.save()
    # Someone else's device is not the representative's.
    register_device(user=tenant_a.admin, registration_id="admin-phone", type="android")
    with committed():
        lead = capture(campaign)
    assert not pushes().exists()
    assert push.outbox == []
    assert [d.status for d in Delivery.objects.filter(event="lead_arrived")] == ["sent"]
    lead.refresh_from_db()
    assert lead.alerted_at is not None


def test_the_push_title_stays_short_and_the_email_keeps_the_campaigns_subject(tenant_a, committed):
    campaign = make_campaign(
        tenant_a,
        campaign_name="R" * 200,
        selected_user=[{"id": tenant_a.member.pk}],
        email_details={"subject": "Lead {{lead_name}} for {{campaign_name}}"},
    )
    register_device(user=tenant_a.member, registration_id="member-phone", type="web")
    with committed():
        capture(campaign, name="N" * 255, phone="")
    [(_, message)] = push.outbox
    assert len(message.title) == len("New lead for ") + 60
    assert message.title.endswith("…")
    assert len(message.body) <= 120 + len(" · Form")
    assert mail.outbox[0].subject.startswith("Lead NNN")


def test_an_unregistered_device_fails_the_push_at_once_and_the_email_still_goes(
    tenant_a,
    campaign,
    committed,
    firebase,  # noqa: F811
):
    device = register_device(user=tenant_a.member, registration_id="gone-phone", type="android")
    gone = messaging.UnregisteredError("Requested entity was not found.")
    with firebase_answers(gone), committed():
        lead = capture(campaign)
    [delivery] = pushes()
    assert (delivery.status, delivery.attempts) == ("failed", 1)
    assert "Requested entity was not found." in delivery.error
    device.refresh_from_db()
    assert device.active is False
    assert len(mail.outbox) == 1
    lead.refresh_from_db()
    assert lead.alerted_at is not None
    # The device is off now: the next lead writes no push.
    with committed():
        capture(campaign, "e2")
    assert pushes().count() == 1


def test_a_transient_firebase_error_is_retried(tenant_a, campaign, committed, firebase):  # noqa: F811
    register_device(user=tenant_a.member, registration_id="member-phone", type="android")
    unavailable = exceptions.UnavailableError("try later")
    with firebase_answers(unavailable, "projects/campaignhub-test/messages/7"), committed():
        capture(campaign)
    [delivery] = pushes()
    assert (delivery.status, delivery.attempts) == ("sent", 2)
    assert delivery.provider_message_id == "projects/campaignhub-test/messages/7"


def test_sending_the_push_twice_sends_it_once(tenant_a, campaign, committed):
    register_device(user=tenant_a.member, registration_id="member-phone", type="android")
    with committed():
        capture(campaign)
    [delivery] = pushes()
    send_delivery.delay(delivery.pk)
    assert attempt_delivery(delivery.pk) is None
    assert len(push.outbox) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 1)


def test_the_same_lead_sent_again_pushes_once(tenant_a, campaign, committed):
    register_device(user=tenant_a.member, registration_id="member-phone", type="android")
    with committed():
        capture(campaign)
        capture(campaign, email="ann@example.com")
    assert pushes().count() == 1
    assert len(push.outbox) == 1
    assert sms.outbox == []


def test_the_delivery_log_lists_the_push_and_its_failure(tenant_a, campaign, committed):
    register_device(user=tenant_a.member, registration_id="member-phone", type="android")
    with committed():
        capture(campaign)
    [delivery] = pushes()
    page = tenant_a.member_client.get("/notifications/?channel=push&event=lead_arrived")
    row = page.content.decode().split(f'<tr id="delivery-{delivery.pk}"')[1].split("</tr>")[0]
    assert "New lead" in row and "Push" in row and "New lead for Roofing" in row
    assert "Sent" in row and '<span class="push-device">Android device, registered' in row
    # Whose devices: the person, by name beside it.
    assert tenant_a.member.get_full_name() in row
    detail = tenant_a.member_client.get(f"/notifications/{delivery.pk}/").content.decode()
    assert "Ann Lee, (415) 555-0111 · Form" in detail
    assert "leads@acme.test" not in detail

    api = tenant_a.member_client.get("/v1/notifications/deliveries?channel=push").json()
    assert [(row["event"], row["channel"], row["status"]) for row in api["data"]] == [
        ("lead_arrived", "push", "sent")
    ]


def test_the_campaign_form_says_people_with_devices_also_get_a_push(tenant_a):
    page = tenant_a.admin_client.get("/campaigns/new/").content.decode()
    note = page.split('id="push-note">')[1].split("</p>")[0]
    assert "also get a push" in note and 'href="/notifications/devices/"' in note
