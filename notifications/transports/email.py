"""Email through Django's mail API: django-anymail for any ESP, console or locmem in dev/tests."""

import smtplib

from anymail.exceptions import AnymailAPIError, AnymailError, AnymailRecipientsRefused
from django.conf import settings
from django.core.mail import EmailMultiAlternatives

from notifications.transports import TransportError


def _is_transient_status(status_code):
    return status_code is None or status_code == 429 or status_code >= 500


class EmailTransport:
    def send(self, delivery) -> str:
        if not delivery.recipient:
            raise TransportError("No email address to send to.", permanent=True)
        message = EmailMultiAlternatives(
            subject=delivery.subject,
            body=delivery.body,
            from_email=delivery.sender or settings.DEFAULT_FROM_EMAIL,
            to=[delivery.recipient],
            reply_to=[delivery.reply_to] if delivery.reply_to else None,
        )
        if delivery.html_body:
            message.attach_alternative(delivery.html_body, "text/html")
        try:
            message.send()
        except AnymailRecipientsRefused as exc:
            raise TransportError(f"Recipient refused: {exc}", permanent=True) from exc
        except AnymailAPIError as exc:
            status_code = getattr(exc, "status_code", None)
            raise TransportError(str(exc), permanent=not _is_transient_status(status_code)) from exc
        except AnymailError as exc:
            raise TransportError(str(exc), permanent=True) from exc
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused) as exc:
            raise TransportError(f"Refused: {exc}", permanent=True) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise TransportError(f"Mail server error: {exc}", permanent=False) from exc
        status = getattr(message, "anymail_status", None)
        return (status.message_id or "") if status is not None else ""
