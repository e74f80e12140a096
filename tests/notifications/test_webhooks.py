import base64
import json
from urllib.parse import urlencode

import pytest
from anymail.signals import AnymailTrackingEvent, tracking
from django.test import Client
from twilio.request_validator import RequestValidator

from campaignhub.models import DeliveryStatus, InboundDelivery
from notifications.models import Delivery, Status
from tests.notifications.conftest import TWILIO_TOKEN

pytestmark = pytest.mark.django_db(transaction=True)

STATUS_URL = "/webhooks/twilio/status/"


@pytest.fixture
def sent_sms(tenant_a, settings):
    settings.TWILIO_AUTH_TOKEN = TWILIO_TOKEN
    return Delivery.objects.create(
        account=tenant_a.account,
        event="test",
        channel="sms",
        user=tenant_a.member,
        recipient="+14155550100",
        body="Hi",
        status=Status.SENT,
        provider_message_id="SM" + "a" * 32,
    )


def post_status(params, signature=None):
    if signature is None:
        signature = RequestValidator(TWILIO_TOKEN).compute_signature(
            "http://testserver" + STATUS_URL, params
        )
    return Client().post(
        STATUS_URL,
        urlencode(params),
        content_type="application/x-www-form-urlencoded",
        HTTP_X_TWILIO_SIGNATURE=signature,
    )


def test_signed_delivered_callback_marks_the_delivery_delivered(sent_sms):
    response = post_status(
        {"MessageSid": sent_sms.provider_message_id, "MessageStatus": "delivered"}
    )
    assert response.status_code == 200
    sent_sms.refresh_from_db()
    assert sent_sms.status == Status.DELIVERED
    inbound = InboundDelivery.objects.get()
    assert (inbound.source, inbound.event, inbound.status) == (
        "twilio_status",
        "delivered",
        DeliveryStatus.PROCESSED,
    )
    assert inbound.account_id == sent_sms.account_id
    assert inbound.signature_valid is True


def test_undelivered_callback_marks_the_delivery_failed_with_the_code(sent_sms):
    post_status(
        {
            "MessageSid": sent_sms.provider_message_id,
            "MessageStatus": "undelivered",
            "ErrorCode": "30005",
        }
    )
    sent_sms.refresh_from_db()
    assert sent_sms.status == Status.FAILED
    assert sent_sms.error == "Twilio reported undelivered (error 30005)"


def test_intermediate_status_is_stored_and_ignored(sent_sms):
    assert (
        post_status(
            {"MessageSid": sent_sms.provider_message_id, "MessageStatus": "sent"}
        ).status_code
        == 200
    )
    sent_sms.refresh_from_db()
    assert sent_sms.status == Status.SENT
    assert InboundDelivery.objects.get().status == DeliveryStatus.IGNORED


@pytest.mark.parametrize("signature", ["", "bm90IHRoZSBzaWduYXR1cmU="])
def test_bad_signature_is_403_and_changes_nothing(sent_sms, signature):
    response = post_status(
        {"MessageSid": sent_sms.provider_message_id, "MessageStatus": "delivered"},
        signature=signature,
    )
    assert response.status_code == 403
    sent_sms.refresh_from_db()
    assert sent_sms.status == Status.SENT
    assert InboundDelivery.objects.get().status == DeliveryStatus.REJECTED


def test_callbacks_are_refused_when_twilio_is_not_configured(sent_sms, settings):
    params = {"MessageSid": sent_sms.provider_message_id, "MessageStatus": "delivered"}
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(
        "http://testserver" + STATUS_URL, params
    )
    settings.TWILIO_AUTH_TOKEN = ""
    assert post_status(params, signature=signature).status_code == 403
    sent_sms.refresh_from_db()
    assert sent_sms.status == Status.SENT


@pytest.fixture
def sent_email(tenant_a):
    return Delivery.objects.create(
        account=tenant_a.account,
        event="test",
        channel="email",
        user=tenant_a.member,
        recipient="member@acme.test",
        subject="Hi",
        status=Status.SENT,
        provider_message_id="pm-42",
    )


def test_anymail_tracking_signal_marks_email_delivered_or_bounced(sent_email):
    tracking.send(
        sender=object,
        event=AnymailTrackingEvent(event_type="delivered", message_id="pm-42"),
        esp_name="Postmark",
    )
    sent_email.refresh_from_db()
    assert sent_email.status == Status.DELIVERED
    tracking.send(
        sender=object,
        event=AnymailTrackingEvent(
            event_type="bounced", message_id="pm-42", description="Mailbox does not exist"
        ),
        esp_name="Postmark",
    )
    sent_email.refresh_from_db()
    assert (sent_email.status, sent_email.error) == (Status.FAILED, "Mailbox does not exist")
    assert list(InboundDelivery.objects.order_by("id").values_list("source", "event")) == [
        ("anymail_postmark", "delivered"),
        ("anymail_postmark", "bounced"),
    ]


