"""Reads for campaigns and leads, with the visibility rule applied in one place.

Admins see every campaign of the account; members see the campaigns they own or represent.
Leads, counts and live events follow the same rule.
"""

import re

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, Subquery, Sum
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.urls import reverse

from campaignhub.cleaning import id_or_none
from campaignhub.inbound import Concern
from campaignhub.models import (
    DeliveryStatus,
    InboundDelivery,
    Membership,
    Role,
    User,
    member_exists,
)
from campaignhub.phones import InvalidPhoneNumber, to_e164
from campaigns import checks, sources
from campaigns.models import (
    LEAD_FORM_SOURCE,
    LEAD_WEBHOOK_SOURCE,
    Campaign,
    CampaignTally,
    Integration,
    Lead,
    Representative,
)
from campaigns.page_urls import page_key

NAME_SEARCH_TABLE = "campaigns_campaign_name_search"


def _own_or_represented(user_id):
    """Ids of the campaigns `user_id` owns or represents, each side read off its own index
    (campaign_owner, representative_user), so the cost follows the person's campaigns and not
    the size of the account."""
    owned = Campaign.objects.filter(owner_id=user_id).order_by().values("pk")
    represented = Representative.objects.filter(user_id=user_id).order_by().values("campaign_id")
    return owned.union(represented)


def campaigns_visible_to(membership, *, include_deleted=False):
    campaigns = Campaign.objects.for_account(membership.account)
    if not include_deleted:
        campaigns = campaigns.filter(is_deleted=False)
    if not membership.is_admin:
        campaigns = campaigns.filter(pk__in=_own_or_represented(membership.user_id))
    return campaigns


def _name_contains(campaigns, search):
    """Campaigns whose name contains `search`, ignoring case, through the name index
    (migration 0002: pg_trgm on PostgreSQL, an FTS5 trigram table on SQLite). Shorter than a
    trigram, the index cannot help and the names are scanned."""
    if connection.vendor == "sqlite" and len(search) >= 3:
        # An FTS5 phrase is a substring for the trigram tokenizer; quotes inside are doubled.
        phrase = '"' + search.replace('"', '""') + '"'
        return campaigns.filter(
            pk__in=RawSQL(
                f"SELECT rowid FROM {NAME_SEARCH_TABLE} WHERE {NAME_SEARCH_TABLE} MATCH %s",
                [phrase],
            )
        )
    return campaigns.filter(campaign_name__icontains=search)


def audience(campaign):
    """Everyone in the account who can see this campaign: its admins, owner and representatives."""
    ids = set(
        Membership.objects.for_account(campaign.account_id)
        .filter(
            Q(role=Role.ADMIN)
            | Q(user_id=campaign.owner_id)
            | Q(user__assignments__campaign=campaign)
        )
        .values_list("user_id", flat=True)
    )
    return ids


def campaign_list(membership, *, search="", integration="", status=None):
    """The campaigns `membership` sees, with `lead_count`, newest created first (ties by id;
    `paging.BY_CREATED`, served by the campaign_created index): a campaign moved in from the old
    service takes its place by its original creation date."""
    campaigns = campaigns_visible_to(membership).select_related("owner")
    if search:
        campaigns = _name_contains(campaigns, search)
    if integration:
        campaigns = campaigns.filter(integration=integration)
    if status is not None:
        campaigns = campaigns.filter(status=status)
    return campaigns.annotate(
        lead_count=Coalesce(
            Subquery(
                Lead.objects.filter(campaign=OuterRef("pk"))
                .order_by()
                .values("campaign")
                .annotate(n=Count("id"))
                .values("n")[:1]
            ),
            0,
        )
    ).order_by("-created_at", "-id")


def campaign_detail(membership, pk):
    return (
        campaigns_visible_to(membership)
        .select_related("owner")
        .prefetch_related("assignments__user")
        .get(pk=pk)
    )


def campaigns_needing_attention(membership):
    """Active live campaigns one can see that fail a setup check, newest first.

    Each row carries one boolean per check (`campaigns.checks.failure_titles` reads them); one
    query for a page of rows and one for the count, however many campaigns the account has.
    """
    active = campaigns_visible_to(membership).filter(status=True)
    return checks.with_failures(active, membership.account).order_by("-id")


