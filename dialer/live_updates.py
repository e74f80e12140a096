"""Live fragments of the dialer pages: a campaign's state and controls, its agent board and
outcomes, an upload's progress. Every member of the account sees the dialer's campaigns."""

from campaignhub import live
from dialer import selectors
from dialer.models import DialerCampaign, LeadListUpload

CAMPAIGN_EVENT = "dialercampaign"
UPLOAD_EVENT = "dialerupload"


def campaign_changed(campaign_id) -> None:
    """The campaign's state badge, buttons, agent board and recent outcomes, to every page
    showing them (a fragment whose target a page lacks is dropped there). A removed campaign
    also leaves the overview's table."""
    campaign = DialerCampaign.objects.select_related("account").get(pk=campaign_id)
    if not live.watching(campaign.account_id):
        return
    context = {
        "campaign": campaign,
        "agents": selectors.agents_of(campaign),
        "outcomes": selectors.recent_outcomes(campaign),
        "oob": True,
    }
    html = "".join(
        live.render(campaign.account, f"dialer/partials/_{name}.html", context)
        for name in ("state", "controls", "board", "outcomes")
    )
    if campaign.deleted_at:
        html += f'<tr id="dialer-campaign-{campaign.pk}" hx-swap-oob="delete"></tr>'
    live.push(live.account_group(campaign.account_id), CAMPAIGN_EVENT, html)


def upload_changed(upload_id) -> None:
    """The upload's progress bar and counts."""
    upload = LeadListUpload.objects.select_related("campaign", "account").get(pk=upload_id)
    if not live.watching(upload.account_id):
        return
    html = live.render(
        upload.account, "dialer/partials/_upload.html", {"upload": upload, "oob": True}
    )
    live.push(live.account_group(upload.account_id), UPLOAD_EVENT, html)
