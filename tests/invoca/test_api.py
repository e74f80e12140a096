"""The JSON API under /v1/invoca/: Invoca-shaped 400s with nothing sent upstream, staging,
lifecycle, no delete, and the connection."""

import json

import pytest
from django.utils import timezone

from invoca.models import AdvertiserCampaign, InvocaConnection
from invoca.schemas import check_terms
from tests.factories import bearer
from tests.invoca.conftest import (
    ADVERTISER,
    BASE,
    CAMPAIGNS,
    NETWORK,
    TOKEN,
    absent,
    affiliate_terms,
    campaign_url,
    connect,
    invoca_record,
    make_campaign,
)

URL = f"/v1/invoca/advertisers/{ADVERTISER}/campaigns"


def call(tenant, method, path, body=None):
    return getattr(tenant.admin_client, method)(
        path,
        json.dumps(body) if body is not None else "",
        content_type="application/json",
        **bearer(tenant.token.raw),
    )


def new_campaign(**overrides):
    return {
        "id_from_network": "spring-1",
        "name": "Spring promotion",
        **affiliate_terms(),
        **overrides,
    }


def test_create_sends_to_invoca_and_answers_201(tenant_a, connected, upstream):
    body = new_campaign(custom_data={"channel": "Radio"})
    absent(upstream)
    upstream.post(f"{CAMPAIGNS}.json", json=invoca_record(future=affiliate_terms()), status=201)
    response = call(tenant_a, "post", URL, body)
    assert response.status_code == 201, response.content
    data = response.json()["data"]
    assert (data["status"], data["current_terms"], data["has_staged_changes"]) == (
        "entry",
        None,
        True,
    )
    assert data["future_terms"]["campaign_type"] == "AffiliateEnabled"
    sent = json.loads(upstream.calls[1].request.body)
    assert sent["id_from_network"] == "spring-1" and sent["custom_data"] == {"channel": "Radio"}


def test_an_invalid_tree_is_400_in_invocas_shape_and_nothing_is_sent(tenant_a, connected, upstream):
    tree = {
        "root": {
            "node_type": "Menu",
            "prompt": "Prompt text",
            "children": [
                {"node_type": "Menu", "prompt": "", "children": [{"node_type": "EndCall"}]}
            ],
        }
    }
    response = call(tenant_a, "post", URL, new_campaign(ivr_tree=tree))
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "ivr_tree": {"children": [{"0": {"prompt": ["cannot be empty"]}}]}
    }
    assert response.json()["message"] == "ivr_tree.children.0.prompt: cannot be empty"
    assert len(upstream.calls) == 0
    assert not AdvertiserCampaign.objects.exists()


def test_a_budget_on_a_direct_campaign_is_400_and_nothing_is_sent(tenant_a, connected, upstream):
    body = new_campaign(campaign_type="DirectOnly")
    del body["affiliate_payout"], body["advertiser_payin"]
    response = call(tenant_a, "post", URL, body)
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "budget_activities": ["are only applicable for AffiliateEnabled campaigns"]
    }
    assert len(upstream.calls) == 0


def test_a_budget_missing_fields_is_400(tenant_a, connected, upstream):
    body = new_campaign(budget_activities={"periodic_call_cap_alert": {"budget_amount": 10}})
    response = call(tenant_a, "post", URL, body)
    assert response.status_code == 400
    assert set(response.json()["errors"]["budget_activities"]["periodic_call_cap_alert"]) == {
        "reset_period",
        "starts_at",
        "budget_currency",
        "time_zone",
    }
    assert len(upstream.calls) == 0


def test_wrong_json_types_are_400_naming_the_field(tenant_a, connected, upstream):
    response = call(tenant_a, "post", URL, new_campaign(hours=["monday"]))
    assert response.status_code == 400
    assert "hours" in response.json()["errors"]
    response = call(tenant_a, "post", URL, {**new_campaign(), "colour": "blue"})
    assert response.status_code == 400
    assert response.json()["errors"] == {"colour": ["Unknown field."]}


