"""Every inbound verifier is strict: what fails verification is stored rejected, never processed."""

import base64
import json
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from twilio.request_validator import RequestValidator

from campaignhub import intake
from campaignhub.models import DeliveryStatus, InboundDelivery
from notifications.models import Delivery, Status

pytestmark = pytest.mark.django_db(transaction=True)

TWILIO_TOKEN = "twilio-auth-token"
STATUS_URL = "/webhooks/twilio/status/"
SMS_ID = "SM" + "b" * 32


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
        provider_message_id=SMS_ID,
    )


def real_signature(params):
    return RequestValidator(TWILIO_TOKEN).compute_signature(
        "http://testserver" + STATUS_URL, params
    )


FAILED = {"MessageSid": SMS_ID, "MessageStatus": "failed", "ErrorCode": "30005"}
MULTIPART_FAILED = (
    b'--\x00\r\nContent-Disposition: form-data; name="MessageSid"\r\n\r\n'
    + SMS_ID.encode()
    + b'\r\n--\x00\r\nContent-Disposition: form-data; name="MessageStatus"\r\n\r\nfailed\r\n'
    b"--\x00--\r\n"
)


@pytest.mark.parametrize(
    ("content_type", "body", "signature"),
    [
        ("multipart/form-data; boundary=\x00", MULTIPART_FAILED, ""),
        ("multipart/form-data; boundary=\x00", MULTIPART_FAILED, real_signature(FAILED)),
        ("multipart/form-data; boundary=\x00", b"", ""),
        ("application/x-www-form-urlencoded", b"MessageSid=\xff\xfe&MessageStatus=failed", ""),
        ("application/json", json.dumps(FAILED).encode(), real_signature(FAILED)),
        ("application/x-www-form-urlencoded", b"MessageSid=%zz&MessageStatus=failed", "é"),
    ],
    ids=["multipart-nul", "multipart-stolen-signature", "empty", "bad-utf8", "json", "bad-escape"],
)
def test_malformed_twilio_callbacks_are_stored_rejected_and_never_processed(
    sent_sms, content_type, body, signature
):
    response = Client().post(
        STATUS_URL, body, content_type=content_type, HTTP_X_TWILIO_SIGNATURE=signature
    )
    assert response.status_code == 403
    inbound = InboundDelivery.objects.get()
    assert (inbound.status, inbound.signature_valid) == (DeliveryStatus.REJECTED, False)

    # Neither the sweeper (even long after), nor a worker, nor a replay processes it.
    InboundDelivery.objects.filter(pk=inbound.pk).update(
        received_at=timezone.now() - timedelta(hours=1)
    )
    assert intake.requeue_due() == 0
    assert intake.process_delivery(inbound.pk, retry_now=True) is None
    assert intake.replay_deliveries(InboundDelivery.objects.all()) == 0
    inbound.refresh_from_db()
    assert inbound.status == DeliveryStatus.REJECTED
    sent_sms.refresh_from_db()
    assert (sent_sms.status, sent_sms.error) == (Status.SENT, "")


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
        provider_message_id="pm-77",
    )


FORGED_BOUNCE = {
    "RecordType": "Bounce",
    "ID": 42,
    "Type": "HardBounce",
    "TypeCode": 1,
    "MessageID": "pm-77",
    "Description": "Forged",
    "Email": "member@acme.test",
    "BouncedAt": "2026-11-23T10:00:00Z",
}


@pytest.mark.parametrize("anymail_settings", [{}, {"WEBHOOK_SECRET": ""}])
def test_email_tracking_without_a_webhook_secret_refuses_every_post(
    sent_email, settings, anymail_settings
):
    settings.ANYMAIL = anymail_settings
    response = Client().post(
        "/anymail/postmark/tracking/", json.dumps(FORGED_BOUNCE), content_type="application/json"
    )
    assert response.status_code == 403
    sent_email.refresh_from_db()
    assert sent_email.status == Status.SENT
    assert not InboundDelivery.objects.exists()


