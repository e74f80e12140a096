"""Writes for Invoca advertiser campaigns: the connection, create and update (staged in future
terms), the go live / archive / unarchive lifecycle, reading back from Invoca.

Rules held here [004, external-apis.md §2.2]: every change is staged in `future_terms` and
`go_live` promotes it to `current_terms`; `archive` only after the campaign has been live;
`unarchive` leaves it paused; an archived campaign is unarchived before it goes live again;
campaigns are never deleted. A refused transition is a 409 and nothing is sent to Invoca. A
web request calls Invoca once with a short timeout (`web_request=True`); no transaction is
held while Invoca answers.
"""

import logging

from django.core.cache import cache
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from campaignhub.api import ApiProblem
from invoca.client import GO_LIVE_TIMEOUT_DEFAULT
from invoca.forms import CleanCampaign
from invoca.models import AdvertiserCampaign, CampaignStatus, InvocaConnection
from invoca.upstream import INVOCA

logger = logging.getLogger(__name__)

NOT_FOUND = "Advertiser campaign not found on Invoca"
ALREADY_EXISTS = "This advertiser already has a campaign with this id."
EXISTS_IN_INVOCA = (
    "Invoca already has a campaign with this id for this advertiser, made outside CampaignHub. "
    "Read the advertiser's campaigns from Invoca (Refresh from Invoca) to change it here, or "
    "choose another id."
)
CREATE_PENDING = "A campaign with this id is being created right now; try again in a moment."
# How long a create holds its claim on the id at most (a web request's Invoca calls take less).
CREATE_CLAIM_SECONDS = 60
NO_DELETE = "You are not allowed to delete campaigns."
CANNOT_GO_LIVE_ARCHIVED = "An archived campaign must be unarchived before it can go live."
NOTHING_TO_PROMOTE = "The campaign is live and has no staged changes to promote."
CANNOT_ARCHIVE = "A campaign can only be archived after it has been live."
ALREADY_ARCHIVED = "The campaign is already archived."
CANNOT_UNARCHIVE = "Only an archived campaign can be unarchived."


def connect(*, account, network_id, api_token, api_version="", base_url="") -> InvocaConnection:
    """Check the token with Invoca and keep it as the account's connection (see
    `InvocaUpstream.connect`). Raises ValidationError (refused token, missing value) or
    ApiProblem (Invoca cannot answer); nothing changes then."""
    return INVOCA.connect(
        account=account,
        secret=api_token,
        network_id=network_id,
        api_version=api_version,
        base_url=base_url,
    )


def disconnect(*, account) -> bool:
    """Soft delete the live connection, wiping the token; False when there was none."""
    return INVOCA.remove(account=account)


def _upstream(account, call, *, not_found=NOT_FOUND):
    """Run `call(client)` with the account's Invoca client in web-request mode; failures
    become ApiProblem as `InvocaUpstream.problem` maps them (403 -> 400 with field errors)."""
    connection = INVOCA.connection_for(account, web_request=True)
    return INVOCA.call(connection.credential, lambda: call(connection.client), not_found=not_found)


def payload(clean: CleanCampaign) -> dict:
    """The body Invoca takes for a create or update: name, terms properties, custom data."""
    return {"name": clean.name, **clean.terms, "custom_data": clean.custom_data}


def _apply(campaign: AdvertiserCampaign, answer: dict, *, staged: dict | None = None) -> None:
    """Copy what Invoca answered onto `campaign` (not saved). `staged` is what we sent, kept as
    the future terms when Invoca's answer carries none."""
    if answer.get("invoca_id") is not None:
        campaign.invoca_id = answer["invoca_id"]
    if answer.get("name"):
        campaign.name = answer["name"]
    if answer.get("status"):
        campaign.status = answer["status"]
    if answer.get("object_url"):
        campaign.object_url = answer["object_url"]
    if answer.get("current_terms"):
        campaign.current_terms = answer["current_terms"]
    if answer.get("future_terms"):
        campaign.future_terms = answer["future_terms"]
    elif staged is not None:
        campaign.future_terms = staged
    if answer.get("custom_data") or answer.get("id_from_network"):
        campaign.custom_data = answer.get("custom_data") or campaign.custom_data
    campaign.synced_at = timezone.now()


