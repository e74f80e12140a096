"""Keyboard and screen-reader basics the pages share: a skip link, live regions, names."""

import re

import pytest
from django.conf import settings
from django.urls import reverse

from campaigns.models import LeadSource
from campaigns.services import capture_lead
from tests.campaigns.factories import make_campaign

pytestmark = pytest.mark.django_db

FOCUSABLE = re.compile(r"<(a|button|input|select|textarea)\b(?![^>]*type=\"hidden\")[^>]*>")


def first_focusable(html):
    body = html[html.index("<body") :]
    return FOCUSABLE.search(body[body.index(">") :]).group(0)


@pytest.mark.parametrize("name", ["dashboard", "lead_list", "campaign_list", "members"])
def test_a_signed_in_page_starts_with_a_skip_link_to_its_main_content(tenant_a, name):
    html = tenant_a.admin_client.get(reverse(name)).content.decode()
    assert first_focusable(html) == '<a class="skip-link" href="#content">'
    assert '<main class="container" id="content" tabindex="-1">' in html


def test_the_login_page_starts_with_the_skip_link_too(client):
    html = client.get(reverse("login")).content.decode()
    assert first_focusable(html) == '<a class="skip-link" href="#content">'
    assert 'id="content" tabindex="-1"' in html


def test_every_page_has_one_polite_region_for_announcements(tenant_a):
    html = tenant_a.admin_client.get(reverse("dashboard")).content.decode()
    assert html.count('id="announcer"') == 1
    # aria-live alone, not role="status": a page's own status messages stay the only ones.
    assert (
        '<div id="announcer" class="visually-hidden" aria-live="polite" aria-atomic="true"></div>'
    ) in html


def test_lead_rows_and_feed_items_carry_the_words_that_announce_them(tenant_a):
    campaign = make_campaign(tenant_a, integration="form", campaign_name="Roof")
    capture_lead(campaign=campaign, source=LeadSource.FORM, external_id="1", name="Live Tester")
    for name in ("dashboard", "lead_list"):
        html = tenant_a.admin_client.get(reverse(name)).content.decode()
        assert 'data-announce="New lead: Live Tester"' in html, name


def test_filtered_results_have_a_summary_to_announce(tenant_a):
    make_campaign(tenant_a, integration="form", campaign_name="Roof")
    html = tenant_a.admin_client.get(reverse("campaign_list")).content.decode()
    assert re.search(r"<span class=\"muted\" data-pager-summary>Page 1 of 1 · 1 in all", html)
    html = tenant_a.admin_client.get(reverse("lead_list")).content.decode()
    assert "No leads yet." in html
    report = tenant_a.admin_client.get(reverse("reports"), HTTP_HX_REQUEST="true")
    assert re.search(
        r'<div id="report" data-results-summary="0 leads, 0 won, \d+ \w+ \d{4} to \d+ \w+ \d{4}">',
        report.content.decode(),
    )


def test_the_campaign_forms_preview_and_test_results_land_in_polite_regions(tenant_a):
    html = tenant_a.admin_client.get(reverse("campaign_create")).content.decode()
    for region in ("preview", "test-result"):
        assert re.search(rf'<div aria-live="polite">\s*<div id="{region}"', html), region


def css_rules(path, root=None):
    """{selector: {property: value}} of a stylesheet's plain rules, `var(--x)` resolved from
    its :root or `root`."""
    text = re.sub(r"/\*.*?\*/", "", (settings.BASE_DIR / path).read_text(), flags=re.S)
    rules = {}
    for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", text):
        declarations = dict(
            (name.strip(), value.strip())
            for name, value in (part.split(":", 1) for part in body.split(";") if ":" in part)
        )
        for one in selector.split(","):
            rules.setdefault(" ".join(one.split()), {}).update(declarations)
    root = root or rules[":root"]
    for declarations in rules.values():
        for name, value in declarations.items():
            declarations[name] = re.sub(r"var\((--[\w-]+)\)", lambda m: root[m.group(1)], value)
    return rules


