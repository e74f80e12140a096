"""Terms checks before anything is sent: every property of the reference table [004], budgets
and payouts only for AffiliateEnabled campaigns, and errors in Invoca's nested shape."""

import json

import pytest

from invoca.forms import CampaignForm, clean_campaign, editable_terms
from invoca.schemas import TermsInvalid, check_terms
from tests.invoca.conftest import affiliate_terms, menu_connect_tree


def errors_of(terms, **kwargs):
    with pytest.raises(TermsInvalid) as caught:
        clean_campaign(
            name=kwargs.pop("name", "Spring"),
            terms=terms,
            custom_data=kwargs.pop("custom_data", {}),
        )
    return caught.value.errors


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("\u202eevil", "evil"),
        ("a\x1b[31mred", "a[31mred"),
        ("x\ny", "x y"),
        (" \u3164Spring", "Spring"),
    ],
)
def test_a_campaign_name_is_cleaned_as_every_name_is(sent, kept):
    assert clean_campaign(name=sent, terms=affiliate_terms(), custom_data={}).name == kept


@pytest.mark.parametrize("blank", ["\u200b", "\u202e", "\u3164\u2800"])
def test_a_campaign_name_that_draws_nothing_is_blank(blank):
    assert errors_of(affiliate_terms(), name=blank)["name"] == ["can't be blank"]


def test_a_full_affiliate_campaign_is_accepted_and_normalised():
    clean = clean_campaign(name=" Spring ", terms=affiliate_terms(), custom_data={"channel": 7})
    assert clean.name == "Spring"
    assert clean.custom_data == {"channel": "7"}
    assert clean.terms["affiliate_payout"]["policies"][0] == {
        "type": "Base",
        "currency": "USD",
        "amount": 12.5,
        "condition": "duration > 60",
    }
    assert clean.terms["hours"]["monday_open"] == 32400
    assert clean.terms["budget_activities"]["budget_cap_alert"]["include_call_fees"] is False


@pytest.mark.parametrize("campaign_type", ["DirectOnly", "ExternalOnly"])
@pytest.mark.parametrize(
    "budget",
    [
        {"concurrent_call_cap_alert": {"budget_amount": 5}},
        {
            "periodic_call_cap_alert": {
                "reset_period": "Weekly",
                "starts_at": "2025-01-01",
                "budget_currency": "USD",
                "time_zone": "UTC",
                "budget_amount": 100,
            }
        },
    ],
)
def test_budgets_are_refused_unless_affiliate_enabled(campaign_type, budget):
    terms = affiliate_terms(campaign_type=campaign_type, budget_activities=budget)
    del terms["affiliate_payout"], terms["advertiser_payin"]
    assert errors_of(terms) == {
        "budget_activities": ["are only applicable for AffiliateEnabled campaigns"]
    }


def test_payouts_and_payins_are_refused_unless_affiliate_enabled():
    terms = affiliate_terms(campaign_type="DirectOnly")
    del terms["budget_activities"]
    errors = errors_of(terms)
    assert errors["affiliate_payout"] == ["are only applicable for AffiliateEnabled campaigns"]
    assert errors["advertiser_payin"] == ["are only applicable for AffiliateEnabled campaigns"]


def test_a_direct_campaign_without_budgets_is_fine():
    terms = affiliate_terms(campaign_type="DirectOnly")
    for key in ("budget_activities", "affiliate_payout", "advertiser_payin"):
        del terms[key]
    assert clean_campaign(name="Direct", terms=terms, custom_data={}).terms["campaign_type"] == (
        "DirectOnly"
    )


@pytest.mark.parametrize(
    ("kind", "missing"),
    [
        (
            "budget_cap_alert",
            ["reset_period", "starts_at", "budget_currency", "time_zone", "budget_amount"],
        ),
        (
            "periodic_call_cap_alert",
            ["reset_period", "starts_at", "budget_currency", "time_zone", "budget_amount"],
        ),
        ("concurrent_call_cap_alert", ["budget_amount"]),
    ],
)
def test_each_budget_names_its_required_fields(kind, missing):
    errors = errors_of(affiliate_terms(budget_activities={kind: {}}))
    assert errors == {"budget_activities": {kind: {name: ["can't be blank"] for name in missing}}}


