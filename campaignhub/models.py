"""Tenancy and people: accounts, users, memberships, API tokens; raw inbound deliveries."""

import hashlib
import re
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone

from campaignhub.cleaning import body_text
from campaignhub.tenancy import AccountQuerySet

CURRENCIES = ["USD", "CAD", "EUR", "GBP", "AUD", "NZD", "INR", "MXN", "BRL", "ZAR", "JPY", "CHF"]


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **extra):
        if not email:
            raise ValueError("Users need an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(unique=True)
    name = models.CharField(max_length=150, blank=True)
    phone = models.CharField(
        max_length=20, blank=True, help_text="E.164, used for SMS alerts (e.g. +14155551234)."
    )
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        ordering = ["email"]

    def __str__(self):
        return self.email

    def get_full_name(self):
        return self.name or self.email

    def get_short_name(self):
        """What the page header and greetings call the person: the first word of their name,
        else their email address's first word before the @, as a first name: "dana" for
        dana@demo.test and dana.scully@demo.test (a first word under 3 letters keeps the whole
        part before the @: "jo.smith"). The header has room for it at every width, where the
        whole address is cut off; it shows the address in full as its title."""
        if self.name.strip():
            return self.name.split()[0]
        local = self.email.split("@")[0]
        first = re.split(r"[._+-]", local)[0]
        return first if len(first) >= 3 else local or self.email

    @property
    def header_title(self) -> str:
        """The header's tooltip for the person: their whole name and email address."""
        name = self.name.strip()
        return f"{name} ({self.email})" if name else self.email

    @property
    def awaits_first_password(self) -> bool:
        """Added by an admin and yet to choose a password from the emailed link: active, no
        usable password, never logged in. Such a person may be sent that link again."""
        return self.is_active and self.last_login is None and not self.has_usable_password()


class Account(models.Model):
    name = models.CharField(max_length=200)
    timezone = models.CharField(max_length=64, default="UTC")
    currency = models.CharField(max_length=3, default="USD", choices=[(c, c) for c in CURRENCIES])
    country = models.CharField(
        max_length=2,
        default="US",
        help_text="ISO 3166 code (US, GB, CA…): phone numbers show in this country's format.",
    )
    # The old campaign service's account (its ObjectId, hex) this account was moved in from,
    # remembered by the first import that wrote anything: later imports refuse any other.
    legacy_account = models.CharField(
        max_length=24, blank=True, default="", db_index=True, editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self):
        return self.name


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    MEMBER = "member", "Member"


class Membership(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AccountQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["account", "user"], name="unique_membership"),
        ]

    def __str__(self):
        return f"{self.user} in {self.account} ({self.role})"

    @property
    def is_admin(self):
        return self.role == Role.ADMIN


def is_member(account, user) -> bool:
    """Whether `user` is a member of `account` now (each an id or an instance); one query.
    Someone removed from an account keeps what they did there (leads they hold, deliveries
    sent to them) but is no longer a member."""
    return Membership.objects.filter(account=account, user=user).exists()


def member_exists(account=None, user=None):
    """An `Exists` expression, for annotations and filters, of whether `user` is a member of
    `account` now: each an id, an instance or an `OuterRef`; left out, the outer row's
    `account_id` and `user_id` (a lead's holder is `user=OuterRef("representative_id")`)."""
    account = models.OuterRef("account_id") if account is None else account
    user = models.OuterRef("user_id") if user is None else user
    return models.Exists(Membership.objects.filter(account=account, user=user))


class InvitationStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    CANCELLED = "cancelled", "Cancelled"
    EXPIRED = "expired", "Expired"


def invitation_lifetime() -> timedelta:
    """How long an invitation can be accepted after it was sent (`INVITATION_EXPIRY_DAYS`)."""
    return timedelta(days=settings.INVITATION_EXPIRY_DAYS)


class InvitationQuerySet(AccountQuerySet):
    def unexpired(self):
        return self.filter(created_at__gt=timezone.now() - invitation_lifetime())

    def open(self):
        """The invitations that can still be accepted: pending, not expired, and sent by someone
        who is still an admin of the account (or by someone unknown, for rows made before the
        sender was recorded). A removal or demotion cancels the sender's invitations
        (`services.cancel_invitations_sent_by`); the last condition also holds when a role was
        changed some other way."""
        sender_is_admin = models.Exists(
            Membership.objects.filter(
                account=models.OuterRef("account"),
                user=models.OuterRef("invited_by"),
                role=Role.ADMIN,
            )
        )
        return (
            self.filter(status=InvitationStatus.PENDING)
            .unexpired()
            .filter(models.Q(invited_by__isnull=True) | sender_is_admin)
        )


