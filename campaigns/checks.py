"""Setup checks: what stops a campaign, as set up, from turning contacts into alerted leads.

The campaign form, the campaign page and the dashboard show the same warnings. Campaigns knows
no integration, so an integration app registers its own checks here from `AppConfig.ready`
(CallRail checks that the tracking number is one of its company's trackers).

Every check answers twice, and both answers must agree on a saved campaign:
- `evaluate(setup)` reads one campaign in memory, saved or as the form would save it, and
  returns the sentence a person reads ("" when the setup passes);
- `failing(account)` is a filter on `Campaign` selecting the account's campaigns that fail,
  so the dashboard finds them in one query however many campaigns there are. It may use the
  campaign's own columns and `Exists` subqueries only (a join over representatives would
  repeat rows).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet

from campaignhub.cleaning import id_or_none
from campaignhub.models import is_member, member_exists
from campaignhub.phones import e164_or_blank
from campaigns import sources
from campaigns.models import Campaign, NotificationType, Representative

SMS_RULES = (NotificationType.ONLY_SEND_SMS, NotificationType.SEND_EMAIL_SMS)
# A filter no campaign passes (pk is never null): for checks that have nothing to go on.
NO_CAMPAIGN = Q(pk__isnull=True)


@dataclass(frozen=True)
class SetupWarning:
    """One reason a campaign cannot work as set up: a stable `code` and a sentence for people."""

    code: str
    message: str


@dataclass(frozen=True)
class Setup:
    """A campaign as saved, or as its form would save it.

    `campaign` may be unsaved but always has its `account`; `representatives` are
    `Representative` rows, saved or not, each with its `user` loaded, in round-robin order.
    """

    campaign: Campaign
    representatives: tuple[Representative, ...]


@dataclass(frozen=True)
class Check:
    """A registered check (see `register_check` for its parts)."""

    code: str
    title: str
    evaluate: Callable[[Setup], str]
    failing: Callable[[object], Q]

    @property
    def flag(self) -> str:
        """The name of the boolean annotation `with_failures` adds for this check."""
        return f"fails_{self.code}"


CHECKS: dict[str, Check] = {}


def register_check(code: str, *, title: str, evaluate, failing) -> None:
    """Add a setup check.

    `code` is a stable identifier (letters, digits, `_`), also used by tests and the API;
    `title` a few words naming the problem for lists (the dashboard); `evaluate(setup) -> str`
    the warning's message or ""; `failing(account) -> Q` the campaigns failing it (see the
    module docstring). Registering a code again replaces the check. Raises ValueError for a code
    that is not an identifier.
    """
    if not code.isidentifier():
        raise ValueError(f"A check code must be an identifier, not {code!r}.")
    CHECKS[code] = Check(code, title, evaluate, failing)


def setup_of(campaign: Campaign) -> Setup:
    """The setup of a saved campaign (uses prefetched `assignments__user` when present)."""
    return Setup(campaign, tuple(campaign.assignments.all()))


def setup_from_data(account, data: dict, *, users: dict, current: Campaign | None = None) -> Setup:
    """The setup a campaign form's values describe, before they are saved or even valid.

    `data` is the API shape (`CampaignForm.data_from_post` or `campaign_data`), raw or cleaned;
    `users` maps user id -> User for the people who may be picked; `current` is the campaign
    being edited, if any. Values that do not parse are left out (the form reports them).
    """
    tracking_number = e164_or_blank(data.get("tracking_number"))
    campaign = Campaign(
        pk=current.pk if current else None,
        account=account,
        campaign_name=data.get("campaign_name") or "",
        integration=data.get("integration") or (current.integration if current else ""),
        tracking_number=tracking_number,
        notification_type=data.get("notification_type") or NotificationType.ONLY_SEND_EMAIL,
        status=bool(data.get("status")),
    )
    campaign.owner = _chosen_owner(data.get("owner"), users, current)
    representatives = []
    for position, chosen in enumerate(data.get("selected_user") or []):
        user = users.get(_as_id(chosen.get("id")))
        if user is None:
            continue
        custom_number = e164_or_blank(chosen.get("custom_number"))
        representatives.append(
            Representative(
                campaign=campaign, user=user, custom_number=custom_number, position=position
            )
        )
    return Setup(campaign, tuple(representatives))


_as_id = id_or_none


def _chosen_owner(chosen, users, current):
    """The owner the form's `owner` value names: one of `users`, or the edited campaign's
    current owner (kept, member or not, when the value names them or no owner is sent)."""
    owner_id = _as_id(chosen)
    if owner_id in users:
        return users[owner_id]
    kept = current is not None and current.owner_id is not None
    if kept and owner_id in (None, current.owner_id):
        return current.owner
    return None


def setup_warnings(setup: Setup) -> list[SetupWarning]:
    """Every check's warning for `setup`, in registration order; [] when it can work."""
    found = []
    for check in CHECKS.values():
        message = check.evaluate(setup)
        if message:
            found.append(SetupWarning(check.code, message))
    return found


