"""Demo data for Invoca: with DEMO_INVOCA_API_TOKEN set (`make run` sets the sandbox's), the
demo account is connected to network DEMO_INVOCA_NETWORK_ID at INVOCA_API_BASE and has one
AffiliateEnabled advertiser campaign with a budget and a Menu → Connect IVR, staged and not yet
live, ready to go live from its page. The inbound campaign "Spring promotion calls" (lead
source Invoca) takes that campaign's calls, and when Invoca is the sandbox our post-call webhook
URL is registered with it, so once the campaign is live the sandbox's "Simulate call" makes a
lead here at once. Safe to run again; skipped when Invoca cannot be reached."""

import os
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.exceptions import ValidationError

from campaignhub.api import ApiProblem
from campaigns import services as campaigns
from campaigns.forms import CampaignForm
from campaigns.models import Campaign, Integration, NotificationType
from invoca import services
from invoca.forms import clean_campaign
from invoca.models import AdvertiserCampaign
from invoca.upstream import INVOCA
from invoca.webhooks import webhook_url

DEMO_NETWORK = "1001"
DEMO_ADVERTISER = "demo-advertiser"
DEMO_CAMPAIGN = "spring-promo"
DEMO_INBOUND = "Spring promotion calls"
# Where the sandbox keeps the post-call webhooks a network posts to (Invoca's own are set in its
# UI; the sandbox takes them at this control endpoint).
SANDBOX_WEBHOOKS = "_sandbox/invoca/webhooks"
SANDBOX_TIMEOUT_S = 5
DEMO_TERMS = {
    "campaign_type": "AffiliateEnabled",
    "description": "Spring promotion: calls from affiliates' ads, sales and support lines.",
    "url": "https://example.com/spring?click={click_id}",
    "timezone": "Pacific Time (US & Canada)",
    "campaign_language": "English",
    "campaign_country": "US",
    "operating_24_7": False,
    "hours": {
        **{
            f"{day}_{edge}": seconds
            for day in ("monday", "tuesday", "wednesday", "thursday", "friday")
            for edge, seconds in (("open", 32400), ("close", 61200))
        },
        "saturday_closed": True,
        "sunday_closed": True,
    },
    "named_regions": [
        {"name": "West coast", "regions": [{"region_type": "State", "value": "CA"}]},
    ],
    "affiliate_payout": {
        "policies": [
            {
                "type": "Base",
                "currency": "USD",
                "amount": 15,
                "condition": "duration >= 1 min 30 sec",
            }
        ]
    },
    "advertiser_payin": {
        "policies": [
            {"type": "Base", "currency": "USD", "amount": 25, "condition": "duration > 60"}
        ]
    },
    "budget_activities": {
        "budget_cap_alert": {
            "reset_period": "Monthly",
            "starts_at": "2025-01-01",
            "budget_currency": "USD",
            "time_zone": "Pacific Time (US & Canada)",
            "budget_amount": 5000,
            "include_call_fees": False,
        }
    },
    "ivr_tree": {
        "record_calls": True,
        "root": {
            "node_type": "Menu",
            "prompt": "Thanks for calling. Press 1 for sales, press 2 for support.",
            "children": [
                {
                    "node_type": "Connect",
                    "prompt": "Connecting you to sales.",
                    "destination_phone_number": "8004377950",
                    "destination_country_code": "1",
                },
                {
                    "node_type": "Connect",
                    "prompt": "Connecting you to support.",
                    "destination_phone_number": "8004377951",
                    "destination_country_code": "1",
                },
            ],
        },
    },
    "auto_approve": "Approved_Affiliates",
    "visibility": "All",
}


def sandbox_root(base_url: str) -> str | None:
    """The sandbox's own address when `base_url` is the sandbox's Invoca (`http://host:port/invoca`),
    else None: a real Invoca is a host without a path (`https://<vanity>.invoca.net`)."""
    parts = urlsplit(base_url or "")
    if parts.scheme not in ("http", "https") or parts.path.rstrip("/") != "/invoca":
        return None
    return f"{parts.scheme}://{parts.netloc}"


