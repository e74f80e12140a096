"""Deploy checks of notifications: every provider callback we accept can be authenticated.

Run by `manage.py check --deploy`; each missing secret is an Error.
"""

from django.conf import settings
from django.core.checks import Error, Tags, register

from notifications.webhooks import has_email_webhook_secret

TWILIO_BACKEND = "notifications.transports.sms.TwilioBackend"


def sms_uses_twilio() -> bool:
    """SMS goes through Twilio: its backend is chosen or its account SID is set."""
    return settings.SMS_BACKEND == TWILIO_BACKEND or bool(settings.TWILIO_ACCOUNT_SID)


@register(Tags.security, deploy=True)
def check_webhook_secrets(app_configs=None, **kwargs) -> list[Error]:
    """Errors for a missing `ANYMAIL_WEBHOOK_SECRET` (email tracking posts could not be
    authenticated, so all are refused) and, when SMS uses Twilio, a missing `TWILIO_AUTH_TOKEN`
    (status callbacks could not be verified, so all are rejected)."""
    errors = []
    if not has_email_webhook_secret():
        errors.append(
            Error(
                "ANYMAIL_WEBHOOK_SECRET is not set: email tracking webhooks cannot be "
                "authenticated and are refused.",
                hint="Set ANYMAIL_WEBHOOK_SECRET to a random 'user:password' and give the "
                "same credentials in the tracking webhook URL at your email provider.",
                id="notifications.E001",
            )
        )
    if sms_uses_twilio() and not settings.TWILIO_AUTH_TOKEN:
        errors.append(
            Error(
                "TWILIO_AUTH_TOKEN is not set while SMS uses Twilio: SMS cannot be sent and "
                "status callbacks cannot be verified.",
                hint="Set TWILIO_AUTH_TOKEN to the auth token of the Twilio account.",
                id="notifications.E002",
            )
        )
    return errors
