"""A lead's details card starts with its first fact (Phone) at the card's padding, on a phone
and a desktop alike, with no empty band above it."""

import pytest
from playwright.sync_api import expect

from campaigns import services
from campaigns.models import LeadSource
from tests.campaigns.factories import make_campaign
from tests.e2e.test_account_and_held_leads import _Tenant
from tests.e2e.test_platform import log_in
from tests.factories import make_account

GAP = """() => {
  const card = document.querySelector('.lead-page > section.card');
  const first = card.querySelector('.facts > dt');
  const padding = parseFloat(getComputedStyle(card).paddingTop);
  const border = parseFloat(getComputedStyle(card).borderTopWidth);
  return first.getBoundingClientRect().top - card.getBoundingClientRect().top - border - padding;
}"""


@pytest.mark.parametrize("width", [390, 1280])
def test_the_details_card_starts_with_phone(server, page, width):
    account = make_account("Acme Agency", "admin@acme.test")
    campaign = make_campaign(_Tenant(account), campaign_name="Roofing")
    lead, _ = services.capture_lead(
        campaign=campaign, source=LeadSource.FORM, external_id="one", name="Ann Lee"
    )
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/leads/{lead.pk}/")
    expect(page.locator(".lead-page .facts > dt").first).to_have_text("Phone")
    # Phone's own row may be taller on a phone (its number is a 44 px tap target); nothing
    # stands between the card's padding and that row.
    assert page.evaluate(GAP) < 1
