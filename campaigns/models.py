"""Inbound campaigns, their representatives, the leads they receive, and per-account tallies."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from campaignhub.models import Account
from campaignhub.tenancy import AccountQuerySet


class Integration(models.TextChoices):
    CALLRAIL = "callrail", "CallRail"
    INVOCA = "invoca", "Invoca"
    DIALER = "dialer", "Dialer"
    FORM = "form", "Lead form"
    WEBHOOK = "webhook", "Webhook"


class NotificationType(models.TextChoices):
    ONLY_SEND_EMAIL = "only_send_email", "Email only"
    ONLY_SEND_SMS = "only_send_sms", "SMS only"
    SEND_EMAIL_SMS = "send_email_sms", "Email and SMS"


class PersonOrBusiness(models.TextChoices):
    PERSON = "person", "Person"
    BUSINESS = "business", "Business"


class Campaign(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="campaigns")
    campaign_name = models.CharField(max_length=200)
    integration = models.CharField(max_length=10, choices=Integration.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="owned_campaigns",
    )
    page_id = models.CharField(max_length=255, blank=True)
    page_url = models.CharField(max_length=2048, blank=True)
    tracking_number = models.CharField(max_length=20, blank=True, help_text="E.164")
    representatives = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Representative", related_name="represented_campaigns"
    )
    notification_type = models.CharField(
        max_length=16, choices=NotificationType.choices, default=NotificationType.ONLY_SEND_EMAIL
    )
    email_details = models.JSONField(default=dict, blank=True)
    sms_details = models.JSONField(default=dict, blank=True)
    add_to_crm = models.BooleanField(default=True)
    add_person_or_business = models.CharField(
        max_length=8, choices=PersonOrBusiness.choices, default=PersonOrBusiness.PERSON
    )
    create_deal = models.BooleanField(default=False)
    pipeline_id = models.CharField(max_length=64, blank=True)
    stage_id = models.CharField(max_length=64, blank=True)
    deal_value = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3)
    status = models.BooleanField(default=True, help_text="Active")
    is_deleted = models.BooleanField(default=False)
    # The ObjectId of the campaign in the old campaign service, when it was imported from there.
    # Nullable so adding it keeps the table (and the SQLite name-search triggers on it).
    legacy_id = models.CharField(max_length=24, null=True, blank=True, editable=False)
    # What the last import left the campaign as (`campaigns.legacy.fingerprint`), to tell a
    # change made here since from one in the export. Nullable for the same reason as above.
    legacy_values = models.JSONField(null=True, blank=True, editable=False)
    form_secret_id = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    webhook_token = models.CharField(
        max_length=64, null=True, blank=True, unique=True, editable=False
    )
    # Position of the next representative in the round-robin.
    next_representative = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AccountQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["account", "is_deleted", "-id"], name="campaign_list"),
            # The campaign list's order, newest created first (`selectors.campaign_list`), so
            # its pages and keyset cursors read off the index at any size. `is_deleted` is not
            # in it: the list asks for NOT is_deleted, which SQLite does not seek by, and a
            # column it cannot seek by ahead of created_at would leave the rows to be sorted.
            models.Index(fields=["account", "created_at", "id"], name="campaign_created"),
            models.Index(
                fields=["account", "integration", "is_deleted"], name="campaign_integration"
            ),
            models.Index(fields=["account", "tracking_number"], name="campaign_tracking_number"),
            models.Index(fields=["account", "owner"], name="campaign_owner"),
            # The tracking-number list, in name order, reads only campaigns holding a number.
            models.Index(
                fields=["account", "campaign_name"],
                condition=Q(is_deleted=False) & ~Q(tracking_number=""),
                name="campaign_number_by_name",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "legacy_id"],
                condition=Q(legacy_id__isnull=False),
                name="unique_legacy_campaign",
            ),
            models.UniqueConstraint(
                fields=["account", "tracking_number"],
                condition=Q(is_deleted=False) & ~Q(tracking_number=""),
                name="unique_live_tracking_number",
            ),
        ]

    def __str__(self):
        return self.campaign_name


class Representative(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="assignments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignments"
    )
    custom_number = models.CharField(max_length=20, blank=True, help_text="E.164, for SMS")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        # A member's campaigns are found from their side (see selectors.campaigns_visible_to).
        indexes = [models.Index(fields=["user", "campaign"], name="representative_user")]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "user"], name="unique_representative"),
        ]

    def __str__(self):
        return f"{self.user} on {self.campaign}"


class CampaignTally(models.Model):
    """How many live campaigns an account has per integration and status.

    Kept by the services in the same transaction as every change, so list pages and counts
    cost one small query however many campaigns an account has.
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="campaign_tallies")
    integration = models.CharField(max_length=10, choices=Integration.choices)
    status = models.BooleanField()
    count = models.IntegerField(default=0)
    # How many of them hold a tracking number (the tracking-number list's total).
    numbered = models.IntegerField(default=0)

    objects = AccountQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "integration", "status"], name="unique_campaign_tally"
            ),
        ]

    def __str__(self):
        return f"{self.integration} {'active' if self.status else 'inactive'}: {self.count}"