def test_a_missing_network_id_is_400(tenant_a, connected, upstream):
    body = new_campaign()
    del body["id_from_network"]
    response = call(tenant_a, "post", URL, body)
    assert response.json()["errors"] == {"id_from_network": ["can't be blank"]}
    assert len(upstream.calls) == 0


def test_invocas_403_is_400_with_its_field_errors(tenant_a, connected, upstream):
    absent(upstream)
    upstream.post(f"{CAMPAIGNS}.json", status=403, json={"errors": {"url": ["is not a valid URL"]}})
    response = call(tenant_a, "post", URL, new_campaign())
    assert response.status_code == 400
    assert response.json()["errors"] == {"url": ["is not a valid URL"]}
    assert not AdvertiserCampaign.objects.exists()


def test_invocas_tree_403_is_400_in_its_nested_shape(tenant_a, connected, upstream):
    tree_error = {"ivr_tree": {"children": [{"0": {"prompt": ["cannot be empty"]}}]}}
    absent(upstream)
    upstream.post(f"{CAMPAIGNS}.json", status=403, json={"error": tree_error})
    response = call(tenant_a, "post", URL, new_campaign())
    assert (response.status_code, response.json()["errors"]) == (400, tree_error)


def test_an_id_invoca_already_has_is_409_on_the_id_and_nothing_is_sent(
    tenant_a, connected, upstream
):
    made_elsewhere = invoca_record("made-elsewhere", status="Live", name="Colleague's")
    upstream.get(campaign_url("made-elsewhere"), json=made_elsewhere)
    response = call(
        tenant_a, "post", URL, new_campaign(id_from_network="made-elsewhere", name="Dup id test")
    )
    assert response.status_code == 409
    body = response.json()
    assert body["success"] is False
    assert "Refresh from Invoca" in body["message"]
    assert body["errors"] == {"id_from_network": [body["message"]]}
    assert [c.request.method for c in upstream.calls] == ["GET"]
    assert not AdvertiserCampaign.objects.exists()


PAYOUT = {"type": "Base", "currency": "USD", "condition": ""}
BUDGET_CAP = {
    "reset_period": "Monthly",
    "starts_at": "2025-01-01",
    "budget_currency": "USD",
    "time_zone": "UTC",
}


@pytest.mark.parametrize(
    ("overrides", "path"),
    [
        (
            {"affiliate_payout": {"policies": [{**PAYOUT, "amount": "12.345"}]}},
            ("affiliate_payout", "policies", 0, "0", "amount"),
        ),
        (
            {"affiliate_payout": {"policies": [{**PAYOUT, "amount": 0.125}]}},
            ("affiliate_payout", "policies", 0, "0", "amount"),
        ),
        (
            {"advertiser_payin": {"policies": [{**PAYOUT, "amount": "20.001"}]}},
            ("advertiser_payin", "policies", 0, "0", "amount"),
        ),
        (
            {"budget_activities": {"budget_cap_alert": {**BUDGET_CAP, "budget_amount": 999.999}}},
            ("budget_activities", "budget_cap_alert", "budget_amount"),
        ),
        (
            {
                "budget_activities": {
                    "periodic_call_cap_alert": {
                        **BUDGET_CAP,
                        "budget_amount": "10.005",
                    }
                }
            },
            ("budget_activities", "periodic_call_cap_alert", "budget_amount"),
        ),
        (
            {"budget_activities": {"concurrent_call_cap_alert": {"budget_amount": "5.125"}}},
            ("budget_activities", "concurrent_call_cap_alert", "budget_amount"),
        ),
    ],
)
def test_an_amount_with_more_than_2_decimals_is_400_naming_it_and_nothing_is_sent(
    tenant_a, connected, upstream, overrides, path
):
    response = call(tenant_a, "post", URL, new_campaign(**overrides))
    assert response.status_code == 400, response.content
    found = response.json()["errors"]
    for key in path:
        found = found[key]
    assert found == ["must have at most 2 decimal places"]
    named = ".".join(str(key) for key in path if not isinstance(key, int))
    assert response.json()["message"] == f"{named}: must have at most 2 decimal places"
    assert len(upstream.calls) == 0
    assert not AdvertiserCampaign.objects.exists()


