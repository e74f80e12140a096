"""Provider delivery reports: Twilio's SMS status callback and anymail's email tracking signal."""

import json
import logging
from functools import wraps

from anymail import urls as anymail_urls
from anymail.exceptions import AnymailWebhookValidationFailure
from anymail.signals import tracking
from anymail.utils import get_anymail_setting, get_request_basic_auth
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.dispatch import receiver
from django.http import QueryDict
from django.urls import URLPattern
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from twilio.request_validator import RequestValidator

from campaignhub.api import error
from campaignhub.cleaning import clean_json, clean_text
from campaignhub.models import DeliveryStatus, InboundDelivery
from campaignhub.ratelimit import over_limit
from campaignhub.webhooks import (
    DROPPED_HEADERS,
    INVALID_SIGNATURE,
    Target,
    WebhookView,
    header,
)
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


def email_webhook_secrets() -> list[str]:
    """The "user:password" strings of `ANYMAIL_WEBHOOK_SECRET` (one string, or a list while a
    secret is rotated), read as anymail's webhook views read it; [] when unset or empty."""
    secrets = get_anymail_setting("webhook_secret", default=None) or []
    if isinstance(secrets, str):
        secrets = [secrets]
    return [secret for secret in secrets if secret]


def has_email_webhook_secret() -> bool:
    """Whether `ANYMAIL_WEBHOOK_SECRET` ("user:password", HTTP basic auth the ESP sends with
    every webhook post) is set, read as anymail's webhook views read it."""
    return bool(email_webhook_secrets())


def email_source(esp_name: str) -> str:
    """The `InboundDelivery.source` of an ESP's email reports, e.g. "anymail_postmark"."""
    return f"anymail_{esp_name.lower()}"


class ProviderNotConfigured(Exception):
    """An ESP's webhook view cannot be built: its settings (a signing key, say) or its package
    are missing, so nothing it is sent can be checked or read."""


class ReportRefused(Exception):
    """An authenticated post that cannot be read (`signature_valid` True) or whose ESP
    signature does not match (`signature_valid` False); `message` is what the sender is told,
    `reason` what is stored with the delivery."""

    def __init__(self, message: str, reason: str, signature_valid: bool = True):
        super().__init__(reason)
        self.message = message
        self.reason = reason
        self.signature_valid = signature_valid


class RefusesCleanly:
    """Mixed in before an anymail webhook view, through the hooks its base view declares
    (`__init__` reads settings, `run_validators` checks the post, `parse_events` reads it):
    their failures become `ProviderNotConfigured` or `ReportRefused`, which
    `guard_email_webhook` answers 404 or 400, instead of a 500."""

    def __init__(self, **kwargs):
        try:
            super().__init__(**kwargs)
        except ImproperlyConfigured as exc:  # anymail's configuration and install errors
            raise ProviderNotConfigured(str(exc)) from exc

    def run_validators(self, request):
        try:
            super().run_validators(request)
        except ImproperlyConfigured as exc:  # some views read their signing key only here
            raise ProviderNotConfigured(str(exc)) from exc
        except AnymailWebhookValidationFailure as exc:
            raise ReportRefused("Invalid signature.", f"{INVALID_SIGNATURE} {exc}", False) from exc
        except Exception as exc:  # a verifier that cannot even run counts as a failure
            raise ReportRefused(*unreadable(exc), False) from exc

    def parse_events(self, request):
        try:
            # Some views yield their events: read them all before any is sent on.
            return list(super().parse_events(request))
        except ImproperlyConfigured as exc:
            raise ProviderNotConfigured(str(exc)) from exc
        except Exception as exc:
            raise ReportRefused(*unreadable(exc)) from exc


def unreadable(exc) -> tuple[str, str]:
    """(what the sender is told, what is stored) for a report `exc` stopped us reading."""
    message = "The report could not be read: send the provider's JSON event payload."
    return message, clean_text(f"Unreadable report: {type(exc).__name__}: {exc}")


