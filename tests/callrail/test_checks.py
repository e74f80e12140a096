"""A CallRail campaign whose number is not one of the company's trackers is warned about,
from the listing the number picker keeps, never by calling CallRail on a page render."""

import logging
from unittest import mock

import pytest

from callrail import checks as callrail_checks
from callrail.models import CallRailSettings
from campaigns import checks
from campaigns.models import Campaign
from tests.callrail.conftest import ACC, API, COM, connect, page, tracker_record
from tests.campaigns.factories import make_campaign

pytestmark = pytest.mark.django_db

CODE = "tracking_number_not_a_tracker"


def choose_company(tenant, company_id=COM, company_name="Demo Roofing"):
    CallRailSettings.objects.update_or_create(
        account=tenant.account,
        defaults={
            "callrail_account_id": ACC,
            "company_id": company_id,
            "company_name": company_name,
        },
    )


def callrail_campaign(tenant, number, **overrides):
    return make_campaign(
        tenant,
        integration="callrail",
        tracking_number=number,
        selected_user=[{"id": tenant.admin.pk}],
        **overrides,
    )


def codes(campaign):
    return [warning.code for warning in checks.campaign_warnings(campaign)]


def listed(tenant, *numbers, company_id=COM):
    callrail_checks.remember_trackers(
        tenant.account,
        company_id=company_id,
        company_name="Demo Roofing",
        tracking_numbers=numbers,
    )


def test_a_number_that_is_not_a_tracker_is_a_warning(tenant_a):
    choose_company(tenant_a)
    listed(tenant_a, "+14155550134")
    campaign = callrail_campaign(tenant_a, "+14155550199")
    [warning] = checks.campaign_warnings(campaign)
    assert warning.code == CODE
    assert warning.message.startswith(
        "(415) 555-0199 is not one of the active trackers of the CallRail company Demo Roofing "
        "(as listed 0\xa0minutes ago), so no call or text can reach this campaign."
    )


def test_a_number_of_any_tracker_passes_in_any_format(tenant_a):
    choose_company(tenant_a)
    listed(tenant_a, "(415) 555-0134", "+14155550135", "", "not a number")
    assert codes(callrail_campaign(tenant_a, "+14155550134")) == []
    assert codes(callrail_campaign(tenant_a, "+14155550135")) == []


def test_without_a_listing_nothing_is_claimed(tenant_a):
    choose_company(tenant_a)
    assert codes(callrail_campaign(tenant_a, "+14155550199")) == []


def test_a_listing_of_another_company_is_not_used(tenant_a):
    choose_company(tenant_a)
    listed(tenant_a, "+14155550134", company_id="COMother")
    assert codes(callrail_campaign(tenant_a, "+14155550199")) == []


def test_listings_are_per_account(tenant_a, tenant_b):
    choose_company(tenant_a)
    choose_company(tenant_b)
    listed(tenant_b, "+14155550199")
    listed(tenant_a, "+14155550134")
    assert codes(callrail_campaign(tenant_b, "+14155550199")) == []
    assert codes(callrail_campaign(tenant_a, "+14155550199")) == [CODE]


def test_other_lead_sources_are_not_checked(tenant_a):
    choose_company(tenant_a)
    listed(tenant_a, "+14155550134")
    webhook = make_campaign(
        tenant_a,
        integration="webhook",
        tracking_number="+14155550199",
        selected_user=[{"id": tenant_a.admin.pk}],
    )
    assert codes(webhook) == []


def test_an_unreachable_cache_means_no_warning_and_a_log_line(tenant_a, caplog):
    choose_company(tenant_a)
    campaign = callrail_campaign(tenant_a, "+14155550199")
    with (
        mock.patch.object(callrail_checks.cache, "get", side_effect=ConnectionError("down")),
        caplog.at_level(logging.WARNING, logger="callrail.checks"),
    ):
        assert codes(campaign) == []
        assert checks.with_failures(Campaign.objects.all(), tenant_a.account).count() == 0
    assert "Could not read the CallRail tracker listing" in caplog.text


def test_the_picker_keeps_the_listing_and_pages_never_call_callrail(tenant_a, upstream):
    connect(tenant_a)
    upstream.get(
        f"{API}/a/{ACC}/trackers.json",
        json=page(
            "trackers",
            [
                tracker_record(id="TRK1"),
                tracker_record(
                    id="TRK2", type="session", tracking_numbers=["+14155550135", "+14155550136"]
                ),
            ],
        ),
    )
    good = callrail_campaign(tenant_a, "+14155550136", campaign_name="Pool number")
    gone = callrail_campaign(tenant_a, "+14155550199", campaign_name="Old number")
    assert tenant_a.admin_client.get("/callrail/tracker-picker/").status_code == 200
    calls = len(upstream.calls)

    page_of_gone = tenant_a.admin_client.get(f"/campaigns/{gone.pk}/").content.decode()
    page_of_good = tenant_a.admin_client.get(f"/campaigns/{good.pk}/").content.decode()
    dashboard = tenant_a.admin_client.get("/").content.decode()
    edit_form = tenant_a.admin_client.get(f"/campaigns/{gone.pk}/edit/").content.decode()

    assert len(upstream.calls) == calls
    assert f'data-code="{CODE}"' in page_of_gone and f'data-code="{CODE}"' in edit_form
    assert "data-code" not in page_of_good
    assert ">Old number</a>: Tracking number is not a CallRail tracker" in dashboard
    assert ">Pool number</a>" not in dashboard


def test_the_form_warns_before_saving(tenant_a):
    choose_company(tenant_a)
    listed(tenant_a, "+14155550134")
    post = {
        "campaign_name": "Calls",
        "integration": "callrail",
        "tracking_number": "(415) 555-0199",
        "representatives": [str(tenant_a.admin.pk)],
    }
    content = tenant_a.admin_client.post("/campaigns/checks/", post).content.decode()
    assert f'data-code="{CODE}"' in content
    post["tracking_number"] = "(415) 555-0134"
    assert (
        "data-code" not in tenant_a.admin_client.post("/campaigns/checks/", post).content.decode()
    )


@pytest.mark.parametrize("number", ["+14155550134", "+14155550199"])
def test_the_page_and_the_dashboard_agree(tenant_a, number):
    choose_company(tenant_a)
    listed(tenant_a, "+14155550134")
    campaign = callrail_campaign(tenant_a, number)
    flagged = checks.with_failures(Campaign.objects.filter(pk=campaign.pk), tenant_a.account)
    on_dashboard = [
        check.code
        for row in flagged
        for check in checks.CHECKS.values()
        if getattr(row, check.flag)
    ]
    assert on_dashboard == codes(campaign)