@pytest.mark.parametrize(
    ("kind", "field", "value"),
    [
        ("budget_cap_alert", "reset_period", "Yearly"),
        ("budget_cap_alert", "budget_currency", "CAD"),
        ("budget_cap_alert", "time_zone", "Hawaii"),
        ("periodic_call_cap_alert", "time_zone", "London"),  # London only for budget caps
        ("budget_cap_alert", "starts_at", "next monday"),
        ("budget_cap_alert", "budget_amount", -1),
    ],
)
def test_budget_enums_and_values_are_checked(kind, field, value):
    budget = {
        "reset_period": "Daily",
        "starts_at": "2025-01-01",
        "budget_currency": "USD",
        "time_zone": "UTC",
        "budget_amount": 10,
        field: value,
    }
    errors = errors_of(affiliate_terms(budget_activities={kind: budget}))
    assert list(errors["budget_activities"][kind]) == [field]


@pytest.mark.parametrize("amount", ["12.345", 0.125, "0.005", 12.3456])
def test_an_amount_with_more_than_2_decimals_is_refused_not_rounded(amount):
    payout = {"type": "Base", "currency": "USD", "amount": amount}
    errors = errors_of(affiliate_terms(affiliate_payout={"policies": [payout]}))
    assert errors == {
        "affiliate_payout": {
            "policies": [{"0": {"amount": ["must have at most 2 decimal places"]}}]
        }
    }


@pytest.mark.parametrize(("amount", "sent"), [("12.34", 12.34), ("12.340", 12.34), (12.5, 12.5)])
def test_an_amount_with_2_decimals_or_fewer_is_taken(amount, sent):
    payout = {"type": "Base", "currency": "USD", "amount": amount}
    terms = check_terms(affiliate_terms(affiliate_payout={"policies": [payout]}))
    assert terms["affiliate_payout"]["policies"][0]["amount"] == sent


def test_london_is_a_budget_cap_zone():
    budget = {
        "reset_period": "Ongoing",
        "starts_at": "2025-02-01",
        "budget_currency": "GBP",
        "time_zone": "London",
        "budget_amount": "250.5",
        "include_call_fees": True,
    }
    terms = check_terms(affiliate_terms(budget_activities={"budget_cap_alert": budget}))
    assert terms["budget_activities"]["budget_cap_alert"]["budget_amount"] == 250.5


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("campaign_type", "Publisher", "is not included in the list"),
        ("campaign_language", "German", "is not included in the list"),
        ("campaign_country", "GB", "is not included in the list"),
        ("timezone", "America/New_York", "is not included in the list"),
        ("auto_approve", "Some", "is not included in the list"),
        ("visibility", "Everyone", "is not included in the list"),
        ("operating_24_7", "yes", "must be true or false"),
        ("url", "ftp://x", "must be an http(s) URL"),
        ("default_creative_id_from_network", "12", "must be an integer"),
    ],
)
def test_top_level_properties_are_checked(field, value, message):
    assert errors_of(affiliate_terms(**{field: value})) == {field: [message]}


@pytest.mark.parametrize(
    "country",
    ["US", "CA", "UK", "AU", "CN", "FI", "FR", "DE", "HK", "IT", "JP", "NL", "SG", "SE", "CH"],
)
def test_the_fifteen_countries_are_accepted(country):
    assert check_terms(affiliate_terms(campaign_country=country))["campaign_country"] == country


def test_rails_zone_names_are_accepted():
    for zone in ("Pacific Time (US & Canada)", "Kyiv", "Nuku'alofa", "UTC"):
        assert check_terms(affiliate_terms(timezone=zone))["timezone"] == zone


def test_unknown_properties_are_refused():
    assert errors_of(affiliate_terms(pricing_type="x")) == {
        "pricing_type": ["is not a valid attribute"]
    }


def test_hours_are_seconds_past_midnight():
    errors = errors_of(
        affiliate_terms(
            hours={"tuesday_open": 90000, "tuesday_close": 100, "thursday_closed": "maybe"}
        )
    )
    assert errors == {
        "hours": {
            "tuesday_open": ["must be seconds past midnight (0 to 86400)"],
            "thursday_closed": ["must be true, false or null"],
        }
    }


def test_a_day_closes_after_it_opens():
    errors = errors_of(affiliate_terms(hours={"wednesday_open": 61200, "wednesday_close": 32400}))
    assert errors == {"hours": {"wednesday_close": ["must be after wednesday_open"]}}