def test_a_put_with_an_over_precise_payout_is_400_and_nothing_is_sent(
    tenant_a, connected, upstream
):
    terms = affiliate_terms()
    campaign = make_campaign(tenant_a, future_terms=check_terms(terms))
    policy = {**PAYOUT, "amount": "12.345"}
    response = call(
        tenant_a, "put", f"{URL}/spring-1", {"affiliate_payout": {"policies": [policy]}}
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "affiliate_payout": {
            "policies": [{"0": {"amount": ["must have at most 2 decimal places"]}}]
        }
    }
    assert len(upstream.calls) == 0
    campaign.refresh_from_db()
    assert campaign.future_terms["affiliate_payout"]["policies"][0]["amount"] == 12.5


def put_text(tenant, body: str):
    """PUT a body as it is written (numbers a float would round)."""
    return tenant.admin_client.put(
        f"{URL}/spring-1", body, content_type="application/json", **bearer(tenant.token.raw)
    )


POLICY_PATH = ("affiliate_payout", "policies", 0, "0", "amount")
BUDGET_PATH = ("budget_activities", "concurrent_call_cap_alert", "budget_amount")


@pytest.mark.parametrize(
    ("section", "path", "message"),
    [
        (
            '{"affiliate_payout": {"policies": [{"type": "Base", "currency": "USD",'
            ' "amount": 12.3400000000000001}]}}',
            POLICY_PATH,
            "must have at most 2 decimal places",
        ),
        (
            '{"budget_activities": {"concurrent_call_cap_alert":'
            ' {"budget_amount": 5.0000000000000000001}}}',
            BUDGET_PATH,
            "must have at most 2 decimal places",
        ),
        (
            '{"affiliate_payout": {"policies": [{"type": "Base", "currency": "USD",'
            ' "amount": "-0"}]}}',
            POLICY_PATH,
            "must be greater than or equal to 0",
        ),
        (
            '{"affiliate_payout": {"policies": [{"type": "Base", "currency": "USD",'
            ' "amount": -0.0}]}}',
            POLICY_PATH,
            "must be greater than or equal to 0",
        ),
        (
            '{"budget_activities": {"concurrent_call_cap_alert": {"budget_amount": -1e-400}}}',
            BUDGET_PATH,
            "must be greater than or equal to 0",
        ),
        (
            '{"affiliate_payout": {"policies": [{"type": "Base", "currency": "USD",'
            ' "amount": -0}]}}',
            POLICY_PATH,
            "must be greater than or equal to 0",
        ),
        (
            '{"budget_activities": {"concurrent_call_cap_alert": {"budget_amount": -0}}}',
            BUDGET_PATH,
            "must be greater than or equal to 0",
        ),
        # Numeric strings are ASCII: Decimal() reads Arabic-Indic or fullwidth digits as 3, 15.
        (
            '{"affiliate_payout": {"policies": [{"type": "Base", "currency": "USD",'
            ' "amount": "\u0663"}]}}',
            POLICY_PATH,
            "must be a number",
        ),
        (
            '{"budget_activities": {"concurrent_call_cap_alert":'
            ' {"budget_amount": "\uff11\uff15"}}}',
            BUDGET_PATH,
            "must be a number",
        ),
        (
            '{"affiliate_payout": {"policies": [{"type": "Base", "currency": "USD",'
            ' "amount": "1_000"}]}}',
            POLICY_PATH,
            "must be a number",
        ),
    ],
)
def test_a_put_amount_a_float_would_round_or_a_minus_zero_is_400_and_nothing_is_sent(
    tenant_a, connected, upstream, section, path, message
):
    terms = check_terms(affiliate_terms())
    campaign = make_campaign(tenant_a, future_terms=terms)
    response = put_text(tenant_a, section)
    assert response.status_code == 400, response.content
    found = response.json()["errors"]
    for key in path:
        found = found[key]
    assert found == [message]
    assert len(upstream.calls) == 0
    campaign.refresh_from_db()
    assert campaign.future_terms == terms