def tally_rows(membership):
    """{(integration, status): count} of the live campaigns one can see.

    Admins read the account's tallies (one small query, however many campaigns there are);
    members count their own campaigns.
    """
    if membership.is_admin:
        rows = (
            CampaignTally.objects.for_account(membership.account)
            .values("integration", "status")
            .annotate(n=Sum("count"))
        )
    else:
        rows = (
            campaigns_visible_to(membership)
            .order_by()
            .values("integration", "status")
            .annotate(n=Count("id"))
        )
    return {(row["integration"], row["status"]): row["n"] for row in rows}


def filter_counts(rows):
    """`{"total", "active", "inactive", "by_integration": {…}}` from tally rows."""
    by_integration = dict.fromkeys(Integration.values, 0)
    for (integration, _status), n in rows.items():
        by_integration[integration] += n
    active = sum(n for (_integration, status), n in rows.items() if status)
    inactive = sum(n for (_integration, status), n in rows.items() if not status)
    return {
        "total": active + inactive,
        "active": active,
        "inactive": inactive,
        "by_integration": by_integration,
    }


def matching_count(rows, *, integration="", status=None):
    """How many campaigns pass the integration/status filters, read off the tally rows."""
    return sum(
        n
        for (row_integration, row_status), n in rows.items()
        if (not integration or row_integration == integration)
        and (status is None or row_status == status)
    )


def tracking_numbers(membership, integration=""):
    """Live campaigns one can see that hold a tracking number, by name, as
    `{"tracking_number", "id", "campaign_name"}` rows (read in name order off the
    campaign_number_by_name index; page it)."""
    campaigns = campaigns_visible_to(membership).exclude(tracking_number="")
    if integration:
        campaigns = campaigns.filter(integration=integration)
    return campaigns.order_by("campaign_name", "id").values(
        "tracking_number", "id", "campaign_name"
    )


def tracking_number_count(membership, integration=""):
    """How many rows `tracking_numbers` holds: off the tallies for admins, counted for members
    (through their own campaigns' indexes)."""
    if not membership.is_admin:
        return tracking_numbers(membership, integration).count()
    tallies = CampaignTally.objects.for_account(membership.account)
    if integration:
        tallies = tallies.filter(integration=integration)
    return tallies.aggregate(n=Coalesce(Sum("numbered"), 0))["n"]


def tracking_numbers_in_use(membership, *, exclude=None):
    """{number: campaign name} for every live campaign of the account holding a number.

    Pickers grey these out whoever owns them; names of campaigns the person cannot see are
    not shown.
    """
    campaigns = (
        Campaign.objects.for_account(membership.account)
        .filter(is_deleted=False)
        .exclude(tracking_number="")
    )
    excluded = id_or_none(exclude)
    if excluded is not None:
        campaigns = campaigns.exclude(pk=excluded)
    rows = campaigns.values_list("pk", "tracking_number", "campaign_name")
    if membership.is_admin:
        return {number: name for _pk, number, name in rows}
    visible = set(campaigns_visible_to(membership).values_list("pk", flat=True))
    return {number: name if pk in visible else "another campaign" for pk, number, name in rows}


def leads_visible_to(membership):
    leads = Lead.objects.for_account(membership.account).select_related(
        "campaign", "representative"
    )
    if not membership.is_admin:
        visible = campaigns_visible_to(membership, include_deleted=True).values("pk")
        leads = leads.filter(Q(campaign__in=visible) | Q(representative_id=membership.user_id))
    return leads


def with_representative_standing(leads):
    """`leads` (a Lead queryset) annotated with `representative_is_member`: True while the
    lead's representative is a member of its account, False once they were removed from it
    (or when nobody holds the lead). One subquery in the same statement, so a list marks a
    representative who left (`assignment.representative_name`) with no query per row."""
    return leads.annotate(
        representative_is_member=member_exists(user=OuterRef("representative_id"))
    )


