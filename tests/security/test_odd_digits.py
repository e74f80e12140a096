"""Ids written with digits `int()` refuses ("²" is a digit to `str.isdigit`) or too many of them
are refused like any bad id: a form error, a 400, a 404 or the default, never a 500."""

import json

import pytest
import responses
from django.core.exceptions import ValidationError
from django.test import Client

from campaignhub.cleaning import id_or_none
from campaignhub.fields import DigitsIntegerField
from campaigns.models import Lead, LeadSource
from crm.models import Pipeline
from tests.callrail.conftest import API, connect
from tests.callrail.conftest import page as callrail_page
from tests.campaigns.factories import make_campaign
from tests.deals.conftest import capture, deal_campaign
from tests.dialer.conftest import make_campaign as make_dialer_campaign
from tests.factories import bearer

pytestmark = pytest.mark.django_db

ODD = ["²", "٣", "99999999999999999999", "1" * 19]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12", 12),
        (" 7 ", 7),
        (7, 7),
        ("²", None),
        ("٣", None),
        ("1" * 19, None),
        ("-1", None),
        ("", None),
        (None, None),
        ("1.5", None),
    ],
)
def test_id_or_none(value, expected):
    assert id_or_none(value) == expected


@pytest.mark.parametrize("odd", ODD)
def test_pages_take_an_odd_page_or_id_as_none_given(tenant_a, odd):
    campaign = make_campaign(tenant_a)
    dialer = make_dialer_campaign(tenant_a)
    client = tenant_a.admin_client
    for path in ("/campaigns/", "/contacts/", "/leads/"):
        assert client.get(path, {"page": odd}).status_code == 200, path
    assert client.get(f"/dialer/campaigns/{dialer.ref}/", {"upload": odd}).status_code == 200
    checks = client.post(f"/campaigns/checks/?campaign={odd}", {"campaign_name": "X"})
    assert checks.status_code == 200
    assert client.get(f"/campaigns/{campaign.pk}/").status_code == 200


@pytest.mark.parametrize("odd", ODD)
def test_account_choices_with_odd_ids_are_refused_politely(tenant_a, odd):
    client = tenant_a.admin_client
    switched = client.post("/account/switch/", {"account": odd}, follow=True)
    assert "You are not a member of that account." in switched.content.decode()
    refused = client.post("/campaigns/checks/", {"campaign_name": "X"}, HTTP_X_ACCOUNT=odd)
    assert refused.status_code == 302
    followed = client.get(refused.url).content.decode()
    assert "This page was for an account you are no longer a member of." in followed


@pytest.mark.parametrize("odd", ODD)
def test_deal_forms_refuse_an_odd_stage_or_owner(tenant_a, odd):
    deal = capture(deal_campaign(tenant_a)).deal
    client = tenant_a.admin_client
    moved = client.post(f"/deals/{deal.pk}/move/", {"stage": odd})
    assert moved.status_code == 302  # back to the board, with the form's message
    for field in ("stage", "owner"):
        page = client.post(f"/deals/{deal.pk}/", {"stage": deal.stage_id, field: odd})
        assert page.status_code == 400, field
    deal.refresh_from_db()
    assert deal.stage.name == "New"