def test_a_put_amount_written_with_trailing_zeros_is_sent_as_its_value(
    tenant_a, connected, upstream
):
    make_campaign(tenant_a, future_terms=check_terms(affiliate_terms()))
    upstream.put(campaign_url("spring-1"), json={})
    response = put_text(
        tenant_a,
        '{"affiliate_payout": {"policies": [{"type": "Base", "currency": "USD",'
        ' "amount": 12.340}]}}',
    )
    assert response.status_code == 200, response.content
    sent = json.loads(upstream.calls[0].request.body)
    assert sent["affiliate_payout"]["policies"][0]["amount"] == 12.34
    staged = response.json()["data"]["future_terms"]
    assert staged["affiliate_payout"]["policies"][0]["amount"] == 12.34


def test_list_shows_the_advertisers_campaigns_paginated(tenant_a, connected):
    make_campaign(tenant_a, "a", name="A")
    make_campaign(tenant_a, "b", name="B")
    make_campaign(tenant_a, "c", name="C", advertiser_id_from_network="other")
    response = call(tenant_a, "get", URL + "?per_page=1")
    assert [row["id_from_network"] for row in response.json()["data"]] == ["a"]
    assert response.json()["pagination"]["total"] == 2


def test_put_stages_the_given_properties_and_keeps_the_rest(tenant_a, connected, upstream):
    terms = affiliate_terms()
    campaign = make_campaign(tenant_a, status="live", current_terms=terms, future_terms=terms)
    upstream.put(campaign_url("spring-1"), json={})
    response = call(tenant_a, "put", f"{URL}/spring-1", {"description": "Summer"})
    assert response.status_code == 200, response.content
    sent = json.loads(upstream.calls[0].request.body)
    assert sent["description"] == "Summer"
    assert sent["budget_activities"] == check_terms(terms)["budget_activities"]
    campaign.refresh_from_db()
    assert campaign.future_terms["description"] == "Summer"
    assert campaign.current_terms["description"] == "Spring promotion"
    assert response.json()["data"]["has_staged_changes"] is True


def test_put_turning_a_budgeted_campaign_direct_is_400(tenant_a, connected, upstream):
    terms = affiliate_terms()
    make_campaign(tenant_a, future_terms=terms)
    response = call(
        tenant_a,
        "put",
        f"{URL}/spring-1",
        {"campaign_type": "DirectOnly", "affiliate_payout": None, "advertiser_payin": None},
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "budget_activities": ["are only applicable for AffiliateEnabled campaigns"]
    }
    assert len(upstream.calls) == 0


def test_delete_is_405_you_are_not_allowed(tenant_a, connected, upstream):
    make_campaign(tenant_a)
    response = call(tenant_a, "delete", f"{URL}/spring-1")
    assert response.status_code == 405
    assert response.json()["message"] == "You are not allowed to delete campaigns."
    assert response["Allow"] == "GET, PUT"
    assert AdvertiserCampaign.objects.count() == 1
    assert len(upstream.calls) == 0


def test_go_live_promotes_and_answers_the_campaign(tenant_a, connected, upstream):
    terms = affiliate_terms()
    make_campaign(tenant_a, future_terms=terms)
    upstream.post(
        campaign_url("spring-1", "go_live"),
        json=invoca_record(status="Live", current=terms, future=terms),
    )
    response = call(tenant_a, "post", f"{URL}/spring-1/go_live", {"timeout": 20})
    assert response.status_code == 200
    assert response.json()["data"]["status"] == "live"
    assert response.json()["data"]["current_terms"] == terms
    assert json.loads(upstream.calls[0].request.body) == {"timeout": 20}


@pytest.mark.parametrize("timeout", [1, 61])
def test_go_live_timeout_is_2_to_60(tenant_a, connected, upstream, timeout):
    make_campaign(tenant_a, future_terms=affiliate_terms())
    response = call(tenant_a, "post", f"{URL}/spring-1/go_live", {"timeout": timeout})
    assert response.status_code == 400
    assert "timeout" in response.json()["errors"]
    assert len(upstream.calls) == 0


