"""What a lead becomes: contacts (a person or a business), pipelines with ordered stages, and
the deals that move through them. Everything belongs to one account and never crosses it."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from campaignhub.models import Account
from campaignhub.tenancy import AccountQuerySet
from campaigns.models import Campaign, Lead, PersonOrBusiness


class Contact(models.Model):
    """A person or a business an account's leads came from.

    Fields: `kind` (person/business), `name`, `phone` (E.164), `email`, `company`, `notes`.
    `edited_fields` lists the fields staff changed by hand: merging a new lead fills empty
    fields only and never touches these. `merged_into` is set on a contact merged by hand into
    another; its leads and deals have moved there.
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="contacts")
    kind = models.CharField(
        max_length=8, choices=PersonOrBusiness.choices, default=PersonOrBusiness.PERSON
    )
    name = models.CharField(max_length=255, blank=True)
    phone = models.CharField(max_length=20, blank=True, help_text="E.164")
    email = models.EmailField(blank=True)
    company = models.CharField(max_length=255, blank=True)
    notes = models.TextField(blank=True)
    edited_fields = models.JSONField(default=list, blank=True, editable=False)
    merged_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="merged_contacts"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AccountQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["account", "-id"], name="contact_list"),
            models.Index(fields=["account", "phone"], name="contact_phone"),
            models.Index("account", Lower("email"), name="contact_email"),
        ]

    def __str__(self):
        return self.name or self.company or self.phone or self.email or f"Contact {self.pk}"


class Pipeline(models.Model):
    """An account's sales pipeline: ordered `stages`; `position` orders pipelines."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="pipelines")
    name = models.CharField(max_length=100)
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AccountQuerySet.as_manager()

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["account", "name"], name="unique_pipeline_name"),
        ]

    def __str__(self):
        return self.name


class StageKind(models.TextChoices):
    OPEN = "open", "Open"
    WON = "won", "Won"
    LOST = "lost", "Lost"


class Stage(models.Model):
    """One column of a pipeline. A deal in a `won` stage records its revenue; `lost` closes it."""

    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="stages")
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=4, choices=StageKind.choices, default=StageKind.OPEN)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["pipeline", "name"], name="unique_stage_name"),
        ]

    def __str__(self):
        return f"{self.pipeline}: {self.name}"


class Deal(models.Model):
    """A sale in progress: on a pipeline `stage`, worth `value` in `currency` (ISO 4217).

    Opened from a lead of a campaign with `create_deal` (`lead`, `campaign`, `contact`), or by
    staff. `won_at`/`closed_at` are set when it enters a won / won-or-lost stage.
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="deals")
    pipeline = models.ForeignKey(Pipeline, on_delete=models.PROTECT, related_name="deals")
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="deals")
    contact = models.ForeignKey(
        Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="deals"
    )
    lead = models.OneToOneField(
        Lead, on_delete=models.SET_NULL, null=True, blank=True, related_name="deal"
    )
    campaign = models.ForeignKey(
        Campaign, on_delete=models.SET_NULL, null=True, blank=True, related_name="deals"
    )
    title = models.CharField(max_length=255)
    value = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_deals",
    )
    won_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AccountQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["account", "pipeline", "stage"], name="deal_board"),
            models.Index(fields=["account", "owner"], name="deal_owner"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(value__isnull=True) | Q(value__gte=0), name="deal_value_not_negative"
            ),
        ]

    def __str__(self):
        return self.title