def store_refused_report(request, esp_name: str, refusal: ReportRefused):
    """Keep an authenticated post that was refused (status rejected, with the reason), as the
    raw body and headers it came with, so nothing a provider sent is lost; returns the row."""
    return InboundDelivery.objects.create(
        source=email_source(esp_name),
        headers=clean_json(
            {k: v for k, v in request.headers.items() if k.lower() not in DROPPED_HEADERS}
        ),
        body=request.body,
        path=clean_text(request.get_full_path(), 500),
        remote_addr=request.META.get("REMOTE_ADDR") or None,
        signature_valid=refusal.signature_valid,
        status=DeliveryStatus.REJECTED,
        error=refusal.reason,
    )


def guard_email_webhook(view_class, initkwargs):
    """The view of one anymail webhook URL, `view_class` with `RefusesCleanly` mixed in.

    Every post is refused before anymail sees it unless `ANYMAIL_WEBHOOK_SECRET` is set (403:
    anymail would otherwise accept forged bounces) and the post carries it as HTTP basic auth
    (401 with a `WWW-Authenticate` challenge, which Amazon SNS needs before it sends the
    credentials; past `WEBHOOK_RATE_LIMIT_PER_MINUTE` such posts from one address, 429); a post
    with wrong credentials is stored rejected first, one with none is not. Then an ESP whose
    webhook is not configured answers 404, and a post whose body cannot be read, or whose ESP
    signature does not match, is stored rejected with the reason and answered 400. Answers are
    in the JSON error envelope."""
    esp_name = view_class.esp_name
    view = type(view_class.__name__, (RefusesCleanly, view_class), {}).as_view(**initkwargs)

    @wraps(view)
    def guarded(request, *args, **kwargs):
        if not has_email_webhook_secret():
            suspicious.warning("Email webhook post refused: ANYMAIL_WEBHOOK_SECRET is not set")
            return error(403, "Email webhooks are not configured.")
        if request.method == "POST":
            sent = get_request_basic_auth(request) or ""
            if not any(constant_time_compare(sent, s) for s in email_webhook_secrets()):
                # Guessing credentials is unauthenticated traffic: limited per address, as
                # guesses at other webhook endpoints are (`campaignhub.webhooks`).
                if over_limit(
                    request,
                    scope="email-webhook-auth-failures",
                    key=request.META.get("REMOTE_ADDR") or "",
                    per_minute=settings.WEBHOOK_RATE_LIMIT_PER_MINUTE,
                ):
                    suspicious.warning("Too many email webhook posts without credentials")
                    return error(429, "Too many requests.")
                if sent:
                    # Wrong credentials (a password pasted wrong at the provider): kept, as
                    # deliveries with a bad signature are, so nothing the provider sent is lost.
                    # A post with none is the provider asking for the challenge: not kept.
                    refusal = ReportRefused("", "Wrong webhook credentials.", False)
                    store_refused_report(request, esp_name, refusal)
                suspicious.warning("%s email webhook post without valid credentials", esp_name)
                return error(
                    401,
                    "Authentication required: the webhook's user and password.",
                    headers={"WWW-Authenticate": 'Basic realm="Email webhooks"'},
                )
        try:
            return view(request, *args, **kwargs)
        except ProviderNotConfigured as exc:
            logger.warning("%s email webhook post refused: not configured (%s)", esp_name, exc)
            return error(404, f"{esp_name} email webhooks are not configured here.")
        except ReportRefused as refusal:
            stored = store_refused_report(request, esp_name, refusal)
            suspicious.warning("%s email report %s refused: %s", esp_name, stored.pk, refusal)
            return error(400, refusal.message)

    return guarded


def email_webhook_urls():
    """anymail's webhook URLs (`/anymail/<esp>/tracking/`, …) behind `guard_email_webhook`,
    as an `include()` argument in anymail's own namespace."""
    patterns = [
        URLPattern(
            p.pattern,
            guard_email_webhook(p.callback.view_class, p.callback.view_initkwargs),
            p.default_args,
            p.name,
        )
        for p in anymail_urls.urlpatterns
    ]
    return patterns, anymail_urls.app_name


@receiver(tracking)
def record_email_tracking(sender, event, esp_name, **kwargs):
    """Keep every tracking event anymail verified, stored before anything can fail, then apply
    the ones that settle a delivery; a failure is recorded with the row, never lost."""
    inbound = InboundDelivery.objects.create(
        source=email_source(esp_name),
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
