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
