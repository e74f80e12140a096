"""The board page, a deal's page, moves by button and by drag-and-drop (one endpoint), and
the live push that makes other viewers' boards follow."""

import json
import re
from datetime import timedelta

import pytest

from campaignhub import live
from crm import deals, live_updates, pipelines
from crm.models import Deal
from tests.deals.conftest import capture, deal_campaign, money, sales, stage
from tests.factories import make_member
from tests.pages import hidden_values

pytestmark = pytest.mark.django_db


@pytest.fixture
def deal(tenant_a):
    lead = capture(deal_campaign(tenant_a), name="Jordan Miles")
    return Deal.objects.get(lead=lead)


def _column(html, stage_obj):
    start = html.index(f'id="stage-{stage_obj.pk}"')
    end = html.find('<section class="board-column', start + 1)
    return html[start : end if end > 0 else None]


def test_the_board_shows_a_column_per_stage_with_cards_and_totals(tenant_a, deal):
    capture(
        deal_campaign(tenant_a, name="Gutters", deal_value="250.25"),
        name="Priya Shah",
        phone="+14155550182",
    )
    response = tenant_a.admin_client.get("/deals/", {"pipeline": sales(tenant_a).pk})
    assert response.status_code == 200
    html = response.content.decode()
    for name in ("New", "Contacted", "Qualified", "Won", "Lost"):
        assert f'id="stage-{stage(tenant_a, name).pk}"' in html
    new = _column(html, stage(tenant_a, "New"))
    assert "Jordan Miles" in new and "Priya Shah" in new
    assert "USD 1,500.00" in new and "USD 250.25" in new
    assert "2 deals · USD 1,750.25" in new
    # The deal's title is its lead's name; the contact and owner beside it say which is which.
    assert "Owner: Acme Agency Member" in new
    assert "Contact: Priya Shah" in new
    assert "0 deals" in _column(html, stage(tenant_a, "Won"))
    assert f'id="deal-board-{sales(tenant_a).pk}-signal"' in html
    assert 'href="/deals/"' in html  # the navigation's "Deals"


def test_the_board_filters_by_owner_and_pipeline(tenant_a, deal):
    other = capture(
        deal_campaign(tenant_a, name="Gutters"), name="Priya Shah", phone="+14155550182"
    )
    deals.update_deal(deal=Deal.objects.get(lead=other), changes={"owner": tenant_a.admin})
    query = {"pipeline": sales(tenant_a).pk, "owner": tenant_a.admin.pk}
    html = tenant_a.admin_client.get("/deals/", query).content.decode()
    assert "Priya Shah" in html and "Jordan Miles" not in html
    renewals = pipelines.create_pipeline(account=tenant_a.account, name="Renewals")
    html = tenant_a.admin_client.get("/deals/", {"pipeline": renewals.pk}).content.decode()
    assert "Jordan Miles" not in html
    assert f'id="stage-{renewals.stages.get(name="New").pk}"' in html


def test_the_board_is_served_at_the_address_of_what_it_shows(tenant_a, deal):
    # The page's filters are restored from its address (Back): an address that does not name
    # the pipeline and owner shown would leave the selects blank.
    board = f"/deals/?pipeline={sales(tenant_a).pk}"
    assert tenant_a.admin_client.get("/deals/")["Location"] == board
    owner = tenant_a.admin_client.get("/deals/", {"owner": tenant_a.member.pk})
    assert owner["Location"] == f"{board}&owner={tenant_a.member.pk}"
    response = tenant_a.admin_client.get(board + "&owner=")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<option value="{sales(tenant_a).pk}" selected>Sales</option>' in html
    # htmx asks with the page's filters and always gets the region.
    assert tenant_a.admin_client.get("/deals/", HTTP_HX_REQUEST="true").status_code == 200


