"""The link between an inbound campaign with the lead source "Invoca" and the advertiser campaign
whose calls become its leads (`AdvertiserCampaign.inbound_campaign`), as the campaign form and
the campaigns API set it: `campaigndata.invoca_campaign_id` is our id of the advertiser campaign
(`id` in `/v1/invoca/…` answers). Registered with campaigns as a `sources.SourceLink`.

Calls held because no active campaign took them are captured again when a link is made and
when a linked Invoca campaign is saved active (say, switched back on).
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from campaignhub.cleaning import id_or_none
from campaigns.models import Campaign, Integration
from campaigns.sources import SourceLink
from invoca.models import AdvertiserCampaign

KEY = "invoca_campaign_id"
REQUIRED = "Choose the Invoca advertiser campaign whose calls become this campaign's leads."
UNKNOWN = "This is not one of the account's Invoca advertiser campaigns."
TAKEN = (
    "This advertiser campaign already feeds {taken}; a call can become a lead on one campaign only."
)
TAKEN_MEANWHILE = (
    "This advertiser campaign was just linked to another campaign; a call can become a lead on "
    "one campaign only. Nothing was saved: choose another advertiser campaign."
)
# How a campaign the viewer may not open is named (as on the Invoca pages).
NOT_SEEN = "a campaign you do not see"
LINKED_MEANWHILE = (
    "Another change linked this campaign to an advertiser campaign at the same moment. "
    "Nothing was saved: check the choice and save again."
)


def _feeds(advertiser_campaign, campaign):
    """The other live campaign this advertiser campaign already feeds, or None."""
    other = advertiser_campaign.inbound_campaign
    if other is None or other.is_deleted or (campaign is not None and other.pk == campaign.pk):
        return None
    return other


def _taken_by(advertiser_campaign, campaign, viewer) -> str:
    """The name of the other live campaign this advertiser campaign already feeds (`NOT_SEEN`
    when `viewer`, a Membership, may not open it), or "" when it feeds none."""
    from campaigns.selectors import campaigns_visible_to

    other = _feeds(advertiser_campaign, campaign)
    if other is None:
        return ""
    if viewer is not None and not campaigns_visible_to(viewer).filter(pk=other.pk).exists():
        return NOT_SEEN
    return f"“{other.campaign_name}”"


def _find(account, value):
    pk = id_or_none(value)
    if pk is None:
        return None
    return (
        AdvertiserCampaign.objects.for_account(account)
        .select_related("inbound_campaign")
        .filter(pk=pk)
        .first()
    )


def clean(account, value, campaign, viewer=None) -> str:
    """`value` as the id of one of `account`'s advertiser campaigns that feeds no other live
    campaign. Raises ValidationError otherwise, naming that campaign only if `viewer` (the
    sender's Membership; None for the system) may open it."""
    found = _find(account, value)
    if found is None:
        raise ValidationError(UNKNOWN, code="unknown")
    taken = _taken_by(found, campaign, viewer)
    if taken:
        raise ValidationError(TAKEN.format(taken=taken), code="taken")
    return str(found.pk)


def save(campaign, value) -> None:
    """Make the advertiser campaign `value` (our id; "" for none) the one feeding `campaign`,
    inside the campaign's save (whose post_save captures held calls after commit, see
    `capture_held_calls_when_active`). Raises ValidationError when another live campaign took
    it since the form was checked, or when a concurrent save linked this campaign elsewhere
    (the database's one-campaign-per-advertiser-campaign constraint decided); the caller's
    transaction is then rolled back, so nothing changes."""
    rows = AdvertiserCampaign.objects.for_account(campaign.account).select_for_update(of=("self",))
    chosen = None
    if value:
        chosen = rows.select_related("inbound_campaign").filter(pk=int(value)).first()
        if chosen is None:
            raise ValidationError(UNKNOWN, code="unknown")
        if _feeds(chosen, campaign) is not None:
            raise ValidationError(TAKEN_MEANWHILE, code="taken")
    try:
        with transaction.atomic():
            rows.filter(inbound_campaign=campaign).exclude(pk=getattr(chosen, "pk", None)).update(
                inbound_campaign=None
            )
            if chosen is not None and chosen.inbound_campaign_id != campaign.pk:
                chosen.inbound_campaign = campaign
                chosen.save(update_fields=["inbound_campaign", "updated_at"])
    except IntegrityError:
        raise ValidationError(LINKED_MEANWHILE, code="conflict") from None


def current(campaign) -> str:
    """Our id of the advertiser campaign feeding `campaign`, or ""."""
    found = AdvertiserCampaign.objects.filter(inbound_campaign=campaign).values_list(
        "pk", flat=True
    )
    first = found.first()
    return str(first) if first else ""


def choices(account, campaign=None) -> list[tuple[str, str, object]]:
    """The account's advertiser campaigns as `(id, "Name (advertiser/campaign id)", the other
    live Campaign it feeds or None)` for the campaign form."""
    return [
        (str(row.pk), str(row), _feeds(row, campaign))
        for row in AdvertiserCampaign.objects.for_account(account).select_related(
            "inbound_campaign"
        )
    ]


LINK = SourceLink(
    integration=Integration.INVOCA,
    key=KEY,
    clean=clean,
    save=save,
    current=current,
    required=REQUIRED,
    label="Invoca advertiser campaign",
    choices=choices,
    help="Calls to this advertiser campaign become leads here, from Invoca's post-call "
    "webhook and from its Transactions API.",
)


@receiver(post_save, sender=Campaign)
def capture_held_calls_when_active(sender, instance, **kwargs):
    """An active Invoca campaign saved: its account's held calls are tried again after commit
    (those for other advertiser campaigns stay held)."""
    from invoca import leads

    if instance.integration != Integration.INVOCA or not instance.status or instance.is_deleted:
        return
    account = instance.account
    if leads.held_calls(account).exists():
        transaction.on_commit(lambda: leads.capture_held_calls(account), robust=True)


def feeders(campaign, viewer) -> list:
    """`campaigns.sources.register_feeders`: the advertiser campaign whose calls become
    `campaign`'s leads, with its state (members read every advertiser campaign) and how many
    of its calls are held (`selectors.held_calls_for`: say, while `campaign` is paused), as the
    dialer's feeders count theirs."""
    from campaigns.sources import Feeder
    from invoca.selectors import held_calls_for
    from invoca.services import campaign_url

    return [
        Feeder(
            label=f"{row} · {row.get_status_display()}",
            url=campaign_url(row),
            held=held_calls_for(row),
        )
        for row in AdvertiserCampaign.objects.filter(inbound_campaign=campaign)
    ]
