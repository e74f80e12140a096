"""Our Invoca client against the sandbox's advertiser campaigns: the two must agree, or the demo
and the browser tests lie. Semantics of external-apis.md §2: create and update stage future
terms, go live promotes them, archive only after live, unarchive leaves it paused, no delete."""

import uuid

import pytest
import requests

from campaignhub.http import ApiError
from invoca.client import InvocaClient, field_errors

TOKEN = "sandbox-invoca-token"
NETWORK = "1001"
ADVERTISER = "sandbox-adv"

TREE = {
    "record_calls": True,
    "root": {
        "node_type": "Menu",
        "prompt": "Press 1 for sales.",
        "children": [
            {
                "node_type": "Connect",
                "destination_phone_number": "8004377950",
                "destination_country_code": "1",
            }
        ],
    },
}


def terms(**overrides):
    return {
        "campaign_type": "AffiliateEnabled",
        "timezone": "Pacific Time (US & Canada)",
        "campaign_language": "English",
        "campaign_country": "US",
        "operating_24_7": True,
        "ivr_tree": TREE,
        "budget_activities": {"concurrent_call_cap_alert": {"budget_amount": 5}},
        **overrides,
    }


@pytest.fixture
def client(sandbox):
    return InvocaClient(
        TOKEN, network_id=NETWORK, base_url=f"{sandbox.url}/invoca", sleep=lambda seconds: None
    )


@pytest.fixture
def campaign_id():
    return f"c-{uuid.uuid4().hex[:8]}"


def refused(call):
    with pytest.raises(ApiError) as caught:
        call()
    return caught.value


def api(sandbox, path=""):
    base = f"{sandbox.url}/invoca/api/2022-08-01/{NETWORK}/advertisers/{ADVERTISER}"
    return f"{base}/advertiser_campaigns{path}"


def test_the_token_is_checked_per_network(sandbox):
    assert requests.get(api(sandbox, ".json"), timeout=5).status_code == 401
    assert (
        requests.get(
            api(sandbox, ".json"), headers={"Authorization": "nope"}, timeout=5
        ).status_code
        == 401
    )
    assert (
        requests.get(api(sandbox, ".json"), params={"oauth_token": TOKEN}, timeout=5).status_code
        == 200
    )
    other = api(sandbox, ".json").replace(f"/{NETWORK}/", "/2002/")
    assert requests.get(other, headers={"Authorization": TOKEN}, timeout=5).status_code == 401


def test_a_body_token_is_accepted_on_posts(sandbox, campaign_id):
    body = {"oauth_token": TOKEN, "id_from_network": campaign_id, "name": "Body token", **terms()}
    assert requests.post(api(sandbox, ".json"), json=body, timeout=5).status_code == 201


def test_create_stages_future_terms_in_entry(client, campaign_id):
    found = client.create_campaign(ADVERTISER, campaign_id, {"name": "Spring", **terms()})
    assert found["status"] == "entry"
    assert found["current_terms"] == {}
    assert found["future_terms"]["ivr_tree"] == TREE
    assert found["invoca_id"]
    listed = [c["id_from_network"] for c in client.list_campaigns(ADVERTISER)]
    assert campaign_id in listed


def test_a_campaigns_object_url_opens_its_row_on_the_sandbox_page(sandbox, client, campaign_id):
    found = client.create_campaign(ADVERTISER, campaign_id, {"name": "Spring", **terms()})
    page_url, anchor = found["object_url"].split("#")
    assert page_url == f"{sandbox.url}/"
    assert f"id='{anchor}'" in requests.get(page_url, timeout=5).text


def test_post_again_updates_the_same_campaign(client, campaign_id):
    first = client.create_campaign(ADVERTISER, campaign_id, {"name": "Spring", **terms()})
    again = client.create_campaign(ADVERTISER, campaign_id, {"name": "Spring 2", **terms()})
    assert again["invoca_id"] == first["invoca_id"] and again["name"] == "Spring 2"


def test_go_live_promotes_and_later_updates_are_staged(client, campaign_id):
    client.create_campaign(ADVERTISER, campaign_id, {"name": "Spring", **terms(description="v1")})
    live = client.go_live(ADVERTISER, campaign_id, timeout=5)
    assert live["status"] == "live"
    assert live["current_terms"]["description"] == "v1"
    changed = client.update_campaign(ADVERTISER, campaign_id, {"description": "v2"})
    assert changed["current_terms"]["description"] == "v1"
    assert changed["future_terms"]["description"] == "v2"
    assert changed["status"] == "live"
    client.go_live(ADVERTISER, campaign_id)
    assert client.show_campaign(ADVERTISER, campaign_id)["current_terms"]["description"] == "v2"


