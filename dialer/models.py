"""The dialer campaign manager's records: the connection, campaigns and their agents, lead-list
uploads with their contacts and batches, and the notifications the dialer sent us."""

import datetime
import secrets
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from campaignhub.integrations import Credential
from campaignhub.models import Account, InboundDelivery, Membership
from campaignhub.tenancy import AccountQuerySet
from campaigns.models import Integration
from dialer.client import CONNECTED_END_REASONS

# The dialer's rules for references (dialer-api.md): letters, digits and `.-_~:`, at most 230.
REF_MAX_LENGTH = 230
# Ours are `ch-` + 12 hex digits; a contact's is `<campaign_ref>-<n>`.
CAMPAIGN_REF_PREFIX = "ch-"

AGGRESSION_MIN = Decimal("1.0")
AGGRESSION_MAX = Decimal("10.0")
AGGRESSION_DEFAULT = Decimal("1.5")
MAX_ATTEMPTS_RANGE = (1, 10)
RETRY_DELAY_RANGE = (60, 604800)
# Agents are 3-4 digit extensions (dialer-api.md).
EXTENSION_PATTERN = r"^[0-9]{3,4}$"
EXTENSION_MESSAGE = "An extension is 3 or 4 digits."


class DialerConnection(Credential):
    """An account's dialer: its API base URL and API key (`secret`); one live per account."""

    base_url = models.URLField(max_length=500)

    class Meta(Credential.Meta):
        verbose_name = "dialer connection"


def new_webhook_token():
    return secrets.token_urlsafe(32)


class DialerReceiver(models.Model):
    """The account's notification endpoint `/webhooks/dialer/<token>/`; it outlives
    reconnections, so the dialer's configuration never has to change when the key does."""

    account = models.OneToOneField(
        Account, on_delete=models.CASCADE, related_name="dialer_receiver"
    )
    webhook_token = models.CharField(max_length=64, unique=True, default=new_webhook_token)

    objects = AccountQuerySet.as_manager()

    def __str__(self):
        return f"Dialer receiver of {self.account}"


def new_campaign_ref():
    """A fresh campaign reference: never typed by people, never reused (rows are kept)."""
    return CAMPAIGN_REF_PREFIX + secrets.token_hex(6)


class CampaignState(models.TextChoices):
    """The dialer's campaign states; ours only ever changes when a notification says so."""

    STOPPED = "stopped", "Stopped"
    STARTED = "started", "Started"
    STOPPING = "stopping", "Stopping"
    COMPLETED = "completed", "Completed"


class PendingAction(models.TextChoices):
    """What we asked the dialer for and are waiting to hear about."""

    NONE = "", "None"
    START_REQUESTED = "start_requested", "Start requested"
    STOP_REQUESTED = "stop_requested", "Stop requested"
    REMOVING = "removing", "Removing"


NOTHING_LEFT_TO_CALL = (
    "{name} is completed: the dialer has called every lead and used every retry, so there is "
    "nothing left to call. Upload another lead list to call more."
)
NOTHING_TO_STOP = "{name} is completed: it has already ended, so there is nothing to stop."
# How a held call's reason starts (a cdr event's `ignored`, its delivery's error): a connected
# call no inbound campaign took yet, captured as a lead once one does.
HELD = "Held: "


class AgentState(models.TextChoices):
    """The agent states the API can set (an agent's default state in a campaign)."""

    OFFLINE = "offline", "Offline"
    AVAILABLE = "available", "Available"


# The agent statuses in which an agent takes a started campaign's calls: available, or on a
# call and wrapping it up (reference 003, dialer-api.md). In any other (none reported yet,
# `logging_in`, `logging_out`, `offline`) the dialer dials nothing for them: it dials
# `aggression` calls per available agent.
TAKING_CALLS = ("available", "busy", "wrapup")


class DialerCampaignQuerySet(AccountQuerySet):
    def live(self):
        """Campaigns not removed (removal keeps the row, so its reference is never reused)."""
        return self.filter(deleted_at__isnull=True)


