"""Phone numbers and times read the same way on the lead list and a lead's page: the account's
national format (E.164 in the title and the `tel:` link) and "30 Nov 2026, 11:42" in the
account's time zone."""

from datetime import UTC, datetime
from types import SimpleNamespace

from playwright.sync_api import expect

from campaignhub.models import Role
from campaigns import services
from campaigns.models import Lead
from tests.campaigns.factories import make_campaign
from tests.e2e.test_platform import log_in
from tests.factories import make_account


def test_the_lead_list_and_a_leads_page_show_one_phone_and_time_format(server, page):
    account = make_account("Acme Agency", "admin@acme.test")
    account.timezone, account.country = "America/New_York", "US"
    account.save()
    admin = account.memberships.get(role=Role.ADMIN).user
    campaign = make_campaign(SimpleNamespace(account=account, admin=admin), campaign_name="Roofing")
    lead, _ = services.capture_lead(
        campaign=campaign,
        source="form",
        external_id="formats-1",
        name="Ann Lee",
        phone="+14125550142",
        alert=False,
    )
    abroad, _ = services.capture_lead(
        campaign=campaign,
        source="form",
        external_id="formats-2",
        phone="+442079460018",
        alert=False,
    )
    arrived = datetime(2026, 11, 30, 16, 42, 5, tzinfo=UTC)
    Lead.objects.filter(pk__in=[lead.pk, abroad.pk]).update(created_at=arrived, updated_at=arrived)

    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/leads/")
    row = page.locator(f"#lead-{lead.pk}")
    phone = row.locator(".phone")
    expect(phone).to_have_text("(412) 555-0142")
    expect(phone).to_have_attribute("title", "+14125550142")
    expect(row.locator("time")).to_have_text("30 Nov 2026, 11:42")
    expect(row.locator("time")).to_have_attribute("datetime", "2026-11-30T11:42:05-05:00")
    expect(row).not_to_contain_text("+14125550142")
    expect(page.locator(f"#lead-{abroad.pk} .phone").first).to_have_text("+44 20 7946 0018")

    row.get_by_role("link", name="Ann Lee").click()
    expect(page).to_have_url(f"{server}/leads/{lead.pk}/")
    call = page.get_by_role("link", name="(412) 555-0142")
    expect(call).to_have_attribute("href", "tel:+14125550142")
    received = page.locator("dt", has_text="Received").locator("xpath=following-sibling::dd[1]")
    expect(received).to_have_text("30 Nov 2026, 11:42")
    expect(received.locator("time")).to_have_attribute("title", "30 Nov 2026, 11:42:05 EST")
    expect(page.locator("main")).not_to_contain_text("2026-11-30")
