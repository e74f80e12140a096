"""Who works a lead: giving a lead to a person, or taking it from them, after it arrived."""

from django.core.exceptions import ValidationError
from django.db import transaction

from campaignhub.models import Membership, User, is_member
from campaigns import events, permissions, selectors, services, signals
from campaigns.models import Lead, Representative

NOT_A_HOLDER = (
    "{name} cannot be given this lead: only the campaign's representatives, its owner and "
    "account admins can."
)
NOT_A_MEMBER = "No member of this account has the user id {user_id}."
NO_LONGER_A_MEMBER = "{name} is no longer a member of this account: give the lead to someone else."
# How a lead's representative who was removed from its account is named wherever the lead is
# shown (the lead keeps them until an admin or its campaign's owner gives it to someone else).
FORMER_MEMBER = "{name} (no longer a member)"


def representative_left(lead) -> bool:
    """Whether `lead` is held by someone who is no longer a member of its account (removed
    after it was alerted to them). Read from `representative_is_member`, which
    `selectors.with_representative_standing` annotates (lists and pages, no query per row);
    a lead read without it costs one query. False for a lead nobody holds."""
    if lead.representative_id is None:
        return False
    member = getattr(lead, "representative_is_member", None)
    if member is None:
        member = is_member(lead.account_id, lead.representative_id)
    return not member


def representative_name(lead) -> str:
    """Who holds `lead`, as pages show it: their name (`get_full_name`, the email for someone
    without one), "Max Doe (no longer a member)" once they left the account
    (`representative_left`), "" for nobody."""
    if lead.representative_id is None:
        return ""
    name = lead.representative.get_full_name()
    return FORMER_MEMBER.format(name=name) if representative_left(lead) else name


def representative_left_notice(lead) -> str:
    """For those who may give `lead` to someone else, when its representative left the account:
    "Max Doe is no longer a member of this account: give the lead to someone else." (the words
    `check_holder` refuses them with); "" otherwise."""
    if not representative_left(lead):
        return ""
    return NO_LONGER_A_MEMBER.format(name=lead.representative.get_full_name())


# Why a change from the lead's page was refused, said where the change was made: someone else
# changed who holds the lead (or the person's standing) since the page was drawn, and a page
# whose live updates dropped still offered the form.
NOT_SAVED = "your change was not saved."
GIVEN_TO = "This lead was given to {name}: " + NOT_SAVED
UNASSIGNED_NOW = (
    "This lead is unassigned now, and only its campaign's owner or an account admin can set "
    "what became of it: " + NOT_SAVED
)
NO_LONGER_ASSIGNS = (
    "Only the campaign's owner or an account admin can choose who works its leads, and you "
    "no longer can: " + NOT_SAVED
)


def outcome_refusal(lead, *, chose="") -> str:
    """Why the person who sent an outcome for `lead` (and may not set it, `permissions.
    may_set_outcome`) was refused, naming who holds it now: "This lead was given to Dana
    Admin: your change was not saved." (`representative_name`, so someone who left reads "Max
    Doe (no longer a member)"), or that it is unassigned now; then "You chose Won, USD 1,200.00."
    when `chose` (what they had chosen, `LeadOutcomeForm.chosen`) is given."""
    if lead.representative_id is not None:
        said = GIVEN_TO.format(name=representative_name(lead))
    else:
        said = UNASSIGNED_NOW
    return f"{said} You chose {chose}." if chose else said


def assign_refusal(lead) -> str:
    """Why the person who chose who works `lead` (and may no longer: not an admin, not the
    campaign's owner) was refused, with who holds it now: "… you no longer can: your change
    was not saved. Dana Admin holds it." or "It is unassigned." """
    holder = representative_name(lead)
    now = f"{holder} holds it." if holder else "It is unassigned."
    return f"{NO_LONGER_ASSIGNS} {now}"


