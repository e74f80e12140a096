"""Campaign rows on the live list follow who may see the campaign."""

import pytest

from campaigns import events, services
from campaigns.models import LeadSource
from tests.campaigns.factories import make_campaign

pytestmark = pytest.mark.django_db

INSERT = '<tbody hx-swap-oob="afterbegin:#campaign-rows-live">'


def row_frames(live_events, tenant, user):
    frames = live_events.to(tenant.account, user, events.COUNT_EVENT)
    return [f["html"] for f in frames if "campaign-counts" not in f["html"]]


def test_a_member_made_representative_gets_the_row_inserted(tenant_a, live_events, committed):
    with committed():
        campaign = make_campaign(tenant_a)
    assert live_events.to(tenant_a.account, tenant_a.member) == []

    with committed():
        services.update_campaign(
            campaign=campaign, changes={"selected_user": [{"id": tenant_a.member.pk}]}
        )

    [row] = row_frames(live_events, tenant_a, tenant_a.member)
    assert row.startswith(INSERT)
    assert f'<tr id="campaign-{campaign.pk}" ' in row
    # The admin saw it already: the row is replaced in place, not inserted again.
    [*_, admin_row] = row_frames(live_events, tenant_a, tenant_a.admin)
    assert admin_row.startswith(f'<tr id="campaign-{campaign.pk}" ')


def test_a_representative_taken_off_gets_the_row_removed(tenant_a, live_events, committed):
    with committed():
        campaign = make_campaign(tenant_a, selected_user=[{"id": tenant_a.member.pk}])
    live_events.pushed.clear()

    with committed():
        services.update_campaign(campaign=campaign, changes={"selected_user": []})

    [row] = row_frames(live_events, tenant_a, tenant_a.member)
    assert row == f'<tr id="campaign-{campaign.pk}" hx-swap-oob="delete"></tr>'
    [counts] = [
        f["html"]
        for f in live_events.to(tenant_a.account, tenant_a.member)
        if "campaign-counts" in f["html"]
    ]
    assert "<strong>0</strong><span>Total</span>" in counts


def test_a_removal_brings_up_the_first_row_of_page_two(tenant_a, live_events, committed):
    with committed():
        campaigns = [make_campaign(tenant_a, campaign_name=f"C{n}") for n in range(27)]
    live_events.pushed.clear()

    with committed():
        services.delete_campaign(campaign=campaigns[20])

    removal, refill = row_frames(live_events, tenant_a, tenant_a.admin)
    assert removal == f'<tr id="campaign-{campaigns[20].pk}" hx-swap-oob="delete"></tr>'
    # 26 left, newest first: the 25th is C1, which was first on page 2.
    assert refill.startswith('<tbody hx-swap-oob="beforeend:#campaign-rows-live">')
    assert f'<tr id="campaign-{campaigns[1].pk}" ' in refill


def test_a_new_lead_updates_the_campaign_rows_lead_count(tenant_a, live_events, committed):
    with committed():
        campaign = make_campaign(tenant_a)
    live_events.pushed.clear()

    with committed():
        services.capture_lead(
            campaign=campaign, source=LeadSource.FORM, external_id="form-1", name="Ann"
        )

    [row] = row_frames(live_events, tenant_a, tenant_a.admin)
    assert row.strip().startswith(f'<tr id="campaign-{campaign.pk}" ')
    assert '<td data-label="Leads">1</td>' in row
    assert row_frames(live_events, tenant_a, tenant_a.member) == []


def page_frame(live_events, tenant, user):
    [frame] = live_events.to(tenant.account, user, events.PAGE_EVENT)
    return frame["html"]


def test_a_pause_reaches_the_campaign_page_with_buttons_for_who_may_use_them(
    tenant_a, live_events, committed
):
    with committed():
        campaign = make_campaign(tenant_a, selected_user=[{"id": tenant_a.member.pk}])
    assert live_events.to(tenant_a.account, tenant_a.admin, events.PAGE_EVENT) == []

    with committed():
        services.set_campaign_status(campaign=campaign, active=False)

    admin = page_frame(live_events, tenant_a, tenant_a.admin)
    assert f'<div id="campaign-{campaign.pk}-status" class="status-block" hx-swap-oob="true">' in (
        admin
    )
    assert "Inactive" in admin and ">Activate</button>" in admin and ">Edit</a>" in admin
    # The representative sees the same state, without the buttons they may not use.
    rep = page_frame(live_events, tenant_a, tenant_a.member)
    assert f'id="campaign-{campaign.pk}-status"' in rep and "Inactive" in rep
    assert "<button" not in rep and ">Edit</a>" not in rep
    assert "You represent this campaign" in rep


def test_a_rename_reaches_the_campaign_pages_title_and_details(tenant_a, live_events, committed):
    with committed():
        campaign = make_campaign(tenant_a)
    live_events.pushed.clear()

    with committed():
        services.update_campaign(
            campaign=campaign, changes={"campaign_name": "Autumn gutters", "status": True}
        )

    html = page_frame(live_events, tenant_a, tenant_a.admin)
    assert f'<h1 id="campaign-{campaign.pk}-name" hx-swap-oob="true">Autumn gutters</h1>' in html
    assert f'<div id="campaign-{campaign.pk}-details" hx-swap-oob="true">' in html
    assert "Active" in html and ">Pause</button>" in html