@pytest.mark.parametrize(
    "name", ["postmark_tracking_webhook", "sendgrid_tracking_webhook", "mailgun_tracking_webhook"]
)
def test_every_email_webhook_url_needs_the_secret(settings, name):
    settings.ANYMAIL = {}
    assert Client().post(reverse(f"anymail:{name}"), "[]", "application/json").status_code == 403


@pytest.mark.parametrize("credentials", [None, "hook:wrong", "not basic auth"])
def test_email_tracking_with_the_secret_still_refuses_posts_without_it(
    sent_email, settings, credentials
):
    settings.ANYMAIL = {"WEBHOOK_SECRET": "hook:secret"}
    headers = {"HTTP_AUTHORIZATION": basic_auth(credentials)} if credentials else {}
    response = Client().post(
        "/anymail/postmark/tracking/",
        json.dumps(FORGED_BOUNCE),
        content_type="application/json",
        **headers,
    )
    # 401 with a challenge: Amazon SNS sends the credentials only once challenged.
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Basic ")
    assert response.json()["message"].startswith("Authentication required")
    sent_email.refresh_from_db()
    assert sent_email.status == Status.SENT
    # Wrong credentials are kept rejected (nothing applied); none at all are not kept.
    kept = InboundDelivery.objects.values_list("status", "error")
    assert list(kept) == ([("rejected", "Wrong webhook credentials.")] if credentials else [])


def basic_auth(credentials: str) -> str:
    return "Basic " + base64.b64encode(credentials.encode()).decode()


# ESPs whose webhook views need settings (a signing key, an API key) or a package (boto3)
# that a deployment sending through another ESP does not have.
UNCONFIGURED_ESPS = ["mailgun", "mandrill", "postal", "mailersend", "unisender_go", "amazon_ses"]


@pytest.mark.parametrize("esp", UNCONFIGURED_ESPS)
def test_an_unconfigured_email_provider_refuses_posts_without_credentials(settings, esp):
    settings.ANYMAIL = {"WEBHOOK_SECRET": "hook:secret"}
    response = Client(raise_request_exception=False).post(
        f"/anymail/{esp}/tracking/", "[]", content_type="application/json"
    )
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Basic ")
    assert not InboundDelivery.objects.exists()


@pytest.mark.parametrize("esp", UNCONFIGURED_ESPS)
def test_an_unconfigured_email_provider_answers_404_to_the_right_credentials(settings, esp):
    settings.ANYMAIL = {"WEBHOOK_SECRET": "hook:secret"}
    response = Client(raise_request_exception=False).post(
        f"/anymail/{esp}/tracking/",
        "[]",
        content_type="application/json",
        HTTP_AUTHORIZATION=basic_auth("hook:secret"),
    )
    assert response.status_code == 404
    assert response.json()["message"].endswith("email webhooks are not configured here.")
    assert not InboundDelivery.objects.exists()


def test_an_email_report_with_a_bad_provider_signature_is_stored_rejected(sent_email, settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": "hook:secret", "MAILGUN_WEBHOOK_SIGNING_KEY": "key"}
    forged = {
        "signature": {"timestamp": "1700000000", "token": "t" * 50, "signature": "0" * 64},
        "event-data": {"event": "failed", "severity": "permanent", "message": {}},
    }
    response = Client().post(
        "/anymail/mailgun/tracking/",
        json.dumps(forged),
        content_type="application/json",
        HTTP_AUTHORIZATION=basic_auth("hook:secret"),
    )
    assert response.status_code == 400
    assert response.json()["message"] == "Invalid signature."
    stored = InboundDelivery.objects.get()
    assert (stored.source, stored.status, stored.signature_valid) == (
        "anymail_mailgun",
        DeliveryStatus.REJECTED,
        False,
    )
    assert stored.error.startswith("Signature did not match.")
    assert json.loads(bytes(stored.body)) == forged
    sent_email.refresh_from_db()
    assert sent_email.status == Status.SENT
