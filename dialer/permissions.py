"""Who may do what with the dialer: the permission matrix, in one place.

The matrix (README, "Dialer" → "Permissions"), built like `campaigns.permissions`: an account
admin manages everything (the connection, campaigns, their settings, agents and lead lists); a
member who is an agent of a campaign sees it (its settings, agents, uploads, outcomes, live
state) and changes nothing on it; any other member does not see it at all (a 404, as for
another account's campaign). Creating, adopting and the connection are the admins'. Every
member sets their own extension; an admin sets anyone's.

Selectors hide what one may not see (`selectors.campaigns_visible_to`); views and the API ask
`require` before a change and `can` which buttons to show.
"""

from enum import StrEnum

from django.core.exceptions import PermissionDenied


class Action(StrEnum):
    """What one can do with a dialer campaign (`VIEW` … `REMOVE`) or the dialer as a whole."""

    VIEW = "view"
    START_STOP = "start_stop"
    EDIT_SETTINGS = "edit_settings"
    MANAGE_AGENTS = "manage_agents"
    UPLOAD = "upload"
    REMOVE = "remove"
    CREATE = "create"
    ADOPT = "adopt"
    CONNECT = "connect"


class Standing(StrEnum):
    """A person's relation to one dialer campaign, strongest first."""

    ADMIN = "admin"
    AGENT = "agent"
    NONE = "none"


CAMPAIGN_ACTIONS = frozenset(
    {
        Action.VIEW,
        Action.START_STOP,
        Action.EDIT_SETTINGS,
        Action.MANAGE_AGENTS,
        Action.UPLOAD,
        Action.REMOVE,
    }
)
MATRIX = {
    Standing.ADMIN: frozenset(Action),
    Standing.AGENT: frozenset({Action.VIEW}),
    Standing.NONE: frozenset(),
}

ADMINS_ONLY = "Only an account admin can {what}."
REFUSALS = {
    Action.VIEW: "You cannot see this dialer campaign.",
    Action.START_STOP: ADMINS_ONLY.format(what="start or stop dialer campaigns"),
    Action.EDIT_SETTINGS: ADMINS_ONLY.format(what="change a dialer campaign's settings"),
    Action.MANAGE_AGENTS: ADMINS_ONLY.format(what="add or remove agents"),
    Action.UPLOAD: ADMINS_ONLY.format(what="upload or resume lead lists"),
    Action.REMOVE: ADMINS_ONLY.format(what="remove dialer campaigns"),
    Action.CREATE: ADMINS_ONLY.format(what="create dialer campaigns"),
    Action.ADOPT: ADMINS_ONLY.format(what="adopt campaigns from the dialer"),
    Action.CONNECT: ADMINS_ONLY.format(what="see or change the dialer connection"),
}
OTHERS_EXTENSION = "Only an account admin can set another member's extension."


class DialerPermissionDenied(PermissionDenied):
    """`action` is not allowed; the message says who may (the API answers 403 with it, pages
    show the "Not allowed" page)."""

    def __init__(self, action: Action):
        super().__init__(REFUSALS[action])
        self.action = action


def standing(membership, campaign) -> Standing:
    """`membership`'s relation to `campaign`: admin of its account, one of its agents, or none
    (another account's membership is always none). One query for a member."""
    if membership is None or membership.account_id != campaign.account_id:
        return Standing.NONE
    if membership.is_admin:
        return Standing.ADMIN
    if campaign.agents.filter(user_id=membership.user_id).exists():
        return Standing.AGENT
    return Standing.NONE


def allowed(membership, campaign=None) -> frozenset[Action]:
    """What `membership` may do with `campaign`, or with the dialer as a whole when None."""
    if campaign is None:
        return MATRIX[Standing.ADMIN if membership and membership.is_admin else Standing.NONE]
    return MATRIX[standing(membership, campaign)]


def can(membership, campaign=None) -> dict[str, bool]:
    """`{action value: allowed}` for templates (`{% if can.start_stop %}`)."""
    permitted = allowed(membership, campaign)
    return {action.value: action in permitted for action in Action}


def require(membership, action: Action, campaign=None) -> None:
    """Raise `DialerPermissionDenied` unless `membership` may take `action` (on `campaign`)."""
    if action not in allowed(membership, campaign):
        raise DialerPermissionDenied(action)


def require_extension_change(membership, target_membership) -> None:
    """Anyone sets their own extension; only an admin sets another member's."""
    if membership.pk != target_membership.pk and not membership.is_admin:
        raise PermissionDenied(OTHERS_EXTENSION)