def _claim_create(account, advertiser_id: str, id_from_network: str) -> str | None:
    """Claim creating this campaign id for a while (the shared cache's atomic add), so a second
    create of the same id from this product, while the first still waits on Invoca, is refused
    rather than sent. Returns the claim's key to release, or None when the cache is down (the
    create goes ahead unclaimed, logged). Raises ApiProblem 409 CREATE_PENDING when taken."""
    key = f"invoca:create:{account.pk}:{advertiser_id}:{id_from_network}"
    try:
        claimed = cache.add(key, 1, timeout=CREATE_CLAIM_SECONDS)
    except Exception:
        logger.warning("Cache unavailable: Invoca campaign create not claimed", exc_info=True)
        return None
    if not claimed:
        raise ApiProblem(409, CREATE_PENDING, {"id_from_network": [CREATE_PENDING]})
    return key


def _release_create(key: str | None) -> None:
    if key is None:
        return
    try:
        cache.delete(key)
    except Exception:
        logger.warning("Invoca campaign create claim %s not released", key, exc_info=True)


def create_campaign(
    *, account, advertiser_id: str, id_from_network: str, clean: CleanCampaign
) -> AdvertiserCampaign:
    """Create the campaign on Invoca (POST, staged in its future terms; status entry), then
    keep it here. `clean` comes from `forms.clean_campaign`.

    Invoca's POST creates or silently updates [external-apis.md §2.1], so an id already taken
    is refused before anything is sent: ApiProblem 409 ALREADY_EXISTS when we have it under the
    advertiser, 409 EXISTS_IN_INVOCA when Invoca has it (a GET of the campaign answers it; 404
    means free), i.e. a campaign made elsewhere and never read here, which "Refresh from
    Invoca" (`sync_advertiser`) brings in; 409 CREATE_PENDING while another create of the id
    from this product is under way (`_claim_create`). Errors carry `{"id_from_network":
    [message]}`. Invoca's other failures come as `_upstream` maps them (403 -> 400 with field
    errors). Nothing is kept when it raises.

    What remains possible (Invoca offers no create-only call): a campaign with this id made
    elsewhere (Invoca's own UI, another tool, another account on the same network) between our
    GET and our POST is updated by that POST. So is the first of two creates from this account
    when the shared cache is down: both GETs may find nothing; the second then ends in 409
    ALREADY_EXISTS here (the table's unique id) but its terms have reached Invoca."""
    existing = AdvertiserCampaign.objects.for_account(account).filter(
        advertiser_id_from_network=advertiser_id, id_from_network=id_from_network
    )
    if existing.exists():
        raise ApiProblem(409, ALREADY_EXISTS, {"id_from_network": [ALREADY_EXISTS]})

    def send(client):
        if client.find_campaign(advertiser_id, id_from_network) is not None:
            raise ApiProblem(409, EXISTS_IN_INVOCA, {"id_from_network": [EXISTS_IN_INVOCA]})
        return client.create_campaign(advertiser_id, id_from_network, payload(clean))

    claim = _claim_create(account, advertiser_id, id_from_network)
    try:
        answer = _upstream(account, send)
    finally:
        _release_create(claim)
    campaign = AdvertiserCampaign(
        account=account,
        advertiser_id_from_network=advertiser_id,
        id_from_network=id_from_network,
        name=clean.name,
        custom_data=clean.custom_data,
        status=CampaignStatus.ENTRY,
    )
    _apply(campaign, answer, staged=clean.terms)
    campaign.custom_data = clean.custom_data
    try:
        campaign.save()
    except IntegrityError:
        raise ApiProblem(409, ALREADY_EXISTS, {"id_from_network": [ALREADY_EXISTS]}) from None
    return campaign


def update_campaign(*, campaign: AdvertiserCampaign, clean: CleanCampaign) -> AdvertiserCampaign:
    """Send the campaign's new properties (PUT); Invoca stages the terms in `future_terms`
    until the next go live, in any status. Kept here once Invoca took them."""
    answer = _upstream(
        campaign.account,
        lambda client: client.update_campaign(
            campaign.advertiser_id_from_network, campaign.id_from_network, payload(clean)
        ),
    )
    campaign.name = clean.name
    _apply(campaign, answer, staged=clean.terms)
    campaign.custom_data = clean.custom_data
    campaign.save()
    return campaign


def can_go_live(campaign) -> bool:
    """Go live from entry or paused, or when a live campaign has staged changes to promote."""
    if campaign.status in (CampaignStatus.ENTRY, CampaignStatus.PAUSED):
        return True
    return campaign.status == CampaignStatus.LIVE and campaign.has_staged_changes


def can_archive(campaign) -> bool:
    """Archive only a campaign that has been live (live, or paused after an unarchive)."""
    return campaign.status in (CampaignStatus.LIVE, CampaignStatus.PAUSED)


def can_unarchive(campaign) -> bool:
    return campaign.status == CampaignStatus.ARCHIVED