class Invitation(models.Model):
    """An offer of membership to someone who already has a login: they become a member only
    when they accept it, within `INVITATION_EXPIRY_DAYS` of `created_at`. The account's admins
    see `email` as they typed it, never the person's profile; `user` is who may accept it and
    `invited_by` the admin who sent it (None for rows older than that record, or a deleted
    user)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="invitations")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(help_text="The address as the inviting admin typed it.")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    invited_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=InvitationStatus.choices, default=InvitationStatus.PENDING
    )
    created_at = models.DateTimeField(auto_now_add=True)
    responded_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "user"],
                condition=models.Q(status="pending"),
                name="unique_pending_invitation",
            ),
        ]

    def __str__(self):
        return f"{self.email} to {self.account} ({self.status})"

    @property
    def expires_at(self):
        return self.created_at + invitation_lifetime()

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at


TOKEN_PREFIX = "chub_"
# Touching last_used_at on every request would turn each API read into a write.
TOKEN_LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_token(raw: str) -> str:
    # Tokens are 256 random bits, so a fast unsalted hash is enough (as GitHub and Stripe do).
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="api_tokens")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, help_text="The first characters, to recognise it.")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = AccountQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def generate() -> str:
        return TOKEN_PREFIX + secrets.token_urlsafe(32)

    @property
    def is_active(self):
        return self.revoked_at is None


class DeliveryStatus(models.TextChoices):
    RECEIVED = "received", "Received"
    PROCESSING = "processing", "Processing"
    PROCESSED = "processed", "Processed"
    IGNORED = "ignored", "Ignored"
    FAILED = "failed", "Failed"
    REJECTED = "rejected", "Rejected"


class InboundDelivery(models.Model):
    """One raw webhook delivery, stored before anything else happens so it can be replayed."""

    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, null=True, blank=True, related_name="inbound_deliveries"
    )
    source = models.CharField(max_length=40, db_index=True)
    event = models.CharField(max_length=100, blank=True)
    target_id = models.CharField(
        max_length=64,
        blank=True,
        help_text="The object the endpoint belongs to, when not the account.",
    )
    headers = models.JSONField(default=dict)
    body = models.BinaryField()
    remote_addr = models.GenericIPAddressField(null=True, blank=True)
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    signature_valid = models.BooleanField(null=True, help_text="Empty when no signing key is set.")
    status = models.CharField(
        max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.RECEIVED
    )
    path = models.CharField(
        max_length=500, blank=True, help_text="The path and query the sender posted to."
    )
    attempts = models.PositiveIntegerField(default=0)
    claimed_at = models.DateTimeField(
        null=True, blank=True, help_text="When a worker took it; the claim lapses after a lease."
    )
    next_attempt_at = models.DateTimeField(
        null=True, blank=True, help_text="When a transient failure is tried again."
    )
    processed_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    traceback = models.TextField(blank=True)
    campaign_id = models.PositiveBigIntegerField(
        null=True,
        blank=True,
        db_index=True,
        help_text="The id of the campaign its processing found: the one its lead went to, or "
        "the paused one that holds it. Set by the processor; empty until one is found.",
    )
    lead_id = models.PositiveBigIntegerField(
        null=True,
        blank=True,
        help_text="The id of the lead its processing made or updated, if any. Set by the "
        "processor.",
    )

    objects = AccountQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name_plural = "inbound deliveries"
        indexes = [models.Index(fields=["status", "received_at"], name="delivery_sweep")]

    def __str__(self):
        return f"{self.source} {self.event or 'delivery'} #{self.pk}"

    def body_text(self) -> str:
        """The body as its sender wrote it: in the charset its Content-Type names, else UTF-8
        (`cleaning.body_text`). Raises ValueError naming why it cannot be read."""
        content_type = next(
            (v for k, v in (self.headers or {}).items() if k.lower() == "content-type"), ""
        )
        return body_text(self.body, content_type)

    @property
    def text(self) -> str:
        """The body for people to read: as `body_text` reads it, else as UTF-8 with U+FFFD
        for what is not."""
        try:
            return self.body_text()
        except ValueError:
            return bytes(self.body).decode("utf-8", errors="replace")