def check_holder(campaign, user_id, *, current=None) -> User | None:
    """The User `user_id` names when they may be given a lead of `campaign`
    (`selectors.lead_holders`); None for None (the lead is left unassigned). Raises
    ValidationError saying why not; `current` (a User or None) is who holds the lead now, named
    when they are the one asked for and have left the account (their name is on the lead
    already, so naming them tells nothing new)."""
    if user_id is None:
        return None
    for holder in selectors.lead_holders(campaign):
        if holder.pk == user_id:
            return holder
    person = (
        User.objects.filter(pk=user_id, memberships__account_id=campaign.account_id)
        .distinct()
        .first()
    )
    if person is None and current is not None and current.pk == user_id:
        name = current.get_full_name()
        raise ValidationError(NO_LONGER_A_MEMBER.format(name=name), code="no_longer_a_member")
    if person is None:
        raise ValidationError(NOT_A_MEMBER.format(user_id=user_id), code="unknown")
    raise ValidationError(NOT_A_HOLDER.format(name=person.get_full_name()), code="not_allowed")


def assign_lead(*, lead, user_id, actor) -> tuple[Lead, bool]:
    """Give `lead` to the person `user_id` names (a user id), or to nobody (None); returns
    (the lead as saved, whether it changed hands).

    `actor` (a Membership) must be allowed to choose who works the campaign's leads
    (`permissions.Action.ASSIGN_LEADS`: an admin or the campaign's owner), else
    `permissions.CampaignPermissionDenied` (403). `user_id` must be one of `selectors.lead_holders`
    (else ValidationError, and nothing changes). The person given the lead is alerted by
    the campaign's notification rule, as a new lead's representative is
    (`services.alert_lead_holder`, with their custom SMS number on the campaign), in words
    that say `actor` gave it to them (`services.Handover`), not that it just came in; `actor`
    giving it to themselves is alerted on no channel and no delivery is written; the lead's
    row, feed item and page update live, and the person who held it stops seeing it when it
    was their only way to (`events.lead_reassigned`). Its deal, when the person who held it
    owned it, follows it (`signals.lead_handed_over`, same transaction). Giving the lead to
    whoever holds it already changes nothing and alerts no one, so a repeat is harmless (they
    are checked all the same: someone removed or no longer allowed is refused). The person's
    membership is locked first, as a member's removal takes it, so the two never cross: a lead
    is never left with someone removed meanwhile.
    """
    with transaction.atomic():
        if user_id is not None:
            # The person's membership first, then the lead, as a removal takes them: a removal
            # under way finishes first (and they are then refused), or waits for this to
            # commit (and then passes the lead on), so a lead never lands with someone gone.
            list(
                Membership.objects.select_for_update()
                .filter(account_id=lead.account_id, user_id=user_id)
                .values_list("pk", flat=True)
            )
        lead = (
            Lead.objects.select_for_update(of=("self",))
            .select_related("campaign__account", "campaign__owner")
            .get(pk=lead.pk)
        )
        campaign = lead.campaign
        permissions.require(actor, campaign, permissions.Action.ASSIGN_LEADS)
        # Checked even for whoever holds it: someone removed or no longer allowed is refused.
        holder = check_holder(campaign, user_id, current=lead.representative)
        if lead.representative_id == user_id:
            return lead, False
        previous = lead.representative_id
        lead.representative = holder
        lead.save(update_fields=["representative", "updated_at"])
        signals.lead_handed_over.send(sender=Lead, lead=lead, previous_id=previous)
        # Someone who gives the lead to themselves knows: no alert, and none is logged.
        if holder is not None and holder.pk != actor.user_id:
            phone = (
                Representative.objects.filter(campaign=campaign, user=holder)
                .values_list("custom_number", flat=True)
                .first()
            )
            handover = services.Handover(by=actor.user.get_full_name())
            services.alert_lead_holder(campaign, lead, holder, phone=phone or "", handover=handover)
        transaction.on_commit(
            lambda: events.lead_reassigned(
                lead.pk, account_id=lead.account_id, previous_id=previous
            ),
            robust=True,
        )
    return lead, True