def test_hours_accept_the_references_strings_and_closed_days():
    hours = check_terms(
        affiliate_terms(
            hours={"friday_open": "32400", "friday_close": "75600", "sunday_closed": "true"}
        )
    )["hours"]
    assert (hours["friday_open"], hours["friday_close"], hours["sunday_closed"]) == (
        32400,
        75600,
        True,
    )


def test_a_day_open_without_a_close_is_refused():
    assert errors_of(affiliate_terms(hours={"monday_open": 32400})) == {
        "hours": {"monday_close": ["can't be blank"]}
    }


def test_named_region_errors_are_keyed_by_index():
    errors = errors_of(
        affiliate_terms(
            named_regions=[
                {"name": "Ok", "regions": [{"region_type": "State", "value": "CA"}]},
                {"name": "", "regions": [{"region_type": "County", "value": "x"}]},
            ]
        )
    )
    assert errors == {
        "named_regions": [
            {
                "1": {
                    "name": ["can't be blank"],
                    "regions": [{"0": {"region_type": ["is not included in the list"]}}],
                }
            }
        ]
    }


def test_policies_check_type_currency_amount_and_condition():
    errors = errors_of(
        affiliate_terms(
            affiliate_payout={
                "policies": [
                    {"type": "Extra", "currency": "JPY", "amount": "ten", "condition": "duration >"}
                ]
            },
            advertiser_payin={"policies": [{"type": "Base", "currency": "USD", "amount": 2.5}]},
        )
    )
    payout = errors["affiliate_payout"]["policies"][0]["0"]
    assert set(payout) == {"type", "currency", "amount", "condition"}
    assert "line 1, column" in payout["condition"][0]
    # The reference types a payin amount as an integer.
    assert errors["advertiser_payin"] == {
        "policies": [{"0": {"amount": ["must be a whole number"]}}]
    }


def test_the_references_403_example_is_found_before_sending():
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
    assert errors_of(affiliate_terms(ivr_tree=tree)) == {
        "ivr_tree": {"children": [{"0": {"prompt": ["cannot be empty"]}}]}
    }


def test_a_bare_root_node_is_wrapped_for_invoca():
    clean = clean_campaign(
        name="x", terms=affiliate_terms(ivr_tree=menu_connect_tree()["root"]), custom_data={}
    )
    assert clean.terms["ivr_tree"]["root"]["node_type"] == "Menu"


@pytest.mark.parametrize(
    ("caller_id", "field"),
    [
        ({"setting": "specific"}, "mask"),
        ({"setting": "specific", "mask": "800-555-XXXX"}, "mask"),
        ({"setting": "partial", "mask": "800-555-5555"}, "mask"),
        ({"setting": "original", "mask": "800-555-5555"}, "mask"),
        ({"setting": "somebody"}, "setting"),
    ],
)
def test_caller_id_masks_fit_their_setting(caller_id, field):
    tree = {**menu_connect_tree(), "caller_id": caller_id}
    errors = errors_of(affiliate_terms(ivr_tree=tree))
    assert list(errors["ivr_tree"]["caller_id"]) == [field]


@pytest.mark.parametrize(
    "caller_id",
    [
        {"setting": "original"},
        {"setting": "promo"},
        {"setting": "specific", "mask": "800-555-5555"},
        {"setting": "partial", "mask": "800-555-XXXX"},
    ],
)
def test_caller_id_settings_are_accepted(caller_id):
    tree = {**menu_connect_tree(), "caller_id": caller_id}
    assert clean_campaign(name="x", terms=affiliate_terms(ivr_tree=tree), custom_data={})


def test_custom_data_maps_partner_names_to_values():
    assert errors_of(affiliate_terms(), custom_data={"": "x"}) == {
        "custom_data": {"": ["is not a valid partner name"]}
    }
    assert errors_of(affiliate_terms(), custom_data={"channel": ["a"]}) == {
        "custom_data": {"channel": ["must be text or a number"]}
    }


def test_every_error_is_reported_at_once():
    terms = affiliate_terms(campaign_type="DirectOnly", ivr_tree={"root": {"node_type": "Menu"}})
    errors = errors_of(terms, name="")
    assert {"name", "budget_activities", "affiliate_payout", "ivr_tree"} <= set(errors)


