import pytest
import responses

from invoca.models import AdvertiserCampaign, InvocaConnection

BASE = "https://acme.invoca.test"
NETWORK = "1234"
TOKEN = "invoca-test-token-9876"
ADVERTISER = "acme-adv"
CAMPAIGNS = f"{BASE}/api/2022-08-01/{NETWORK}/advertisers/{ADVERTISER}/advertiser_campaigns"


def campaign_url(campaign_id, action=None):
    return f"{CAMPAIGNS}/{campaign_id}{'/' + action if action else ''}.json"


def connect(tenant, *, token=TOKEN, network_id=NETWORK, base_url=BASE):
    return InvocaConnection.objects.create(
        account=tenant.account,
        secret=token,
        last4=token[-4:],
        network_id=network_id,
        base_url=base_url,
    )


def menu_connect_tree(prompt="Press 1 for sales.", phone="8004377950"):
    """A Menu whose one key connects to a number, as the reference's example does."""
    return {
        "record_calls": True,
        "root": {
            "node_type": "Menu",
            "prompt": prompt,
            "children": [
                {
                    "node_type": "Connect",
                    "prompt": "Connecting you to sales.",
                    "destination_phone_number": phone,
                    "destination_country_code": "1",
                }
            ],
        },
    }


def affiliate_terms(**overrides):
    """Terms of an AffiliateEnabled campaign with a payout, a payin and a budget."""
    terms = {
        "campaign_type": "AffiliateEnabled",
        "description": "Spring promotion",
        "url": "https://acme.example/landing",
        "timezone": "Eastern Time (US & Canada)",
        "campaign_language": "English",
        "campaign_country": "US",
        "operating_24_7": False,
        "hours": {"monday_open": 32400, "monday_close": 61200, "monday_closed": False},
        "named_regions": [
            {
                "name": "Sacramento area",
                "regions": [{"region_type": "City", "value": "Sacramento, CA"}],
            }
        ],
        "affiliate_payout": {
            "policies": [
                {"type": "Base", "currency": "USD", "amount": 12.5, "condition": "duration > 60"}
            ]
        },
        "advertiser_payin": {"policies": [{"type": "Base", "currency": "USD", "amount": 20}]},
        "budget_activities": {
            "budget_cap_alert": {
                "reset_period": "Monthly",
                "starts_at": "2025-01-01",
                "budget_currency": "USD",
                "time_zone": "Eastern Time (US & Canada)",
                "budget_amount": 1000,
            }
        },
        "ivr_tree": menu_connect_tree(),
        "auto_approve": "Approved_Affiliates",
        "visibility": "All",
    }
    terms.update(overrides)
    return terms


def invoca_record(campaign_id="spring-1", *, status="Entry", future=None, current=None, **extra):
    """A campaign as Invoca answers with it."""
    return {
        "id": 55001,
        "id_from_network": campaign_id,
        "name": extra.pop("name", "Spring promotion"),
        "status": status,
        "object_url": "https://acme.invoca.test/a/advertiser_campaigns/55001",
        "current_terms": current,
        "future_terms": future if future is not None else {},
        "custom_data": extra.pop("custom_data", {}),
        **extra,
    }


def absent(upstream, campaign_id="spring-1"):
    """Invoca has no campaign with this id for the advertiser: its GET answers 404 [004]."""
    not_found = {"class": "RecordNotFound", "invalid_data": "Could not find AdvertiserCampaign"}
    upstream.get(campaign_url(campaign_id), status=404, json={"errors": not_found})


def make_campaign(tenant, campaign_id="spring-1", **fields):
    fields.setdefault("name", "Spring promotion")
    fields.setdefault("advertiser_id_from_network", ADVERTISER)
    return AdvertiserCampaign.objects.create(
        account=tenant.account, id_from_network=campaign_id, **fields
    )


@pytest.fixture
def upstream():
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


@pytest.fixture
def connected(tenant_a):
    return connect(tenant_a)