def test_a_tracking_event_that_cannot_be_applied_is_still_stored_with_the_reason(sent_email):
    from unittest import mock

    with mock.patch(
        "notifications.services.record_provider_status", side_effect=RuntimeError("db hiccup")
    ):
        tracking.send(
            sender=object,
            event=AnymailTrackingEvent(event_type="delivered", message_id="pm-42"),
            esp_name="Postmark",
        )
    stored = InboundDelivery.objects.get()
    assert (stored.source, stored.status, stored.error) == (
        "anymail_postmark",
        DeliveryStatus.FAILED,
        "RuntimeError: db hiccup",
    )
    assert b'"pm-42"' in bytes(stored.body)


def test_postmark_webhook_end_to_end_through_anymail(sent_email, settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": "hook:secret"}
    payload = {
        "RecordType": "Bounce",
        "ID": 4323372036854775807,
        "Type": "HardBounce",
        "TypeCode": 1,
        "MessageID": "pm-42",
        "Description": "The server was unable to deliver your message.",
        "Details": "smtp;550 5.1.1 The email account that you tried to reach does not exist.",
        "Email": "member@acme.test",
        "BouncedAt": "2026-11-23T10:00:00Z",
        "Inactive": True,
        "CanActivate": True,
        "Subject": "Hi",
        "Tag": "",
        "MessageStream": "outbound",
    }
    auth = base64.b64encode(b"hook:secret").decode()
    response = Client().post(
        "/anymail/postmark/tracking/",
        json.dumps(payload),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Basic {auth}",
    )
    assert response.status_code == 200
    sent_email.refresh_from_db()
    assert sent_email.status == Status.FAILED
    unauthorised = Client().post(
        "/anymail/postmark/tracking/", json.dumps(payload), content_type="application/json"
    )
    assert unauthorised.status_code == 401


def test_posts_without_credentials_are_limited_per_address(settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": "hook:secret"}
    settings.WEBHOOK_RATE_LIMIT_PER_MINUTE = 2
    codes = [
        Client().post("/anymail/postmark/tracking/", "{}", content_type="application/json")
        for _ in range(3)
    ]
    assert [response.status_code for response in codes] == [401, 401, 429]
    assert not InboundDelivery.objects.exists()


def test_a_report_with_wrong_credentials_is_kept_rejected(settings):
    """A password pasted wrong at the provider: its reports are kept, as bad signatures are."""
    settings.ANYMAIL = {"WEBHOOK_SECRET": "hook:secret"}
    auth = base64.b64encode(b"hook:wrong").decode()
    response = Client().post(
        "/anymail/postmark/tracking/",
        '{"RecordType": "Delivery"}',
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Basic {auth}",
    )
    assert response.status_code == 401
    stored = InboundDelivery.objects.get()
    assert (stored.source, stored.status, stored.signature_valid) == (
        "anymail_postmark",
        "rejected",
        False,
    )
    assert stored.error == "Wrong webhook credentials."
    assert bytes(stored.body) == b'{"RecordType": "Delivery"}'
    assert "authorization" not in {key.lower() for key in stored.headers}


@pytest.mark.parametrize("esp", ["postmark", "resend", "brevo", "mailtrap"])
@pytest.mark.parametrize(
    "body, error",
    [
        ("not json", "Unreadable report: JSONDecodeError"),
        ("[]", "Unreadable report: "),
        ("null", "Unreadable report: "),
    ],
)
def test_an_unreadable_email_report_is_stored_rejected_and_answered_400(
    sent_email, settings, esp, body, error
):
    settings.ANYMAIL = {"WEBHOOK_SECRET": "hook:secret"}
    auth = base64.b64encode(b"hook:secret").decode()
    response = Client(raise_request_exception=False).post(
        f"/anymail/{esp}/tracking/",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Basic {auth}",
    )
    assert response.status_code == 400
    assert response.json()["message"].startswith("The report could not be read")
    stored = InboundDelivery.objects.get()
    assert (stored.source, stored.status, stored.signature_valid, stored.account_id) == (
        f"anymail_{esp}",
        DeliveryStatus.REJECTED,
        True,
        None,
    )
    assert stored.error.startswith(error)
    assert bytes(stored.body) == body.encode()
    assert stored.path == f"/anymail/{esp}/tracking/"
    assert "Authorization" not in stored.headers
    sent_email.refresh_from_db()
    assert sent_email.status == Status.SENT
