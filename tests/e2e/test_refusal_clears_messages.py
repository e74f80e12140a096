"""A refused in-page action says why where it was refused, and the messages of earlier actions
go: a success announced before ("Riley Rep is now a member.") no longer stands beside it."""

from playwright.sync_api import expect

from campaignhub.models import Membership, Role
from campaigns.forms import CampaignStatusForm
from tests.campaigns.factories import make_campaign
from tests.e2e.test_account_and_held_leads import _Tenant
from tests.e2e.test_platform import log_in
from tests.factories import make_account, make_member


def test_a_refused_role_change_clears_the_previous_success(server, page):
    acme = make_account("Acme Agency", "admin@acme.test")
    admin = acme.memberships.get()
    make_member(acme, "riley@acme.test", role=Role.ADMIN, name="Riley Rep")

    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/settings/members/")
    page.get_by_label("Role of riley@acme.test", exact=True).select_option("member")
    page.get_by_role("button", name="Save role of riley@acme.test").click()
    messages = page.locator("#messages")
    expect(messages.get_by_role("status")).to_have_text("Riley Rep is now a member.")

    page.get_by_label("Role of admin@acme.test", exact=True).select_option("member")
    page.get_by_role("button", name="Save role of admin@acme.test").click()
    row = page.locator(f"#member-{admin.pk}")
    expect(row.locator(".error")).to_have_text("An account needs at least one admin.")
    expect(messages.locator(".message")).to_have_count(0)
    assert Membership.objects.get(pk=admin.pk).is_admin


def test_a_message_asked_for_by_a_refusal_is_still_shown(server, page):
    """A 400 that also asks for a message (`notify`: a status the Pause button never sends)
    shows that message once the old ones are gone."""
    account = make_account("Acme Agency", "admin@acme.test")
    campaign = make_campaign(_Tenant(account), campaign_name="Roofing")
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/campaigns/{campaign.pk}/")
    page.evaluate(
        """([url, target]) => {
          const old = document.createElement("div");
          old.className = "message success";
          old.setAttribute("data-flash", "");
          old.textContent = "Campaign saved.";
          document.getElementById("messages").append(old);
          htmx.ajax("POST", url, {target, swap: "outerHTML", values: {status: "maybe"}});
        }""",
        [f"/campaigns/{campaign.pk}/status/", f"#campaign-{campaign.pk}-status"],
    )
    expect(page.locator("#messages .message")).to_have_text([CampaignStatusForm.STATUS_REQUIRED])
