"""Forms as a keyboard and a screen reader meet them: every control named, a refused form's
focus on what to fix, errors and help texts tied to their fields."""

import re
from itertools import pairwise

from playwright.sync_api import expect

from invoca.models import AdvertiserCampaign
from tests.campaigns.factories import make_campaign
from tests.e2e.test_account_and_held_leads import _Tenant
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


def test_a_refused_new_tracker_sums_up_its_errors_and_ties_each_to_its_field(server, page):
    make_account("Acme Agency", "admin@acme.test")
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/callrail/trackers/new/")
    page.get_by_role("radio", name=re.compile(r"^Session:")).check()
    page.get_by_role("button", name="Create tracker").click()

    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Please fix the highlighted fields.")
    name = page.get_by_label("Name", exact=True)
    expect(name).to_have_attribute("aria-invalid", "true")
    expect(name).to_have_accessible_description("Tracker name is required.")
    expect(page.get_by_label("Area code")).not_to_have_attribute("aria-invalid", "true")
    summary.get_by_role("link", name="Forward calls to: Destination number is required.").click()
    expect(page.get_by_label("Forward calls to")).to_be_focused()


def test_a_refused_save_without_a_summary_puts_focus_on_the_first_wrong_field(server, page):
    make_account("Acme Agency", "admin@acme.test")
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/settings/profile/")
    page.get_by_label("Phone").fill("abc")
    page.get_by_role("button", name="Save").click()
    phone = page.get_by_label("Phone")
    expect(phone).to_be_focused()
    expect(phone).to_have_attribute("aria-invalid", "true")
    expect(phone).to_have_accessible_description(re.compile("Enter a valid phone number"))

    page.goto(f"{server}/settings/pipelines/")
    page.get_by_label("New pipeline").fill("   ")
    page.get_by_role("button", name="Add pipeline").click()
    name = page.get_by_label("New pipeline")
    expect(name).to_be_focused()
    expect(name).to_have_accessible_description("This field is required.")
    # A page that loads without errors leaves the focus where it was.
    page.goto(f"{server}/settings/pipelines/")
    expect(page.locator("body")).to_be_focused()


def test_a_public_form_without_phone_or_email_marks_both_and_links_to_phone(server, page):
    account = make_account("Acme Agency", "admin@acme.test")
    campaign = make_campaign(_Tenant(account), integration="form", campaign_name="Roofing")
    page.goto(f"{server}/f/{campaign.form_secret_id}/")
    page.get_by_label("Name").fill("Ann Visitor")
    page.get_by_role("button", name="Send").click()

    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    for label in ("Phone", "Email"):
        control = page.get_by_label(label)
        expect(control).to_have_attribute("aria-invalid", "true")
        expect(control).to_have_accessible_description("Leave a phone number or an email address.")
    expect(page.get_by_label("Name")).not_to_have_attribute("aria-invalid", "true")
    summary.get_by_role("link", name="Leave a phone number or an email address.").click()
    expect(page.get_by_label("Phone")).to_be_focused()
    expect(page.locator("main#content")).to_be_visible()


def test_filters_a_list_cannot_use_mark_their_controls_and_name_them_by_their_labels(server, page):
    make_account("Acme Agency", "admin@acme.test")
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/leads/?representative=abc&status=bogus")
    said = page.locator("#filter-errors")
    expect(said).to_contain_text("These filters cannot be used: Representative: ")
    representative = page.get_by_label("Representative")
    status = page.get_by_label("Status")
    for control in (representative, status):
        expect(control).to_have_attribute("aria-invalid", "true")
        expect(control).to_have_attribute("aria-describedby", "filter-errors")
    expect(page.get_by_label("Campaign")).not_to_have_attribute("aria-invalid", "true")
    # A status chosen sends the filters the selects show (the list is swapped in): all usable.
    status.select_option("new")
    expect(said).to_have_count(0)
    for control in (representative, status):
        expect(control).not_to_have_attribute("aria-invalid", "true")
        expect(control).not_to_have_attribute("aria-describedby", "filter-errors")

    page.goto(f"{server}/reports/?from=2025-01-03&to=2025-01-01")
    expect(page.locator("#filter-errors")).to_contain_text("To: The end of the period")
    expect(page.get_by_label("To", exact=True)).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("From", exact=True)).not_to_have_attribute("aria-invalid", "true")


