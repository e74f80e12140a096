"""Provider delivery reports: Twilio's SMS status callback and anymail's email tracking signal."""

import json
import logging
from functools import wraps

from anymail import urls as anymail_urls
from anymail.signals import tracking
from anymail.utils import get_anymail_setting
from django.conf import settings
from django.dispatch import receiver
from django.http import QueryDict
from django.urls import URLPattern
from django.utils import timezone
from twilio.request_validator import RequestValidator

from campaignhub.api import error
from campaignhub.cleaning import clean_text
from campaignhub.models import DeliveryStatus, InboundDelivery
from campaignhub.webhooks import Target, WebhookView, header
from notifications import services
from notifications.models import Channel

logger = logging.getLogger(__name__)
TWILIO_DELIVERED = {"delivered"}
TWILIO_FAILED = {"undelivered", "failed"}
EMAIL_DELIVERED = {"delivered"}
EMAIL_FAILED = {"bounced", "rejected", "failed"}

suspicious = logging.getLogger("campaignhub.webhooks.suspicious")


class TwilioStatusWebhook(WebhookView):
    source = "twilio_status"
    signed = True
    invalid_signature_status = 403

    def resolve(self, token):
        return Target(account=None)

    def target_for(self, delivery):
        return Target(account=None)

    def verify(self, delivery, target):
        if not settings.TWILIO_AUTH_TOKEN:
            return False
        # Twilio signs the public URL it called, which a proxy in front of us may rewrite.
        url = settings.PUBLIC_BASE_URL + delivery.path
        params = QueryDict(bytes(delivery.body), encoding="utf-8")
        signature = header(delivery, "X-Twilio-Signature")
        return RequestValidator(settings.TWILIO_AUTH_TOKEN).validate(url, params, signature)


def process_twilio_status(inbound):
    params = QueryDict(inbound.text)
    status = params.get("MessageStatus") or params.get("SmsStatus") or ""
    inbound.event = status
    if status not in TWILIO_DELIVERED | TWILIO_FAILED:
        return False
    code = params.get("ErrorCode")
    delivery = services.record_provider_status(
        channel=Channel.SMS,
        provider_message_id=params.get("MessageSid") or params.get("SmsSid") or "",
        delivered=status in TWILIO_DELIVERED,
        error=f"Twilio reported {status}" + (f" (error {code})" if code else ""),
    )
    if delivery is None:
        return False
    inbound.account_id = delivery.account_id
    return True


def has_email_webhook_secret() -> bool:
    """Whether `ANYMAIL_WEBHOOK_SECRET` ("user:password", HTTP basic auth the ESP sends with
    every webhook post) is set, read as anymail's webhook views read it."""
    return bool(get_anymail_setting("webhook_secret", default=None))


def require_webhook_secret(view):
    """Wrap an anymail webhook view: without `ANYMAIL_WEBHOOK_SECRET` it answers 403 and does
    nothing, since anymail would otherwise accept unauthenticated posts (a forged bounce would
    fail a delivery). With the secret set, anymail checks it on every post."""

    @wraps(view)
    def guarded(request, *args, **kwargs):
        if not has_email_webhook_secret():
            suspicious.warning("Email webhook post refused: ANYMAIL_WEBHOOK_SECRET is not set")
            return error(403, "Email webhooks are not configured.")
        return view(request, *args, **kwargs)

    return guarded


def email_webhook_urls():
    """anymail's webhook URLs (`/anymail/<esp>/tracking/`, …) behind `require_webhook_secret`,
    as an `include()` argument in anymail's own namespace."""
    patterns = [
        URLPattern(p.pattern, require_webhook_secret(p.callback), p.default_args, p.name)
        for p in anymail_urls.urlpatterns
    ]
    return patterns, anymail_urls.app_name


@receiver(tracking)
def record_email_tracking(sender, event, esp_name, **kwargs):
    """Keep every tracking event anymail verified, stored before anything can fail, then apply
    the ones that settle a delivery; a failure is recorded with the row, never lost."""
    inbound = InboundDelivery.objects.create(
        source=f"anymail_{esp_name.lower()}",
        event=clean_text(event.event_type, 100),
        body=json.dumps(
            {
                "event_type": event.event_type,
                "message_id": event.message_id,
                "recipient": event.recipient,
                "timestamp": event.timestamp.isoformat() if event.timestamp else None,
                "description": event.description,
                "mta_response": event.mta_response,
                "event_id": event.event_id,
            }
        ).encode(),
        signature_valid=True,
        status=DeliveryStatus.PROCESSING,
        attempts=1,
    )
    delivery = None
    try:
        if event.event_type in EMAIL_DELIVERED | EMAIL_FAILED:
            delivery = services.record_provider_status(
                channel=Channel.EMAIL,
                provider_message_id=event.message_id or "",
                delivered=event.event_type in EMAIL_DELIVERED,
                error=event.description or event.mta_response or f"{esp_name}: {event.event_type}",
            )
    except Exception as exc:
        logger.exception("Email tracking event %s could not be applied", inbound.pk)
        inbound.status = DeliveryStatus.FAILED
        inbound.error = clean_text(f"{type(exc).__name__}: {exc}")
    else:
        inbound.status = DeliveryStatus.PROCESSED if delivery else DeliveryStatus.IGNORED
        inbound.account_id = delivery.account_id if delivery else None
    inbound.processed_at = timezone.now()
    inbound.save(update_fields=["status", "error", "account", "processed_at"])
