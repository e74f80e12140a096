"""`/v1/deals`: list with filters and pages, one deal, PATCH of stage / value / owner; bad
input is a 400 that changes nothing."""

import pytest

from campaignhub import services as platform
from crm import deals, pipelines
from crm.models import Deal
from tests.deals.conftest import Api, capture, deal_campaign, money, sales, stage

pytestmark = pytest.mark.django_db


@pytest.fixture
def three(tenant_a):
    campaign = deal_campaign(tenant_a)
    made = [Deal.objects.get(lead=capture(campaign, name=name)) for name in ("A", "B", "C")]
    deals.move_deal(deal=made[1], stage=stage(tenant_a, "Won"))
    deals.update_deal(deal=made[2], changes={"owner": tenant_a.admin})
    return made


def test_list_is_paginated_newest_first(api, three):
    response = api.get("/v1/deals", per_page=2)
    body = response.json()
    assert response.status_code == 200
    assert [d["title"] for d in body["data"]] == ["C", "B"]
    assert body["pagination"] == {"page": 1, "per_page": 2, "total": 3, "total_pages": 2}
    assert [d["title"] for d in api.get("/v1/deals", per_page=2, page=2).json()["data"]] == ["A"]


def test_list_filters_by_pipeline_stage_and_owner(api, tenant_a, three):
    won = stage(tenant_a, "Won")
    assert [d["title"] for d in api.get("/v1/deals", stage=won.pk).json()["data"]] == ["B"]
    owned = api.get("/v1/deals", owner=tenant_a.admin.pk).json()["data"]
    assert [d["title"] for d in owned] == ["C"]
    renewals = pipelines.create_pipeline(account=tenant_a.account, name="Renewals")
    assert api.get("/v1/deals", pipeline=renewals.pk).json()["data"] == []
    assert len(api.get("/v1/deals", pipeline=sales(tenant_a).pk).json()["data"]) == 3


def test_a_bad_filter_is_a_400(api, three):
    response = api.get("/v1/deals", owner="me")
    assert response.status_code == 400
    assert response.json()["errors"] == {"owner": ["Enter a whole number in digits 0-9."]}


def test_a_filter_naming_what_the_account_does_not_have_is_a_400(api, tenant_b, three):
    theirs = sales(tenant_b)
    cases = {
        "pipeline": (theirs.pk, "Choose one of this account's pipelines."),
        "stage": (theirs.stages.first().pk, "Choose a stage of this account's pipelines."),
        "owner": (tenant_b.admin.pk, "Choose a member of this account."),
    }
    for name, (value, message) in cases.items():
        response = api.get("/v1/deals", **{name: value})
        assert response.status_code == 400, name
        assert response.json()["errors"] == {name: [message]}
    assert api.get("/v1/deals", pipeline=999999).status_code == 400


def test_one_deal_in_full(api, tenant_a, three):
    deal = three[1]
    data = api.get(f"/v1/deals/{deal.pk}").json()["data"]
    assert data["id"] == deal.pk and data["title"] == "B"
    assert data["pipeline"] == {"id": sales(tenant_a).pk, "name": "Sales"}
    assert data["stage"] == {"id": stage(tenant_a, "Won").pk, "name": "Won", "kind": "won"}
    assert (data["value"], data["currency"]) == (1500.0, "USD")
    assert data["owner"] == {"id": tenant_a.member.pk, "name": "Acme Agency Member"}
    assert data["lead"] == deal.lead_id
    assert data["campaign"]["campaign_name"] == "Roofing"
    assert data["won_at"] is not None and data["closed_at"] is not None
    assert api.get("/v1/deals/999999").status_code == 404


def test_patch_moves_to_won_and_records_the_revenue(api, tenant_a, three):
    deal = three[0]
    response = api.patch(
        f"/v1/deals/{deal.pk}", {"stage": stage(tenant_a, "Won").pk, "value": 1999.5}
    )
    assert response.status_code == 200, response.json()
    data = response.json()["data"]
    assert data["stage"]["name"] == "Won" and data["value"] == 1999.5
    deal.lead.refresh_from_db()
    assert (deal.lead.status, deal.lead.revenue) == ("won", money("1999.50"))


def test_patch_changes_the_owner_and_clears_the_value(api, tenant_a, three):
    deal = three[0]
    data = api.patch(f"/v1/deals/{deal.pk}", {"owner": tenant_a.admin.pk, "value": None}).json()
    assert data["data"]["owner"]["id"] == tenant_a.admin.pk and data["data"]["value"] is None
    data = api.patch(f"/v1/deals/{deal.pk}", {"owner": None}).json()
    assert data["data"]["owner"] is None


