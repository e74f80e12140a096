"""What a member's removal does to campaigns and leads, and how the admin is told of it."""

from django.db.models import Exists, OuterRef

from campaignhub.models import Membership
from campaignhub.signals import HandedOver, RemovalNote
from campaigns import services
from campaigns.models import Campaign, Lead, Representative

# Campaigns named in full in a sentence; more are counted ("and 3 more").
NAMED_CAMPAIGNS = 5


def _others_represent(account, user):
    """A filter on campaigns: someone other than `user` who is a member of `account` now
    represents it."""
    return Exists(
        Representative.objects.filter(campaign=OuterRef("pk"))
        .exclude(user=user)
        .filter(
            Exists(
                Membership.objects.filter(account=account, user_id=OuterRef("user_id")).exclude(
                    user=user
                )
            )
        )
    )


def campaigns_left_unrepresented(*, account, user, campaign_ids=None) -> list[str]:
    """Names of `account`'s live campaigns that `user` represents (or, with `campaign_ids`, of
    those campaigns) and that no other member of the account represents: after `user` leaves,
    no one is given their leads, and each new lead alerts the campaign's owner instead. By
    name."""
    campaigns = Campaign.objects.for_account(account).filter(is_deleted=False)
    if campaign_ids is None:
        campaigns = campaigns.filter(assignments__user=user)
    else:
        campaigns = campaigns.filter(pk__in=campaign_ids)
    return list(
        campaigns.exclude(_others_represent(account, user))
        .order_by("campaign_name", "pk")
        .distinct()
        .values_list("campaign_name", flat=True)
    )


def _named(names) -> str:
    """“A”, “A” and “B”, “A”, “B” and “C”; past `NAMED_CAMPAIGNS`, "… and 3 more"."""
    shown = [f"“{name}”" for name in names[:NAMED_CAMPAIGNS]]
    rest = len(names) - len(shown)
    if rest:
        shown.append(f"{rest} more")
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]


def unrepresented_sentence(names, *, will: bool) -> str:
    """ "Spring roofing” will be left with no representative: …" (`will`, before the removal)
    or "… is left …" (after it); "" for no campaigns."""
    if not names:
        return ""
    one = len(names) == 1
    noun = "campaign" if one else "campaigns"
    verb = ("will be" if will else "is") if one else ("will be" if will else "are")
    their = "its" if one else "their"
    return (
        f"The {noun} {_named(names)} {verb} left with no representative: {their} new leads "
        f"alert the owner until representatives are chosen on the campaign's page."
    )


def passed_leads_sentence(count, *, will: bool) -> str:
    """ "2 leads given to them whose alert has not gone out pass on …"; "" for none."""
    if not count:
        return ""
    leads = "1 lead" if count == 1 else f"{count} leads"
    has = "has" if count == 1 else "have"
    verb = "will pass" if will else "passed"
    return (
        f"{leads} given to them whose alert {'had' if not will else has} not gone out {verb} "
        "to the campaign's next representative (or, with none left, alert its owner)."
    )


def kept_leads_sentence(count, *, will: bool) -> str:
    """ "3 leads already alerted to them will stay with their name, marked “no longer a
    member”: an admin or the campaign's owner can give them to someone else from the lead's
    page." (`will`, before the removal) or "… stay …" (after it); "" for none. These are the
    leads `services.pass_on_unalerted_leads` leaves with them (their alert went out)."""
    if not count:
        return ""
    leads = "1 lead" if count == 1 else f"{count} leads"
    stay = "will stay" if will else ("stays" if count == 1 else "stay")
    them = "it" if count == 1 else "them"
    return (
        f"{leads} already alerted to them {stay} with their name, marked “no longer a member”: "
        f"an admin or the campaign's owner can give {them} to someone else from the lead's page."
    )


def _held_count(account, user) -> int:
    """How many of `account`'s leads `user` holds (one COUNT on the representative index)."""
    return Lead.objects.for_account(account).filter(representative=user).count()


def on_member_removing(*, account, user, removed_by=None, **signal) -> list[str]:
    """The `campaignhub.signals.member_removing` receiver: what removing `user` would do here,
    in sentences for the admin's confirmation: the campaigns they own that pass to
    `removed_by`, the campaigns left with no representative, the unalerted leads passed on,
    and the leads already alerted to them, which stay with them (those they hold, less the
    ones passed on)."""
    sentences = []
    owned = Campaign.objects.for_account(account).filter(owner=user, is_deleted=False).count()
    if owned:
        campaigns = "campaign" if owned == 1 else "campaigns"
        sentences.append(f"Their {owned} {campaigns} will be owned by you.")
    unrepresented = campaigns_left_unrepresented(account=account, user=user)
    unalerted = services.unalerted_leads_of(account=account, user=user).count()
    kept = _held_count(account, user) - unalerted
    for sentence in (
        unrepresented_sentence(unrepresented, will=True),
        passed_leads_sentence(unalerted, will=True),
        kept_leads_sentence(kept, will=True),
    ):
        if sentence:
            sentences.append(sentence)
    return sentences


def on_member_removal_check(*, account, user, removed_by=None, **signal) -> None:
    """The `campaignhub.signals.member_removal_check` receiver: `services.check_hand_over`
    (raises ValidationError when the campaigns `user` owns could not pass to `removed_by`)."""
    services.check_hand_over(account=account, user=user, to=removed_by)


def on_member_removed(*, account, user, removed_by=None, **signal):
    """The `campaignhub.signals.member_removed` receiver: `services.withdraw_representative`,
    `services.hand_over_campaigns` to `removed_by`, then `services.pass_on_unalerted_leads`
    (so a lead left with no representative alerts the campaign's owner as it is now). Answers
    how many live campaigns passed to `removed_by` and, as notes, the campaigns left with no
    representative, the leads passed on and the leads that stay with them (already alerted)."""
    withdrawn = services.withdraw_representative(account=account, user=user)
    handed = services.hand_over_campaigns(account=account, user=user, to=removed_by)
    passed = services.pass_on_unalerted_leads(account=account, user=user)
    unrepresented = campaigns_left_unrepresented(account=account, user=user, campaign_ids=withdrawn)
    notes = [
        unrepresented_sentence(unrepresented, will=False),
        passed_leads_sentence(len(passed), will=False),
        kept_leads_sentence(_held_count(account, user), will=False),
    ]
    return (
        HandedOver("campaign", len(handed)),
        *(RemovalNote(note) for note in notes if note),
    )