def _phone_search(search, region):
    """What a phone search can match in stored E.164 numbers: the whole number when `search`
    is one as people write it (`(415) 555-0182`, in the account's country), else its digits
    (`555-0182` -> `5550182`) when it has at least four; None when it is not about phones."""
    try:
        return Q(phone=to_e164(search, region))
    except InvalidPhoneNumber:
        digits = re.sub(r"\D", "", search)
        return Q(phone__contains=digits) if len(digits) >= 4 else None


# The lead filters' value for "nobody holds the lead" (`/leads/?representative=none`).
NOBODY = "none"


def lead_list(membership, *, campaign=None, representative=None, search="", status=""):
    """The leads `membership` may see, newest first, with `representative_is_member`
    (`with_representative_standing`); `campaign` a campaign id or None for any;
    `representative` a user id, `NOBODY` for the leads nobody holds, or None for anyone;
    `search` matches name, email, and phone as stored or as people write it
    (`(415) 555-0182`, `555-0182`); `status` is a `LeadStatus` value or "" for any."""
    leads = with_representative_standing(leads_visible_to(membership))
    if campaign:
        leads = leads.filter(campaign_id=campaign)
    if representative == NOBODY:
        leads = leads.filter(representative__isnull=True)
    elif representative:
        leads = leads.filter(representative_id=representative)
    if status:
        leads = leads.filter(status=status)
    if search:
        matches = (
            Q(name__icontains=search) | Q(phone__icontains=search) | Q(email__icontains=search)
        )
        phone = _phone_search(search, membership.account.country)
        leads = leads.filter(matches | phone if phone is not None else matches)
    return leads.order_by("-id")


def lead_holders(campaign) -> list[User]:
    """Who may be given a lead of `campaign`: the people who may see its leads
    (`permissions.MATRIX`, `Action.VIEW_LEADS`) and are members of its account now. Its
    representatives first, in round-robin order, then its owner, then the account's other
    admins by name."""
    members = {
        membership.user_id: membership
        for membership in Membership.objects.for_account(campaign.account_id).select_related("user")
    }
    order = list(
        Representative.objects.filter(campaign=campaign)
        .order_by("position")
        .values_list("user_id", flat=True)
    )
    order.append(campaign.owner_id)
    admins = sorted(
        (m for m in members.values() if m.role == Role.ADMIN),
        key=lambda m: (m.user.name.casefold(), m.user.email),
    )
    order += [admin.user_id for admin in admins]
    holders, seen = [], set()
    for user_id in order:
        if user_id in members and user_id not in seen:
            seen.add(user_id)
            holders.append(members[user_id].user)
    return holders


def members_for_picker(account):
    return User.objects.filter(memberships__account=account).order_by("name", "email")


def representatives_for_filter(account):
    """Whom the account's leads can be filtered on by representative, by name then email, each
    with `is_member`: its members, and those removed from it who still hold one of its leads
    (a lead alerted to them stays theirs, `assignment.representative_left`), so their figures
    can still be read. Nobody else: an id the account's leads never named is not among them.
    One query; whether someone holds a lead stops at the first (the lead's representative
    index), rather than reading every lead of the account."""
    is_member = member_exists(account=account, user=OuterRef("pk"))
    holds = Exists(Lead.objects.filter(representative_id=OuterRef("pk"), account=account))
    return (
        User.objects.annotate(is_member=is_member)
        .filter(Q(is_member=True) | holds)
        .order_by("name", "email")
    )


def _live(account, integration):
    return Campaign.objects.for_account(account).filter(
        integration=integration, is_deleted=False, status=True
    )


def live_campaign_for_number(account, integration, tracking_number):
    """The active campaign of `integration` in `account` whose tracking number (E.164) is
    `tracking_number`, or None. At most one exists (the tracking-number unique index)."""
    if not tracking_number:
        return None
    return _live(account, integration).filter(tracking_number=tracking_number).first()


def paused_campaign_for_number(account, integration, tracking_number):
    """The paused (not deleted) campaign of `integration` in `account` whose tracking number
    (E.164) is `tracking_number`, or None: it holds what reaches that number until it is
    active again. At most one exists (the tracking-number unique index)."""
    if not tracking_number:
        return None
    return (
        Campaign.objects.for_account(account)
        .filter(
            integration=integration,
            is_deleted=False,
            status=False,
            tracking_number=tracking_number,
        )
        .first()
    )


