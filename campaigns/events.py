"""Live events of campaigns, as HTML fragments for the pages' own elements.

Each person who may see a campaign (its account's admins, its owner, its representatives)
gets the fragments on the pages where they work in that account; counts are computed with
their own visibility.
"""

from django.template.loader import render_to_string

from campaignhub import live
from campaignhub.live import push_to_members
from campaignhub.models import Membership
from campaignhub.paging import first_page
from campaigns import permissions, selectors, sources
from campaigns.forms import LeadOutcomeForm
from campaigns.models import Campaign, Lead, LeadStatus

COUNT_EVENT = "campaigncountupdated"
PAGE_EVENT = "campaignpage"
LEAD_EVENT = "leadarrived"
OUTCOME_EVENT = "leadoutcome"


def _memberships(account_id, user_ids):
    return (
        Membership.objects.for_account(account_id)
        .filter(user_id__in=user_ids)
        .select_related("account")
    )


def _row(campaign):
    return live.render(
        campaign.account, "campaigns/partials/_campaign_row.html", {"campaign": campaign}
    )


def _inserted(row):
    """A row for the top of the live campaign list; a page already showing it updates it."""
    return f'<tbody hx-swap-oob="afterbegin:#campaign-rows-live">{row}</tbody>'


def _removed(campaign_id):
    return f'<tr id="campaign-{campaign_id}" hx-swap-oob="delete"></tr>'


def _refill(membership) -> str:
    """The row now last on `membership`'s live list (page 1, unfiltered, newest first), to
    append where a removal left the page short: it moves up from page 2. A frame of its own
    after the removal's (rows are parsed in table context); the page appends it only when it
    has room and does not show it already (static/js/app.js). Empty when the list is no
    longer than a page."""
    per_page = first_page(0).per_page
    last = list(selectors.campaign_list(membership)[per_page - 1 : per_page])
    if not last:
        return ""
    return f'<tbody hx-swap-oob="beforeend:#campaign-rows-live">{_row(last[0])}</tbody>'


def campaign_changed(
    campaign_id, *, created=False, seen_by=None, sees_now=None, recount=True, campaign=None
):
    """`campaigncountupdated`: the campaign's row, and fresh counts when they may differ, for
    everyone it concerns.

    `seen_by` is the set of user ids who could see the campaign before the change (None when
    it did not change hands); `sees_now` the set who see it after (None: read here). Who sees
    it now gets the row: inserted at the top of the live list when it is new to them, replaced
    in place otherwise; who saw it and no longer does (deleted, or no longer owner or
    representative) gets it removed, then the row that moves up from page 2 (`_refill`). The
    row goes first: it is what the person changed.
    Counts follow when `recount` (the campaign moved between tallies) or the audience changed,
    with the pager of the live list (page 1, unfiltered: its count and pages are the total's)
    and, for the other lists (filtered, later pages), a note that theirs are as loaded; a
    rename leaves every count as it was. Table rows travel in frames of their own, so
    browsers parse them in table context. `campaign` is the instance just saved (its owner
    and account loaded), when the caller has it: it is not read again.
    """
    if campaign is None:
        campaign = Campaign.objects.select_related("owner", "account").get(pk=campaign_id)
    if not live.watching(campaign.account_id):
        return
    concerned = selectors.audience(campaign) if sees_now is None else set(sees_now)
    sees_now = set() if campaign.is_deleted else concerned
    seen_before = set() if created else (concerned if seen_by is None else set(seen_by))
    account_id = campaign.account_id
    if sees_now:
        campaign.lead_count = campaign.leads.count()
        row = _row(campaign)
        push_to_members(account_id, sees_now & seen_before, COUNT_EVENT, row)
        push_to_members(account_id, sees_now - seen_before, COUNT_EVENT, _inserted(row))
    push_to_members(account_id, seen_before - sees_now, COUNT_EVENT, _removed(campaign.pk))
    # What is worked out per person is worked out only for those with a page open.
    watchers = live.watching_members(account_id, sees_now | seen_before)
    for membership in _memberships(account_id, (seen_before - sees_now) & watchers):
        if refill := _refill(membership):
            push_to_members(account_id, [membership.user_id], COUNT_EVENT, refill)
    if recount or created or sees_now != seen_before:
        changed = render_to_string("campaigns/campaign_list.html#list-changed", {"oob": True})
        for membership in _memberships(account_id, (sees_now | seen_before) & watchers):
            counts = selectors.filter_counts(selectors.tally_rows(membership))
            html = render_to_string("campaigns/partials/_counts.html", {"counts": counts})
            pager = {"page_obj": first_page(counts["total"]), "oob": True}
            html += render_to_string("campaigns/campaign_list.html#pager", pager) + changed
            push_to_members(account_id, [membership.user_id], COUNT_EVENT, html)
    if sees_now and not created:
        campaign_page_changed(campaign.pk, sees_now)