class DialerCampaign(models.Model):
    """An outbound campaign on the dialer, under a reference we generated.

    `state` is the dialer's last reported state and changes only from its notifications;
    `pending_action` is what we asked for meanwhile. `deleted_at` is set once the dialer
    deleted it; the row stays so the reference and its contacts' references are never reused.
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="dialer_campaigns")
    ref = models.CharField(
        max_length=REF_MAX_LENGTH, unique=True, default=new_campaign_ref, editable=False
    )
    name = models.CharField(max_length=200)
    aggression = models.DecimalField(
        max_digits=3,
        decimal_places=1,
        default=AGGRESSION_DEFAULT,
        validators=[MinValueValidator(AGGRESSION_MIN), MaxValueValidator(AGGRESSION_MAX)],
        help_text="Calls dialled per available agent, 1.0 to 10.0.",
    )
    max_attempts = models.PositiveSmallIntegerField(
        default=3,
        validators=[MinValueValidator(MAX_ATTEMPTS_RANGE[0]), MaxValueValidator(10)],
    )
    retry_delay_s = models.PositiveIntegerField(
        default=3600,
        validators=[MinValueValidator(RETRY_DELAY_RANGE[0]), MaxValueValidator(604800)],
        help_text="Seconds before a callee is tried again.",
    )
    caller_id = models.CharField(max_length=20, blank=True, help_text="E.164")
    record_calls = models.BooleanField(default=False)
    default_agent_state = models.CharField(
        max_length=10, choices=AgentState.choices, default=AgentState.OFFLINE
    )
    state = models.CharField(
        max_length=10, choices=CampaignState.choices, default=CampaignState.STOPPED
    )
    state_changed_at = models.DateTimeField(null=True, blank=True)
    pending_action = models.CharField(
        max_length=20, choices=PendingAction.choices, default=PendingAction.NONE, blank=True
    )
    inbound_campaign = models.ForeignKey(
        "campaigns.Campaign",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="dialer_campaigns",
        help_text="Connected calls of this campaign become leads there.",
    )
    # The next contact's number within this campaign (`<ref>-<n>`); only ever grows.
    next_contact_number = models.PositiveIntegerField(default=1)
    contacts_total = models.PositiveIntegerField(default=0)
    contacts_sent = models.PositiveIntegerField(default=0)
    # Set when the campaign was made on the dialer itself and adopted here (`services.adopt`).
    adopted_at = models.DateTimeField(null=True, blank=True)
    contacts_added_on_dialer = models.PositiveIntegerField(
        default=0,
        help_text="Contacts the dialer held when the campaign was adopted (added there, not here).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects = DialerCampaignQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.name} ({self.ref})"

    @property
    def is_removing(self):
        return self.pending_action == PendingAction.REMOVING

    @property
    def has_agents(self) -> bool:
        """Whether the campaign has any agent: its `agent_count` when annotated
        (`selectors.with_agent_counts`), else one query."""
        count = getattr(self, "agent_count", None)
        return bool(count) if count is not None else self.agents.exists()

    @property
    def contacts_uploaded_here(self) -> int:
        """Contacts of the lead lists uploaded here (`contacts_total` counts an adopted
        campaign's contacts added on the dialer too)."""
        return self.contacts_total - self.contacts_added_on_dialer

    @property
    def contacts_sent_from_here(self) -> int:
        """Of `contacts_uploaded_here`, those sent to the dialer so far."""
        return self.contacts_sent - self.contacts_added_on_dialer

    def leads_added_since_completed(self) -> bool:
        """Whether a lead list with valid rows was uploaded after the dialer reported the
        campaign `completed` (so starting it again has someone to call)."""
        if self.state_changed_at is None:
            return False
        return self.uploads.filter(rows_valid__gt=0, created_at__gt=self.state_changed_at).exists()

    @property
    def leads_held_because(self) -> str:
        """Why a connected call of this campaign cannot become a lead now, "" when the linked
        inbound campaign takes it: none is linked, or it is deleted, no longer a Dialer
        campaign, or paused. Such a call is held until it can (`HELD`)."""
        inbound = self.inbound_campaign
        if inbound is None:
            return "no inbound campaign takes its calls (choose one under Leads go to)"
        name = inbound.campaign_name
        if inbound.is_deleted:
            return f"“{name}” was deleted (choose another campaign under Leads go to)"
        if inbound.integration != Integration.DIALER:
            return f"“{name}” no longer takes dialer calls (choose another under Leads go to)"
        if not inbound.status:
            return f"“{name}” is paused (activate it to capture the calls held for it)"
        return ""

    @property
    def start_refusal(self) -> str:
        """Why the campaign's current state does not allow a start, "" when it does.

        The guide (reference 003) keeps Start clickable in every state a campaign can run
        again from: started (a restart changes nothing), stopping, stopped. A `completed`
        campaign has called every lead and used every retry: only a lead list uploaded since
        gives a start something to call."""
        if self.state != CampaignState.COMPLETED or self.leads_added_since_completed():
            return ""
        return NOTHING_LEFT_TO_CALL.format(name=self.name)

    @property
    def stop_refusal(self) -> str:
        """Why the campaign's current state does not allow a stop, "" when it does: stopping
        a started one stops it; a stopping or stopped one changes nothing, which the guide
        allows (Stop stays clickable); a `completed` one has ended, nothing is left to stop."""
        if self.state != CampaignState.COMPLETED:
            return ""
        return NOTHING_TO_STOP.format(name=self.name)


class AgentExtension(models.Model):
    """A member's dialer extension in one account (3 or 4 digits); agents are members with one.

    It belongs to the membership, so it is unique within the account (two accounts may each
    have a 101) and goes when the person leaves the account. `account` repeats the
    membership's account so the database can hold the per-account uniqueness.
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    membership = models.OneToOneField(
        Membership, on_delete=models.CASCADE, related_name="agent_extension"
    )
    extension = models.CharField(
        max_length=4, validators=[RegexValidator(EXTENSION_PATTERN, EXTENSION_MESSAGE)]
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = AccountQuerySet.as_manager()

    class Meta:
        ordering = ["account", "extension"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "extension"], name="dialer_extension_once_per_account"
            ),
        ]

    def __str__(self):
        return f"{self.extension} in {self.account_id}"


class DialerAgent(models.Model):
    """A member taking calls in a campaign under their extension in the account.

    `extension` is the one the dialer knows them by in this campaign (it follows a change of
    their `AgentExtension`, see `services.set_extension`); `status` is their last
    reported agent status in this campaign (agent notifications), blank before any.
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(DialerCampaign, on_delete=models.CASCADE, related_name="agents")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    extension = models.CharField(max_length=4)
    default_state = models.CharField(max_length=10, choices=AgentState.choices)
    status = models.CharField(max_length=20, blank=True)
    status_at = models.DateTimeField(null=True, blank=True)
    added_at = models.DateTimeField(auto_now_add=True)

    objects = AccountQuerySet.as_manager()

    class Meta:
        ordering = ["extension"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "extension"], name="dialer_agent_once"),
        ]

    def __str__(self):
        return f"{self.extension} in {self.campaign.ref}"


