"""Push through fcm-django to a user's active devices; console in development, locmem in tests."""

import sys
import threading
from dataclasses import dataclass, field

import firebase_admin
from django.conf import settings
from fcm_django.models import FCMDevice
from firebase_admin import credentials, exceptions, messaging

from notifications.transports import TransportError, load_backend

# Firebase errors worth trying again later; everything else (unregistered or invalid tokens,
# auth and permission problems) will fail the same way next time.
TRANSIENT_ERRORS = (
    exceptions.UnavailableError,
    exceptions.InternalError,
    exceptions.DeadlineExceededError,
    exceptions.ResourceExhaustedError,
    exceptions.UnknownError,
)


@dataclass(frozen=True)
class PushMessage:
    title: str
    body: str
    data: dict = field(default_factory=dict)


def _firebase_app():
    try:
        return firebase_admin.get_app()
    except ValueError:
        if not settings.FCM_CREDENTIALS_FILE:
            raise TransportError(
                "Push is not configured: set FCM_CREDENTIALS_FILE.", permanent=True
            ) from None
        return firebase_admin.initialize_app(credentials.Certificate(settings.FCM_CREDENTIALS_FILE))


class FCMBackend:
    def send(self, devices, message: PushMessage) -> str:
        app = _firebase_app()
        # fcm-django sets the token on the Message it is given, so each send builds its own.
        firebase_message = messaging.Message(
            notification=messaging.Notification(title=message.title, body=message.body),
            data={str(key): str(value) for key, value in message.data.items()},
        )
        try:
            result = devices.send_message(firebase_message, app=app)
        except exceptions.FirebaseError as exc:
            raise TransportError(
                f"FCM error: {exc}", permanent=not isinstance(exc, TRANSIENT_ERRORS)
            ) from exc
        responses = result.response.responses
        sent = [response.message_id for response in responses if response.success]
        if sent:
            return sent[0]
        errors = [response.exception for response in responses]
        transient = any(isinstance(error, TRANSIENT_ERRORS) for error in errors)
        summary = "; ".join(sorted({str(error) for error in errors})) or "no device accepted it"
        raise TransportError(f"FCM error: {summary}", permanent=not transient)


class ConsoleBackend:
    def send(self, devices, message: PushMessage) -> str:
        names = ", ".join(str(device) for device in devices)
        sys.stdout.write(
            f"--- Push to {names}\n{message.title}\n{message.body}\ndata: {message.data}\n---\n"
        )
        sys.stdout.flush()
        return ""


outbox: list[tuple[list[str], PushMessage]] = []
_outbox_lock = threading.Lock()


class LocmemBackend:
    """Keeps (registration ids, message) pairs in `outbox`, for tests."""

    def send(self, devices, message: PushMessage) -> str:
        with _outbox_lock:
            outbox.append((sorted(d.registration_id for d in devices), message))
            return f"locmem-push-{len(outbox)}"


def device_record(device) -> dict:
    """What the delivery log keeps of a device a push is sent to (`Delivery.devices`): its id,
    name, type and when it was registered (ISO 8601, "" when unknown), so the log still names
    it once the device is removed."""
    registered = device.date_created
    return {
        "id": device.pk,
        "name": device.name or "",
        "type": device.type or "",
        "registered": registered.isoformat() if registered else "",
    }


class PushTransport:
    def send(self, delivery) -> str:
        """Send `delivery` to its person's active devices, recording them on
        `delivery.devices` (saved with the outcome: a failure's too, naming the devices it was
        tried on)."""
        delivery.devices = []
        if delivery.user_id is None:
            raise TransportError("Push needs a user to send to.", permanent=True)
        devices = FCMDevice.objects.filter(user_id=delivery.user_id, active=True).order_by("pk")
        delivery.devices = [device_record(device) for device in devices]
        if not delivery.devices:
            raise TransportError("No active push devices for this user.", permanent=True)
        message = PushMessage(title=delivery.subject, body=delivery.body, data=delivery.data)
        return load_backend("PUSH_BACKEND").send(devices, message)