PAGE_PARTS = ("name", "status", "held", "details", "leads-empty")
# The parts around the status block that pausing or activating the campaign redraws.
STATUS_PARTS = ("held", "details", "leads-empty")


def campaign_page_changed(campaign_id, user_ids):
    """`campaignpage`: the campaign page's name, status block (badge, and the Pause or Activate
    button for who may use it), the notice of what was held while it was paused (with the
    capture button for who may use it), details (with the Edit and Delete buttons, and what
    feeds it, as each viewer may see them) and the words of its empty lead list (which point to
    what is held), to these people (user ids who see the campaign now).

    Pages of other campaigns, and other pages, have no element with these ids and drop them.
    People who see the same thing get one frame between them.
    """
    campaign = (
        Campaign.objects.select_related("owner", "account")
        .prefetch_related("assignments__user")
        .get(pk=campaign_id)
    )
    frames: dict[str, set[int]] = {}
    held = selectors.held_notice(campaign)
    for membership in _memberships(campaign.account_id, user_ids):
        context = {
            **held,
            "campaign": campaign,
            "can": permissions.can(membership, campaign),
            "feeders": sources.feeders_of(campaign, membership),
            "oob": True,
        }
        html = "".join(
            live.render(campaign.account, f"campaigns/campaign_detail.html#{part}", context)
            for part in PAGE_PARTS
        )
        frames.setdefault(html, set()).add(membership.user_id)
    for html, people in frames.items():
        push_to_members(campaign.account_id, people, PAGE_EVENT, html)


def held_changed(campaign_id):
    """Something reached the paused campaign and was held for it (a lead at its webhook, a
    call to its tracking number or answered for it on the dialer), or what was held was
    captured: its page, open anywhere, counts what is held now (`campaign_page_changed`)."""
    campaign = Campaign.objects.filter(pk=campaign_id, is_deleted=False).first()
    if campaign is None or not live.watching(campaign.account_id):
        return
    campaign_page_changed(campaign.pk, selectors.audience(campaign))


def campaign_lead_count_changed(campaign):
    """The campaign's row (with its new lead count) for everyone who sees the campaign."""
    if campaign.is_deleted or not live.watching(campaign.account_id):
        return
    campaign.lead_count = campaign.leads.count()
    push_to_members(campaign.account_id, selectors.audience(campaign), COUNT_EVENT, _row(campaign))


def _lead_audience(lead):
    user_ids = selectors.audience(lead.campaign)
    # The lead's representative, while they are still a member of the account.
    if lead.representative_id and (
        Membership.objects.for_account(lead.account_id)
        .filter(user_id=lead.representative_id)
        .exists()
    ):
        user_ids.add(lead.representative_id)
    return user_ids


def _watched_lead(lead_id, account_id, *related):
    """The lead with `related` loaded and `representative_is_member`
    (`selectors.with_representative_standing`), or None when nobody has a page open in its
    account (`account_id`, when the caller knows it, spares the read)."""
    if account_id is not None and not live.watching(account_id):
        return None
    leads = selectors.with_representative_standing(Lead.objects.select_related(*related))
    lead = leads.get(pk=lead_id)
    return lead if account_id is not None or live.watching(lead.account_id) else None


def lead_arrived(lead_id, *, account_id=None):
    """A new lead: prepended to the lead lists, the campaign's page and the dashboard feed;
    the campaign's row shows its new lead count. A lead list that takes no live rows (filtered,
    or a later page) shows its note that new leads arrived since it was loaded, offering to
    reload, as the campaign list does."""
    lead = _watched_lead(
        lead_id, account_id, "campaign__owner", "campaign__account", "representative"
    )
    if lead is None:
        return
    account = lead.campaign.account
    row = live.render(account, "campaigns/partials/_lead_row.html", {"lead": lead})
    html = (
        f'<tbody hx-swap-oob="afterbegin:#lead-rows-live">{row}</tbody>'
        f'<tbody hx-swap-oob="afterbegin:#campaign-{lead.campaign_id}-leads">{row}</tbody>'
        '<div hx-swap-oob="afterbegin:#lead-feed">'
        + live.render(account, "campaigns/partials/_feed_item.html", {"lead": lead})
        + "</div>"
        + render_to_string("campaigns/lead_list.html#list-changed", {"oob": True})
    )
    push_to_members(lead.account_id, _lead_audience(lead), LEAD_EVENT, html)
    campaign_lead_count_changed(lead.campaign)


def outcome_context(lead, *, account, editable, form=None):
    """The context of the lead page's outcome block (`lead_detail.html#outcome`): the lead,
    the account's currency, and the outcome form when `editable` (`form`, bound with errors,
    or a fresh one showing the lead's current outcome)."""
    if form is None:
        form = LeadOutcomeForm(initial={"status": lead.status, "revenue": lead.revenue})
    return {
        "lead": lead,
        "currency": account.currency,
        "editable": editable,
        "form": form,
        "statuses": LeadStatus.choices,
    }