def live_campaign_for_page(account, integration, url):
    """The active campaign of `integration` in `account` whose page is `url`, or None.

    Pages match on host and path (`services.page_key`): scheme, trailing slashes, query string
    and fragment do not count, so `http://example.com/roofing/?gclid=1` finds the campaign of
    `https://example.com/roofing`. The oldest matching campaign wins.
    """
    key = page_key(url)
    if not key:
        return None
    host = key.split("/", 1)[0]
    candidates = _live(account, integration).filter(page_url__icontains=host).order_by("id")
    for campaign in candidates.only("id", "account_id", "page_url"):
        if page_key(campaign.page_url) == key:
            return campaign
    return None


# The built-in lead sources that hold what reaches a paused campaign, and the delivery source
# they store it under: the lead webhook (`campaigns.webhooks`) and the public form
# (`campaigns.held_forms`).
BUILT_IN_HOLDING = {Integration.WEBHOOK: LEAD_WEBHOOK_SOURCE, Integration.FORM: LEAD_FORM_SOURCE}


def held_deliveries(campaign):
    """Deliveries that were stored, not captured, because the campaign was paused when they
    came (replayable into leads once it is active): those to a webhook campaign's URL or a
    form campaign's public form, or those an integration held for it
    (`sources.register_holding`, e.g. CallRail calls to its tracking number). An empty
    queryset for a lead source that holds nothing."""
    holding = sources.holding_for(campaign.integration)
    if holding is not None:
        return holding.deliveries(campaign)
    source = BUILT_IN_HOLDING.get(campaign.integration)
    if source is None:
        return InboundDelivery.objects.none()
    return InboundDelivery.objects.for_account(campaign.account).filter(
        source=source, target_id=str(campaign.pk), status=DeliveryStatus.IGNORED
    )


def held_count(campaign) -> int:
    """How many leads (or, for an integration, calls) are held for the campaign: for a webhook
    or form campaign one per lead key its held deliveries name (`campaigns.webhooks`,
    `campaigns.held_forms`: repeats of one lead count once, as capturing them makes one lead),
    else as its lead source counts them."""
    holding = sources.holding_for(campaign.integration)
    if holding is not None:
        return holding.count(campaign)
    return held_deliveries(campaign).order_by().values("error").distinct().count()


def held_kinds(campaign) -> list[tuple[int, str]]:
    """What is held for the campaign, by kind: `[(count, noun)]`, each kind with something
    held (`[]` when nothing is), counted as `held_count` counts them. One kind ("lead", or
    what the lead source registered), unless the source tells its kinds apart (CallRail's
    calls and text messages, `sources.Holding.kinds`)."""
    holding = sources.holding_for(campaign.integration)
    if holding is not None and holding.kinds is not None:
        return holding.kinds(campaign)
    count = held_count(campaign)
    return [(count, held_noun(campaign))] if count else []


def held_noun(campaign, kinds=None) -> str:
    """What one held delivery of the campaign is, as its page says it: "lead" for a webhook
    campaign, else what its lead source registered ("call"); for a source that tells its
    kinds apart, the kind held, or the kinds joined ("call or text message") when several
    are. `kinds`: `held_kinds(campaign)` when the caller has it already."""
    holding = sources.holding_for(campaign.integration)
    if holding is None:
        return "lead"
    if holding.kinds is not None:
        nouns = [noun for _count, noun in (held_kinds(campaign) if kinds is None else kinds)]
        if nouns:
            return " or ".join(nouns)
    return holding.noun


def held_phrase(kinds, *, adjective="") -> str:
    """`held_kinds` as the page says it: "1 call and 2 text messages" ("2 held calls" with
    `adjective` "held"); "" for nothing held."""
    adjective = f"{adjective} " if adjective else ""
    return " and ".join(
        f"{count} {adjective}{noun}{'' if count == 1 else 's'}" for count, noun in kinds
    )


