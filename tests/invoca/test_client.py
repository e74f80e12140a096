"""The Invoca client against `responses`: paths by the network's ids, the token header, the
bodies Invoca takes, and its error bodies read as field errors (external-apis.md §2)."""

import json

import pytest

from campaignhub.http import ApiError
from invoca.client import InvocaClient, campaign_in, field_errors, quick_stats_in
from invoca.upstream import INVOCA
from tests.invoca.conftest import (
    ADVERTISER,
    BASE,
    CAMPAIGNS,
    NETWORK,
    TOKEN,
    absent,
    affiliate_terms,
    campaign_url,
    invoca_record,
)

TREE_ERROR = {"error": {"ivr_tree": {"children": [{"0": {"prompt": ["cannot be empty"]}}]}}}


@pytest.fixture
def client():
    return InvocaClient(TOKEN, network_id=NETWORK, base_url=BASE, sleep=lambda s: None)


def test_token_goes_in_the_authorization_header_without_bearer(client, upstream):
    upstream.get(f"{CAMPAIGNS}.json", json=[])
    client.list_campaigns(ADVERTISER)
    assert upstream.calls[0].request.headers["Authorization"] == TOKEN


def test_list_reads_every_campaign_of_the_advertiser(client, upstream):
    upstream.get(f"{CAMPAIGNS}.json", json=[invoca_record("a", status="Live"), invoca_record("b")])
    found = client.list_campaigns(ADVERTISER)
    assert [(c["id_from_network"], c["status"]) for c in found] == [("a", "live"), ("b", "entry")]


def test_ids_in_paths_are_quoted(client, upstream):
    upstream.get(
        f"{BASE}/api/2022-08-01/{NETWORK}/advertisers/a%2Fb/advertiser_campaigns/c%20d.json",
        json=invoca_record("c d"),
    )
    assert client.show_campaign("a/b", "c d")["id_from_network"] == "c d"


def test_create_posts_the_network_id_and_properties(client, upstream):
    terms = affiliate_terms()
    upstream.post(f"{CAMPAIGNS}.json", json=invoca_record(future=terms), status=201)
    found = client.create_campaign(ADVERTISER, "spring-1", {"name": "Spring", **terms})
    body = json.loads(upstream.calls[0].request.body)
    assert body["id_from_network"] == "spring-1"
    assert body["budget_activities"]["budget_cap_alert"]["reset_period"] == "Monthly"
    assert found["future_terms"] == terms
    assert found["invoca_id"] == 55001


def test_find_reads_the_campaign_or_none_when_invoca_answers_404(client, upstream):
    absent(upstream, "free-id")
    upstream.get(campaign_url("taken-id"), json=invoca_record("taken-id", status="Live"))
    assert client.find_campaign(ADVERTISER, "free-id") is None
    assert client.find_campaign(ADVERTISER, "taken-id")["status"] == "live"


def test_find_raises_other_failures(client, upstream):
    upstream.get(campaign_url("spring-1"), status=401, json={})
    with pytest.raises(ApiError) as caught:
        client.find_campaign(ADVERTISER, "spring-1")
    assert caught.value.status == 401


def test_update_puts_to_the_campaign(client, upstream):
    upstream.put(
        campaign_url("spring-1"), json=invoca_record(future={"campaign_type": "DirectOnly"})
    )
    found = client.update_campaign(ADVERTISER, "spring-1", {"campaign_type": "DirectOnly"})
    assert upstream.calls[0].request.method == "PUT"
    assert found["future_terms"] == {"campaign_type": "DirectOnly"}


def test_go_live_sends_the_timeout(client, upstream):
    upstream.post(campaign_url("spring-1", "go_live"), json={})
    client.go_live(ADVERTISER, "spring-1", timeout=30)
    assert json.loads(upstream.calls[0].request.body) == {"timeout": 30}


@pytest.mark.parametrize("timeout", [1, 61, 0, True, "10", 2.5])
def test_go_live_timeout_outside_2_to_60_is_refused_before_sending(client, upstream, timeout):
    with pytest.raises(ValueError):
        client.go_live(ADVERTISER, "spring-1", timeout=timeout)
    assert len(upstream.calls) == 0


def test_archive_and_unarchive_post_to_their_actions(client, upstream):
    upstream.post(campaign_url("spring-1", "archive"), json={})
    upstream.post(campaign_url("spring-1", "unarchive"), json={})
    client.archive(ADVERTISER, "spring-1")
    client.unarchive(ADVERTISER, "spring-1")
    assert [c.request.url for c in upstream.calls] == [
        campaign_url("spring-1", "archive"),
        campaign_url("spring-1", "unarchive"),
    ]


def test_quick_stats_reads_the_three_periods(client, upstream):
    upstream.get(
        campaign_url("spring-1", "quick_stats"),
        json={
            "stats": {
                "last_30days": {"call_avg_total_duration": 95.25, "call_count": 120},
                "last_7days": {"call_avg_total_duration": "80.0", "call_count": "30"},
                "today": {"call_avg_total_duration": 0.0, "call_count": 0},
            }
        },
    )
    assert client.quick_stats(ADVERTISER, "spring-1") == {
        "today": {"call_count": 0, "call_avg_total_duration": 0.0},
        "last_7days": {"call_count": 30, "call_avg_total_duration": 80.0},
        "last_30days": {"call_count": 120, "call_avg_total_duration": 95.2},
    }