def test_editable_terms_drop_what_invoca_adds_to_answers():
    stored = {
        **affiliate_terms(),
        "go_live_date": "2025-01-01T00:00:00Z",
        "pricing_type": "x",
        "affiliate_payout": {
            "policies": [{"type": "Base", "currency": "USD", "amount": 1, "min": 0, "pricing": "x"}]
        },
    }
    editable = editable_terms(stored)
    assert "go_live_date" not in editable and "pricing_type" not in editable
    assert editable["affiliate_payout"] == {
        "policies": [{"type": "Base", "currency": "USD", "amount": 1}]
    }
    assert check_terms(editable)


# The page's form: times of day, rows, sections


def form_data(**overrides):
    data = {
        "id_from_network": "spring-1",
        "name": "Spring promotion",
        "campaign_type": "AffiliateEnabled",
        "timezone": "Eastern Time (US & Canada)",
        "campaign_language": "English",
        "campaign_country": "US",
        "auto_approve": "None",
        "visibility": "All",
        "caller_id_setting": "original",
        "monday_open": "09:00",
        "monday_close": "17:30",
        "sunday_closed": "on",
        "ivr_tree": json.dumps({"root": menu_connect_tree()["root"]}),
        "bca_budget_amount": "1000",
        "bca_reset_period": "Monthly",
        "bca_starts_at": "2025-01-01",
        "bca_budget_currency": "USD",
        "bca_time_zone": "UTC",
    }
    for prefix, rows in (("payout", 2), ("payin", 2), ("region", 3), ("data", 2)):
        data.update({f"{prefix}-TOTAL_FORMS": str(rows), f"{prefix}-INITIAL_FORMS": "0"})
    data.update(
        {
            "region-0-name": "West",
            "region-0-region_type": "State",
            "region-0-value": "CA",
            "region-1-name": "West",
            "region-1-region_type": "State",
            "region-1-value": "OR",
            "payout-0-type": "Base",
            "payout-0-currency": "USD",
            "payout-0-amount": "12.50",
            "payout-0-condition": "duration >= 1 min 30 sec",
            "data-0-partner_name": "channel",
            "data-0-value": "Radio",
        }
    )
    data.update(overrides)
    return data


def test_the_form_builds_invocas_terms_from_times_of_day_and_rows():
    form = CampaignForm(form_data())
    assert form.is_valid(), form.errors
    clean = form.clean_campaign_result
    assert clean.terms["hours"] == {
        "monday_open": 32400,
        "monday_close": 63000,
        "monday_closed": False,
        "sunday_closed": True,
    }
    assert clean.terms["named_regions"] == [
        {
            "name": "West",
            "regions": [
                {"region_type": "State", "value": "CA"},
                {"region_type": "State", "value": "OR"},
            ],
        }
    ]
    assert clean.terms["affiliate_payout"]["policies"][0]["amount"] == 12.5
    assert clean.terms["budget_activities"] == {
        "budget_cap_alert": {
            "budget_amount": 1000.0,
            "reset_period": "Monthly",
            "starts_at": "2025-01-01",
            "budget_currency": "USD",
            "time_zone": "UTC",
            "include_call_fees": False,
        }
    }
    assert clean.custom_data == {"channel": "Radio"}


def test_a_closing_time_of_midnight_is_the_end_of_the_day():
    form = CampaignForm(form_data(monday_open="18:00", monday_close="00:00"))
    assert form.is_valid(), form.errors
    assert form.clean_campaign_result.terms["hours"]["monday_close"] == 86400


def test_the_form_puts_budget_errors_on_their_fields():
    form = CampaignForm(form_data(bca_reset_period="", bca_time_zone=""))
    assert not form.is_valid()
    assert form.errors["bca_reset_period"] == ["Can't be blank."]
    assert form.errors["bca_time_zone"] == ["Can't be blank."]


def test_the_form_refuses_budgets_on_a_direct_campaign():
    data = form_data(campaign_type="DirectOnly")
    data = {k: v for k, v in data.items() if not k.startswith("payout-0")}
    form = CampaignForm(data)
    assert not form.is_valid()
    assert "only applicable for AffiliateEnabled" in str(form.errors)


def test_the_form_keeps_tree_errors_for_the_editor():
    form = CampaignForm(form_data(ivr_tree=json.dumps(menu_connect_tree(phone=""))))
    assert not form.is_valid()
    from invoca import ivr

    assert ivr.ivr_errors(form) == {
        "ivr_tree": {"children": [{"0": {"destination_phone_number": ["cannot be empty"]}}]}
    }


