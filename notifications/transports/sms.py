"""SMS: Twilio in production, console in development, locmem in tests (SMS_BACKEND)."""

import sys
import threading
from dataclasses import dataclass

import requests
from django.conf import settings
from django.urls import reverse
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from notifications.transports import TransportError, load_backend


@dataclass(frozen=True)
class SmsMessage:
    to: str
    body: str
    sender: str


class TwilioBackend:
    timeout = 15

    def send(self, message: SmsMessage) -> str:
        if not (settings.TWILIO_ACCOUNT_SID and settings.TWILIO_AUTH_TOKEN):
            raise TransportError(
                "SMS is not configured: set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN.",
                permanent=True,
            )
        if not message.sender:
            raise TransportError(
                "No sender number: set the campaign's SMS from number or TWILIO_DEFAULT_FROM.",
                permanent=True,
            )
        client = Client(
            settings.TWILIO_ACCOUNT_SID,
            settings.TWILIO_AUTH_TOKEN,
            http_client=TwilioHttpClient(timeout=self.timeout),
        )
        try:
            sent = client.messages.create(
                to=message.to,
                from_=message.sender,
                body=message.body,
                status_callback=settings.PUBLIC_BASE_URL + reverse("twilio_status"),
            )
        except TwilioRestException as exc:
            transient = exc.status == 429 or exc.status >= 500
            raise TransportError(
                f"Twilio error {exc.code}: {exc.msg}", permanent=not transient
            ) from exc
        except (TwilioException, requests.RequestException) as exc:
            raise TransportError(f"Could not reach Twilio: {exc}", permanent=False) from exc
        return sent.sid


class ConsoleBackend:
    def send(self, message: SmsMessage) -> str:
        sys.stdout.write(
            f"--- SMS from {message.sender or '(default)'} to {message.to}\n{message.body}\n---\n"
        )
        sys.stdout.flush()
        return ""


outbox: list[SmsMessage] = []
_outbox_lock = threading.Lock()


class LocmemBackend:
    """Keeps messages in `outbox`, for tests."""

    def send(self, message: SmsMessage) -> str:
        with _outbox_lock:
            outbox.append(message)
            return f"locmem-sms-{len(outbox)}"


class SmsTransport:
    def send(self, delivery) -> str:
        if not delivery.recipient:
            raise TransportError("No phone number to send to.", permanent=True)
        sender = delivery.sender or settings.TWILIO_DEFAULT_FROM
        backend = load_backend("SMS_BACKEND")
        return backend.send(SmsMessage(to=delivery.recipient, body=delivery.body, sender=sender))