def captured_from_page(integration: str) -> bool:
    """Whether what a paused campaign of lead source `integration` holds is captured from its
    page ("Capture it now", by an admin or the campaign's owner, once it is active: the built-in
    webhook and form sources, and sources that register a holding, such as CallRail), rather
    than as the campaign is activated (the dialer and Invoca, whose apps capture their held
    calls on activation)."""
    return integration in BUILT_IN_HOLDING or sources.holding_for(integration) is not None


def held_notice(campaign) -> dict:
    """The campaign page's notice of what is held: `held_leads` (int, how many in all),
    `held_phrase` (`held_phrase`: "2 calls and 1 text message") and `captured_from_page`
    (bool, `captured_from_page`: whether the page words it as waiting for "Capture it now"
    after activation, or as captured when the campaign is activated)."""
    kinds = held_kinds(campaign)
    return {
        "held_leads": sum(count for count, _noun in kinds),
        "held_phrase": held_phrase(kinds),
        "captured_from_page": captured_from_page(campaign.integration),
    }


def campaigns_named(account, ids) -> dict[int, Concern]:
    """The campaigns of `account` among `ids` (ints), as the Incoming deliveries page names
    the campaign a delivery concerns: {id: Concern(name, its page, paused, captured_from_page)},
    a deleted one "<name> (deleted)" with no page and `deleted`. `captured_from_page` for a
    campaign whose held deliveries its page captures ("Capture it now": webhook and form
    campaigns, and lead sources that register a holding, `held_deliveries`); a dialer or Invoca
    campaign captures its held calls as it is activated. One query; an id that is no campaign
    of the account is left out."""
    found = (
        Campaign.objects.for_account(account)
        .filter(pk__in=ids)
        .only("pk", "campaign_name", "is_deleted", "status", "integration")
    )
    return {
        campaign.pk: Concern(f"{campaign.campaign_name} (deleted)", deleted=True)
        if campaign.is_deleted
        else Concern(
            campaign.campaign_name,
            reverse("campaign_detail", args=[campaign.pk]),
            paused=not campaign.status,
            captured_from_page=captured_from_page(campaign.integration),
        )
        for campaign in found
    }


def campaigns_offered(account):
    """The account's campaigns as the Incoming deliveries list's campaign filter offers them:
    by name, deleted ones too (their deliveries stay), only what `campaign_option` reads."""
    return (
        Campaign.objects.for_account(account)
        .only("pk", "campaign_name", "integration", "is_deleted")
        .order_by("campaign_name", "id")
    )


def campaign_option(campaign) -> str:
    """A campaign as a campaign filter offers it, as the lead list's does: "Spring roofing
    offer · Webhook", "… (deleted)" for a deleted one."""
    deleted = " (deleted)" if campaign.is_deleted else ""
    return f"{campaign.campaign_name} · {campaign.get_integration_display()}{deleted}"


def lead_named(account, lead_id) -> Concern | None:
    """The lead `lead_id` of `account` as the Incoming deliveries page links the lead a
    delivery made: Concern(its name as pages say it, its page), or None for one that is gone
    or not the account's. One query."""
    from campaigns.templatetags.campaign_tags import lead_label

    lead = (
        Lead.objects.filter(account=account, pk=lead_id)
        .only("pk", "name", "phone", "email")
        .first()
    )
    if lead is None:
        return None
    return Concern(lead_label(lead, account.country), reverse("lead_detail", args=[lead.pk]))


def alert_subject(delivery, viewer):
    """`notifications.selectors.register_subject` for lead alerts: the lead a delivery is
    about (its data's `lead_id`), as a `Subject` linking its page, when `viewer` (a
    Membership) may see that lead; None otherwise (gone, another's, no lead id)."""
    from campaigns.services import LEAD_ALERT_KEY
    from campaigns.templatetags.campaign_tags import lead_label
    from notifications.selectors import Subject

    lead_id = id_or_none((delivery.data or {}).get(LEAD_ALERT_KEY))
    if lead_id is None:
        return None
    lead = leads_visible_to(viewer).filter(pk=lead_id).first()
    if lead is None:
        return None
    label = lead_label(lead, viewer.account.country)
    return Subject(label=f"Lead: {label}", url=reverse("lead_detail", args=[lead.pk]))