def test_the_caller_id_fields_go_into_the_tree():
    form = CampaignForm(form_data(caller_id_setting="partial", caller_id_mask="800-555-XXXX"))
    assert form.is_valid(), form.errors
    assert form.clean_campaign_result.terms["ivr_tree"]["caller_id"] == {
        "setting": "partial",
        "mask": "800-555-XXXX",
    }


def test_a_bad_mask_is_shown_on_the_mask_field():
    form = CampaignForm(form_data(caller_id_setting="partial", caller_id_mask="800-555-5555"))
    assert not form.is_valid()
    assert "caller_id_mask" in form.errors


def test_the_edit_form_starts_from_the_staged_terms(tenant_a):
    from tests.invoca.conftest import make_campaign

    terms = check_terms(affiliate_terms())
    campaign = make_campaign(tenant_a, future_terms=terms, custom_data={"channel": "Radio"})
    form = CampaignForm(campaign=campaign, initial_terms=campaign.future_terms)
    assert "id_from_network" not in form.fields
    assert form["monday_open"].value().strftime("%H:%M") == "09:00"
    assert form["bca_budget_amount"].value() == "1000.00"
    assert form.payout_formset.initial[0]["condition"] == "duration > 60"
    assert form.data_formset.initial == [{"partner_name": "channel", "value": "Radio"}]
    assert '"node_type": "Menu"' in form["ivr_tree"].value()


def test_every_days_hours_problem_is_said_at_once():
    errors = errors_of(
        affiliate_terms(
            hours={
                "monday_open": 61200,
                "monday_close": 32400,
                "tuesday_open": 32400,
                "friday_open": 61200,
                "friday_close": 61200,
            }
        )
    )
    assert errors == {
        "hours": {
            "monday_close": ["must be after monday_open"],
            "tuesday_close": ["can't be blank"],
            "friday_close": ["must be after friday_open"],
        }
    }


def test_a_budget_on_a_direct_campaign_is_said_with_the_other_errors():
    terms = affiliate_terms(campaign_type="DirectOnly", url="not a url")
    errors = errors_of(terms)
    assert errors["url"] == ["must be an http(s) URL"]
    assert errors["budget_activities"] == ["are only applicable for AffiliateEnabled campaigns"]


def test_every_custom_data_field_in_error_is_named():
    errors = errors_of(affiliate_terms(), custom_data={"": "x", "ok": "y", "channel": ["a"]})
    assert errors == {
        "custom_data": {
            "": ["is not a valid partner name"],
            "channel": ["must be text or a number"],
        }
    }


def test_the_edit_form_shows_amounts_of_money_with_their_cents(tenant_a):
    from tests.invoca.conftest import make_campaign

    terms = check_terms(affiliate_terms())
    campaign = make_campaign(tenant_a, future_terms=terms)
    form = CampaignForm(campaign=campaign, initial_terms=campaign.future_terms)
    assert form.payout_formset.forms[0]["amount"].value() == "12.50"
    assert form.payin_formset.forms[0]["amount"].value() == "20.00"
    assert 'value="12.50"' in str(form.payout_formset.forms[0]["amount"])


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        (15.0, "USD", "USD 15.00"),
        (5000, "EUR", "EUR 5,000.00"),
        (2.5, "GBP", "GBP 2.50"),
        (-3, "USD", "USD -3.00"),
        (7, "CAD", "CAD 7.00"),
        ("lots", "USD", "USD lots"),
    ],
)
def test_the_campaign_page_writes_money_as_every_page_does(amount, currency, shown):
    from invoca.terms_display import rows_for

    payout = {"type": "Base", "currency": currency, "amount": amount}
    terms = {"affiliate_payout": {"policies": [payout]}}
    [row] = [row for row in rows_for(terms, terms) if row.key == "affiliate_payout"]
    assert row.current == [(0, f"Base {shown}")]


def test_the_campaign_page_writes_a_budgets_start_as_pages_write_a_day():
    from invoca.terms_display import rows_for

    terms = affiliate_terms()
    [row] = [row for row in rows_for(terms, terms) if row.key == "budget_cap_alert"]
    assert row.current == [
        (0, "USD 1,000.00, Monthly from 1 Jan 2025 (Eastern Time (US & Canada))")
    ]