def test_go_live_timeout_must_be_2_to_60(sandbox, client, campaign_id):
    client.create_campaign(ADVERTISER, campaign_id, {"name": "Spring", **terms()})
    response = requests.post(
        api(sandbox, f"/{campaign_id}/go_live.json"),
        json={"timeout": 90},
        headers={"Authorization": TOKEN},
        timeout=5,
    )
    assert response.status_code == 403
    assert list(response.json()["errors"]) == ["timeout"]


def test_the_lifecycle(client, campaign_id):
    client.create_campaign(ADVERTISER, campaign_id, {"name": "Spring", **terms()})
    assert refused(lambda: client.archive(ADVERTISER, campaign_id)).status == 403
    client.go_live(ADVERTISER, campaign_id)
    client.archive(ADVERTISER, campaign_id)
    assert client.show_campaign(ADVERTISER, campaign_id)["status"] == "archived"
    assert refused(lambda: client.go_live(ADVERTISER, campaign_id)).status == 403
    client.unarchive(ADVERTISER, campaign_id)
    assert client.show_campaign(ADVERTISER, campaign_id)["status"] == "paused"
    assert refused(lambda: client.unarchive(ADVERTISER, campaign_id)).status == 403
    assert client.go_live(ADVERTISER, campaign_id)["status"] == "live"


def test_campaigns_cannot_be_deleted(sandbox, client, campaign_id):
    client.create_campaign(ADVERTISER, campaign_id, {"name": "Spring", **terms()})
    response = requests.delete(
        api(sandbox, f"/{campaign_id}.json"), headers={"Authorization": TOKEN}, timeout=5
    )
    assert response.status_code == 405
    assert response.json()["errors"]["invalid_data"] == "You are not allowed to delete campaigns."
    assert client.show_campaign(ADVERTISER, campaign_id)["id_from_network"] == campaign_id


def test_budgets_only_for_affiliate_enabled(client, campaign_id):
    error = refused(
        lambda: client.create_campaign(
            ADVERTISER, campaign_id, {"name": "D", **terms(campaign_type="DirectOnly")}
        )
    )
    assert error.status == 403
    assert field_errors(error.payload) == {
        "budget_activities": ["are only applicable for AffiliateEnabled campaigns"]
    }


def test_validation_403_names_the_fields(client, campaign_id):
    error = refused(
        lambda: client.create_campaign(
            ADVERTISER,
            campaign_id,
            {
                "name": "",
                **terms(
                    campaign_language="German",
                    budget_activities={"budget_cap_alert": {"budget_amount": 1}},
                ),
            },
        )
    )
    errors = field_errors(error.payload)
    assert errors["name"] == ["can't be blank"]
    assert errors["campaign_language"] == ["is not included in the list"]
    assert errors["budget_activities.budget_cap_alert.reset_period"] == ["can't be blank"]


def test_the_references_ivr_403(client, campaign_id):
    tree = {
        "root": {
            "node_type": "Menu",
            "prompt": "Prompt text",
            "children": [
                {
                    "node_type": "Menu",
                    "prompt": "",
                    "children": [{"node_type": "EndCall", "prompt": ""}],
                }
            ],
        }
    }
    error = refused(
        lambda: client.create_campaign(
            ADVERTISER, campaign_id, {"name": "X", **terms(ivr_tree=tree)}
        )
    )
    assert error.payload == {
        "error": {"ivr_tree": {"children": [{"0": {"prompt": ["cannot be empty"]}}]}}
    }


def test_an_unknown_campaign_is_record_not_found(client):
    error = refused(lambda: client.show_campaign(ADVERTISER, "never-made"))
    assert error.status == 404
    assert error.payload["errors"]["class"] == "RecordNotFound"


def test_find_tells_a_free_id_from_a_taken_one(client, campaign_id):
    assert client.find_campaign(ADVERTISER, campaign_id) is None
    client.create_campaign(ADVERTISER, campaign_id, {"name": "Spring", **terms()})
    assert client.find_campaign(ADVERTISER, campaign_id)["name"] == "Spring"
    assert client.find_campaign("another-adv", campaign_id) is None


def test_quick_stats_count_only_the_calls_made(sandbox, client, campaign_id):
    client.create_campaign(ADVERTISER, campaign_id, {"name": "Spring", **terms()})
    client.go_live(ADVERTISER, campaign_id)
    after = client.quick_stats(ADVERTISER, campaign_id)
    # Going live makes no calls.
    assert all(
        period == {"call_count": 0, "call_avg_total_duration": 0.0} for period in after.values()
    )
    requests.post(
        f"{sandbox.url}/_sandbox/invoca/record-call",
        json={
            "network_id": NETWORK,
            "advertiser_id": ADVERTISER,
            "campaign_id": campaign_id,
            "duration": 200,
        },
        timeout=5,
    )
    stats = client.quick_stats(ADVERTISER, campaign_id)
    assert {p: stats[p]["call_count"] for p in stats} == {
        "today": 1,
        "last_7days": 1,
        "last_30days": 1,
    }
    assert stats["last_30days"]["call_avg_total_duration"] == 200.0
