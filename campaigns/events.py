"""Live events of campaigns, as HTML fragments for the pages' own elements.

Each person who may see a campaign (its account's admins, its owner, its representatives)
gets the fragments on the pages where they work in that account; counts are computed with
their own visibility.
"""

from django.template.loader import render_to_string

from campaignhub.live import push_to_members
from campaignhub.models import Membership
from campaigns import selectors
from campaigns.models import Campaign, Lead

COUNT_EVENT = "campaigncountupdated"
LEAD_EVENT = "leadarrived"


def _memberships(account_id, user_ids):
    return (
        Membership.objects.for_account(account_id)
        .filter(user_id__in=user_ids)
        .select_related("account")
    )


def _row_html(campaign, *, created):
    if campaign.is_deleted:
        return f'<tr id="campaign-{campaign.pk}" hx-swap-oob="delete"></tr>'
    row = render_to_string("campaigns/partials/_campaign_row.html", {"campaign": campaign})
    if created:
        return f'<tbody hx-swap-oob="afterbegin:#campaign-rows-live">{row}</tbody>'
    return row


def campaign_changed(campaign_id, *, created=False):
    """`campaigncountupdated`: fresh counts, plus the changed row, for everyone who sees it."""
    campaign = Campaign.objects.select_related("owner").get(pk=campaign_id)
    campaign.lead_count = campaign.leads.count()
    row = _row_html(campaign, created=created)
    for membership in _memberships(campaign.account_id, selectors.audience(campaign)):
        counts = selectors.filter_counts(selectors.tally_rows(membership))
        html = render_to_string("campaigns/partials/_counts.html", {"counts": counts}) + row
        push_to_members(campaign.account_id, [membership.user_id], COUNT_EVENT, html)


def _lead_audience(lead):
    user_ids = selectors.audience(lead.campaign)
    if lead.representative_id:
        user_ids.add(lead.representative_id)
    return user_ids


def lead_arrived(lead_id):
    """A new lead: prepended to the lead lists, the campaign's page and the dashboard feed."""
    lead = Lead.objects.select_related("campaign", "representative").get(pk=lead_id)
    context = {"lead": lead}
    row = render_to_string("campaigns/partials/_lead_row.html", context)
    html = (
        f'<tbody hx-swap-oob="afterbegin:#lead-rows-live">{row}</tbody>'
        f'<tbody hx-swap-oob="afterbegin:#campaign-{lead.campaign_id}-leads">{row}</tbody>'
        '<div hx-swap-oob="afterbegin:#lead-feed">'
        + render_to_string("campaigns/partials/_feed_item.html", context)
        + "</div>"
    )
    push_to_members(lead.account_id, _lead_audience(lead), LEAD_EVENT, html)


def lead_updated(lead_id):
    lead = Lead.objects.select_related("campaign", "representative").get(pk=lead_id)
    context = {"lead": lead}
    html = render_to_string("campaigns/partials/_lead_row.html", context) + render_to_string(
        "campaigns/partials/_feed_item.html", context
    )
    push_to_members(lead.account_id, _lead_audience(lead), LEAD_EVENT, html)