def test_quick_stats_missing_or_odd_values_count_as_zero():
    assert quick_stats_in(
        {"stats": {"today": {"call_count": None, "call_avg_total_duration": "x"}}}
    )["today"] == {"call_count": 0, "call_avg_total_duration": 0.0}
    assert quick_stats_in(None)["last_30days"] == {"call_count": 0, "call_avg_total_duration": 0.0}


def test_quick_stats_in_other_digits_count_as_unreadable():
    """float() reads "٣" as 3: a stat is read from ASCII text only, else counts as 0."""
    stats = {"today": {"call_count": "\u0663", "call_avg_total_duration": "\uff11\uff15"}}
    assert quick_stats_in({"stats": stats})["today"] == {
        "call_count": 0,
        "call_avg_total_duration": 0.0,
    }
    ascii_stats = {"today": {"call_count": " 3 ", "call_avg_total_duration": "15.04"}}
    assert quick_stats_in({"stats": ascii_stats})["today"] == {
        "call_count": 3,
        "call_avg_total_duration": 15.0,
    }


def test_check_access_reads_one_transaction_of_the_network(client, upstream):
    upstream.get(f"{BASE}/api/2020-10-01/networks/transactions/{NETWORK}.json", json=[])
    client.check_access()
    assert upstream.calls[0].request.params == {"limit": "1"}


def test_validation_403_carries_field_errors(client, upstream):
    upstream.post(
        f"{CAMPAIGNS}.json",
        status=403,
        json={
            "errors": {"name": ["can't be blank"], "campaign_type": ["is not included in the list"]}
        },
    )
    with pytest.raises(ApiError) as caught:
        client.create_campaign(ADVERTISER, "x", {})
    assert caught.value.status == 403
    assert (
        caught.value.message == "name: can't be blank; campaign_type: is not included in the list"
    )
    assert field_errors(caught.value.payload) == {
        "name": ["can't be blank"],
        "campaign_type": ["is not included in the list"],
    }


def test_ivr_403_keeps_invocas_nested_shape(client, upstream):
    upstream.put(campaign_url("spring-1"), status=403, json=TREE_ERROR)
    with pytest.raises(ApiError) as caught:
        client.update_campaign(ADVERTISER, "spring-1", {})
    assert field_errors(caught.value.payload) == TREE_ERROR["error"]
    assert "prompt cannot be empty" in caught.value.message


def test_record_not_found_names_no_field(client, upstream):
    body = {"errors": {"class": "RecordNotFound", "invalid_data": "Could not find campaign x"}}
    upstream.get(campaign_url("x"), status=404, json=body)
    with pytest.raises(ApiError) as caught:
        client.show_campaign(ADVERTISER, "x")
    assert caught.value.status == 404
    assert caught.value.message == "Could not find campaign x"
    assert field_errors(body) == {}


def test_upstream_maps_403_to_400_with_field_errors_and_404_to_404():
    problem = INVOCA.problem(ApiError("bad", status=403, payload=TREE_ERROR))
    assert (problem.status, problem.errors) == (400, TREE_ERROR["error"])
    assert INVOCA.problem(ApiError("gone", status=404), not_found="Nope").status == 404
    assert INVOCA.problem(ApiError("down", status=503)).status == 502


def test_campaign_in_is_tolerant_of_missing_and_odd_values():
    found = campaign_in({"id": "7", "status": "Something", "current_terms": None})
    assert found["invoca_id"] is None
    assert found["status"] == ""
    assert found["current_terms"] == {} and found["future_terms"] == {}


def test_server_errors_are_retried_for_reads(upstream):
    client = InvocaClient(TOKEN, network_id=NETWORK, base_url=BASE, sleep=lambda s: None)
    upstream.get(f"{CAMPAIGNS}.json", status=503, json={})
    upstream.get(f"{CAMPAIGNS}.json", json=[])
    assert client.list_campaigns(ADVERTISER) == []
    assert len(upstream.calls) == 2


def test_web_requests_try_once(upstream):
    client = InvocaClient(TOKEN, network_id=NETWORK, base_url=BASE, web_request=True)
    upstream.get(f"{CAMPAIGNS}.json", status=503, json={})
    with pytest.raises(ApiError):
        client.list_campaigns(ADVERTISER)
    assert len(upstream.calls) == 1


def test_default_base_is_the_setting(settings):
    settings.INVOCA_API_BASE = "https://net.invoca.test/"
    client = InvocaClient(TOKEN, network_id=NETWORK)
    assert client.url(client.campaigns_path("a")) == (
        f"https://net.invoca.test/api/2022-08-01/{NETWORK}/advertisers/a/advertiser_campaigns.json"
    )