def changing_facts(lead) -> dict:
    """The context of the lead page's facts an outcome moves (`lead_detail.html#changing-facts`):
    `lead`, and `deal`, the deal the CRM opened for it (a reverse one-to-one; None without)."""
    return {"lead": lead, "deal": getattr(lead, "deal", None)}


def _outcome_blocks(lead, account, user_ids):
    """The outcome block of the lead's page, editable for those who may set the outcome, with
    the facts an outcome moves (the deal's stage, the Updated time) out of band."""
    facts = live.render(
        account,
        "campaigns/lead_detail.html#changing-facts",
        {**changing_facts(lead), "oob": True},
    )
    editors = {
        membership.user_id
        for membership in _memberships(lead.account_id, user_ids)
        if permissions.may_set_outcome(membership, lead)
    }
    for editable, people in ((True, editors), (False, set(user_ids) - editors)):
        if people:
            html = live.render(
                account,
                "campaigns/lead_detail.html#outcome",
                outcome_context(lead, account=account, editable=editable),
            )
            html += facts
            push_to_members(lead.account_id, people, OUTCOME_EVENT, html)


def representative_context(lead, *, assignable):
    """The context of the lead page's representative block (`lead_detail.html#representative`):
    the lead, whether the viewer may choose who works it (`assignable`), and then who may be
    given it (`selectors.lead_holders`)."""
    holders = selectors.lead_holders(lead.campaign) if assignable else []
    return {"lead": lead, "assignable": assignable, "holders": holders}


def _representative_blocks(lead, account, user_ids):
    """The representative block of the lead's page, with its picker for those who may choose
    who works the lead (`permissions.Action.ASSIGN_LEADS`)."""
    choosers = {
        membership.user_id
        for membership in _memberships(lead.account_id, user_ids)
        if permissions.Action.ASSIGN_LEADS in permissions.allowed(membership, lead.campaign)
    }
    for assignable, people in ((True, choosers), (False, set(user_ids) - choosers)):
        if people:
            html = live.render(
                account,
                "campaigns/lead_detail.html#representative",
                {**representative_context(lead, assignable=assignable), "oob": True},
            )
            push_to_members(lead.account_id, people, OUTCOME_EVENT, html)


def lead_updated(lead_id, *, account_id=None):
    """A lead changed (details, outcome, representative): its row on the lists and its feed
    item (`leadarrived`), and the outcome and representative blocks of its page
    (`leadoutcome`), for everyone who sees it."""
    lead = _watched_lead(lead_id, account_id, "campaign__account", "representative")
    if lead is None:
        return
    account = lead.campaign.account
    audience = _lead_audience(lead)
    html = live.render(account, "campaigns/partials/_lead_row.html", {"lead": lead}) + live.render(
        account, "campaigns/partials/_feed_item.html", {"lead": lead}
    )
    push_to_members(lead.account_id, audience, LEAD_EVENT, html)
    _outcome_blocks(lead, account, audience)
    _representative_blocks(lead, account, audience)


def lead_reassigned(lead_id, *, account_id=None, previous_id=None):
    """A lead changed hands (`assignment.assign_lead`): `lead_updated` for everyone who sees
    it now; `previous_id` (the user id who held it, or None), when holding it was their only
    way to see it, loses its row and feed item, and their open page of it gives way to a notice
    that it was given to someone else, with a link to the leads list
    (`lead_detail.html#lead-gone`, replacing `#lead-<id>-page`)."""
    lead_updated(lead_id, account_id=account_id)
    lead = _watched_lead(lead_id, account_id, "campaign__account")
    if lead is None or previous_id is None or previous_id in _lead_audience(lead):
        return
    # Each in a frame of its own: a table row is parsed in table context only alone.
    push_to_members(
        lead.account_id,
        [previous_id],
        LEAD_EVENT,
        f'<tr id="lead-{lead.pk}" hx-swap-oob="delete"></tr>',
    )
    push_to_members(
        lead.account_id,
        [previous_id],
        LEAD_EVENT,
        f'<li id="feed-lead-{lead.pk}" hx-swap-oob="delete"></li>',
    )
    # The whole page of the lead (its contact details, payload and forms) gives way to a
    # notice with the way back to their leads: they may no longer see or work it.
    gone = live.render(
        lead.campaign.account, "campaigns/lead_detail.html#lead-gone", {"lead": lead, "oob": True}
    )
    push_to_members(lead.account_id, [previous_id], OUTCOME_EVENT, gone)


def lead_alerted(lead_id, *, account_id=None):
    """The first alert about a lead went out: the outcome block of its page (which shows
    when) for everyone who sees it; lists show no alert time, so their rows stay."""
    lead = _watched_lead(lead_id, account_id, "campaign__account", "representative")
    if lead is None:
        return
    _outcome_blocks(lead, lead.campaign.account, _lead_audience(lead))
