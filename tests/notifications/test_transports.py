"""Each transport against its real client library, with the provider's HTTP API stubbed."""

from unittest import mock
from urllib.parse import parse_qs

import pytest
import requests
import responses
from firebase_admin import exceptions, messaging

from notifications import services
from notifications.models import Delivery
from notifications.transports import TransportError
from notifications.transports.email import EmailTransport
from notifications.transports.push import PushTransport
from notifications.transports.sms import SmsTransport
from tests.notifications.conftest import twilio_error, twilio_message
from tests.notifications.factories import make_delivery

pytestmark = pytest.mark.django_db

POSTMARK = "https://api.postmarkapp.com/email"


def delivery(tenant, channel, **fields):
    defaults = {
        "account": tenant.account,
        "event": "test",
        "channel": channel,
        "user": tenant.member,
        "subject": "Hello",
        "body": "Body text",
    }
    return Delivery(**{**defaults, **fields})


class TestEmailThroughAnymail:
    @pytest.fixture(autouse=True)
    def postmark(self, settings):
        settings.EMAIL_BACKEND = "anymail.backends.postmark.EmailBackend"
        settings.ANYMAIL = {"POSTMARK_SERVER_TOKEN": "server-token"}

    @responses.activate
    def test_sends_and_returns_the_esp_message_id(self, tenant_a):
        responses.post(
            POSTMARK,
            json={"To": "a@b.test", "MessageID": "pm-123", "ErrorCode": 0, "Message": "OK"},
        )
        sent_id = EmailTransport().send(
            delivery(
                tenant_a,
                "email",
                recipient="a@b.test",
                sender="Alerts <alerts@acme.test>",
                reply_to="desk@acme.test",
                html_body="<p>Body</p>",
            )
        )
        assert sent_id == "pm-123"
        request = responses.calls[0].request
        assert request.headers["X-Postmark-Server-Token"] == "server-token"
        import json

        payload = json.loads(request.body)
        assert payload["To"] == "a@b.test"
        assert payload["From"] == "Alerts <alerts@acme.test>"
        assert payload["ReplyTo"] == "desk@acme.test"
        assert payload["Subject"] == "Hello"
        assert payload["TextBody"] == "Body text"
        assert payload["HtmlBody"] == "<p>Body</p>"

    @responses.activate
    @pytest.mark.parametrize(
        ("status", "permanent"), [(422, True), (401, True), (500, False), (429, False)]
    )
    def test_esp_errors_are_permanent_or_transient_by_status(self, tenant_a, status, permanent):
        responses.post(POSTMARK, status=status, json={"ErrorCode": 300, "Message": "Nope"})
        with pytest.raises(TransportError) as caught:
            EmailTransport().send(delivery(tenant_a, "email", recipient="a@b.test"))
        assert caught.value.permanent is permanent

    @responses.activate
    def test_unreachable_esp_is_transient(self, tenant_a):
        responses.post(POSTMARK, body=requests.ConnectionError("down"))
        with pytest.raises(TransportError) as caught:
            EmailTransport().send(delivery(tenant_a, "email", recipient="a@b.test"))
        assert caught.value.permanent is False

    def test_missing_address_is_permanent(self, tenant_a):
        with pytest.raises(TransportError, match="No email address") as caught:
            EmailTransport().send(delivery(tenant_a, "email", recipient=""))
        assert caught.value.permanent is True


class TestSmsThroughTwilio:
    @responses.activate
    def test_sends_with_status_callback_and_returns_the_sid(self, tenant_a, twilio):
        responses.post(twilio, status=201, json=twilio_message(sid="SMabc"))
        sid = SmsTransport().send(
            delivery(
                tenant_a, "sms", recipient="+14155550100", sender="+15005550006", body="Hi\nthere"
            )
        )
        assert sid == "SMabc"
        sent = parse_qs(responses.calls[0].request.body)
        assert sent == {
            "To": ["+14155550100"],
            "From": ["+15005550006"],
            "Body": ["Hi\nthere"],
            "StatusCallback": ["http://testserver/webhooks/twilio/status/"],
        }

    @responses.activate
    def test_default_sender_is_used(self, tenant_a, twilio, settings):
        settings.TWILIO_DEFAULT_FROM = "+15005550001"
        responses.post(twilio, status=201, json=twilio_message())
        SmsTransport().send(delivery(tenant_a, "sms", recipient="+14155550100"))
        assert parse_qs(responses.calls[0].request.body)["From"] == ["+15005550001"]

    @responses.activate
    @pytest.mark.parametrize(
        ("status", "code", "permanent"),
        [
            (400, 21211, True),
            (400, 21610, True),
            (401, 20003, True),
            (429, 20429, False),
            (500, 20500, False),
            (503, 20503, False),
        ],
    )
    def test_twilio_errors_are_permanent_or_transient(
        self, tenant_a, twilio, status, code, permanent
    ):
        responses.post(twilio, status=status, json=twilio_error(code, "Problem", status))
        with pytest.raises(TransportError) as caught:
            SmsTransport().send(delivery(tenant_a, "sms", recipient="+14155550100"))
        assert caught.value.permanent is permanent
        assert f"Twilio error {code}" in caught.value.message

    @responses.activate
    def test_unreachable_twilio_is_transient(self, tenant_a, twilio):
        responses.post(twilio, body=requests.ConnectionError("down"))
        with pytest.raises(TransportError) as caught:
            SmsTransport().send(delivery(tenant_a, "sms", recipient="+14155550100"))
        assert caught.value.permanent is False

    def test_missing_credentials_are_permanent(self, tenant_a, settings):
        settings.SMS_BACKEND = "notifications.transports.sms.TwilioBackend"
        settings.TWILIO_ACCOUNT_SID = ""
        with pytest.raises(TransportError, match="SMS is not configured") as caught:
            SmsTransport().send(delivery(tenant_a, "sms", recipient="+14155550100"))
        assert caught.value.permanent is True

    def test_missing_sender_is_permanent(self, tenant_a, twilio, settings):
        settings.TWILIO_DEFAULT_FROM = ""
        with pytest.raises(TransportError, match="No sender number"):
            SmsTransport().send(delivery(tenant_a, "sms", recipient="+14155550100"))


