"""Reads for the dialer: campaigns of an account as a person may see them (`permissions`),
their agents, uploads and recent events, and the members' extensions."""

from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.urls import reverse

from campaignhub.models import Membership
from campaignhub.tenancy import get_for_account_or_404
from dialer.models import (
    HELD,
    TAKING_CALLS,
    AgentExtension,
    CampaignState,
    Contact,
    DialerAgent,
    DialerCampaign,
    DialerEvent,
    EventKind,
    LeadListUpload,
    PendingAction,
)

NOT_FOUND = "Campaign not found"
# Why a running campaign dials nothing (`why_nothing_is_dialled`).
NO_AGENTS = "no_agents"
NONE_AVAILABLE = "none_available"


def _agent_of(membership, campaign_field="pk"):
    return Exists(
        DialerAgent.objects.filter(campaign=OuterRef(campaign_field), user_id=membership.user_id)
    )


def campaigns_visible_to(membership, queryset=None):
    """The live campaigns of `membership`'s account it may see: all for an admin, those they
    are an agent of for a member (`permissions`)."""
    queryset = DialerCampaign.objects.live() if queryset is None else queryset
    queryset = queryset.for_account(membership.account)
    return queryset if membership.is_admin else queryset.filter(_agent_of(membership))


def campaign_for(account, ref, *, membership=None) -> DialerCampaign:
    """The account's live campaign with reference `ref`; 404 otherwise (another account's
    campaign is a 404 too, and so is one `membership`, when given, may not see)."""
    queryset = DialerCampaign.objects.live().select_related("account", "inbound_campaign")
    if membership is not None:
        queryset = campaigns_visible_to(membership, queryset)
    return get_for_account_or_404(queryset, account, NOT_FOUND, ref=ref)


def upload_for(account, upload_id, *, membership=None) -> LeadListUpload:
    """The account's upload `upload_id`; 404 otherwise, or when `membership` (when given) may
    not see its campaign."""
    queryset = LeadListUpload.objects.select_related("campaign")
    if membership is not None and not membership.is_admin:
        queryset = queryset.filter(_agent_of(membership, "campaign_id"))
    return get_for_account_or_404(queryset, account, "Upload not found", pk=upload_id)


def extension_of(account, user) -> str | None:
    """`user`'s dialer extension in `account`, or None."""
    return (
        AgentExtension.objects.filter(account=account, membership__user=user)
        .values_list("extension", flat=True)
        .first()
    )


def member_with_extension(account, extension):
    """The member of `account` whose extension it is, or None."""
    found = (
        AgentExtension.objects.filter(account=account, extension=extension)
        .select_related("membership__user")
        .first()
    )
    return found.membership.user if found else None


def extensions_for(membership):
    """The memberships whose extension `membership` may see and set, each with
    `agent_extension` loaded (absent when none): every member for an admin, their own else."""
    queryset = Membership.objects.for_account(membership.account).select_related(
        "user", "agent_extension"
    )
    if not membership.is_admin:
        queryset = queryset.filter(pk=membership.pk)
    return queryset.order_by("user__name", "user__email")


def addable_agents(campaign):
    """Extensions of the campaign's account whose members are not its agents yet, with the
    member (`membership.user`), by extension."""
    return (
        AgentExtension.objects.filter(account_id=campaign.account_id)
        .exclude(membership__user_id__in=campaign.agents.values("user_id"))
        .select_related("membership__user")
        .order_by("extension")
    )


def agents_of(campaign):
    return campaign.agents.select_related("user").order_by("extension")


def why_nothing_is_dialled(campaign, agents) -> str:
    """Why the dialer dials nothing for `campaign` although it is started or asked to start:
    `NO_AGENTS` when `agents` (its agents, e.g. `agents_of`) is empty, `NONE_AVAILABLE` when
    none of them is reported available or on a call (`TAKING_CALLS`: none reported yet, all
    offline, logging in or out). "" when some agent takes calls, or the campaign is not
    running, a stop or its removal is awaited, or it is removed.

    The rule is the dialer's (reference 003, dialer-api.md): it dials `aggression` calls per
    available agent, so none with no agent available; with default state offline, agents make
    themselves available to join a started campaign."""
    if campaign.deleted_at or campaign.pending_action in (
        PendingAction.STOP_REQUESTED,
        PendingAction.REMOVING,
    ):
        return ""
    running = campaign.state == CampaignState.STARTED
    if not running and campaign.pending_action != PendingAction.START_REQUESTED:
        return ""
    agents = list(agents)
    if not agents:
        return NO_AGENTS
    if any(agent.status in TAKING_CALLS for agent in agents):
        return ""
    return NONE_AVAILABLE


