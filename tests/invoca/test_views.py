"""Invoca pages: overview, advertiser, the campaign form with staging, the terms side by side,
lifecycle buttons valid for the status, quick stats, and the connection."""

import json

import pytest

from invoca.models import AdvertiserCampaign, InvocaConnection
from invoca.schemas import check_terms
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
    make_campaign,
    menu_connect_tree,
)
from tests.invoca.test_terms import form_data

PAGE = f"/invoca/advertisers/{ADVERTISER}/campaigns/spring-1/"


def test_navigation_has_invoca(tenant_a):
    response = tenant_a.member_client.get("/invoca/")
    assert response.status_code == 200
    assert 'href="/invoca/"' in response.content.decode()


def test_the_overview_lists_advertisers_with_counts(tenant_a, connected):
    make_campaign(tenant_a, "a", status="live")
    make_campaign(tenant_a, "b", status="entry")
    page = tenant_a.member_client.get("/invoca/").content.decode()
    assert f'href="/invoca/advertisers/{ADVERTISER}/"' in page
    assert f"Network <code>{NETWORK}</code>" in page


def test_opening_an_advertiser_by_id(tenant_a):
    response = tenant_a.member_client.get("/invoca/advertisers/open/?advertiser_id=acme-adv")
    assert response.url == "/invoca/advertisers/acme-adv/"
    response = tenant_a.member_client.get("/invoca/advertisers/open/?advertiser_id=a b")
    assert response.status_code == 400


def test_the_advertiser_page_lists_its_campaigns_with_status(tenant_a, connected):
    make_campaign(tenant_a, "a", name="Alpha", status="live")
    make_campaign(tenant_a, "b", name="Beta", status="archived")
    make_campaign(tenant_a, "c", name="Gamma", advertiser_id_from_network="other")
    page = tenant_a.member_client.get(f"/invoca/advertisers/{ADVERTISER}/").content.decode()
    assert "Alpha" in page and "Beta" in page and "Gamma" not in page
    assert 'data-status="live"' in page and 'data-status="archived"' in page


def test_refreshing_an_advertiser_reads_invoca(tenant_a, connected, upstream):
    upstream.get(f"{CAMPAIGNS}.json", json=[invoca_record("x", name="From Invoca")])
    response = tenant_a.member_client.post(f"/invoca/advertisers/{ADVERTISER}/refresh/")
    assert response.status_code == 302
    assert AdvertiserCampaign.objects.get().name == "From Invoca"
    page = tenant_a.member_client.get(response["Location"]).content.decode()
    assert "1 campaign read from Invoca." in page


def test_refreshing_says_how_many_campaigns_in_plural(tenant_a, connected, upstream):
    found = [invoca_record("x", name="One"), invoca_record("y", name="Two")]
    upstream.get(f"{CAMPAIGNS}.json", json=found)
    response = tenant_a.member_client.post(
        f"/invoca/advertisers/{ADVERTISER}/refresh/", follow=True
    )
    assert "2 campaigns read from Invoca." in response.content.decode()


def test_the_new_campaign_form_has_every_section(tenant_a, connected):
    page = tenant_a.admin_client.get(
        f"/invoca/advertisers/{ADVERTISER}/campaigns/new/"
    ).content.decode()
    for name in (
        "id_from_network",
        "campaign_type",
        "timezone",
        "campaign_language",
        "campaign_country",
        "operating_24_7",
        "monday_open",
        "sunday_closed",
        "region-0-region_type",
        "payout-0-condition",
        "payin-0-amount",
        "bca_reset_period",
        "pcca_time_zone",
        "ccca_budget_amount",
        "auto_approve",
        "visibility",
        "default_creative_id_from_network",
        "caller_id_setting",
        "caller_id_mask",
        "data-0-partner_name",
        "ivr_tree",
    ):
        assert f'name="{name}"' in page, name
    assert 'type="time"' in page
    assert "data-ivr-editor" in page
    assert "Pacific Time (US &amp; Canada)" in page and "Nuku&#x27;alofa" in page