def test_archive_before_live_is_409(tenant_a, connected, upstream):
    make_campaign(tenant_a)
    response = call(tenant_a, "post", f"{URL}/spring-1/archive")
    assert response.status_code == 409
    assert len(upstream.calls) == 0


def test_archive_then_unarchive(tenant_a, connected, upstream):
    make_campaign(tenant_a, status="live")
    upstream.post(campaign_url("spring-1", "archive"), json={})
    upstream.post(campaign_url("spring-1", "unarchive"), json={})
    assert call(tenant_a, "post", f"{URL}/spring-1/archive").json()["data"]["status"] == "archived"
    assert call(tenant_a, "post", f"{URL}/spring-1/unarchive").json()["data"]["status"] == "paused"


def test_quick_stats(tenant_a, connected, upstream):
    make_campaign(tenant_a, status="live")
    upstream.get(
        campaign_url("spring-1", "quick_stats"),
        json={"stats": {"last_7days": {"call_count": 12, "call_avg_total_duration": 90.0}}},
    )
    response = call(tenant_a, "get", f"{URL}/spring-1/quick_stats")
    assert response.json()["data"]["stats"]["last_7days"] == {
        "call_count": 12,
        "call_avg_total_duration": 90.0,
    }


def test_an_unknown_campaign_is_404(tenant_a, connected, upstream):
    assert call(tenant_a, "get", f"{URL}/nope").status_code == 404


def test_connect_verifies_then_answers_the_connection(tenant_a, upstream):
    upstream.get(f"{BASE}/api/2020-10-01/networks/transactions/{NETWORK}.json", json=[])
    response = call(
        tenant_a,
        "post",
        "/v1/invoca/connection",
        {"network_id": int(NETWORK), "api_token": TOKEN, "base_url": BASE},
    )
    assert response.status_code == 201, response.content
    data = response.json()["data"]
    assert (data["connected"], data["network_id"], data["last4"]) == (True, NETWORK, TOKEN[-4:])
    assert data["webhook_url"].startswith("http://testserver/webhooks/invoca/")
    assert TOKEN not in response.content.decode()


def test_a_refused_token_is_400_on_api_token(tenant_a, upstream):
    upstream.get(f"{BASE}/api/2020-10-01/networks/transactions/{NETWORK}.json", status=401, json={})
    response = call(
        tenant_a,
        "post",
        "/v1/invoca/connection",
        {"network_id": NETWORK, "api_token": "x", "base_url": BASE},
    )
    assert response.status_code == 400
    assert "api_token" in response.json()["errors"]
    assert not InvocaConnection.objects.exists()


def test_a_network_another_account_has_connected_is_refused_and_nothing_changes(
    tenant_a, tenant_b, upstream
):
    """One network's calls and campaigns belong to one account."""
    connect(tenant_b)
    verify = upstream.get(f"{BASE}/api/2020-10-01/networks/transactions/{NETWORK}.json", json=[])
    response = call(
        tenant_a,
        "post",
        "/v1/invoca/connection",
        {"network_id": NETWORK, "api_token": TOKEN, "base_url": "https://other.invoca.test"},
    )
    assert response.status_code == 400
    assert "already connected to another CampaignHub account" in response.json()["message"]
    assert not InvocaConnection.objects.filter(account=tenant_a.account).exists()
    assert verify.call_count == 0
    # Once the other account lets it go, it may be connected here.
    InvocaConnection.objects.filter(account=tenant_b.account).update(deleted_at=timezone.now())
    response = call(
        tenant_a,
        "post",
        "/v1/invoca/connection",
        {"network_id": NETWORK, "api_token": TOKEN, "base_url": BASE},
    )
    assert response.status_code == 201, response.content


def test_members_cannot_change_the_connection(tenant_a, connected):
    response = tenant_a.member_client.delete(
        "/v1/invoca/connection", content_type="application/json"
    )
    assert response.status_code == 403
    assert InvocaConnection.objects.get().deleted_at is None


