"""Forms as a keyboard and a screen reader meet them: every control named, a refused form's
focus on what to fix, errors and help texts tied to their fields."""

from playwright.sync_api import expect

from invoca.models import AdvertiserCampaign
from tests.e2e.test_platform import log_in
from tests.factories import make_account


def test_the_invoca_campaign_rows_are_filled_by_their_names(server, page):
    make_account("Acme Agency", "admin@acme.test")
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/invoca/advertisers/acme-adv/campaigns/new/")
    page.get_by_role("textbox", name="Named region 2", exact=True).fill("Sacramento area")
    page.get_by_role("combobox", name="Type of named region 2").select_option("City")
    value = page.get_by_role("textbox", name="Value of named region 2")
    expect(value).to_have_accessible_description("e.g. Sacramento, CA — or just CA")
    value.fill("Sacramento, CA")
    page.get_by_role("combobox", name="Payout 1 type").select_option("Base")
    page.get_by_label("Payout 1 amount", exact=True).fill("5")
    page.get_by_role("textbox", name="Payin 2 condition").fill("duration >= 1 min and")
    page.get_by_role("button", name="Create campaign").click()

    expect(page.get_by_role("textbox", name="Payin 2 condition")).to_have_attribute(
        "aria-invalid", "true"
    )
    expect(page.get_by_role("textbox", name="Value of named region 2")).to_have_value(
        "Sacramento, CA"
    )
    assert not AdvertiserCampaign.objects.exists()