def go_live(*, campaign: AdvertiserCampaign, timeout: int = GO_LIVE_TIMEOUT_DEFAULT):
    """Ask Invoca to make the campaign live, waiting up to `timeout` seconds (2 to 60); its
    future terms become the current ones. Refused (409, nothing sent) for an archived
    campaign or a live one with nothing staged. The campaign is read back from Invoca when
    the answer does not carry its terms."""
    if campaign.status == CampaignStatus.ARCHIVED:
        raise ApiProblem(409, CANNOT_GO_LIVE_ARCHIVED)
    if not can_go_live(campaign):
        raise ApiProblem(409, NOTHING_TO_PROMOTE)
    adv, cid = campaign.advertiser_id_from_network, campaign.id_from_network
    answer = _upstream(campaign.account, lambda client: client.go_live(adv, cid, timeout=timeout))
    if not answer.get("current_terms"):
        answer = _upstream(campaign.account, lambda client: client.show_campaign(adv, cid))
    promoted = campaign.future_terms
    _apply(campaign, answer)
    if not answer.get("current_terms"):
        campaign.current_terms = promoted
        campaign.future_terms = promoted
    campaign.status = CampaignStatus.LIVE
    campaign.went_live_at = timezone.now()
    campaign.save()
    return campaign


def archive(*, campaign: AdvertiserCampaign) -> AdvertiserCampaign:
    """Archive a campaign that has been live (it stops taking calls); 409 otherwise."""
    if campaign.status == CampaignStatus.ARCHIVED:
        raise ApiProblem(409, ALREADY_ARCHIVED)
    if not can_archive(campaign):
        raise ApiProblem(409, CANNOT_ARCHIVE)
    _upstream(
        campaign.account,
        lambda client: client.archive(
            campaign.advertiser_id_from_network, campaign.id_from_network
        ),
    )
    campaign.status = CampaignStatus.ARCHIVED
    campaign.synced_at = timezone.now()
    campaign.save(update_fields=["status", "synced_at", "updated_at"])
    return campaign


def unarchive(*, campaign: AdvertiserCampaign) -> AdvertiserCampaign:
    """Unarchive an archived campaign; it becomes paused until it goes live again."""
    if not can_unarchive(campaign):
        raise ApiProblem(409, CANNOT_UNARCHIVE)
    _upstream(
        campaign.account,
        lambda client: client.unarchive(
            campaign.advertiser_id_from_network, campaign.id_from_network
        ),
    )
    campaign.status = CampaignStatus.PAUSED
    campaign.synced_at = timezone.now()
    campaign.save(update_fields=["status", "synced_at", "updated_at"])
    return campaign


def quick_stats(*, campaign: AdvertiserCampaign) -> dict:
    """Invoca's quick stats: `{today|last_7days|last_30days: {call_count, call_avg_total_duration
    (seconds)}}`, read now (not stored)."""
    return _upstream(
        campaign.account,
        lambda client: client.quick_stats(
            campaign.advertiser_id_from_network, campaign.id_from_network
        ),
    )


def refresh(*, campaign: AdvertiserCampaign) -> AdvertiserCampaign:
    """Read the campaign back from Invoca (status, both terms, custom data) and keep it."""
    answer = _upstream(
        campaign.account,
        lambda client: client.show_campaign(
            campaign.advertiser_id_from_network, campaign.id_from_network
        ),
    )
    _apply(campaign, answer)
    campaign.custom_data = answer.get("custom_data", campaign.custom_data)
    campaign.save()
    return campaign


def sync_advertiser(*, account, advertiser_id: str) -> list[AdvertiserCampaign]:
    """Read the advertiser's campaigns from Invoca and keep each here: ours are updated, ones
    made elsewhere (e.g. in Invoca's own UI) are added. Returns the advertiser's campaigns."""
    records = _upstream(account, lambda client: client.list_campaigns(advertiser_id))
    ours = {
        row.id_from_network: row
        for row in AdvertiserCampaign.objects.for_account(account).filter(
            advertiser_id_from_network=advertiser_id
        )
    }
    for record in records:
        if not record["id_from_network"]:
            continue
        campaign = ours.get(record["id_from_network"]) or AdvertiserCampaign(
            account=account,
            advertiser_id_from_network=advertiser_id,
            id_from_network=record["id_from_network"],
            name=record["name"] or record["id_from_network"],
        )
        _apply(campaign, record)
        campaign.custom_data = record.get("custom_data", campaign.custom_data)
        campaign.save()
        ours[campaign.id_from_network] = campaign
    return sorted(ours.values(), key=lambda c: (c.name.lower(), c.pk))


def campaign_url(campaign) -> str:
    return reverse(
        "invoca_campaign", args=[campaign.advertiser_id_from_network, campaign.id_from_network]
    )