def test_a_copy_button_is_named_for_what_it_copies_and_says_it_copied(server, page):
    make_account("Acme Agency", "admin@acme.test")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/settings/tokens/")
    page.get_by_label("Name").fill("Zapier")
    page.get_by_role("button", name="Create token").click()
    copy = page.get_by_role("button", name="Copy token Zapier")
    copy.click()
    expect(copy).to_have_text("Copied")
    expect(page.locator("#announcer")).to_have_text("Copied")
    assert (
        page.evaluate("navigator.clipboard.readText()")
        == page.locator("#new-token-value").inner_text()
    )


def test_an_ivr_field_names_its_help_and_its_error_and_the_help_agrees_with_the_rule(server, page):
    make_account("Acme Agency", "admin@acme.test")
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/invoca/ivr/")
    editor = page.locator("[data-ivr-editor]")
    editor.get_by_role("button", name="Start a call flow").click()
    # A Menu needs its prompt: its help does not say it may be empty, and the error is its own.
    menu = editor.locator('section.ivr-node[data-path="root"]')
    prompt = menu.get_by_label("Prompt").first
    expect(prompt).to_have_attribute("aria-invalid", "true")
    expect(prompt).to_have_accessible_description("What the caller hears first. cannot be empty")
    prompt.fill("Press 1 for sales.")
    expect(prompt).not_to_have_attribute("aria-invalid", "true")
    # A Connect may go without one, as its help says.
    menu.get_by_role("button", name="Add child").last.click()
    connect = editor.locator('section.ivr-node[data-path="root.0"]')
    expect(connect.get_by_label("Prompt").first).to_have_accessible_description(
        "What the caller hears first. Empty means no prompt."
    )
    phone = connect.get_by_label("Destination phone number")
    expect(phone).to_have_attribute("aria-invalid", "true")
    expect(phone).to_have_accessible_description("Digits only. cannot be empty")
    # The page's headings go down one level at a time.
    page.get_by_role("button", name="Check the tree").click()
    expect(page.get_by_role("heading", name="Call flow", level=2).first).to_be_attached()
    levels = page.eval_on_selector_all("h1, h2, h3, h4", "hs => hs.map((h) => +h.tagName[1])")
    assert all(b <= a + 1 for a, b in pairwise(levels)), levels


def test_the_phone_menu_closes_when_the_focus_leaves_the_header_and_on_escape_anywhere(
    server, page
):
    make_account("Acme Agency", "admin@acme.test")
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/leads/")
    menu = page.get_by_role("button", name="Menu")
    nav = page.locator("nav.mainnav")
    menu.click()
    expect(nav).to_be_visible()
    # Tabbing through the menu keeps it open; tabbing past its last control closes it.
    page.keyboard.press("Tab")
    expect(nav.get_by_role("link").first).to_be_focused()
    expect(nav).to_be_visible()
    page.get_by_role("button", name="Log out").focus()
    expect(nav).to_be_visible()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Search leads")).to_be_focused()
    expect(nav).to_be_hidden()
    expect(menu).to_have_attribute("aria-expanded", "false")

    # A click into the page moves the focus there: closed too.
    menu.click()
    expect(nav).to_be_visible()
    page.mouse.click(200, 700)
    expect(nav).to_be_hidden()
    # Escape closes it wherever the focus is (here nowhere: the page's body), leaving it there.
    menu.click()
    page.evaluate("document.activeElement.blur()")
    expect(nav).to_be_visible()
    page.keyboard.press("Escape")
    expect(nav).to_be_hidden()
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(menu).not_to_be_focused()