def campaign_warnings(campaign: Campaign) -> list[SetupWarning]:
    """The warnings of a saved campaign, as its page and the API show them."""
    return setup_warnings(setup_of(campaign))


def with_failures(campaigns: QuerySet, account) -> QuerySet:
    """`campaigns` (of `account`) that fail a check, each with one boolean per check (`flag`)."""
    failing = {check.flag: check.failing(account) for check in CHECKS.values()}
    if not failing:
        return campaigns.none()
    any_failing = Q()
    for condition in failing.values():
        any_failing |= condition
    return campaigns.filter(any_failing).annotate(
        **{
            flag: ExpressionWrapper(condition, output_field=BooleanField())
            for flag, condition in failing.items()
        }
    )


def failure_titles(campaign) -> list[str]:
    """The titles of the checks a row of `with_failures` fails."""
    return [check.title for check in CHECKS.values() if getattr(campaign, check.flag, False)]


# The checks campaigns makes itself.


def _no_representatives(setup):
    if setup.representatives:
        return ""
    return (
        "No representatives: leads arrive unassigned, and only the campaign's owner is alerted. "
        "Add at least one representative."
    )


def _without_sms_number(setup):
    return [
        rep.user.get_full_name()
        for rep in setup.representatives
        if not (rep.custom_number or rep.user.phone)
    ]


def _sms_without_phone(setup):
    if setup.campaign.notification_type not in SMS_RULES:
        return ""
    names = _without_sms_number(setup)
    if not names:
        return ""
    who = ", ".join(names)
    if setup.campaign.notification_type == NotificationType.ONLY_SEND_SMS:
        outcome = "so their SMS alerts fail and they get no alert at all (SMS only)"
    else:
        outcome = "so their SMS alerts fail and they get the email alert only"
    return (
        f"No phone number for SMS alerts: {who}, {outcome}. Add a custom SMS number here "
        "or a phone on their profile; failed alerts can then be retried from Notifications."
    )


def _sms_without_phone_failing(account):
    return Q(notification_type__in=SMS_RULES) & Exists(
        Representative.objects.filter(campaign=OuterRef("pk"), custom_number="", user__phone="")
    )


def _owner_left(setup):
    campaign = setup.campaign
    if campaign.owner_id is None or is_member(campaign.account_id, campaign.owner_id):
        return ""
    return (
        f"Its owner {campaign.owner.get_full_name()} is no longer a member of the account: "
        "choose another owner."
    )


def _owner_left_failing(account):
    return Q(owner__isnull=False) & ~member_exists(user=OuterRef("owner_id"))


def _source_unavailable(setup):
    integration = setup.campaign.integration
    if not integration or sources.is_available(integration):
        return ""
    return f"{sources.unavailable_message(integration)} This campaign cannot receive leads."


def _source_unavailable_failing(account):
    return ~Q(integration__in=sorted(sources.AVAILABLE))


register_check(
    "lead_source_unavailable",
    title="Lead source not available",
    evaluate=_source_unavailable,
    failing=_source_unavailable_failing,
)
register_check(
    "owner_left",
    title="Owner no longer a member",
    evaluate=_owner_left,
    failing=_owner_left_failing,
)
register_check(
    "no_representatives",
    title="No representatives",
    evaluate=_no_representatives,
    failing=lambda account: ~Exists(Representative.objects.filter(campaign=OuterRef("pk"))),
)
register_check(
    "sms_without_phone",
    title="SMS alert without a phone number",
    evaluate=_sms_without_phone,
    failing=_sms_without_phone_failing,
)