def batch(*responses_):
    return messaging.BatchResponse(list(responses_))


def ok_response(name="projects/campaignhub-test/messages/1"):
    return messaging.SendResponse({"name": name}, None)


def error_response(exception):
    return messaging.SendResponse(None, exception)


class TestPushThroughFcmDjango:
    @pytest.fixture
    def devices(self, tenant_a):
        return [
            services.register_device(
                user=tenant_a.member, registration_id=f"tok-{n}", type="android"
            )
            for n in (1, 2)
        ]

    def test_sends_a_fresh_message_to_every_active_device(self, tenant_a, devices, firebase):
        with mock.patch.object(
            messaging, "send_each", return_value=batch(ok_response(), ok_response("m/2"))
        ) as send:
            provider_id = PushTransport().send(
                delivery(tenant_a, "push", subject="Title", body="Text", data={"campaign_id": 7})
            )
        assert provider_id == "projects/campaignhub-test/messages/1"
        messages = send.call_args.args[0]
        assert sorted(m.token for m in messages) == ["tok-1", "tok-2"]
        assert messages[0].notification.title == "Title"
        assert messages[0].notification.body == "Text"
        assert messages[0].data == {"campaign_id": "7"}
        assert messages[0] is not messages[1]

    def test_unregistered_device_is_deactivated_and_the_failure_is_permanent(
        self, tenant_a, devices, firebase
    ):
        unregistered = messaging.UnregisteredError("Requested entity was not found.")
        with (
            mock.patch.object(
                messaging,
                "send_each",
                return_value=batch(error_response(unregistered), error_response(unregistered)),
            ),
            pytest.raises(TransportError) as caught,
        ):
            PushTransport().send(delivery(tenant_a, "push"))
        assert caught.value.permanent is True
        for device in devices:
            device.refresh_from_db()
            assert device.active is False

    def test_a_failed_push_still_names_the_devices_it_was_tried_on(
        self, tenant_a, devices, firebase
    ):
        pushed = make_delivery(tenant_a, tenant_a.member, channel="push", status="queued")
        unregistered = messaging.UnregisteredError("Requested entity was not found.")
        with mock.patch.object(
            messaging,
            "send_each",
            return_value=batch(error_response(unregistered), error_response(unregistered)),
        ):
            services.attempt_delivery(pushed.pk)
        pushed.refresh_from_db()
        assert pushed.status == "failed"
        assert [(d["id"], d["name"], d["type"]) for d in pushed.devices] == [
            (devices[0].pk, "", "android"),
            (devices[1].pk, "", "android"),
        ]

    def test_one_device_accepting_is_enough(self, tenant_a, devices, firebase):
        unregistered = messaging.UnregisteredError("gone")
        with mock.patch.object(
            messaging,
            "send_each",
            return_value=batch(error_response(unregistered), ok_response("m/9")),
        ):
            assert PushTransport().send(delivery(tenant_a, "push")) == "m/9"

    def test_unavailable_is_transient(self, tenant_a, devices, firebase):
        unavailable = exceptions.UnavailableError("try later")
        with (
            mock.patch.object(
                messaging,
                "send_each",
                return_value=batch(error_response(unavailable), error_response(unavailable)),
            ),
            pytest.raises(TransportError) as caught,
        ):
            PushTransport().send(delivery(tenant_a, "push"))
        assert caught.value.permanent is False

    def test_auth_error_for_the_whole_batch_is_permanent(self, tenant_a, devices, firebase):
        with (
            mock.patch.object(
                messaging, "send_each", side_effect=exceptions.UnauthenticatedError("bad key")
            ),
            pytest.raises(TransportError) as caught,
        ):
            PushTransport().send(delivery(tenant_a, "push"))
        assert caught.value.permanent is True

    def test_no_active_device_is_permanent(self, tenant_a, firebase):
        with pytest.raises(TransportError, match="No active push devices") as caught:
            PushTransport().send(delivery(tenant_a, "push"))
        assert caught.value.permanent is True

    def test_missing_credentials_are_permanent(self, tenant_a, devices, settings):
        settings.PUSH_BACKEND = "notifications.transports.push.FCMBackend"
        settings.FCM_CREDENTIALS_FILE = ""
        with pytest.raises(TransportError, match="Push is not configured") as caught:
            PushTransport().send(delivery(tenant_a, "push"))
        assert caught.value.permanent is True