def test_the_counts_draw_the_live_lists_pager_again_with_the_total(
    tenant_a, live_events, committed
):
    for number in range(26):
        with committed():
            campaign = make_campaign(tenant_a, campaign_name=f"Campaign {number}")
    [*_, counts] = [
        f["html"]
        for f in live_events.to(tenant_a.account, tenant_a.admin, events.COUNT_EVENT)
        if "campaign-counts" in f["html"]
    ]
    assert '<div id="campaign-pager-live" hx-swap-oob="true">' in counts
    assert "Page 1 of 2 · 26 in all" in counts
    assert 'href="?page=2"' in counts
    # The lists that take no new rows say theirs are as loaded.
    assert '<p id="campaign-list-changed" class="help" hx-swap-oob="true">' in counts

    with committed():
        services.delete_campaign(campaign=campaign)
    [*_, counts] = [
        f["html"]
        for f in live_events.to(tenant_a.account, tenant_a.admin, events.COUNT_EVENT)
        if "campaign-counts" in f["html"]
    ]
    # Back to one page: the pager offers no other page, and says the count.
    pager = counts.split('<div id="campaign-pager-live" hx-swap-oob="true">')[1]
    pager = pager.split("</div>")[0]
    assert "Page 1 of 1 · 25 in all" in pager and "?page=" not in pager


def test_a_lead_held_by_a_paused_campaign_reaches_its_page(tenant_a, live_events, committed):
    from django.test import Client

    from campaigns.models import Campaign

    with committed():
        campaign = make_campaign(
            tenant_a, integration="webhook", selected_user=[{"id": tenant_a.member.pk}]
        )
        services.set_campaign_status(campaign=campaign, active=False)
    live_events.pushed.clear()
    token = Campaign.objects.get(pk=campaign.pk).webhook_token
    body = '{"external_id": "held-1", "phone": "+14155550111"}'
    answer = Client().post(f"/webhooks/leads/{token}/", body, content_type="application/json")
    assert answer.status_code == 200 and "ignored" in answer.json()

    admin = page_frame(live_events, tenant_a, tenant_a.admin)
    assert f'<div id="campaign-{campaign.pk}-held" hx-swap-oob="true">' in admin
    assert "1 lead</strong> reached this campaign's webhook while it was paused" in admin
    assert "Activate the campaign, then capture it here with “Capture it now”." in admin
    # Its representative sees the count too.
    rep = page_frame(live_events, tenant_a, tenant_a.member)
    assert "1 lead</strong> reached this campaign" in rep
    assert "Activate the campaign" not in rep

    # Once captured, pages open elsewhere drop the notice and its button.
    with committed():
        services.set_campaign_status(campaign=campaign, active=True)
    live_events.pushed.clear()
    admin_membership = tenant_a.account.memberships.get(user=tenant_a.admin)
    with committed():
        assert services.capture_held_leads(campaign=campaign, actor=admin_membership) == 1
    for user in (tenant_a.admin, tenant_a.member):
        [*_, frame] = live_events.to(tenant_a.account, user, events.PAGE_EVENT)
        held = frame["html"].split(f'<div id="campaign-{campaign.pk}-held"')[1].split("</div>")[0]
        assert "reached this campaign" not in held and "Capture" not in held


def test_counts_are_worked_out_only_for_people_with_a_page_open(
    tenant_a, live_events, committed, monkeypatch
):
    from campaignhub import live

    monkeypatch.setattr(live, "watching_members", lambda account_id, user_ids: set())
    with committed():
        campaign = make_campaign(tenant_a, selected_user=[{"id": tenant_a.member.pk}])
    live_events.pushed.clear()

    with committed():
        services.update_campaign(campaign=campaign, changes={"selected_user": []})

    # The row still goes to each person's group (a page opening meanwhile gets it); the
    # counts and the row moving up, rendered per person, are rendered for nobody.
    frames = [f["html"] for f in live_events.pushed]
    assert f'<tr id="campaign-{campaign.pk}" hx-swap-oob="delete"></tr>' in frames
    assert not [html for html in frames if "campaign-counts" in html]


LEADS_CHANGED = '<p id="lead-list-changed" class="help" hx-swap-oob="true">'


def test_a_new_lead_tells_the_lead_lists_that_take_no_live_rows(tenant_a, live_events, committed):
    with committed():
        campaign = make_campaign(tenant_a, selected_user=[{"id": tenant_a.member.pk}])
    live_events.pushed.clear()

    with committed():
        services.capture_lead(
            campaign=campaign, source=LeadSource.FORM, external_id="ann", name="Ann Lee"
        )

    for person in (tenant_a.admin, tenant_a.member):
        [frame] = [f["html"] for f in live_events.to(tenant_a.account, person, events.LEAD_EVENT)]
        assert '<tbody hx-swap-oob="afterbegin:#lead-rows-live">' in frame
        assert LEADS_CHANGED in frame
        assert "reload the page</a> for the current list and count." in frame


def test_only_the_lists_that_take_no_live_rows_carry_the_note(tenant_a):
    hidden = '<p id="lead-list-changed" class="help" hidden>'
    assert hidden not in tenant_a.admin_client.get("/leads/").content.decode()
    for query in ("status=new", "search=ann", f"representative={tenant_a.member.pk}"):
        content = tenant_a.admin_client.get(f"/leads/?{query}").content.decode()
        assert hidden in content, query
    # The table alone, as a filter's change draws it again, hides it again.
    table = tenant_a.admin_client.get("/leads/?status=new", headers={"HX-Request": "true"})
    assert hidden in table.content.decode()
    assert hidden not in tenant_a.admin_client.get("/leads/?status=bogus").content.decode()