UNUSABLE = "These filters cannot be used: "


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        ({"pipeline": "{sales}", "owner": 999999}, "Owner: Choose a member of this account."),
        ({"owner": "abc"}, "Owner: Enter a whole number in digits 0-9."),
        ({"pipeline": "abc"}, "Pipeline: Enter a whole number in digits 0-9."),
        ({"pipeline": 999999}, "Pipeline: Choose one of this account&#x27;s pipelines."),
        ({"pipeline": "{sales}", "owner": "{other_account}"}, "Owner: Choose a member"),
    ],
)
def test_filters_the_board_cannot_use_are_named_and_show_no_deals(
    tenant_a, tenant_b, deal, query, problem
):
    """As every list does: a 400 naming them, no one's deals, a link to the board unfiltered
    (they were sent on to everyone's deals, unsaid)."""
    names = {"sales": sales(tenant_a).pk, "other_account": tenant_b.admin.pk}
    query = {key: str(value).format(**names) for key, value in query.items()}
    for htmx in ({}, {"HTTP_HX_REQUEST": "true"}):
        response = tenant_a.admin_client.get("/deals/", query, **htmx)
        assert response.status_code == 400, (query, htmx)
        html = response.content.decode()
        assert UNUSABLE + problem in html
        assert "Jordan Miles" not in html and 'class="board-column' not in html
        assert 'id="board-unfiltered" href="/deals/"' in html
    # The API's list refuses the same filters (a 400 naming the same field).
    refused = tenant_a.admin_client.get("/v1/deals", query)
    assert refused.status_code == 400 and set(refused.json()["errors"]) == {
        problem.split(":")[0].lower()
    }


def test_a_board_filter_given_twice_is_named(tenant_a, deal):
    twice = f"pipeline={sales(tenant_a).pk}&pipeline={sales(tenant_a).pk}"
    response = tenant_a.admin_client.get(f"/deals/?{twice}")
    assert response.status_code == 400
    assert UNUSABLE + "Give each query parameter once: pipeline." in response.content.decode()


def test_an_empty_board_says_how_deals_arrive(tenant_a, deal):
    renewals = pipelines.create_pipeline(account=tenant_a.account, name="Renewals")
    html = tenant_a.admin_client.get("/deals/", {"pipeline": renewals.pk}).content.decode()
    assert 'id="board-empty"' in html
    assert "No deals in Renewals yet." in html and "Create a deal for each lead" in html
    html = tenant_a.admin_client.get(
        "/deals/", {"pipeline": sales(tenant_a).pk, "owner": tenant_a.admin.pk}
    ).content.decode()
    assert "No deal in Sales is owned by Acme Agency Admin." in html
    html = tenant_a.admin_client.get("/deals/", {"pipeline": sales(tenant_a).pk}).content.decode()
    assert 'id="board-empty"' not in html


def test_a_stage_named_like_its_kind_gets_no_second_label(tenant_a, deal):
    html = tenant_a.admin_client.get("/deals/", {"pipeline": sales(tenant_a).pk}).content.decode()
    won = stage(tenant_a, "Won")
    assert f'<h2 id="stage-{won.pk}-name">Won</h2>' in html
    won.name = "Signed"
    won.save()
    html = tenant_a.admin_client.get("/deals/", {"pipeline": sales(tenant_a).pk}).content.decode()
    assert f'<h2 id="stage-{won.pk}-name">Signed <span class="badge ok">won</span></h2>' in html


