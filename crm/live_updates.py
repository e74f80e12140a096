"""Live fragments of the deal pages: a deal that moved or changed, to everyone who sees it.

A board shows each viewer their own part of a pipeline (what they may see, their owner
filter), so the push does not carry the cards: it swaps in a small element that makes each
open board of that pipeline fetch its columns again through the board view, with the viewer's
own visibility and filters. A deal's own page gets its facts and its form in place (the form
for those who may change the deal, the note saying who may for the others).
"""

from django.urls import reverse

from campaignhub import live
from campaignhub.models import Membership
from crm import deals
from crm.deal_forms import DealForm
from crm.models import Deal

DEAL_EVENT = "dealchanged"


def board_signal_id(pipeline_id) -> str:
    """The id of the element each board of this pipeline holds for pushes to replace."""
    return f"deal-board-{pipeline_id}-signal"


def board_signal(pipeline_id) -> str:
    """The pushed element: once swapped in, it loads the board again with the page's filters."""
    return (
        f'<div id="{board_signal_id(pipeline_id)}" hx-swap-oob="true" hidden '
        f'hx-get="{reverse("deal_board")}" hx-include="#board-filters" hx-target="#board" '
        'hx-select="#board" hx-swap="outerHTML" hx-trigger="load"></div>'
    )


def deal_changed(deal_id, *, also=()) -> None:
    """Tell everyone who sees the deal (`deals.audience`), plus the users in `also` (e.g. its
    previous owner, whose board showed it), that it moved or changed: their boards of its
    pipeline reload, and its page shows the new facts (its lead and campaign linked for who
    may open them) and form."""
    deal = (
        Deal.objects.select_related(
            "account", "pipeline", "stage", "owner", "contact", "campaign", "lead"
        )
        .filter(pk=deal_id)
        .first()
    )
    if deal is None or not live.watching(deal.account_id):
        return
    users = deals.audience(deal) | {user_id for user_id in also if user_id}
    memberships = Membership.objects.filter(account_id=deal.account_id, user_id__in=users)
    # Viewers get the same push when they may do the same: change the deal, open its lead's
    # and its campaign's pages (linked only for who may, `deals.opens`).
    views = {}
    for membership in memberships:
        opens = deals.opens(membership, deal)
        view = (deals.may_change(membership, deal), opens["lead"], opens["campaign"])
        views.setdefault(view, set()).add(membership.user_id)
    signal = board_signal(deal.pipeline_id)
    for (can_change, lead, campaign), people in views.items():
        opens = {"lead": lead, "campaign": campaign}
        facts_context = {"deal": deal, "opens": opens, "oob": True}
        facts = live.render(deal.account, "crm/board_deal.html#deal-facts", facts_context)
        # The page's form, drawn from the deal as it is now: a form someone is filling in
        # keeps their entries (static/js/app.js, keepEdits).
        context = {"deal": deal, "can_change": can_change, "oob": True}
        if can_change:
            context["form"] = DealForm(deal=deal)
        change = live.render(deal.account, "crm/board_deal.html#deal-change", context)
        live.push_to_members(deal.account_id, people, DEAL_EVENT, signal + facts + change)