def contrast(foreground, background):
    """WCAG 2 contrast ratio of two #rrggbb colours."""

    def luminance(colour):
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    lighter, darker = sorted([luminance(foreground), luminance(background)], reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


BADGES = [
    ".badge",
    ".badge.ok",
    ".badge.off",
    ".badge.warn",
    ".badge.info",
    ".status-queued",
    ".status-sent",
    ".status-delivered",
    ".status-failed",
    ".status-cancelled",
]


@pytest.mark.parametrize("selector", BADGES)
def test_badge_text_is_at_least_4_5_to_1_on_its_background(selector):
    rule = css_rules("static/css/app.css")[selector]
    assert contrast(rule["color"], rule["background"]) >= 4.5, selector


@pytest.mark.parametrize("status", ["live", "entry", "paused", "archived"])
def test_invoca_status_badges_are_at_least_4_5_to_1(status):
    root = css_rules("static/css/app.css")[":root"]
    rule = css_rules("static/invoca/campaign.css", root)[f".invoca-status-{status}"]
    assert contrast(rule["color"], rule["background"]) >= 4.5


def test_muted_text_on_code_and_deal_columns_is_at_least_4_5_to_1():
    """Placeholders such as {{campaign_name}} in a help line, Invoca's codes and a deal column's
    totals ("8 deals · USD 36,000.00") are muted text on the light grey of code and columns."""
    rules = css_rules("static/css/app.css")
    muted = rules[":root"]["--muted"]
    assert rules[".column-total"]["color"] == muted
    for grey in (rules["code"]["background"], rules[".board-column"]["background"]):
        assert contrast(muted, grey) >= 4.5


def test_no_table_has_an_empty_header_cell():
    """A column of buttons is named "Actions" for screen readers (visually hidden)."""
    empty = [
        str(path.relative_to(settings.BASE_DIR))
        for path in (settings.BASE_DIR / "templates").rglob("*.html")
        if re.search(r"<th[^>]*>\s*</th>", path.read_text())
    ]
    assert empty == []


@pytest.mark.parametrize(
    "name",
    ["members", "tokens", "deliveries", "inbound_deliveries", "pipeline_settings"],
)
def test_action_columns_have_a_hidden_header(tenant_a, name):
    html = tenant_a.admin_client.get(reverse(name)).content.decode()
    assert '<th><span class="visually-hidden">Actions</span></th>' in html


def test_the_campaign_forms_two_message_fields_have_different_names(tenant_a):
    html = tenant_a.admin_client.get(reverse("campaign_create")).content.decode()
    assert (
        '<label for="id_email_message"><span class="visually-hidden">Email </span>Message</label>'
        in html
    )
    assert (
        '<label for="id_sms_message"><span class="visually-hidden">SMS </span>Message</label>'
        in html
    )
    assert '<th><span class="visually-hidden">Representative</span></th>' in html


def test_a_deal_cards_move_toggle_names_its_deal(tenant_a):
    from tests.deals.conftest import capture, deal_campaign, sales

    capture(deal_campaign(tenant_a), name="Jordan Miles")
    query = {"pipeline": sales(tenant_a).pk}
    html = tenant_a.admin_client.get(reverse("deal_board"), query).content.decode()
    assert re.search(r'<summary aria-label="Move [^"]*Jordan Miles[^"]*">Move</summary>', html)


def test_a_revoke_button_names_its_token(tenant_a):
    html = tenant_a.admin_client.get(reverse("tokens")).content.decode()
    assert 'aria-label="Revoke acme token">Revoke</button>' in html


def test_the_live_dot_is_hidden_and_its_state_said_in_words(tenant_a):
    html = tenant_a.admin_client.get(reverse("dashboard")).content.decode()
    assert (
        '<span id="live-status" class="live-status" title="Live updates">'
        '<span aria-hidden="true">●</span>'
        '<span class="visually-hidden" data-live-state>Live updates disconnected</span></span>'
    ) in html