def test_an_htmx_request_gets_the_board_region_only(tenant_a, deal):
    response = tenant_a.admin_client.get("/deals/", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="board"')
    assert "<html" not in html


def test_a_member_sees_only_the_deals_of_campaigns_they_work(tenant_a, deal):
    stranger = make_member(tenant_a.account, "stranger@acme.test", name="Sam Stranger")
    from tests.factories import logged_in_client

    html = logged_in_client(stranger).get("/deals/", follow=True).content.decode()
    assert "Jordan Miles" not in html
    member_board = tenant_a.member_client.get("/deals/", follow=True).content.decode()
    assert "Jordan Miles" in member_board
    assert logged_in_client(stranger).get(f"/deals/{deal.pk}/").status_code == 404


def test_the_move_button_moves_the_deal_and_records_the_revenue(tenant_a, deal):
    won = stage(tenant_a, "Won")
    response = tenant_a.member_client.post(f"/deals/{deal.pk}/move/", {"stage": won.pk})
    assert response.status_code == 302
    assert response["Location"] == f"/deals/?pipeline={sales(tenant_a).pk}"
    deal.refresh_from_db()
    assert deal.stage == won and deal.won_at is not None
    deal.lead.refresh_from_db()
    assert (deal.lead.status, deal.lead.revenue) == ("won", money("1500"))


def test_a_drop_posts_the_same_move_and_gets_the_board_back(tenant_a, deal):
    qualified = stage(tenant_a, "Qualified")
    response = tenant_a.member_client.post(
        f"/deals/{deal.pk}/move/",
        {"stage": qualified.pk, "pipeline": sales(tenant_a).pk, "owner": ""},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="board"')
    assert "Jordan Miles" in _column(html, qualified)
    assert "Jordan Miles" not in _column(html, stage(tenant_a, "New"))


def test_a_move_to_a_stage_of_another_pipeline_is_refused(tenant_a, tenant_b, deal):
    renewals = pipelines.create_pipeline(account=tenant_a.account, name="Renewals")
    for foreign in (renewals.stages.get(name="Won"), stage(tenant_b, "Won")):
        response = tenant_a.admin_client.post(
            f"/deals/{deal.pk}/move/", {"stage": foreign.pk}, HTTP_HX_REQUEST="true"
        )
        assert response.status_code == 400
        assert "Choose a stage of this deal&#x27;s pipeline." in response.content.decode()
    deal.refresh_from_db()
    assert deal.stage == stage(tenant_a, "New")


@pytest.mark.parametrize("confirmation", ["U" * 41, "a\x00b"])
def test_a_move_with_a_spoilt_confirmation_is_refused_with_a_message(tenant_a, deal, confirmation):
    move = {"stage": stage(tenant_a, "Won").pk, "clear_revenue": confirmation}
    problem = "This move&#x27;s confirmation to clear the lead&#x27;s revenue is not one we asked"
    drop = tenant_a.admin_client.post(f"/deals/{deal.pk}/move/", move, HTTP_HX_REQUEST="true")
    assert drop.status_code == 400
    html = drop.content.decode()
    assert html.lstrip().startswith('<div id="board"') and problem in html
    assert "Jordan Miles" in _column(html, stage(tenant_a, "New"))
    plain = tenant_a.admin_client.post(f"/deals/{deal.pk}/move/", move, follow=True)
    assert plain.redirect_chain == [(f"/deals/?pipeline={sales(tenant_a).pk}", 302)]
    assert problem in plain.content.decode()
    deal.refresh_from_db()
    assert deal.stage == stage(tenant_a, "New") and deal.won_at is None


def test_the_deal_page_says_a_spoilt_confirmation_and_does_not_draw_it_back(tenant_a, deal):
    drawn = _drawn(tenant_a.admin_client, deal)
    spoilt = {**drawn, "stage": stage(tenant_a, "Won").pk, "owner": "", "clear_revenue": "U" * 41}
    refused = tenant_a.admin_client.post(f"/deals/{deal.pk}/", spoilt)
    assert refused.status_code == 400
    html = refused.content.decode()
    problem = "This move&#x27;s confirmation to clear the lead&#x27;s revenue is not one we asked"
    assert problem in html
    assert hidden_values(html)["clear_revenue"] == ""
    # Sent again as drawn, the save goes through.
    again = tenant_a.admin_client.post(f"/deals/{deal.pk}/", {**spoilt, **hidden_values(html)})
    assert again.status_code == 302
    deal.refresh_from_db()
    assert deal.stage == stage(tenant_a, "Won")


def test_the_deal_page_shows_the_deal_and_saves_changes(tenant_a, deal):
    page = tenant_a.admin_client.get(f"/deals/{deal.pk}/").content.decode()
    assert "Jordan Miles" in page and "USD 1,500.00" in page
    assert f'href="/leads/{deal.lead_id}/"' in page
    response = tenant_a.admin_client.post(
        f"/deals/{deal.pk}/",
        {"stage": stage(tenant_a, "Won").pk, "value": "2100.00", "owner": tenant_a.admin.pk},
    )
    assert response.status_code == 302
    deal.refresh_from_db()
    assert (deal.stage.name, deal.value, deal.owner) == ("Won", money("2100"), tenant_a.admin)
    deal.lead.refresh_from_db()
    assert deal.lead.revenue == money("2100")


@pytest.mark.parametrize("typed", ["", "   ", " \t "])
def test_a_value_left_empty_or_of_spaces_alone_clears_it(tenant_a, deal, typed):
    """Spaces alone were refused with "Enter an amount, such as 1500 or 1,500.00."."""
    response = tenant_a.admin_client.post(
        f"/deals/{deal.pk}/",
        {"stage": deal.stage_id, "value": typed, "owner": deal.owner_id},
    )
    assert response.status_code == 302
    deal.refresh_from_db()
    assert deal.value is None


def test_a_save_from_a_deal_page_older_than_the_deal_is_refused_then_taken(tenant_a, deal):
    page = tenant_a.admin_client.get(f"/deals/{deal.pk}/").content.decode()
    seen = re.search(r'name="seen" value="(\d+)"', page).group(1)
    deals.move_deal(deal=deal, stage=stage(tenant_a, "Contacted"))  # someone else, meanwhile
    mine = {"stage": stage(tenant_a, "Qualified").pk, "value": "900", "seen": seen}
    refused = tenant_a.admin_client.post(f"/deals/{deal.pk}/", {**mine, "owner": ""})
    assert refused.status_code == 409
    html = refused.content.decode()
    assert "Someone else changed this deal after you opened this page" in html
    deal.refresh_from_db()
    assert (deal.stage.name, deal.value) == ("Contacted", money("1500"))
    current = re.search(r'name="seen" value="(\d+)"', html).group(1)
    saved = tenant_a.admin_client.post(f"/deals/{deal.pk}/", {**mine, "owner": "", "seen": current})
    assert saved.status_code == 302
    deal.refresh_from_db()
    assert (deal.stage.name, deal.value) == ("Qualified", money("900"))


def _drawn(client, deal):
    """What the deal page's form sends back untouched: `seen`, the drawn values."""
    values = hidden_values(client.get(f"/deals/{deal.pk}/").content.decode())
    return {key: value for key, value in values.items() if key != "csrfmiddlewaretoken"}


def _selected(html, name):
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S).group(0)
    return re.search(r'<option value="(\d*)"[^>]*selected', select).group(1)


def test_a_stale_save_keeps_the_other_change_to_fields_left_alone(tenant_a, deal):
    drawn = _drawn(tenant_a.admin_client, deal)
    deals.move_deal(deal=deal, stage=stage(tenant_a, "Contacted"))  # someone else, meanwhile
    mine = {
        **drawn,
        "stage": drawn["initial-stage"],
        "value": "900",
        "owner": drawn["initial-owner"],
    }
    drawn_owner = deal.owner_id
    assert drawn_owner is not None
    refused = tenant_a.admin_client.post(f"/deals/{deal.pk}/", mine)
    assert refused.status_code == 409
    html = refused.content.decode()
    assert "(now Stage: Contacted)" in html
    assert _selected(html, "stage") == str(stage(tenant_a, "Contacted").pk)
    assert 'name="value" value="900"' in html  # the person's own entry
    deal.refresh_from_db()
    assert (deal.stage.name, deal.value) == ("Contacted", money("1500"))
    # Saving what the page now shows keeps both changes.
    shown = {name: _selected(html, name) for name in ("stage", "owner")}
    again = {**hidden_values(html), **shown, "value": "900"}
    assert tenant_a.admin_client.post(f"/deals/{deal.pk}/", again).status_code == 302
    deal.refresh_from_db()
    assert (deal.stage.name, deal.value, deal.owner_id) == ("Contacted", money("900"), drawn_owner)


def test_a_stale_save_keeps_the_persons_entry_where_both_changed_a_field(tenant_a, deal):
    drawn = _drawn(tenant_a.admin_client, deal)
    deals.update_deal(deal=deal, changes={"stage": stage(tenant_a, "Contacted"), "value": 1700})
    mine = {**drawn, "stage": stage(tenant_a, "Qualified").pk, "value": "1500.00"}
    mine["owner"] = drawn["initial-owner"]
    refused = tenant_a.admin_client.post(f"/deals/{deal.pk}/", mine)
    assert refused.status_code == 409
    html = refused.content.decode()
    assert "(now Stage: Contacted; Value: 1,700.00)" in html
    assert _selected(html, "stage") == str(stage(tenant_a, "Qualified").pk)
    assert re.search(r'name="value" value="1700.00"', html)


def test_a_save_after_a_change_to_nothing_the_form_edits_goes_through(tenant_a, deal):
    drawn = _drawn(tenant_a.admin_client, deal)
    Deal.objects.filter(pk=deal.pk).update(updated_at=deal.updated_at + timedelta(seconds=5))
    mine = {**drawn, "stage": stage(tenant_a, "Won").pk, "value": "1500"}
    mine["owner"] = drawn["initial-owner"]
    assert tenant_a.admin_client.post(f"/deals/{deal.pk}/", mine).status_code == 302
    deal.refresh_from_db()
    assert deal.stage.name == "Won"


def test_the_deal_page_refuses_an_outsider_owner_and_a_negative_value(tenant_a, tenant_b, deal):
    response = tenant_a.admin_client.post(
        f"/deals/{deal.pk}/",
        {"stage": stage(tenant_a, "New").pk, "value": "-5", "owner": tenant_b.admin.pk},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "The owner must be a member of the account." in html
    assert "Ensure this value is greater than or equal to 0." in html
    deal.refresh_from_db()
    assert (deal.value, deal.owner) == (money("1500"), tenant_a.member)


# Live


def test_a_move_pushes_to_everyone_who_sees_the_deal(
    tenant_a, deal, live_events, django_capture_on_commit_callbacks
):
    stranger = make_member(tenant_a.account, "stranger@acme.test")
    with django_capture_on_commit_callbacks(execute=True):
        deals.move_deal(deal=deal, stage=stage(tenant_a, "Won"), actor=tenant_a.member)
    for user in (tenant_a.admin, tenant_a.member):
        (frame,) = live_events.to(tenant_a.account, user, live_updates.DEAL_EVENT)
        assert f'id="deal-board-{sales(tenant_a).pk}-signal" hx-swap-oob="true"' in frame["html"]
        assert 'hx-get="/deals/"' in frame["html"] and 'hx-trigger="load"' in frame["html"]
        assert f'id="deal-{deal.pk}-facts" hx-swap-oob="true"' in frame["html"]
        assert 'data-stage-kind="won"' in frame["html"]
        # The page's form, drawn from the deal as it is now.
        change = frame["html"][frame["html"].index(f'id="deal-{deal.pk}-change"') :]
        assert 'hx-swap-oob="true"' in change.split(">", 1)[0]
        assert _selected(change, "stage") == str(stage(tenant_a, "Won").pk)
        assert f'name="initial-stage" value="{stage(tenant_a, "Won").pk}"' in change
    assert live_events.to(tenant_a.account, stranger) == []


def test_a_new_deal_is_pushed_too(tenant_a, live_events, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        capture(deal_campaign(tenant_a))
    assert live_events.to(tenant_a.account, tenant_a.admin, live_updates.DEAL_EVENT)


def test_the_previous_owner_is_told_when_a_deal_is_given_away(
    tenant_a, deal, live_events, django_capture_on_commit_callbacks
):
    outsider_rep = make_member(tenant_a.account, "other@acme.test")
    deals.update_deal(deal=deal, changes={"owner": outsider_rep})
    live_events.pushed.clear()
    with django_capture_on_commit_callbacks(execute=True):
        deals.update_deal(deal=deal, changes={"owner": tenant_a.admin})
    (frame,) = live_events.to(tenant_a.account, outsider_rep, live_updates.DEAL_EVENT)
    # No longer theirs to change: their page's form gives way to the note saying who may.
    assert f'id="deal-{deal.pk}-change"' in frame["html"]
    assert "<form" not in frame["html"] and "changes this deal" in frame["html"]
    (frame,) = live_events.to(tenant_a.account, tenant_a.admin, live_updates.DEAL_EVENT)
    assert 'name="stage"' in frame["html"]


def test_with_nobody_watching_nothing_is_rendered(tenant_a, deal, monkeypatch):
    sent = []
    monkeypatch.setattr(live, "_send", lambda groups, event, html: sent.append(event))
    live_updates.deal_changed(deal.pk)
    assert sent == []


def _won_eur_deal_with_revenue(tenant):
    from campaigns import outcomes

    lead = capture(deal_campaign(tenant, name="Export", currency="EUR"), name="Ana Ruiz")
    deal = deals.move_deal(deal=Deal.objects.get(lead=lead), stage=stage(tenant, "Won"))
    outcomes.set_outcome(lead=lead, revenue="300")
    return Deal.objects.get(pk=deal.pk)


def test_a_board_move_out_of_won_asks_before_clearing_a_revenue_typed_on_the_lead(tenant_a):
    deal = _won_eur_deal_with_revenue(tenant_a)
    contacted = stage(tenant_a, "Contacted")
    asked = tenant_a.admin_client.post(
        f"/deals/{deal.pk}/move/",
        {"stage": contacted.pk, "pipeline": sales(tenant_a).pk, "owner": ""},
        HTTP_HX_REQUEST="true",
    )
    assert asked.status_code == 409
    html = asked.content.decode()
    assert "clears its lead&#x27;s revenue of USD 300.00" in html
    assert "Move to Contacted and clear the revenue of USD 300.00" in html
    assert 'name="clear_revenue" value="USD 300.00"' in html
    assert "Keep it in Won" in html
    assert "Ana Ruiz" in _column(html, stage(tenant_a, "Won"))
    deal.lead.refresh_from_db()
    assert (deal.lead.status, deal.lead.revenue) == ("won", money("300"))

    moved = tenant_a.admin_client.post(
        f"/deals/{deal.pk}/move/",
        {"stage": contacted.pk, "clear_revenue": "USD 300.00", "pipeline": sales(tenant_a).pk},
        HTTP_HX_REQUEST="true",
    )
    assert moved.status_code == 200
    assert "Ana Ruiz" in _column(moved.content.decode(), contacted)
    deal.lead.refresh_from_db()
    assert (deal.lead.status, deal.lead.revenue) == ("contacted", None)


def test_a_plain_board_move_out_of_won_asks_on_the_board_page(tenant_a):
    deal = _won_eur_deal_with_revenue(tenant_a)
    asked = tenant_a.admin_client.post(
        f"/deals/{deal.pk}/move/", {"stage": stage(tenant_a, "Lost").pk}
    )
    assert asked.status_code == 409
    html = asked.content.decode()
    assert "<h1>Deals</h1>" in html and 'name="clear_revenue" value="USD 300.00"' in html
    assert Deal.objects.get(pk=deal.pk).stage.name == "Won"


def test_the_deal_page_asks_before_clearing_a_revenue_then_saving_again_confirms(tenant_a):
    deal = _won_eur_deal_with_revenue(tenant_a)
    drawn = _drawn(tenant_a.admin_client, deal)
    mine = {**drawn, "stage": stage(tenant_a, "Qualified").pk, "value": "700", "owner": ""}
    asked = tenant_a.admin_client.post(f"/deals/{deal.pk}/", mine)
    assert asked.status_code == 409
    html = asked.content.decode()
    assert "clears its lead&#x27;s revenue of USD 300.00" in html
    assert "Save again to move the deal and clear the revenue." in html
    deal.refresh_from_db()
    assert (deal.stage.name, deal.value) == ("Won", money("1500"))
    again = {**mine, **hidden_values(html)}
    assert again["clear_revenue"] == "USD 300.00"
    saved = tenant_a.admin_client.post(f"/deals/{deal.pk}/", again)
    assert saved.status_code == 302
    deal.refresh_from_db()
    deal.lead.refresh_from_db()
    assert (deal.stage.name, deal.value) == ("Qualified", money("700"))
    assert (deal.lead.status, deal.lead.revenue) == ("qualified", None)


def test_a_board_confirmation_clears_only_the_revenue_it_named(tenant_a):
    from campaigns import outcomes

    deal = _won_eur_deal_with_revenue(tenant_a)
    contacted = stage(tenant_a, "Contacted")
    move = {"stage": contacted.pk, "pipeline": sales(tenant_a).pk, "owner": ""}
    asked = tenant_a.admin_client.post(f"/deals/{deal.pk}/move/", move, HTTP_HX_REQUEST="true")
    assert hidden_values(asked.content.decode())["clear_revenue"] == "USD 300.00"
    # Someone sets the lead's revenue before the question is answered.
    outcomes.set_outcome(lead=deal.lead, revenue="900")
    confirmed = {**move, "clear_revenue": "USD 300.00"}
    again = tenant_a.admin_client.post(f"/deals/{deal.pk}/move/", confirmed, HTTP_HX_REQUEST="true")
    assert again.status_code == 409
    html = again.content.decode()
    assert "The lead&#x27;s revenue changed since you were asked." in html
    assert "clears its lead&#x27;s revenue of USD 900.00" in html
    assert "Move to Contacted and clear the revenue of USD 900.00" in html
    assert "Ana Ruiz" in _column(html, stage(tenant_a, "Won"))
    deal.lead.refresh_from_db()
    assert (deal.lead.status, deal.lead.revenue) == ("won", money("900"))
    # A confirmation that is not one (an old page's "1") asks too.
    stale = {**move, "clear_revenue": "1"}
    assert tenant_a.admin_client.post(f"/deals/{deal.pk}/move/", stale).status_code == 409
    moved = tenant_a.admin_client.post(
        f"/deals/{deal.pk}/move/", {**move, "clear_revenue": "USD 900.00"}
    )
    assert moved.status_code == 302
    deal.lead.refresh_from_db()
    assert (deal.lead.status, deal.lead.revenue) == ("contacted", None)


def test_the_deal_page_asks_again_when_the_revenue_changed_before_saving_again(tenant_a):
    from campaigns import outcomes

    deal = _won_eur_deal_with_revenue(tenant_a)
    drawn = _drawn(tenant_a.admin_client, deal)
    mine = {**drawn, "stage": stage(tenant_a, "Qualified").pk, "value": "700", "owner": ""}
    asked = tenant_a.admin_client.post(f"/deals/{deal.pk}/", mine)
    again = {**mine, **hidden_values(asked.content.decode())}
    outcomes.set_outcome(lead=deal.lead, revenue="900")
    refused = tenant_a.admin_client.post(f"/deals/{deal.pk}/", again)
    assert refused.status_code == 409
    html = refused.content.decode()
    assert "The lead&#x27;s revenue changed since you were asked." in html
    assert "clears its lead&#x27;s revenue of USD 900.00" in html
    deal.refresh_from_db()
    deal.lead.refresh_from_db()
    assert (deal.stage.name, deal.lead.revenue) == ("Won", money("900"))
    confirmed = {**mine, **hidden_values(html)}
    assert confirmed["clear_revenue"] == "USD 900.00"
    assert tenant_a.admin_client.post(f"/deals/{deal.pk}/", confirmed).status_code == 302
    deal.lead.refresh_from_db()
    assert (deal.lead.status, deal.lead.revenue) == ("qualified", None)


def test_the_pages_say_where_a_deals_value_becomes_revenue(tenant_a, deal):
    page = tenant_a.admin_client.get(f"/deals/{deal.pk}/").content.decode()
    assert "Values are in USD. A won stage wins the lead and records the value as its" in page
    foreign = _won_eur_deal_with_revenue(tenant_a)
    page = tenant_a.admin_client.get(f"/deals/{foreign.pk}/").content.decode()
    assert "Values are in EUR. A won stage wins the lead, but this value is not its revenue" in page
    assert "A won stage records the value as the lead" not in page
    board = tenant_a.admin_client.get("/deals/", {"pipeline": sales(tenant_a).pk}).content
    assert "a value in USD (the account's currency) becomes the lead's revenue" in (board.decode())


def test_a_move_by_htmx_is_announced_and_its_card_names_where_focus_returns(tenant_a, deal):
    contacted = stage(tenant_a, "Contacted")
    response = tenant_a.admin_client.post(
        f"/deals/{deal.pk}/move/", {"stage": contacted.pk}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert json.loads(response.headers["HX-Trigger-After-Swap"]) == {
        "notice": {"level": "success", "text": f"Moved {deal.title} to Contacted."}
    }
    assert f'data-refocus="#deal-{deal.pk} .deal-move summary"' in response.content.decode()
