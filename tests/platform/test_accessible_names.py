"""Every input, select and textarea of the main forms has an accessible name a screen reader
says: a <label for> (or a <label> around it), an aria-label, or an aria-labelledby naming
elements of the page. A `title` or a column header beside it is not a name."""

import pytest
from django.test import Client

from crm.models import Pipeline
from dialer.models import DialerCampaign
from tests.callrail.conftest import connect as connect_callrail
from tests.campaigns.factories import make_campaign
from tests.invoca.conftest import ADVERTISER
from tests.invoca.conftest import connect as connect_invoca

pytestmark = pytest.mark.django_db

CONTROLS = ("input", "select", "textarea")
UNNAMED_TYPES = ("hidden", "submit", "button", "reset", "image")


def unnamed_controls(html):
    """`[(tag, id or name)]` of the controls of `html` without an accessible name."""
    from html.parser import HTMLParser

    class Scan(HTMLParser):
        def __init__(self):
            super().__init__()
            self.open_labels = 0
            self.label_for = set()
            self.ids = set()
            self.controls = []

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if attrs.get("id"):
                self.ids.add(attrs["id"])
            if tag == "label":
                self.open_labels += 1
                if attrs.get("for"):
                    self.label_for.add(attrs["for"])
            if tag in CONTROLS and attrs.get("type") not in UNNAMED_TYPES:
                self.controls.append((tag, attrs, self.open_labels > 0))

        def handle_endtag(self, tag):
            if tag == "label" and self.open_labels:
                self.open_labels -= 1

    scan = Scan()
    scan.feed(html)
    missing = []
    for tag, attrs, wrapped in scan.controls:
        labelledby = (attrs.get("aria-labelledby") or "").split()
        named = (
            wrapped
            or (attrs.get("aria-label") or "").strip()
            or (labelledby and all(name in scan.ids for name in labelledby))
            or (attrs.get("id") and attrs["id"] in scan.label_for)
        )
        if not named:
            missing.append((tag, attrs.get("id") or attrs.get("name")))
    return missing


def test_the_scan_finds_a_control_named_only_by_its_title_or_a_header():
    html = """<table><tr><th>Value</th></tr><tr><td><input id="v" title="Value"></td></tr></table>
      <label for="a">A</label><input id="a"><label>B <select name="b"></select></label>
      <input id="c" aria-label="C"><span id="d-name">D</span><textarea aria-labelledby="d-name">
      </textarea><input type="hidden" name="e"><input aria-labelledby="nowhere" name="f">"""
    assert unnamed_controls(html) == [("input", "v"), ("input", "f")]


@pytest.fixture
def pages(tenant_a):
    """The main forms' paths, with what each needs."""
    connect_invoca(tenant_a)
    connect_callrail(tenant_a)
    campaign = make_campaign(tenant_a, selected_user=[{"id": tenant_a.admin.pk}])
    dialer = DialerCampaign.objects.create(account=tenant_a.account, name="Renewals", ref="D1")
    pipeline = Pipeline.objects.create(account=tenant_a.account, name="Renovations")
    pipeline.stages.create(name="New", position=1)
    return {
        "campaign": "/campaigns/new/",
        "campaign edit": f"/campaigns/{campaign.pk}/edit/",
        "invoca campaign": f"/invoca/advertisers/{ADVERTISER}/campaigns/new/",
        "tracker": "/callrail/trackers/new/",
        "account": "/settings/",
        "profile": "/settings/profile/",
        "members": "/settings/members/",
        "tokens": "/settings/tokens/",
        "dialer campaign": f"/dialer/campaigns/{dialer.ref}/",
        "pipelines": "/settings/pipelines/",
        "leads": "/leads/",
        "reports": "/reports/",
        "ivr checker": "/invoca/ivr/",
        "public form": f"/f/{campaign.form_secret_id}/",
    }


def test_every_control_of_the_main_forms_has_an_accessible_name(tenant_a, pages):
    unnamed = {}
    for name, path in pages.items():
        client = Client() if name == "public form" else tenant_a.admin_client
        response = client.get(path)
        assert response.status_code == 200, (name, response.status_code)
        missing = unnamed_controls(response.content.decode())
        if missing:
            unnamed[name] = missing
    assert unnamed == {}


def test_the_invoca_campaign_rows_are_named_by_their_row(tenant_a, pages):
    html = tenant_a.admin_client.get(pages["invoca campaign"]).content.decode()
    for expected in (
        'name="region-0-name" maxlength="255" aria-label="Named region 1"',
        'aria-label="Type of named region 2"',
        'aria-label="Value of named region 3"',
        'aria-label="Payout 2 amount"',
        'aria-label="Payin 1 condition"',
        'aria-label="Custom data 1 partner name"',
    ):
        assert expected in html, expected
    # The help text its aria-describedby names is in the page, with each row.
    assert 'id="id_region-0-value_helptext"' in html