# The source name of deliveries to the generic lead webhook (`campaigns.webhooks`).
LEAD_WEBHOOK_SOURCE = "leads"
# The source name of submissions held for a paused form campaign (`campaigns.held_forms`).
LEAD_FORM_SOURCE = "lead_form"


class LeadSource(models.TextChoices):
    CALL = "call", "Call"
    FORM = "form", "Form"
    WEBHOOK = "webhook", "Webhook"
    DIALER = "dialer", "Dialer"
    TEXT = "text", "Text message"


# Only a won lead has a revenue (`outcomes.set_outcome`).
REVENUE_ONLY_WHEN_WON = "Revenue is recorded for won leads only: choose Won, or leave it empty."


class LeadStatus(models.TextChoices):
    """What became of a lead; staff set it from the lead page, its deal, or the API."""

    NEW = "new", "New"
    CONTACTED = "contacted", "Contacted"
    QUALIFIED = "qualified", "Qualified"
    WON = "won", "Won"
    LOST = "lost", "Lost"


class Lead(models.Model):
    """One enquiry a campaign received (a call, form, webhook, dialer result or text).

    Outcome: `status` (`LeadStatus`) and `revenue` (in the account's currency, set when won).
    `alerted_at` is when the first alert about it was sent; `first_response_s` the seconds
    from then to the first status change (`first_response_at`). `contact` is the CRM contact
    it was merged into when its campaign has `add_to_crm`.
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="leads")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="leads")
    source = models.CharField(max_length=10, choices=LeadSource.choices)
    external_id = models.CharField(max_length=255)
    name = models.CharField(max_length=255, blank=True)
    phone = models.CharField(max_length=20, blank=True, help_text="E.164")
    email = models.EmailField(blank=True)
    message = models.TextField(blank=True)
    payload = models.JSONField(default=dict, blank=True)
    representative = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_leads",
    )
    contact = models.ForeignKey(
        "crm.Contact", on_delete=models.SET_NULL, null=True, blank=True, related_name="leads"
    )
    status = models.CharField(max_length=10, choices=LeadStatus.choices, default=LeadStatus.NEW)
    revenue = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    alerted_at = models.DateTimeField(null=True, blank=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    first_response_s = models.PositiveIntegerField(null=True, blank=True)
    details_received_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the delivery that gave the lead its details arrived; earlier ones "
        "(a replay, a delivery taken out of order) never replace them.",
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AccountQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["account", "-id"], name="lead_list"),
            models.Index(fields=["campaign", "-id"], name="lead_campaign"),
            # Reports read an account's leads over a date range.
            models.Index(fields=["account", "created_at"], name="lead_report"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "source", "external_id"], name="unique_lead_per_event"
            ),
        ]

    def __str__(self):
        return self.name or self.phone or self.email or f"Lead {self.pk}"
