"""Reads for the dialer: campaigns of an account, their agents, uploads and recent events."""

from django.db.models import Count

from campaignhub.tenancy import get_for_account_or_404
from dialer.models import DialerCampaign, DialerEvent, EventKind, LeadListUpload

NOT_FOUND = "Campaign not found"


def campaign_for(account, ref, *, lock=False) -> DialerCampaign:
    """The account's live campaign with reference `ref`; 404 otherwise (another account's
    campaign is a 404 too)."""
    queryset = DialerCampaign.objects.live().select_related("account", "inbound_campaign")
    return get_for_account_or_404(queryset, account, NOT_FOUND, ref=ref)


def upload_for(account, upload_id) -> LeadListUpload:
    return get_for_account_or_404(
        LeadListUpload.objects.select_related("campaign"), account, "Upload not found", pk=upload_id
    )


def agents_of(campaign):
    return campaign.agents.select_related("user").order_by("extension")


def with_agent_counts(queryset):
    return queryset.annotate(agent_count=Count("agents"))


def recent_outcomes(campaign, limit=20):
    """The campaign's latest call records, newest first."""
    return campaign.events.filter(kind=EventKind.CDR).order_by("-received_at", "-id")[:limit]


def recent_uploads(campaign, limit=5):
    return campaign.uploads.select_related("uploaded_by").order_by("-created_at", "-id")[:limit]


def latest_agent_events(campaign, limit=20):
    return DialerEvent.objects.filter(campaign=campaign, kind=EventKind.AGENT_STATUS).order_by(
        "-received_at", "-id"
    )[:limit]