class UploadStatus(models.TextChoices):
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class LeadListUpload(models.Model):
    """One lead-list file for a campaign: stored on disk, validated, its valid rows turned into
    contacts and sent in batches. `errors` holds the first problems found (the full list is
    the error report file); counts and progress are kept as the work goes."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(DialerCampaign, on_delete=models.CASCADE, related_name="uploads")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    file = models.FileField(upload_to="dialer/uploads/%Y/%m/")
    original_name = models.CharField(max_length=255)
    error_report = models.FileField(upload_to="dialer/errors/%Y/%m/", blank=True)
    status = models.CharField(
        max_length=10, choices=UploadStatus.choices, default=UploadStatus.SENDING
    )
    rows_total = models.PositiveIntegerField(default=0)
    rows_valid = models.PositiveIntegerField(default=0)
    rows_invalid = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    # What the file held that no contact field took (`leadlists.LeadListValidation.warnings`).
    warnings = models.JSONField(default=list, blank=True)
    batches_total = models.PositiveIntegerField(default=0)
    batches_sent = models.PositiveIntegerField(default=0)
    contacts_sent = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    # The sweeper's schedule: when sending may be tried again if nothing happened meanwhile
    # (each sent batch pushes it on); None when there is nothing to retry on its own (sent, or
    # failed for good: a refusal, or the automatic retries are used up; Resume remains).
    retry_at = models.DateTimeField(null=True, blank=True, db_index=True)
    auto_retries = models.PositiveSmallIntegerField(
        default=0, help_text="Retries the sweeper started since the last progress or Resume."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = AccountQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.original_name} for {self.campaign.ref}"

    @property
    def percent(self) -> int:
        if not self.rows_valid:
            return 100 if self.status == UploadStatus.SENT else 0
        return min(100, self.contacts_sent * 100 // self.rows_valid)


class Contact(models.Model):
    """A callee of a campaign, as uploaded; read-only afterwards (re-upload instead).

    `ref` is `<campaign_ref>-<number>`, globally unique; `number` is E.164.
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(DialerCampaign, on_delete=models.CASCADE, related_name="contacts")
    upload = models.ForeignKey(LeadListUpload, on_delete=models.CASCADE, related_name="contacts")
    seq = models.PositiveIntegerField(help_text="The contact's number within its campaign.")
    ref = models.CharField(max_length=REF_MAX_LENGTH, unique=True)
    row = models.PositiveIntegerField(help_text="Its row in the uploaded file.")
    number = models.CharField(max_length=20, help_text="E.164")
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    email = models.EmailField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    objects = AccountQuerySet.as_manager()

    class Meta:
        ordering = ["campaign", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "seq"], name="dialer_contact_seq_once"),
            models.UniqueConstraint(
                fields=["campaign", "number"], name="dialer_contact_number_once"
            ),
        ]

    def __str__(self):
        return self.ref


class BatchStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class UploadBatch(models.Model):
    """Up to 100 contacts of an upload sent in one request: those with `seq` from `first_seq`
    to `last_seq`. Once `sent`, never sent again; a failed one is retried before the next."""

    upload = models.ForeignKey(LeadListUpload, on_delete=models.CASCADE, related_name="batches")
    index = models.PositiveIntegerField()
    first_seq = models.PositiveIntegerField()
    last_seq = models.PositiveIntegerField()
    size = models.PositiveSmallIntegerField()
    status = models.CharField(
        max_length=10, choices=BatchStatus.choices, default=BatchStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    claimed_at = models.DateTimeField(
        null=True, blank=True, help_text="When a worker took it to send; a lease."
    )
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["upload", "index"]
        constraints = [
            models.UniqueConstraint(fields=["upload", "index"], name="dialer_batch_once"),
        ]

    def __str__(self):
        return f"batch {self.index} of upload {self.upload_id}"


# How a call ended (a cdr's `end_reason`, dialer-api.md), in words: `hungup` does not say which
# side hung up, so its words do not either.
END_REASON_LABELS = {
    "hungup": "Talked, call ended",
    "callee_hungup": "Talked, the callee hung up",
    "agent_hungup": "Talked, the agent hung up",
    "voicemail": "Voicemail",
    "busy": "Busy",
    "reject": "Rejected",
    "timeout": "No answer",
    "error": "Error",
    "failed": "Failed",
}


class EventKind(models.TextChoices):
    CAMPAIGN_STATUS = "campaign_status", "Campaign status"
    AGENT_STATUS = "agent_status", "Agent status"
    CDR = "cdr", "Call record"


class DialerEvent(models.Model):
    """A notification from the dialer, as it was applied (or why it was not).

    `ignored` holds the reason a status was not applied (a duplicate, a stale transition),
    and for a cdr of a connected call no inbound campaign took yet why it is held (starting
    `HELD`; cleared once the call became a lead). `taken_by` is the member who talked to the
    callee, resolved from `extension` when the cdr arrived (`webhooks.agent_user_id`), so a
    held call still goes to them after extensions change hands; None when nobody had it.
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(
        DialerCampaign, on_delete=models.SET_NULL, null=True, blank=True, related_name="events"
    )
    delivery = models.ForeignKey(
        InboundDelivery, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    campaign_ref = models.CharField(max_length=REF_MAX_LENGTH, blank=True)
    status = models.CharField(max_length=20, blank=True)
    extension = models.CharField(max_length=10, blank=True)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who had the extension when the call record arrived.",
    )
    call_ref = models.CharField(max_length=REF_MAX_LENGTH, blank=True)
    contact_ref = models.CharField(max_length=REF_MAX_LENGTH, blank=True)
    end_reason = models.CharField(max_length=20, blank=True)
    call_time = models.PositiveIntegerField(null=True, blank=True, help_text="Seconds.")
    dialed_at = models.CharField(max_length=40, blank=True)
    payload = models.JSONField(default=dict)
    ignored = models.CharField(max_length=255, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    objects = AccountQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["campaign", "kind", "-received_at"])]
        constraints = [
            # One record per dialled call: a cdr sent twice is stored once.
            models.UniqueConstraint(
                fields=["account", "call_ref"],
                condition=Q(kind="cdr") & ~Q(call_ref=""),
                name="dialer_cdr_once",
            ),
        ]

    def __str__(self):
        return f"{self.kind} {self.status or self.end_reason} for {self.campaign_ref}"

    @property
    def is_held(self) -> bool:
        """Whether this is a connected call held until an inbound campaign takes it."""
        return self.kind == EventKind.CDR and self.ignored.startswith(HELD)

    @property
    def end_reason_label(self) -> str:
        """The cdr's end reason in words (`END_REASON_LABELS`), as sent when unknown; a
        connected end without an agent is a callee who hung up waiting for one."""
        if self.end_reason in CONNECTED_END_REASONS and not self.extension:
            return "Hung up waiting for an agent"
        return END_REASON_LABELS.get(self.end_reason, self.end_reason)

    @property
    def dialed_time(self):
        """When the call was dialled (the cdr's `dialed_at` read as a time, UTC when it has no
        offset), or when we received the record if that is not a time."""
        try:
            parsed = parse_datetime(self.dialed_at) if self.dialed_at else None
        except ValueError:
            parsed = None
        if parsed is None:
            return self.received_at
        if timezone.is_naive(parsed):
            parsed = timezone.make_aware(parsed, datetime.UTC)
        return parsed
