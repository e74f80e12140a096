"""Live fragments of the CallRail page: the webhook's signature badge with the rejections it
counts, and the card of calls to numbers no campaign uses. They go to every member working in
the account, drawn for their role (only admins get the buttons)."""

from callrail import selectors, services
from campaignhub import live
from campaignhub.models import Membership, Role

PAGE_EVENT = "callrailpage"
PARTS = ("signatures", "unused")


def page_context(account, *, is_account_admin: bool) -> dict:
    """What the page's live fragments show: `chosen` (CallRailSettings), `rejections`
    (`selectors.Rejections`), `unused` (`selectors.UnusedNumbers`)."""
    chosen = services.settings_for(account)
    return {
        "chosen": chosen,
        "rejections": selectors.rejections(account, chosen),
        "unused": selectors.unused_number_calls(account),
        "is_account_admin": is_account_admin,
        "oob": True,
    }


def fragments(account, context) -> str:
    return "".join(live.render(account, f"callrail/home.html#{part}", context) for part in PARTS)


def page_changed(account) -> None:
    """A delivery was rejected for its signature, the signing key was saved, replaced or
    removed, a call reached a number no campaign uses, or a campaign took a number: the
    CallRail page, open anywhere in the account, shows the badge, the counts and the offer to
    process rejections again as they stand now. Nothing is rendered while nobody has the
    account open."""
    if not live.watching(account.pk):
        return
    roles = dict(Membership.objects.filter(account_id=account.pk).values_list("user_id", "role"))
    # Drawn only for the people with a page of the account open.
    watchers = live.watching_members(account.pk, roles)
    roles = {user: role for user, role in roles.items() if user in watchers}
    admins = [user for user, role in roles.items() if role == Role.ADMIN]
    members = [user for user, role in roles.items() if role != Role.ADMIN]
    for people, is_admin in ((admins, True), (members, False)):
        if people:
            html = fragments(account, page_context(account, is_account_admin=is_admin))
            live.push_to_members(account.pk, people, PAGE_EVENT, html)


def number_taken(campaign) -> None:
    """`campaign` (a CallRail one) was saved with its tracking number: when the CallRail page
    lists that number as unused, the page drops it (`page_changed`). Other saves (a rename, a
    pause) send nothing, so a campaign's own live frames are not held up."""
    if not live.watching(campaign.account_id):
        return
    if selectors.calls_to_unused_number(campaign.account, campaign.tracking_number).exists():
        page_changed(campaign.account)