def register_webhook(*, account, network_id: str, base_url: str) -> str:
    """Register the account's post-call webhook URL for `network_id` with the sandbox at
    `base_url` (`POST /_sandbox/invoca/webhooks`, JSON POST format; the sandbox keeps one entry
    per network and URL, so running again changes nothing). Returns the sentence to print.
    Raises requests.RequestException when the sandbox cannot be reached or refuses."""
    url = webhook_url(account)
    root = sandbox_root(base_url)
    if root is None:
        return f"Invoca: add this post-call webhook in Invoca (JSON POST): {url}"
    response = requests.post(
        f"{root}/{SANDBOX_WEBHOOKS}",
        json={"network_id": network_id, "url": url, "format": "json"},
        timeout=SANDBOX_TIMEOUT_S,
    )
    response.raise_for_status()
    return f"Invoca: the sandbox posts network {network_id}'s calls to {url}."


def link_inbound_campaign(*, account, admin, member, advertiser_campaign) -> str:
    """Give `advertiser_campaign` an inbound campaign (lead source Invoca) taking its calls, made
    through the campaign form's checks; left alone when one feeds it already, or when a
    campaign of the demo's name exists (someone chose its link). Returns the sentence to print."""
    linked = advertiser_campaign.inbound_campaign
    if linked is not None and not linked.is_deleted:
        return f"Invoca: its calls become leads of “{linked.campaign_name}”."
    named = Campaign.objects.for_account(account).filter(
        campaign_name=DEMO_INBOUND, is_deleted=False
    )
    if named.exists():
        return f"Invoca: “{DEMO_INBOUND}” exists and keeps the lead source it has."
    form = CampaignForm(
        data={
            "campaign_name": DEMO_INBOUND,
            "integration": Integration.INVOCA,
            "invoca_campaign_id": str(advertiser_campaign.pk),
            "notification_type": NotificationType.SEND_EMAIL_SMS,
            "selected_user": [{"id": pk} for pk in dict.fromkeys((member.pk, admin.pk))],
            "status": True,
        },
        account=account,
    )
    if not form.is_valid():
        return f"Invoca: the demo inbound campaign was not made: {form.errors.get_json_data()}"
    campaigns.create_campaign(account=account, owner=admin, data=form.cleaned_data)
    return f"Invoca: its calls become leads of “{DEMO_INBOUND}”."


def load(*, account, admin, member, stdout):
    token = os.environ.get("DEMO_INVOCA_API_TOKEN")
    network_id = os.environ.get("DEMO_INVOCA_NETWORK_ID", DEMO_NETWORK)
    if not token:
        stdout.write("Invoca: not connected (set INVOCA_API_BASE and DEMO_INVOCA_API_TOKEN).")
        return
    try:
        connection = INVOCA.live_credential(account)
        if connection is None:
            connection = services.connect(
                account=account,
                network_id=network_id,
                api_token=token,
                base_url=settings.INVOCA_API_BASE,
            )
        exists = AdvertiserCampaign.objects.for_account(account).filter(
            advertiser_id_from_network=DEMO_ADVERTISER, id_from_network=DEMO_CAMPAIGN
        )
        if not exists.exists():
            services.sync_advertiser(account=account, advertiser_id=DEMO_ADVERTISER)
        if not exists.exists():
            services.create_campaign(
                account=account,
                advertiser_id=DEMO_ADVERTISER,
                id_from_network=DEMO_CAMPAIGN,
                clean=clean_campaign(
                    name="Spring promotion", terms=DEMO_TERMS, custom_data={"channel": "Radio"}
                ),
            )
    except (ApiProblem, ValidationError) as exc:
        stdout.write(f"Invoca: could not reach {settings.INVOCA_API_BASE}: {exc}")
        return
    campaign = exists.select_related("inbound_campaign").get()
    state = (
        "live: simulate a call on it in the sandbox"
        if campaign.status == "live"
        else "staged, ready to go live (then simulate a call on it in the sandbox)"
    )
    stdout.write(
        f"Invoca: network {connection.network_id} at {connection.base_url}; advertiser "
        f"{DEMO_ADVERTISER} has campaign {DEMO_CAMPAIGN} {state}."
    )
    stdout.write(
        link_inbound_campaign(
            account=account, admin=admin, member=member, advertiser_campaign=campaign
        )
    )
    try:
        stdout.write(
            register_webhook(
                account=account, network_id=connection.network_id, base_url=connection.base_url
            )
        )
    except requests.RequestException as exc:
        stdout.write(f"Invoca: could not register the post-call webhook with the sandbox: {exc}")