@pytest.mark.parametrize("odd", ODD[:2])
def test_campaign_api_refuses_an_odd_invoca_campaign(tenant_a, odd):
    body = {
        "campaigndata": {
            "campaign_name": "Calls",
            "integration": "invoca",
            "invoca_campaign_id": odd,
        }
    }
    response = Client(**bearer(tenant_a.token.raw)).post(
        "/v1/campaigns", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["success"] is False


# A page number in another script's digits: int() reads each as 2.
OTHER_SCRIPT_TWOS = ["٢", "\uff12", "२"]  # Arabic-Indic, fullwidth, Devanagari


def _leads(tenant, count):
    campaign = make_campaign(tenant, integration="webhook")
    Lead.objects.bulk_create(
        Lead(
            account=tenant.account,
            campaign=campaign,
            source=LeadSource.WEBHOOK,
            external_id=f"odd-{n}",
            phone=f"+1415555{n:04d}",
        )
        for n in range(count)
    )


@pytest.mark.parametrize("two", OTHER_SCRIPT_TWOS)
def test_a_page_list_takes_a_page_in_other_digits_as_none_given(tenant_a, two):
    _leads(tenant_a, 30)
    client = tenant_a.admin_client
    assert client.get("/leads/", {"page": "2"}).context["page_obj"].number == 2
    shown = client.get("/leads/", {"page": two})
    assert shown.status_code == 200
    assert shown.context["page_obj"].number == 1


@pytest.mark.parametrize("two", OTHER_SCRIPT_TWOS)
@pytest.mark.parametrize("key", ["page", "per_page"])
def test_api_lists_refuse_a_page_in_other_digits(tenant_a, two, key):
    _leads(tenant_a, 30)
    response = Client(**bearer(tenant_a.token.raw)).get("/v1/leads", {key: two})
    assert response.status_code == 400
    message = f"{key} must be a positive integer, written in digits 0-9."
    assert response.json()["message"] == message
    assert response.json()["errors"] == {key: ["Must be a positive integer, in digits 0-9."]}


@pytest.mark.parametrize("two", OTHER_SCRIPT_TWOS)
def test_callrail_lists_take_no_page_in_other_digits(tenant_a, two):
    connect(tenant_a)
    with responses.RequestsMock() as upstream:
        refused = Client(**bearer(tenant_a.token.raw)).get("/v1/e/callrail/accounts", {"page": two})
        assert refused.status_code == 400
        assert refused.json()["message"] == "Enter a whole number in digits 0-9."
        assert not upstream.calls
        upstream.get(f"{API}/a.json", json=callrail_page("accounts", []))
        assert tenant_a.admin_client.get("/callrail/accounts/", {"page": two}).status_code == 200
        assert upstream.calls[0].request.params["page"] == "1"


@pytest.mark.parametrize("three", ["٣", "\uff13"])
def test_id_filters_refuse_an_id_in_other_digits(tenant_a, three):
    """`?campaign=٣` is not campaign 3: int() alone would read it so."""
    api = Client(**bearer(tenant_a.token.raw))
    leads = api.get("/v1/leads", {"campaign": three})
    assert leads.status_code == 400
    assert leads.json()["errors"] == {"campaign": ["Enter a whole number in digits 0-9."]}
    for key in ("pipeline", "stage", "owner"):
        deals = api.get("/v1/deals", {key: three})
        assert deals.status_code == 400, key
        assert deals.json()["errors"] == {key: ["Enter a whole number in digits 0-9."]}


def _fullwidth(number):
    return "".join(chr(0xFF10 + int(digit)) for digit in str(number))


def _arabic_indic(number):
    return "".join(chr(0x0660 + int(digit)) for digit in str(number))


def _not_ascii_digits(number):
    """`number` written so that int() reads it as `number` but it is not ASCII digits alone."""
    return [
        f"+{number}",
        f"0_{number}",
        f"{number}.0",
        f"{number}.",
        _fullwidth(number),
        _arabic_indic(number),
    ]


DIGITS_ONLY = "Enter a whole number in digits 0-9."


@pytest.mark.parametrize("written", [*_not_ascii_digits(1), "-1", "1 1", "1e0", "\u00b9"])
def test_the_digits_field_takes_ascii_digits_alone(written):
    field = DigitsIntegerField(required=False, min_value=1)
    with pytest.raises(ValidationError) as refused:
        field.clean(written)
    assert refused.value.messages == [DIGITS_ONLY]


@pytest.mark.parametrize(
    ("written", "read"), [("7", 7), (" 7 ", 7), ("007", 7), ("", None), ("  ", None), (7, 7)]
)
def test_the_digits_field_reads_ascii_digits_around_spaces_stripped(written, read):
    assert DigitsIntegerField(required=False).clean(written) == read


def test_the_digits_field_says_too_many_digits_is_too_large():
    field = DigitsIntegerField(required=False, max_value=10)
    with pytest.raises(ValidationError) as refused:
        field.clean("9" * 5000)
    assert refused.value.messages == ["Ensure this value is less than or equal to 10."]


def test_report_filters_refuse_ids_not_in_ascii_digits(tenant_a):
    """A fullwidth `?campaign=1` was read by the form's queryset lookup as campaign 1."""
    campaign = make_campaign(tenant_a)
    api = Client(**bearer(tenant_a.token.raw))
    client = tenant_a.admin_client
    assert client.get("/reports/", {"campaign": str(campaign.pk)}).status_code == 200
    for key, pk in (("campaign", campaign.pk), ("representative", tenant_a.member.pk)):
        for odd in _not_ascii_digits(pk):
            page = client.get("/reports/", {key: odd})
            assert page.status_code == 400, (key, odd)
            assert page.context["form"].errors[key] == [DIGITS_ONLY]
            answer = api.get("/v1/reports/leads", {key: odd})
            assert answer.status_code == 400, (key, odd)
            assert answer.json()["success"] is False
            assert answer.json()["errors"] == {key: [DIGITS_ONLY]}


def test_lead_filters_refuse_ids_not_in_ascii_digits(tenant_a):
    campaign = make_campaign(tenant_a)
    api = Client(**bearer(tenant_a.token.raw))
    client = tenant_a.admin_client
    for odd in _not_ascii_digits(campaign.pk):
        page = client.get("/leads/", {"campaign": odd})
        assert page.status_code == 400, odd
        assert page.context["form"].errors["campaign"] == [DIGITS_ONLY]
        assert client.get("/leads/export/", {"campaign": odd}).status_code == 400, odd
        answer = api.get("/v1/leads", {"campaign": odd})
        assert answer.status_code == 400, odd
        assert answer.json()["errors"] == {"campaign": [DIGITS_ONLY]}


def test_deal_filters_refuse_ids_not_in_ascii_digits(tenant_a):
    deal = capture(deal_campaign(tenant_a)).deal
    api = Client(**bearer(tenant_a.token.raw))
    asked = {"pipeline": deal.pipeline_id, "stage": deal.stage_id, "owner": tenant_a.admin.pk}
    for key, pk in asked.items():
        for odd in _not_ascii_digits(pk):
            answer = api.get("/v1/deals", {key: odd})
            assert answer.status_code == 400, (key, odd)
            assert answer.json()["errors"] == {key: [DIGITS_ONLY]}


def test_the_board_refuses_a_pipeline_not_in_ascii_digits(tenant_a):
    """The board names a pipeline it cannot read, as the lists do, and shows no deals;
    `?pipeline=+<id>` was read as that pipeline."""
    capture(deal_campaign(tenant_a))
    other = Pipeline.objects.create(account=tenant_a.account, name="Other", position=9)
    client = tenant_a.admin_client
    assert client.get("/deals/", {"pipeline": str(other.pk)}).context["pipeline"] == other
    for odd in _not_ascii_digits(other.pk):
        shown = client.get("/deals/", {"pipeline": odd})
        assert shown.status_code == 400, odd
        assert f"Pipeline: {DIGITS_ONLY}" in shown.content.decode(), odd
        assert shown.context["columns"] == []


def test_a_merge_choice_not_in_ascii_digits_is_refused(tenant_a):
    ann = capture(deal_campaign(tenant_a), name="Ann Lee", phone="+14155550182").contact
    bob = capture(deal_campaign(tenant_a, name="Solar"), name="Bob Ray", phone="+14155550183")
    for odd in _not_ascii_digits(bob.contact.pk):
        merged = tenant_a.admin_client.post(f"/contacts/{ann.pk}/merge/", {"into": odd})
        assert merged.status_code == 400, odd
    bob.contact.refresh_from_db()
    assert bob.contact.merged_into_id is None