def test_members_read_campaigns_but_cannot_change_them(tenant_a, connected, upstream):
    terms = check_terms(affiliate_terms())
    make_campaign(tenant_a, status="paused", current_terms=terms, future_terms=terms)
    member = tenant_a.member_client
    assert member.get(f"{URL}/spring-1").json()["data"]["status"] == "paused"
    for method, path, body in [
        ("post", URL, new_campaign(id_from_network="summer-1")),
        ("put", f"{URL}/spring-1", {"description": "Changed"}),
        ("post", f"{URL}/spring-1/go_live", {"timeout": 20}),
        ("post", f"{URL}/spring-1/archive", {}),
        ("post", f"{URL}/spring-1/unarchive", {}),
    ]:
        response = getattr(member, method)(path, json.dumps(body), content_type="application/json")
        assert response.status_code == 403, path
        assert response.json()["success"] is False
    assert len(upstream.calls) == 0
    campaign = AdvertiserCampaign.objects.get()
    assert (campaign.status, campaign.future_terms["description"]) == (
        "paused",
        terms["description"],
    )


def test_disconnect(tenant_a, connected):
    assert call(tenant_a, "delete", "/v1/invoca/connection").json()["data"]["connected"] is False
    assert call(tenant_a, "delete", "/v1/invoca/connection").status_code == 400


def test_one_400_lists_every_error(tenant_a, connected, upstream):
    # A missing id, a bad payout condition and a budget cap with only its amount: all at once.
    body = new_campaign(
        name="",
        budget_activities={"budget_cap_alert": {"budget_amount": 100}},
        affiliate_payout={
            "policies": [
                {"type": "Base", "currency": "USD", "amount": 5, "condition": "duration >= 1 and"}
            ]
        },
    )
    del body["id_from_network"]
    response = call(tenant_a, "post", URL, body)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["id_from_network"] == ["can't be blank"]
    assert errors["name"] == ["can't be blank"]
    assert errors["affiliate_payout"]["policies"][0]["0"]["condition"]
    assert set(errors["budget_activities"]["budget_cap_alert"]) == {
        "reset_period",
        "starts_at",
        "budget_currency",
        "time_zone",
    }
    assert len(upstream.calls) == 0
    assert not AdvertiserCampaign.objects.exists()


def test_a_member_is_not_told_a_campaign_they_cannot_see(tenant_a, connected):
    from tests.campaigns.factories import make_campaign as make_inbound

    inbound = make_inbound(tenant_a, campaign_name="Admins only calls")
    make_campaign(tenant_a, status="live", inbound_campaign=inbound)
    member = tenant_a.member_client
    for answer in (member.get(f"{URL}/spring-1").json()["data"], member.get(URL).json()["data"][0]):
        assert answer["inbound_campaign_id"] is None
        assert answer["inbound_campaign_hidden"] is True
        assert "Admins only calls" not in json.dumps(answer)
    admin = call(tenant_a, "get", f"{URL}/spring-1").json()["data"]
    assert (admin["inbound_campaign_id"], admin["inbound_campaign_hidden"]) == (inbound.pk, False)


def test_a_member_is_told_their_own_linked_campaign(tenant_a, connected):
    from tests.campaigns.factories import make_campaign as make_inbound

    inbound = make_inbound(tenant_a, owner=tenant_a.member, campaign_name="Member's calls")
    make_campaign(tenant_a, status="live", inbound_campaign=inbound)
    answer = tenant_a.member_client.get(URL).json()["data"][0]
    assert (answer["inbound_campaign_id"], answer["inbound_campaign_hidden"]) == (inbound.pk, False)
    unlinked = make_campaign(tenant_a, "summer-1")
    answer = tenant_a.member_client.get(f"{URL}/{unlinked.id_from_network}").json()["data"]
    assert (answer["inbound_campaign_id"], answer["inbound_campaign_hidden"]) == (None, False)


TRANSACTIONS = f"{BASE}/api/2020-10-01/networks/transactions/{NETWORK}.json"


