"""Invoca records: the network connection, the call webhook receiver, and advertiser campaigns
with their current and future terms [004]."""

import secrets

from django.db import models

from campaignhub.integrations import Credential
from campaignhub.models import Account
from campaignhub.tenancy import AccountQuerySet

# The Network API version our client speaks unless the connection says otherwise
# (external-apis.md §2.1).
DEFAULT_API_VERSION = "2022-08-01"


class InvocaConnection(Credential):
    """An account's Invoca network: its API token (`secret`), network id, Network API version and
    base URL (e.g. `https://<vanity>.invoca.net`, default `INVOCA_API_BASE`); one live per
    account.

    `transactions_cursor` is the last `start_after_transaction_id` read from the Transactions
    API and `transactions_polled_at` when that poll last finished (external-apis.md §2.5).
    """

    network_id = models.CharField(max_length=64)
    api_version = models.CharField(max_length=10, default=DEFAULT_API_VERSION)
    base_url = models.URLField(max_length=500)
    transactions_cursor = models.CharField(
        max_length=64, blank=True, help_text="The last start_after_transaction_id read."
    )
    transactions_polled_at = models.DateTimeField(null=True, blank=True)
    transactions_claimed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When a poll of the Transactions API took this connection; the claim lapses "
        "after a lease.",
    )
    transactions_error = models.TextField(
        blank=True,
        help_text="Why the last poll of the Transactions API failed; empty after a good one.",
    )

    class Meta(Credential.Meta):
        verbose_name = "Invoca connection"


def new_webhook_token():
    return secrets.token_urlsafe(32)


class InvocaReceiver(models.Model):
    """The account's post-call webhook endpoint `/webhooks/invoca/<token>/`. Invoca does not
    sign its webhooks (external-apis.md §2.5), so the unguessable token is the secret; the
    receiver outlives reconnections, so the URL configured in Invoca never has to change."""

    account = models.OneToOneField(
        Account, on_delete=models.CASCADE, related_name="invoca_receiver"
    )
    webhook_token = models.CharField(max_length=64, unique=True, default=new_webhook_token)

    objects = AccountQuerySet.as_manager()

    def __str__(self):
        return f"Invoca receiver of {self.account}"


class CampaignStatus(models.TextChoices):
    """An advertiser campaign's state [004]: new ones are `entry` until they first go live;
    `archive` only after live; `unarchive` leads to `paused`; go live from entry or paused."""

    ENTRY = "entry", "Entry"
    LIVE = "live", "Live"
    PAUSED = "paused", "Paused"
    ARCHIVED = "archived", "Archived"


class AdvertiserCampaign(models.Model):
    """An advertiser campaign on the account's Invoca network, known by the network's own ids
    (`advertiser_id_from_network`, `id_from_network`).

    `current_terms` is what is live now and `future_terms` what the next go live makes live;
    every edit goes to `future_terms` [004]. Both hold the terms object validated by
    `invoca.schemas.Terms` (an empty dict before Invoca has any). `custom_data` maps a custom
    data field's partner name to its value. `status` is Invoca's last known state.
    """

    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="invoca_advertiser_campaigns"
    )
    advertiser_id_from_network = models.CharField(max_length=64)
    id_from_network = models.CharField(max_length=64)
    invoca_id = models.BigIntegerField(null=True, blank=True, help_text="Invoca's own id.")
    name = models.CharField(max_length=255)
    status = models.CharField(
        max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.ENTRY
    )
    object_url = models.URLField(max_length=500, blank=True)
    current_terms = models.JSONField(default=dict, blank=True)
    future_terms = models.JSONField(default=dict, blank=True)
    custom_data = models.JSONField(default=dict, blank=True)
    inbound_campaign = models.OneToOneField(
        "campaigns.Campaign",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invoca_advertiser_campaign",
        help_text="The inbound campaign whose leads come from this campaign's calls.",
    )
    went_live_at = models.DateTimeField(null=True, blank=True)
    synced_at = models.DateTimeField(
        null=True, blank=True, help_text="When Invoca's copy was last read or written."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AccountQuerySet.as_manager()

    class Meta:
        ordering = ["advertiser_id_from_network", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "advertiser_id_from_network", "id_from_network"],
                name="invoca_advertiser_campaign_once",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.advertiser_id_from_network}/{self.id_from_network})"

    @property
    def campaign_type(self) -> str:
        """AffiliateEnabled, DirectOnly or ExternalOnly, as staged (else as live); "" before
        Invoca has terms."""
        return (self.future_terms or {}).get("campaign_type") or (self.current_terms or {}).get(
            "campaign_type", ""
        )

    @property
    def has_staged_changes(self) -> bool:
        return bool(self.future_terms) and self.future_terms != self.current_terms


class SaleSignalStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class SaleSignal(models.Model):
    """The `sale` signal for a lead's call sent back through the Signal API, one per lead
    (idempotent upstream on `partner_unique_id` = the lead's id, external-apis.md §2.5).

    `value` false retracts a sale (the lead is no longer won); `revenue` is in the account's
    currency units; `signal_transaction_id` is what Invoca answered.
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    lead = models.OneToOneField(
        "campaigns.Lead", on_delete=models.CASCADE, related_name="invoca_sale_signal"
    )
    transaction_id = models.CharField(max_length=64, help_text="The call's Invoca transaction id.")
    revenue = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    value = models.BooleanField(default=True)
    occurred_at = models.DateTimeField()
    status = models.CharField(
        max_length=10, choices=SaleSignalStatus.choices, default=SaleSignalStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    signal_transaction_id = models.CharField(max_length=64, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AccountQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["status", "updated_at"], name="invoca_signal_sweep")]

    def __str__(self):
        return f"sale signal for lead {self.lead_id} ({self.status})"
