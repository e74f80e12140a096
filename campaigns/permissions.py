"""Who may do what to a campaign: the permission matrix, in one place.

The matrix (README, "Permissions"): an account admin may do everything; a member who owns a
campaign may view, edit, pause and delete it and choose its representatives, but not hand it to
another owner; a member who represents a campaign may view it and work its leads, and change
nothing on it; any other member does not see it at all (`selectors.campaigns_visible_to`, a 404).
Services check writes with `require_changes`, pages ask `can` which buttons to show.
"""

from enum import StrEnum

from django.core.exceptions import PermissionDenied


class Action(StrEnum):
    """What one can do to a campaign; `EDIT` is any change at all, the others are specific ones."""

    VIEW = "view"
    VIEW_LEADS = "view_leads"
    EDIT = "edit"
    CHANGE_OWNER = "change_owner"
    CHANGE_REPRESENTATIVES = "change_representatives"
    CHANGE_STATUS = "change_status"
    DELETE = "delete"
    ASSIGN_LEADS = "assign_leads"


class Standing(StrEnum):
    """A person's relation to one campaign, strongest first."""

    ADMIN = "admin"
    OWNER = "owner"
    REPRESENTATIVE = "representative"
    NONE = "none"


MATRIX = {
    Standing.ADMIN: frozenset(Action),
    Standing.OWNER: frozenset(Action) - {Action.CHANGE_OWNER},
    Standing.REPRESENTATIVE: frozenset({Action.VIEW, Action.VIEW_LEADS}),
    Standing.NONE: frozenset(),
}

REFUSALS = {
    Action.EDIT: "Only the campaign's owner or an account admin can change this campaign.",
    Action.CHANGE_OWNER: "Only an account admin can give a campaign to another owner.",
    Action.CHANGE_REPRESENTATIVES: (
        "Only the campaign's owner or an account admin can change its representatives."
    ),
    Action.CHANGE_STATUS: (
        "Only the campaign's owner or an account admin can pause or activate this campaign."
    ),
    Action.DELETE: "Only the campaign's owner or an account admin can delete this campaign.",
    Action.ASSIGN_LEADS: (
        "Only the campaign's owner or an account admin can choose who works its leads."
    ),
    Action.VIEW: "You cannot see this campaign.",
    Action.VIEW_LEADS: "You cannot see this campaign's leads.",
}
# Checked in this order, so a refusal names the most specific thing that was not allowed.
SPECIFIC_FIRST = [
    Action.CHANGE_OWNER,
    Action.DELETE,
    Action.CHANGE_REPRESENTATIVES,
    Action.CHANGE_STATUS,
    Action.EDIT,
]


class CampaignPermissionDenied(PermissionDenied):
    """`actor` may not do `action` to the campaign; the message says who may (HTTP 403).

    A `PermissionDenied`, so the JSON API answers 403 with the error envelope and pages show
    the 403 page with the message.
    """

    def __init__(self, action: Action):
        super().__init__(REFUSALS[action])
        self.action = action


def standing(membership, campaign) -> Standing:
    """`membership`'s relation to `campaign`: admin of its account, its owner, one of its
    representatives, or none (another account's membership is always none).

    Reads the campaign's representatives (one query, none when they are prefetched).
    """
    if membership is None or membership.account_id != campaign.account_id:
        return Standing.NONE
    if membership.is_admin:
        return Standing.ADMIN
    if campaign.owner_id is not None and campaign.owner_id == membership.user_id:
        return Standing.OWNER
    if any(rep.user_id == membership.user_id for rep in campaign.assignments.all()):
        return Standing.REPRESENTATIVE
    return Standing.NONE


def allowed(membership, campaign) -> frozenset[Action]:
    """Every action `membership` may take on `campaign`, per the matrix."""
    return MATRIX[standing(membership, campaign)]


def can(membership, campaign) -> dict[str, bool]:
    """`{action value: allowed}` for every action, for templates (`{% if can.delete %}`)."""
    permitted = allowed(membership, campaign)
    return {action.value: action in permitted for action in Action}


def actions_for_changes(campaign, changes) -> set[Action]:
    """What applying the cleaned `changes` to `campaign` amounts to: always `EDIT`, plus each
    specific action a change performs. Naming the current owner again or sending the current
    status is not a change of them (clients send back what they read)."""
    actions = {Action.EDIT}
    owner = changes.get("owner")
    if owner and owner != campaign.owner_id:
        actions.add(Action.CHANGE_OWNER)
    if "selected_user" in changes:
        actions.add(Action.CHANGE_REPRESENTATIVES)
    status = changes.get("status")
    if status is not None and status != "" and status != campaign.status:
        actions.add(Action.CHANGE_STATUS)
    deleted = changes.get("is_deleted")
    if deleted is not None and deleted != "" and deleted != campaign.is_deleted:
        actions.add(Action.DELETE)
    return actions


def require(membership, campaign, action: Action) -> None:
    """Raise `CampaignPermissionDenied` unless `membership` may take `action` on `campaign`."""
    if action not in allowed(membership, campaign):
        raise CampaignPermissionDenied(action)


def require_changes(membership, campaign, changes) -> None:
    """Raise `CampaignPermissionDenied` for the first action in `changes` (cleaned
    `CampaignForm` data) that `membership` may not take on `campaign`."""
    permitted = allowed(membership, campaign)
    needed = actions_for_changes(campaign, changes)
    for action in SPECIFIC_FIRST:
        if action in needed and action not in permitted:
            raise CampaignPermissionDenied(action)


def may_choose_owner(membership, campaign=None) -> bool:
    """Whether `membership` may pick the owner of `campaign`, or of a new one when None."""
    if campaign is None:
        return membership.is_admin
    return Action.CHANGE_OWNER in allowed(membership, campaign)


def require_create(membership, owner_id) -> None:
    """Any member may create a campaign they own; only an admin may create one owned by
    someone else (`owner_id`). Raises `CampaignPermissionDenied`."""
    if not membership.is_admin and owner_id != membership.user_id:
        raise CampaignPermissionDenied(Action.CHANGE_OWNER)


OUTCOME_REFUSAL = (
    "Only the lead's representative, the owner of its deal, its campaign's owner or an account "
    "admin can set what became of this lead."
)


def may_set_outcome(membership, lead) -> bool:
    """Whether `membership` may set `lead`'s outcome (status, revenue): an admin of its
    account, the campaign's owner, the representative the lead went to, or the owner of the
    deal the CRM opened for it (moving that deal to a won or lost stage sets the outcome too).
    A campaign's other representatives see the lead but leave its outcome to the person
    working it."""
    if membership is None or membership.account_id != lead.account_id:
        return False
    if membership.is_admin:
        return True
    if membership.user_id in (lead.representative_id, lead.campaign.owner_id):
        return True
    # The reverse one-to-one of the CRM's deal, read without importing the CRM (None without).
    deal = getattr(lead, "deal", None)
    return deal is not None and deal.owner_id == membership.user_id


def require_outcome(membership, lead) -> None:
    """Raise `PermissionDenied` (HTTP 403) unless `may_set_outcome(membership, lead)`."""
    if not may_set_outcome(membership, lead):
        raise PermissionDenied(OUTCOME_REFUSAL)
