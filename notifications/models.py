"""Deliveries: one row per channel per recipient for every notification we try to send."""

from django.conf import settings
from django.db import models
from django.utils.dateparse import parse_datetime

from campaignhub.models import Account, is_member
from campaignhub.tenancy import AccountQuerySet


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "SMS"
    PUSH = "push", "Push"


class Status(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


class Delivery(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=64)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deliveries",
        help_text="The person it was for, when it was for a person.",
    )
    recipient = models.CharField(
        max_length=255, blank=True, help_text="Email address, E.164 number, or the user (push)."
    )
    recipient_from_profile = models.BooleanField(
        default=False,
        help_text="The address is the user's profile email or phone, so a retry reads it again.",
    )
    sender = models.CharField(max_length=255, blank=True)
    reply_to = models.CharField(max_length=255, blank=True)
    # notifications.rendering.SUBJECT_MAX_CHARS cuts longer subjects to fit.
    subject = models.CharField(max_length=255, blank=True)
    body = models.TextField(blank=True)
    html_body = models.TextField(blank=True)
    data = models.JSONField(
        default=dict,
        blank=True,
        help_text=(
            "What the notification is about ({str: str}, e.g. lead_id); the push payload, and "
            "kept on every channel's delivery."
        ),
    )
    devices = models.JSONField(
        default=list,
        blank=True,
        help_text=(
            "A push's devices as they were when it was last tried ([{id, name, type, "
            "registered}], `registered` ISO 8601), so the log names them after one is removed."
        ),
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(
        default=0, help_text="Tries so far, counted across retries by hand."
    )
    attempts_before_retry = models.PositiveSmallIntegerField(
        default=0,
        help_text=(
            "Tries made before the last retry by hand (0: never retried); a retry gets a fresh "
            "set of tries on top of them."
        ),
    )
    provider_message_id = models.CharField(max_length=255, blank=True, db_index=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(
        default=0,
        editable=False,
        help_text="Goes up by one with every change, so pages never show an older state.",
    )

    objects = AccountQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "deliveries"
        indexes = [
            models.Index(fields=["account", "-created_at"]),
            models.Index(fields=["status", "next_attempt_at"]),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} to {self.recipient or self.user} ({self.status})"

    @property
    def recipient_left(self) -> bool:
        """The person it was for is no longer a member of its account: it is never sent again.
        Read from the `recipient_is_member` annotation (`selectors.deliveries_visible_to`)
        when there is one, else asked."""
        if self.user_id is None:
            return False
        member = getattr(self, "recipient_is_member", None)
        if member is None:
            member = is_member(self.account_id, self.user_id)
        return not member

    @property
    def pushed_to(self) -> list[dict]:
        """The devices a push went to (`devices`), for pages: each `{name, type, registered}`,
        `name` as the person registered it ("" when unnamed), `type` fcm-django's (`android`,
        `ios`, `web`), `registered` an aware datetime or None. Empty until a push is tried,
        and for email and SMS."""
        return [
            {
                "name": device.get("name") or "",
                "type": device.get("type") or "",
                "registered": parse_datetime(device.get("registered") or ""),
            }
            for device in self.devices or []
        ]

    @property
    def can_retry(self) -> bool:
        return self.status == Status.FAILED and not self.recipient_left