def with_agent_counts(queryset):
    return queryset.annotate(agent_count=Count("agents"))


def recent_outcomes(campaign, limit=20):
    """The campaign's latest call records, newest first, each with the contact called
    (`contact_first_name`, `contact_last_name`, `contact_number`; None for a contact ref
    that is not ours)."""
    contact = Contact.objects.filter(
        campaign_id=OuterRef("campaign_id"), ref=OuterRef("contact_ref")
    )
    return (
        campaign.events.filter(kind=EventKind.CDR)
        .annotate(
            contact_first_name=Subquery(contact.values("first_name")[:1]),
            contact_last_name=Subquery(contact.values("last_name")[:1]),
            contact_number=Subquery(contact.values("number")[:1]),
        )
        .order_by("-received_at", "-id")[:limit]
    )


def held_calls(campaign):
    """The campaign's connected calls held because no inbound campaign took them yet (their
    cdr events, each with the `delivery` that brought it)."""
    return campaign.events.filter(kind=EventKind.CDR, ignored__startswith=HELD)


def campaigns_holding_calls_for(inbound_campaign) -> list[int]:
    """Ids of the live dialer campaigns linked to `inbound_campaign` that hold calls."""
    held = DialerEvent.objects.filter(
        campaign__inbound_campaign=inbound_campaign,
        campaign__deleted_at__isnull=True,
        kind=EventKind.CDR,
        ignored__startswith=HELD,
    )
    return sorted(set(held.values_list("campaign_id", flat=True)))


def recent_uploads(campaign, limit=5):
    return campaign.uploads.select_related("uploaded_by").order_by("-created_at", "-id")[:limit]


def latest_agent_events(campaign, limit=20):
    return DialerEvent.objects.filter(campaign=campaign, kind=EventKind.AGENT_STATUS).order_by(
        "-received_at", "-id"
    )[:limit]


# Where a dialer campaign is pointed at an inbound campaign: the "Leads go to" field of the
# Add campaign page and of a dialer campaign's Settings (the Dialer page itself has none). The
# campaign form says the same (templates/campaigns/campaign_form.html).
LEADS_GO_TO_HINT = (
    "choose this campaign under “Leads go to” when you add a dialer campaign (Dialer → Add "
    "campaign), or in a dialer campaign's Settings (Dialer → open the campaign → Apply)."
)


def feed_hint(campaign):
    """`campaigns.sources.register_feeders`: how to send dialer calls to `campaign` while no
    live dialer campaign (of anyone's) sends its leads there; None once one does."""
    from campaigns.sources import FeedHint

    if DialerCampaign.objects.live().filter(inbound_campaign=campaign).exists():
        return None
    return FeedHint(
        text=f"No dialer campaign sends its leads here yet: {LEADS_GO_TO_HINT}",
        link_text="Add a dialer campaign that sends its leads here",
        url=f"{reverse('dialer_campaign_new')}?inbound_campaign={campaign.pk}",
    )


def feeders(campaign, viewer) -> list:
    """`campaigns.sources.register_feeders`: the live dialer campaigns whose connected calls
    become `campaign`'s leads and `viewer` may open, with their state."""
    from campaigns.sources import Feeder

    rows = (
        campaigns_visible_to(viewer)
        .filter(inbound_campaign=campaign)
        .annotate(
            held=Count(
                "events", filter=Q(events__kind=EventKind.CDR, events__ignored__startswith=HELD)
            )
        )
        .order_by("name")
    )
    return [
        Feeder(
            label=f"{row.name} ({row.ref}) · {row.get_state_display()}",
            url=reverse("dialer_campaign", args=[row.ref]),
            held=row.held,
        )
        for row in rows
    ]
