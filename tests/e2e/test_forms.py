"""Sections a form hides (`data-show-when`) never block its submit in the browser."""

from playwright.sync_api import expect

from tests.e2e.test_platform import log_in
from tests.factories import make_account


def test_an_invalid_value_in_a_hidden_section_does_not_block_the_submit(server, page):
    make_account("Acme Agency", "admin@acme.test")
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/campaigns/new/")
    page.get_by_label("Name", exact=True).fill("Spring roofing")
    page.get_by_label("Lead source").select_option("form")
    page.get_by_label("Email only").check()
    page.get_by_label("Reply-to email").fill("not-an-email")
    page.get_by_label("SMS only").check()
    expect(page.get_by_label("Reply-to email")).to_be_hidden()
    page.get_by_label("Email only").check()
    expect(page.get_by_label("Reply-to email")).to_be_editable()  # shown again, checked again
    page.get_by_label("SMS only").check()

    with page.expect_request(lambda request: request.method == "POST") as submitted:
        page.get_by_role("button", name="Create campaign").click()
    assert "reply_to_email=not-an-email" in submitted.value.post_data