def _bad_bodies(tenant_a, tenant_b):
    renewals = pipelines.create_pipeline(account=tenant_a.account, name="Renewals")
    return [
        (
            {"stage": renewals.stages.get(name="Won").pk},
            "stage",
            "Choose a stage of this deal's pipeline.",
        ),
        ({"stage": stage(tenant_b, "Won").pk}, "stage", "Choose a stage of this deal's pipeline."),
        ({"stage": 2**70}, "stage", "Choose a stage of this deal's pipeline."),
        ({"owner": tenant_b.admin.pk}, "owner", "The owner must be a member of the account."),
        ({"value": -1}, "value", "Ensure this value is greater than or equal to 0."),
        ({"stage": "3"}, "stage", "Must be an integer."),
        ({"stage": None}, "stage", "Must be an integer."),
        ({"value": "12"}, "value", "Must be a number."),
        ({"title": "x"}, "title", "Unknown field."),
    ]


def test_bad_patches_are_400s_that_change_nothing(api, tenant_a, tenant_b, three):
    deal = three[0]
    lead = deal.lead
    for body, field, message in _bad_bodies(tenant_a, tenant_b):
        response = api.patch(f"/v1/deals/{deal.pk}", {**body, "value": body.get("value", 10)})
        assert response.status_code == 400, body
        payload = response.json()
        assert payload["success"] is False and payload["errno"] == 400
        assert message in payload["errors"][field], (body, payload)
        deal.refresh_from_db()
        assert (deal.stage.name, deal.value, deal.owner) == ("New", money("1500"), tenant_a.member)
        lead.refresh_from_db()
        assert (lead.status, lead.revenue) == ("new", None)


# JSON numbers as written in the body: a float would round the first to 100.0 and the next
# three to 0.0 (the last two keeping a minus sign that compares equal to 0).
@pytest.mark.parametrize(
    "written, message",
    [
        ("100.000000000000001", "Ensure that there are no more than 2 decimal places."),
        ("1e-400", "Ensure that there are no more than 2 decimal places."),
        ("-1e-400", "Ensure this value is greater than or equal to 0."),
        ("-0.0", "Ensure this value is greater than or equal to 0."),
        ("-0", "Ensure this value is greater than or equal to 0."),
    ],
)
def test_a_value_is_read_as_written_so_one_a_float_would_round_is_a_400(
    api, three, written, message
):
    deal = three[0]
    response = api.patch(f"/v1/deals/{deal.pk}", f'{{"value": {written}}}')
    assert response.status_code == 400
    assert response.json()["errors"] == {"value": [message]}
    assert response.json()["message"] == message
    deal.refresh_from_db()
    assert deal.value == money("1500")


@pytest.mark.parametrize(
    "written, stored", [("19.990", "19.99"), ("1e2", "100"), ("0", "0"), ("0.10", "0.1")]
)
def test_a_value_with_trailing_zeros_or_an_exponent_is_stored_and_answered_as_a_number(
    api, three, written, stored
):
    deal = three[0]
    response = api.patch(f"/v1/deals/{deal.pk}", f'{{"value": {written}}}')
    assert response.status_code == 200, response.content
    assert response.json()["data"]["value"] == float(stored)
    deal.refresh_from_db()
    assert deal.value == money(stored)


def test_a_member_token_sees_only_their_deals(tenant_a, three):
    stranger = platform.add_member(account=tenant_a.account, email="s@acme.test").user
    token = platform.issue_token(account=tenant_a.account, user=stranger, name="s")
    assert Api(token.raw).get("/v1/deals").json()["data"] == []
    assert Api(token.raw).get(f"/v1/deals/{three[0].pk}").status_code == 404


def test_patch_out_of_won_clears_the_revenue_typed_on_the_lead_as_documented(api, tenant_a):
    from campaigns import outcomes

    lead = capture(deal_campaign(tenant_a, currency="EUR"))
    deal = deals.move_deal(deal=Deal.objects.get(lead=lead), stage=stage(tenant_a, "Won"))
    outcomes.set_outcome(lead=lead, revenue="300")
    response = api.patch(f"/v1/deals/{deal.pk}", {"stage": stage(tenant_a, "Contacted").pk})
    assert response.status_code == 200, response.json()
    lead.refresh_from_db()
    assert (lead.status, lead.revenue) == ("contacted", None)
