"""Live fragments of the dialer pages: a campaign's state and controls, its agent board and
outcomes, an upload's progress. They go to the people who may see the campaign
(`dialer.permissions`): the account's admins, with their buttons, and the campaign's agents,
read-only (no controls, no remove or resume buttons)."""

from campaignhub import live
from campaignhub.models import Membership, Role
from dialer import permissions, selectors
from dialer.models import DialerCampaign, LeadListUpload

CAMPAIGN_EVENT = "dialercampaign"
UPLOAD_EVENT = "dialerupload"
ADMIN_CAN = {action.value: True for action in permissions.Action}
AGENT_CAN = {
    action.value: action in permissions.MATRIX[permissions.Standing.AGENT]
    for action in permissions.Action
}


def audiences(campaign) -> tuple[list[int], list[int]]:
    """(admins' user ids, ids of the campaign's agents who are members but not admins)."""
    roles = dict(
        Membership.objects.filter(account_id=campaign.account_id).values_list("user_id", "role")
    )
    admins = [user for user, role in roles.items() if role == Role.ADMIN]
    agents = {
        user
        for user in campaign.agents.values_list("user_id", flat=True)
        if roles.get(user) == Role.MEMBER
    }
    return admins, sorted(agents)


def _push(campaign, event, render):
    admins, agents = audiences(campaign)
    live.push_to_members(campaign.account_id, admins, event, render(ADMIN_CAN))
    if agents:
        live.push_to_members(campaign.account_id, agents, event, render(AGENT_CAN))


def campaign_changed(campaign_id) -> None:
    """The campaign's state badge, buttons, warnings, agent board and recent outcomes, to
    every page showing them (a fragment whose target a page lacks is dropped there). A removed
    campaign also leaves the overview's table, in a second frame (`removed_row`)."""
    campaign = DialerCampaign.objects.select_related("account").get(pk=campaign_id)
    if not live.watching(campaign.account_id):
        return
    context = campaign_context(campaign)

    def render(can):
        return "".join(
            live.render(campaign.account, template, {**context, "can": can})
            for template in campaign_templates(can)
        )

    _push(campaign, CAMPAIGN_EVENT, render)
    if campaign.deleted_at:
        # A frame of its own: a table row parses only at the start of a fragment, so after
        # the other fragments the browser would drop it.
        _push(campaign, CAMPAIGN_EVENT, lambda can: removed_row(campaign.pk))


def campaign_context(campaign) -> dict:
    """What the campaign's live fragments show (`can` is added per audience)."""
    agents = selectors.agents_of(campaign)
    return {
        "campaign": campaign,
        "agents": agents,
        "nothing_dialled": selectors.why_nothing_is_dialled(campaign, agents),
        "outcomes": selectors.recent_outcomes(campaign),
        "held_calls": selectors.held_calls(campaign).count(),
        "oob": True,
    }


def campaign_templates(can, *, overview=False) -> list[str]:
    """The campaign's live fragments for someone with `can`: its state badge, its count of
    contacts sent, the buttons (only for those who may start and stop it), and unless for the
    overview, which shows no more, the notice of a start or stop awaiting the dialer's report
    (`pending_action`), the warning that nothing is dialled for want of an available agent
    (`selectors.why_nothing_is_dialled`), its agent board and recent outcomes."""
    parts = ["state", "contacts_sent"]
    if can["start_stop"]:
        parts.append("controls")
    if not overview:
        parts += ["pending", "nothing_dialled", "board", "outcomes"]
    return [f"dialer/partials/_{name}.html" for name in parts]


def removed_row(campaign_id) -> str:
    """The fragment that takes a removed campaign's row off the overview."""
    return f'<tr id="dialer-campaign-{campaign_id}" hx-swap-oob="delete"></tr>'


def upload_changed(upload_id) -> None:
    """The upload's progress bar and counts, and its campaign's count of contacts sent (the
    campaign page's header, the overview's row)."""
    upload = LeadListUpload.objects.select_related("campaign", "account").get(pk=upload_id)
    if not live.watching(upload.account_id):
        return

    def render(can):
        return "".join(
            live.render(upload.account, template, {**context, "oob": True, "can": can})
            for template, context in (
                ("dialer/partials/_upload.html", {"upload": upload}),
                ("dialer/partials/_contacts_sent.html", {"campaign": upload.campaign}),
            )
        )

    _push(upload.campaign, UPLOAD_EVENT, render)