def test_an_address_answering_404_is_400_on_base_url_not_a_missing_route(tenant_a, upstream):
    """Our own address, say: its 404 is the address's problem, never the API's "Not found"."""
    upstream.get(TRANSACTIONS, status=404, body="<h1>Not Found</h1>", content_type="text/html")
    response = call(
        tenant_a,
        "post",
        "/v1/invoca/connection",
        {"network_id": NETWORK, "api_token": TOKEN, "base_url": BASE},
    )
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["message"].startswith("This address is not Invoca's API: it answered 404")
    assert list(body["errors"]) == ["base_url"]
    assert not InvocaConnection.objects.exists()


def test_a_403_that_invoca_did_not_write_blames_the_address_not_the_token(tenant_a, upstream):
    """A proxy's or firewall's plain-text 403 says nothing about the token."""
    upstream.get(TRANSACTIONS, status=403, body="denied destination", content_type="text/plain")
    response = call(
        tenant_a,
        "post",
        "/v1/invoca/connection",
        {"network_id": NETWORK, "api_token": TOKEN, "base_url": BASE},
    )
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert list(errors) == ["base_url"]
    assert "403 with something that is not JSON" in errors["base_url"][0]
    assert not InvocaConnection.objects.exists()


def test_invocas_own_403_still_refuses_the_token(tenant_a, upstream):
    upstream.get(TRANSACTIONS, status=403, json={"errors": {"class": "Forbidden"}})
    response = call(
        tenant_a,
        "post",
        "/v1/invoca/connection",
        {"network_id": NETWORK, "api_token": TOKEN, "base_url": BASE},
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["api_token"]


@pytest.mark.parametrize(
    "base_url", ["http://169.254.169.254/", "http://[fe80::1]/", "http://[::ffff:169.254.169.254]/"]
)
def test_a_link_local_address_is_refused_on_base_url_and_nothing_is_sent(
    tenant_a, upstream, base_url
):
    response = call(
        tenant_a,
        "post",
        "/v1/invoca/connection",
        {"network_id": NETWORK, "api_token": TOKEN, "base_url": base_url},
    )
    assert response.status_code == 400, response.content
    assert "link-local address" in response.json()["errors"]["base_url"][0]
    assert not InvocaConnection.objects.exists()


def test_a_name_resolving_to_a_link_local_address_is_refused_when_connecting(
    tenant_a, upstream, monkeypatch
):
    monkeypatch.setattr(
        "socket.getaddrinfo", lambda *a, **k: [(2, 1, 6, "", ("169.254.169.254", 0))]
    )
    response = call(
        tenant_a,
        "post",
        "/v1/invoca/connection",
        {"network_id": NETWORK, "api_token": TOKEN, "base_url": "http://metadata.example"},
    )
    assert response.status_code == 400, response.content
    assert "link-local address" in response.json()["errors"]["base_url"][0]
    assert not InvocaConnection.objects.exists()


def test_loopback_and_private_addresses_stay_allowed(tenant_a, upstream):
    """The sandbox and on-premises upstreams live there."""
    for base_url in ("http://127.0.0.1:8001/invoca", "http://10.0.0.5/invoca"):
        upstream.get(f"{base_url}/api/2020-10-01/networks/transactions/{NETWORK}.json", json=[])
        response = call(
            tenant_a,
            "post",
            "/v1/invoca/connection",
            {"network_id": NETWORK, "api_token": TOKEN, "base_url": base_url},
        )
        assert response.status_code == 201, response.content


@pytest.mark.parametrize("query", ["from=2025-13-01", "from=2025-01-01", "period=today", "x="])
def test_quick_stats_refuse_a_date_or_filter_rather_than_answer_unfiltered(
    tenant_a, connected, upstream, query
):
    """Invoca fixes the periods; nothing is asked of it for a refused query."""
    make_campaign(tenant_a)
    response = call(tenant_a, "get", f"{URL}/spring-1/quick_stats?{query}")
    assert response.status_code == 400, response.content
    key = query.split("=")[0]
    body = response.json()
    assert body["errors"] == {key: ["Unknown query parameter."]}
    assert body["message"] == (
        f"Unknown query parameter: {key}. Quick stats take no query parameters: they are "
        "always today, the last 7 days and the last 30 days, as Invoca counts them."
    )