def test_creating_from_the_form_stages_the_terms(tenant_a, connected, upstream):
    absent(upstream)
    upstream.post(f"{CAMPAIGNS}.json", json=invoca_record(), status=201)
    response = tenant_a.admin_client.post(
        f"/invoca/advertisers/{ADVERTISER}/campaigns/new/", form_data()
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert response.url == PAGE
    sent = json.loads(upstream.calls[1].request.body)
    assert sent["hours"]["monday_open"] == 32400
    assert sent["budget_activities"]["budget_cap_alert"]["budget_amount"] == 1000.0
    campaign = AdvertiserCampaign.objects.get()
    assert campaign.status == "entry"
    assert campaign.future_terms["budget_activities"]["budget_cap_alert"]["time_zone"] == "UTC"


def test_an_invalid_tree_is_shown_on_its_node_and_nothing_is_sent(tenant_a, connected, upstream):
    response = tenant_a.admin_client.post(
        f"/invoca/advertisers/{ADVERTISER}/campaigns/new/",
        form_data(ivr_tree=json.dumps(menu_connect_tree(phone=""))),
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Key 1 (Connect)" in page and "cannot be empty" in page
    assert "destination_phone_number" in page  # the nested errors, for the editor's cards
    assert len(upstream.calls) == 0
    assert not AdvertiserCampaign.objects.exists()


def test_hours_errors_read_as_words_under_their_field(tenant_a, connected, upstream):
    response = tenant_a.admin_client.post(
        f"/invoca/advertisers/{ADVERTISER}/campaigns/new/",
        form_data(operating_24_7="", monday_open="18:00", monday_close="09:00"),
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["monday_close"] == ["Must be after the opening time."]
    page = response.content.decode()
    assert "Must be after the opening time." in page and "after monday_open" not in page
    assert len(upstream.calls) == 0


def test_a_bad_condition_shows_in_the_same_round_as_the_other_errors(tenant_a, connected, upstream):
    response = tenant_a.admin_client.post(
        f"/invoca/advertisers/{ADVERTISER}/campaigns/new/",
        form_data(
            **{"name": "", "payout-0-amount": "-5", "payout-0-condition": "duration >>> x ("}
        ),
    )
    assert response.status_code == 400
    form = response.context["form"]
    payout = next(formset for formset in form.formsets if formset.prefix == "payout")
    assert form.errors["name"]
    assert payout.forms[0].errors["amount"]
    assert payout.forms[0].errors["condition"] == [
        "Unexpected '>' at line 1, column 11: expected a whole number."
    ]
    assert len(upstream.calls) == 0
    assert not AdvertiserCampaign.objects.exists()


def test_an_id_invoca_already_has_is_refused_under_the_campaign_id(tenant_a, connected, upstream):
    made_elsewhere = invoca_record("made-elsewhere", status="Live", name="Colleague's")
    upstream.get(campaign_url("made-elsewhere"), json=made_elsewhere)
    response = tenant_a.admin_client.post(
        f"/invoca/advertisers/{ADVERTISER}/campaigns/new/",
        form_data(id_from_network="made-elsewhere", name="Dup id test"),
    )
    assert response.status_code == 400
    errors = response.context["form"].errors["id_from_network"]
    assert len(errors) == 1 and "Refresh from Invoca" in errors[0]
    assert [c.request.method for c in upstream.calls] == ["GET"]
    assert not AdvertiserCampaign.objects.exists()


def test_invocas_refusal_is_shown_on_the_form(tenant_a, connected, upstream):
    absent(upstream)
    upstream.post(f"{CAMPAIGNS}.json", status=403, json={"errors": {"url": ["is not reachable"]}})
    response = tenant_a.admin_client.post(
        f"/invoca/advertisers/{ADVERTISER}/campaigns/new/", form_data(url="https://acme.example/x")
    )
    assert response.status_code == 400
    assert "Is not reachable." in response.content.decode()
    assert not AdvertiserCampaign.objects.exists()


def test_editing_stages_changes_beside_the_live_terms(tenant_a, connected, upstream):
    live = check_terms(affiliate_terms())
    make_campaign(tenant_a, status="live", current_terms=live, future_terms=live)
    page = tenant_a.admin_client.get(PAGE + "edit/").content.decode()
    assert 'name="id_from_network"' not in page
    assert 'value="09:00"' in page
    upstream.put(campaign_url("spring-1"), json={})
    response = tenant_a.admin_client.post(
        PAGE + "edit/", {**form_data(), "description": "Summer promotion"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    campaign = AdvertiserCampaign.objects.get()
    assert campaign.current_terms["description"] == "Spring promotion"
    assert campaign.future_terms["description"] == "Summer promotion"


def test_the_terms_page_shows_current_and_future_with_differences(tenant_a, connected):
    live = check_terms(affiliate_terms())
    staged = {**live, "description": "Summer promotion"}
    make_campaign(tenant_a, status="live", current_terms=live, future_terms=staged)
    page = tenant_a.admin_client.get(PAGE).content.decode()
    assert "Staged changes waiting for go live" in page
    assert 'class="changed" data-term="description"' in page
    assert 'class="" data-term="timezone"' in page
    assert "Spring promotion" in page and "Summer promotion" in page
    assert "Key 1 → Connect to (800) 437-7950" in page
    assert "Go live with staged changes" in page


def test_the_call_flows_numbers_read_in_the_accounts_country_format(tenant_a, connected):
    tenant_a.account.country = "GB"
    tenant_a.account.save(update_fields=["country"])
    make_campaign(tenant_a, status="live", current_terms=check_terms(affiliate_terms()))
    page = tenant_a.admin_client.get(PAGE).content.decode()
    assert "Key 1 → Connect to +1 800-437-7950" in page
    assert "8004377950" not in page.split('data-term="ivr_tree"')[1].split("</tr>")[0]


@pytest.mark.parametrize(
    ("status", "shown", "hidden"),
    [
        ("entry", ["Go live"], ["Archive", "Unarchive"]),
        ("live", ["Archive"], ["Go live", "Unarchive"]),
        ("paused", ["Go live", "Archive"], ["Unarchive"]),
        ("archived", ["Unarchive"], ["Go live", ">Archive<"]),
    ],
)
def test_lifecycle_buttons_follow_the_status(tenant_a, connected, status, shown, hidden):
    terms = check_terms(affiliate_terms())
    make_campaign(tenant_a, status=status, current_terms=terms, future_terms=terms)
    page = tenant_a.admin_client.get(PAGE).content.decode()
    for label in shown:
        assert label in page, label
    for label in hidden:
        assert (
            f">{label}</button>" if not label.startswith(">") else label + "/button"
        ) not in page
    assert "Delete" not in page


def test_go_live_from_the_page(tenant_a, connected, upstream):
    staged = check_terms(affiliate_terms())
    make_campaign(tenant_a, future_terms=staged)
    upstream.post(
        campaign_url("spring-1", "go_live"),
        json=invoca_record(status="Live", current=staged, future=staged),
    )
    response = tenant_a.admin_client.post(PAGE + "go-live/", {"timeout": "12"}, follow=True)
    assert "The campaign is live" in response.content.decode()
    assert json.loads(upstream.calls[0].request.body) == {"timeout": 12}
    assert AdvertiserCampaign.objects.get().status == "live"


def test_members_read_campaigns_but_cannot_change_them(tenant_a, connected, upstream):
    terms = check_terms(affiliate_terms())
    make_campaign(tenant_a, status="paused", current_terms=terms, future_terms=terms)
    member = tenant_a.member_client
    page = member.get(PAGE).content.decode()
    assert "Spring promotion" in page
    for label in (">Go live</button>", ">Archive</button>", "Edit terms"):
        assert label not in page, label
    assert "New campaign" not in member.get(f"/invoca/advertisers/{ADVERTISER}/").content.decode()
    for method, path, data in [
        ("get", f"/invoca/advertisers/{ADVERTISER}/campaigns/new/", None),
        ("post", f"/invoca/advertisers/{ADVERTISER}/campaigns/new/", form_data()),
        ("get", PAGE + "edit/", None),
        ("post", PAGE + "edit/", form_data()),
        ("post", PAGE + "go-live/", {"timeout": "12"}),
        ("post", PAGE + "archive/", {}),
        ("post", PAGE + "unarchive/", {}),
    ]:
        response = getattr(member, method)(path, data)
        assert response.status_code == 403, path
        assert "Only account admins can create, change, put live" in response.content.decode()
    assert len(upstream.calls) == 0
    assert AdvertiserCampaign.objects.get().status == "paused"


def test_a_refused_transition_is_a_message_and_sends_nothing(tenant_a, connected, upstream):
    make_campaign(tenant_a, status="entry")
    response = tenant_a.admin_client.post(PAGE + "archive/", follow=True)
    assert "can only be archived after it has been live" in response.content.decode()
    assert len(upstream.calls) == 0


def test_quick_stats_fragment_carries_the_chart_data(tenant_a, connected, upstream):
    make_campaign(tenant_a, status="live")
    upstream.get(
        campaign_url("spring-1", "quick_stats"),
        json={"stats": {"today": {"call_count": 4, "call_avg_total_duration": 75.0}}},
    )
    page = tenant_a.admin_client.get(PAGE + "stats/").content.decode()
    assert 'data-invoca-chart="calls"' in page and 'data-invoca-chart="duration"' in page
    assert '<td data-label="Today" data-stat="today-calls">4</td>' in page
    assert 'id="invoca-stats-data"' in page


def test_quick_stats_failure_is_said_in_the_fragment(tenant_a, connected, upstream):
    make_campaign(tenant_a, status="live")
    upstream.get(campaign_url("spring-1", "quick_stats"), status=500, json={})
    page = tenant_a.admin_client.get(PAGE + "stats/").content.decode()
    assert "Quick stats are not available" in page


def test_the_connection_page_connects_and_shows_the_webhook(tenant_a, upstream):
    upstream.get(f"{BASE}/api/2020-10-01/networks/transactions/{NETWORK}.json", json=[])
    page = tenant_a.admin_client.get("/invoca/connection/").content.decode()
    assert "/webhooks/invoca/" in page
    response = tenant_a.admin_client.post(
        "/invoca/connection/",
        {"network_id": NETWORK, "api_token": TOKEN, "api_version": "2022-08-01", "base_url": BASE},
    )
    assert response.status_code == 302
    page = tenant_a.admin_client.get("/invoca/connection/").content.decode()
    assert TOKEN not in page and TOKEN[-4:] in page


def test_members_cannot_connect(tenant_a, upstream):
    response = tenant_a.member_client.post(
        "/invoca/connection/", {"network_id": NETWORK, "api_token": TOKEN, "base_url": BASE}
    )
    assert response.status_code == 403
    assert not InvocaConnection.objects.exists()


def test_a_refused_form_lists_what_to_fix_at_the_top(tenant_a, connected, upstream):
    data = form_data(ivr_tree=json.dumps(menu_connect_tree(phone="")))
    for name in ("bca_reset_period", "bca_starts_at", "bca_budget_currency", "bca_time_zone"):
        data[name] = ""
    response = tenant_a.admin_client.post(f"/invoca/advertisers/{ADVERTISER}/campaigns/new/", data)
    assert response.status_code == 400
    page = response.content.decode()
    top = page[page.index('id="error-summary"') : page.index("<h2>Campaign</h2>")]
    assert "Nothing was sent to Invoca." in top
    assert (
        '<a href="#id_bca_reset_period">Budget cap alert: reset period: Can&#x27;t be blank.</a>'
        in top
    )
    assert '<a href="#ivr-section">IVR: the tree has errors, marked on its nodes.</a>' in top
    assert 'id="ivr-section"' in page
    # The summary follows the page's order: the budget before the IVR.
    assert top.index("#id_bca_time_zone") < top.index("#ivr-section")
    assert len(upstream.calls) == 0


def test_a_valid_form_has_no_error_summary(tenant_a, connected):
    page = tenant_a.admin_client.get(f"/invoca/advertisers/{ADVERTISER}/campaigns/new/")
    assert 'id="error-summary"' not in page.content.decode()


def test_the_caller_id_is_shown_by_its_name(tenant_a, connected):
    terms = check_terms(affiliate_terms())
    masked = check_terms(
        affiliate_terms(
            ivr_tree={
                **menu_connect_tree(),
                "caller_id": {"setting": "partial", "mask": "800-555-XXXX"},
            }
        )
    )
    make_campaign(tenant_a, status="live", current_terms=terms, future_terms=masked)
    page = tenant_a.admin_client.get(PAGE).content.decode()
    assert "Original — the caller&#x27;s own number<" in page
    assert "Partial — the caller&#x27;s number with digits replaced: 800-555-XXXX" in page


def test_a_campaign_without_an_inbound_campaign_offers_to_make_one(tenant_a, connected):
    campaign = make_campaign(tenant_a, status="live")
    page = tenant_a.admin_client.get(PAGE).content.decode()
    assert f'href="/campaigns/new/?integration=invoca&amp;invoca_campaign_id={campaign.pk}"' in page


def test_every_error_shows_on_the_first_save(tenant_a, connected, upstream):
    # A bad payout condition and a budget cap with only its amount: both on the first save.
    data = form_data(**{"payout-0-condition": "duration >= 1 min and"})
    for name in ("bca_reset_period", "bca_starts_at", "bca_budget_currency", "bca_time_zone"):
        data[name] = ""
    response = tenant_a.admin_client.post(f"/invoca/advertisers/{ADVERTISER}/campaigns/new/", data)
    assert response.status_code == 400
    form = response.context["form"]
    payout = next(formset for formset in form.formsets if formset.prefix == "payout")
    assert payout.forms[0].errors["condition"]
    for name in ("bca_reset_period", "bca_starts_at", "bca_budget_currency", "bca_time_zone"):
        assert form.errors[name] == ["Can't be blank."], name
    assert len(upstream.calls) == 0
    assert not AdvertiserCampaign.objects.exists()


def test_editing_shows_every_error_on_the_first_save(tenant_a, connected, upstream):
    make_campaign(tenant_a, status="live")
    data = form_data(**{"payout-0-condition": "duration >= 1 min and", "name": ""})
    del data["id_from_network"]
    for name in ("bca_reset_period", "bca_time_zone"):
        data[name] = ""
    response = tenant_a.admin_client.post(f"{PAGE}edit/", data)
    assert response.status_code == 400
    form = response.context["form"]
    payout = next(formset for formset in form.formsets if formset.prefix == "payout")
    assert payout.forms[0].errors["condition"]
    # The name's own error once, not again from the terms check.
    assert form.errors["name"] == ["This field is required."]
    assert form.errors["bca_reset_period"] == ["Can't be blank."]
    assert form.errors["bca_time_zone"] == ["Can't be blank."]
    assert len(upstream.calls) == 0


def test_a_policy_row_error_of_the_terms_shows_under_its_own_row(tenant_a, connected, upstream):
    # Row 1 fails its own field check, row 2 only the terms check: each under its own row.
    response = tenant_a.admin_client.post(
        f"/invoca/advertisers/{ADVERTISER}/campaigns/new/",
        form_data(**{"payout-0-amount": "-5", "payout-1-amount": "3"}),
    )
    assert response.status_code == 400
    payout = response.context["form"].payout_formset
    assert payout.forms[0].errors["amount"]
    assert payout.forms[1].errors["type"] == ["Can't be blank."]
    assert len(upstream.calls) == 0


def _linked(tenant, owner, name):
    from tests.campaigns.factories import make_campaign as make_inbound

    inbound = make_inbound(tenant, owner=owner, campaign_name=name)
    campaign = make_campaign(tenant, status="live", inbound_campaign=inbound)
    return campaign, inbound


def test_a_member_is_not_shown_a_campaign_they_cannot_see(tenant_a, connected):
    _campaign, inbound = _linked(tenant_a, tenant_a.admin, "Admins only calls")
    for path in (PAGE, f"/invoca/advertisers/{ADVERTISER}/"):
        page = tenant_a.member_client.get(path).content.decode()
        assert "a campaign you do not see" in page, path
        assert "Admins only calls" not in page, path
        assert f'href="/campaigns/{inbound.pk}/"' not in page, path
    # The admin sees it and its link.
    page = tenant_a.admin_client.get(PAGE).content.decode()
    assert f'<a href="/campaigns/{inbound.pk}/">Admins only calls</a>' in page
    assert "a campaign you do not see" not in page
    listing = tenant_a.admin_client.get(f"/invoca/advertisers/{ADVERTISER}/").content.decode()
    assert "Admins only calls" in listing and "a campaign you do not see" not in listing


def test_a_member_is_shown_their_own_campaign(tenant_a, connected):
    _campaign, inbound = _linked(tenant_a, tenant_a.member, "Member's calls")
    page = tenant_a.member_client.get(PAGE).content.decode()
    assert f'<a href="/campaigns/{inbound.pk}/">Member&#x27;s calls</a>' in page
    assert tenant_a.member_client.get(f"/campaigns/{inbound.pk}/").status_code == 200
    listing = tenant_a.member_client.get(f"/invoca/advertisers/{ADVERTISER}/").content.decode()
    assert "Member&#x27;s calls" in listing and "a campaign you do not see" not in listing


@pytest.mark.parametrize("amount", ["\u0663", "\uff11\uff15", "1_000"])
def test_an_amount_in_other_digits_is_a_form_error_and_nothing_is_sent(
    tenant_a, connected, upstream, amount
):
    """Decimal() reads "٣" as 3 and fullwidth "15" as 15: the page refuses them instead."""
    response = tenant_a.admin_client.post(
        f"/invoca/advertisers/{ADVERTISER}/campaigns/new/",
        form_data(**{"payout-0-amount": amount, "ccca_budget_amount": amount}),
    )
    assert response.status_code == 400
    form = response.context["form"]
    payout = next(formset for formset in form.formsets if formset.prefix == "payout")
    assert payout.forms[0].errors["amount"] == ["Enter a number."]
    assert form.errors["ccca_budget_amount"] == ["Enter a number."]
    assert len(upstream.calls) == 0
    assert not AdvertiserCampaign.objects.exists()


def test_hours_and_days_in_other_digits_are_refused_as_malformed(tenant_a, connected, upstream):
    """strptime() reads Arabic-Indic "09:00" as 09:00: refused as an id so written is
    (`AsciiDigitsMixin`)."""
    response = tenant_a.admin_client.post(
        f"/invoca/advertisers/{ADVERTISER}/campaigns/new/",
        form_data(
            operating_24_7="",
            monday_open="\u0660\u0669:\u0660\u0660",
            bca_starts_at="\uff12\uff10\uff12\uff15-01-01",
        ),
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["monday_open"] == ["Enter a valid time."]
    assert form.errors["bca_starts_at"] == ["Enter a valid date."]
    assert len(upstream.calls) == 0


def test_the_connection_page_puts_an_address_answering_404_under_the_address(tenant_a, upstream):
    upstream.get(
        f"{BASE}/api/2020-10-01/networks/transactions/{NETWORK}.json",
        status=404,
        body="<h1>Not Found</h1>",
        content_type="text/html",
    )
    response = tenant_a.admin_client.post(
        "/invoca/connection/",
        {"network_id": NETWORK, "api_token": TOKEN, "api_version": "2022-08-01", "base_url": BASE},
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert list(form.errors) == ["base_url"]
    assert "This address is not Invoca&#x27;s API" in response.content.decode()
    assert not InvocaConnection.objects.exists()


def test_the_connection_page_refuses_a_link_local_address(tenant_a, upstream):
    response = tenant_a.admin_client.post(
        "/invoca/connection/",
        {
            "network_id": NETWORK,
            "api_token": TOKEN,
            "api_version": "2022-08-01",
            "base_url": "http://169.254.169.254/",
        },
    )
    assert response.status_code == 400
    assert "link-local address" in response.context["form"].errors["base_url"][0]
    assert not InvocaConnection.objects.exists()
