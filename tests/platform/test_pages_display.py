"""What pages show: one error per htmx action, phone numbers, JSON, the admin for staff admins."""

import html
import json
import re
from decimal import Decimal

import pytest
from django.template import Context, Template

from campaignhub.models import Membership
from campaignhub.phones import for_display
from campaigns import services as campaign_services
from campaigns.models import LeadSource
from notifications.models import Delivery, Status
from tests.campaigns.factories import make_campaign
from tests.factories import logged_in_client, make_account

pytestmark = pytest.mark.django_db


def render(source, **context):
    return Template("{% load display %}" + source).render(Context(context))


class TestOneMessagePerAction:
    def test_a_refused_demotion_is_said_in_the_row_and_nowhere_else(self, tenant_a):
        membership = Membership.objects.get(user=tenant_a.admin)
        response = tenant_a.admin_client.post(
            f"/settings/members/{membership.pk}/role/", {"role": "member"}, HTTP_HX_REQUEST="true"
        )
        assert response.status_code == 400
        row = response.content.decode()
        assert row.strip().startswith(f'<tr id="member-{membership.pk}">')
        assert "<html" not in row
        assert row.count("An account needs at least one admin.") == 1

        page = tenant_a.admin_client.get("/settings/members/").content.decode()
        assert "An account needs at least one admin." not in page

    def test_without_htmx_the_refusal_is_a_page_message(self, tenant_a):
        membership = Membership.objects.get(user=tenant_a.admin)
        response = tenant_a.admin_client.post(
            f"/settings/members/{membership.pk}/role/", {"role": "member"}, follow=True
        )
        assert response.content.decode().count("An account needs at least one admin.") == 1
        membership.refresh_from_db()
        assert membership.role == "admin"


class TestPhoneNumbers:
    def test_a_us_number_reads_in_national_format_with_e164_in_the_title(self):
        html = render("{{ number|phone }}", number="+14155550111")
        assert html == '<span class="phone" dir="ltr" title="+14155550111">(415) 555-0111</span>'

    def test_a_foreign_number_reads_in_international_format(self):
        assert for_display("+442079460018") == "+44 20 7946 0018"
        assert for_display("+442079460018", "GB") == "020 7946 0018"

    def test_empty_and_unparseable_values_are_shown_as_they_are(self):
        assert render('{{ number|phone|default:"—" }}', number="") == "—"
        assert render("{{ number|phone }}", number="<b>not a phone</b>") == (
            "&lt;b&gt;not a phone&lt;/b&gt;"
        )

    def test_lead_and_delivery_tables_show_national_numbers(self, tenant_a):
        campaign = make_campaign(tenant_a)
        campaign_services.capture_lead(
            campaign=campaign, source=LeadSource.FORM, external_id="f-1", phone="+14155550111"
        )
        Delivery.objects.create(
            account=tenant_a.account,
            event="lead_arrived",
            channel="sms",
            recipient="+14155550122",
            status=Status.SENT,
        )
        leads = tenant_a.admin_client.get("/leads/").content.decode()
        assert '<span class="phone" dir="ltr" title="+14155550111">(415) 555-0111</span>' in leads
        log = tenant_a.admin_client.get("/notifications/").content.decode()
        assert '<span class="phone" dir="ltr" title="+14155550122">(415) 555-0122</span>' in log
        assert "New lead" in log
        assert "<code>lead_arrived</code>" not in log

    def test_an_account_in_another_country_sees_its_own_national_format(self, tenant_a):
        tenant_a.account.country = "GB"
        tenant_a.account.save()
        campaign = make_campaign(tenant_a)
        campaign_services.capture_lead(
            campaign=campaign, source=LeadSource.FORM, external_id="f-1", phone="+442079460018"
        )
        leads = tenant_a.admin_client.get("/leads/").content.decode()
        assert '<span class="phone" dir="ltr" title="+442079460018">020 7946 0018</span>' in leads

    def test_live_lead_rows_use_the_accounts_country(
        self, tenant_a, live_events, django_capture_on_commit_callbacks
    ):
        tenant_a.account.country = "GB"
        tenant_a.account.save()
        campaign = make_campaign(tenant_a, selected_user=[{"id": tenant_a.member.pk}])
        with django_capture_on_commit_callbacks(execute=True):
            campaign_services.capture_lead(
                campaign=campaign, source=LeadSource.FORM, external_id="f-2", phone="+442079460018"
            )
        frames = "".join(frame["html"] for frame in live_events.pushed)
        assert "020 7946 0018" in frames


class TestPayloads:
    def test_a_leads_payload_is_shown_as_escaped_indented_json(self, tenant_a):
        campaign = make_campaign(tenant_a)
        lead, _ = campaign_services.capture_lead(
            campaign=campaign,
            source=LeadSource.FORM,
            external_id="f-2",
            name="Ann",
            payload={"name": "Ann <script>", "answered": True, "tags": ["a"]},
        )
        page = tenant_a.admin_client.get(f"/leads/{lead.pk}/").content.decode()
        assert "<script>" not in page
        shown = page.split('<pre class="message-body payload">')[1].split("</pre>")[0]
        assert json.loads(html.unescape(shown)) == lead.payload
        assert "\n  &quot;answered&quot;: true,\n" in shown


class TestAdminForStaff:
    def test_a_staff_account_admin_sees_their_accounts_rows_read_only(self, tenant_a, tenant_b):
        tenant_a.admin.is_staff = True
        tenant_a.admin.save()
        own = make_campaign(tenant_a, campaign_name="Own roofing")
        other = make_campaign(tenant_b, campaign_name="Other roofing")
        client = logged_in_client(tenant_a.admin)

        listing = client.get("/admin/campaigns/campaign/")
        assert listing.status_code == 200
        assert "Own roofing" in listing.content.decode()
        assert "Other roofing" not in listing.content.decode()
        assert client.get(f"/admin/campaigns/campaign/{own.pk}/change/").status_code == 200
        assert client.get(f"/admin/campaigns/campaign/{other.pk}/change/").status_code == 302
        assert (
            client.post(
                f"/admin/campaigns/campaign/{own.pk}/change/", {"campaign_name": "Renamed"}
            ).status_code
            == 403
        )
        own.refresh_from_db()
        assert own.campaign_name == "Own roofing"
        assert client.get("/admin/campaigns/campaign/add/").status_code == 403

    def test_staff_who_administer_no_account_see_nothing(self, tenant_a):
        tenant_a.member.is_staff = True
        tenant_a.member.save()
        make_campaign(tenant_a)
        client = logged_in_client(tenant_a.member)
        assert client.get("/admin/campaigns/campaign/").status_code == 403

    def test_account_admins_who_are_not_staff_are_sent_to_the_admin_login(self, tenant_a):
        response = tenant_a.admin_client.get("/admin/campaigns/campaign/")
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]

    def test_superusers_see_every_account(self, tenant_a, tenant_b):
        tenant_a.admin.is_staff = tenant_a.admin.is_superuser = True
        tenant_a.admin.save()
        make_campaign(tenant_b, campaign_name="Other roofing")
        listing = logged_in_client(tenant_a.admin).get("/admin/campaigns/campaign/")
        assert "Other roofing" in listing.content.decode()


class TestDatesAndTimes:
    """One format for a moment (`|when`), one for a day (`|day`), in the account's zone."""

    def test_a_moment_reads_day_month_year_and_minutes_with_the_exact_time_in_the_title(self):
        from datetime import UTC, datetime

        from django.utils import timezone

        moment = datetime(2026, 12, 3, 19, 5, 7, tzinfo=UTC)
        with timezone.override("America/New_York"):
            html = render("{{ moment|when }}", moment=moment)
        assert html == (
            '<time datetime="2026-12-03T14:05:07-05:00" title="3 Dec 2026, 14:05:07 EST">'
            "3 Dec 2026, 14:05</time>"
        )

    def test_a_moment_to_the_second_where_a_list_needs_it(self):
        from datetime import UTC, datetime

        from django.utils import timezone

        moment = datetime(2026, 12, 3, 19, 5, 7, tzinfo=UTC)
        with timezone.override("America/New_York"):
            html = render("{{ moment|when_seconds }}", moment=moment)
        assert html == (
            '<time datetime="2026-12-03T14:05:07-05:00" title="3 Dec 2026, 14:05:07 EST">'
            "3 Dec 2026, 14:05:07</time>"
        )
        assert render("{{ moment|when_seconds|default:'—' }}", moment=None) == "—"

    def test_a_moment_in_a_named_zone_says_the_zone(self):
        from datetime import UTC, datetime

        moment = datetime(2026, 12, 2, 10, 52, tzinfo=UTC)
        html = render("{{ moment|when:'Europe/Berlin' }}", moment=moment)
        assert ">2 Dec 2026, 11:52 CET</time>" in html

    def test_a_day_reads_day_month_year_with_the_weekday_in_the_title(self):
        from datetime import date

        assert render("{{ d|day }}", d=date(2026, 12, 3)) == (
            '<time datetime="2026-12-03" title="Thursday, 3 December 2026">3 Dec 2026</time>'
        )

    def test_the_day_of_a_moment_is_its_day_in_the_accounts_zone(self):
        from datetime import UTC, datetime

        from django.utils import timezone

        late = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)
        with timezone.override("America/Los_Angeles"):
            assert ">2 Dec 2026</time>" in render("{{ d|day }}", d=late)

    @pytest.mark.parametrize("name", ["when", "day"])
    def test_no_value_renders_nothing_so_a_default_can_follow(self, name):
        assert render(f'{{{{ v|{name}|default:"—" }}}}', v=None) == "—"
        assert render(f'{{{{ v|{name}|default:"—" }}}}', v="") == "—"

    def test_a_moment_no_zone_can_shift_keeps_its_utc_value_instead_of_failing(self):
        from datetime import UTC, datetime

        from django.utils import timezone

        first = datetime(1, 1, 1, 0, 30, tzinfo=UTC)
        with timezone.override("America/New_York"):
            assert ">1 Jan 0001, 00:30</time>" in render("{{ m|when }}", m=first)
            assert ">1 Jan 0001</time>" in render("{{ m|day }}", m=first)


class TestTimeZones:
    def test_pages_and_live_rows_show_times_in_the_accounts_time_zone(
        self, tenant_a, live_events, django_capture_on_commit_callbacks
    ):
        from datetime import UTC, datetime
        from zoneinfo import ZoneInfo

        from campaigns.models import Lead

        tenant_a.account.timezone = "America/New_York"
        tenant_a.account.save()
        campaign = make_campaign(tenant_a, selected_user=[{"id": tenant_a.member.pk}])
        with django_capture_on_commit_callbacks(execute=True):
            lead, _ = campaign_services.capture_lead(
                campaign=campaign, source=LeadSource.FORM, external_id="tz-1", phone="+14155550111"
            )
        new_york = lead.created_at.astimezone(ZoneInfo("America/New_York"))
        frames = "".join(frame["html"] for frame in live_events.pushed)
        assert f"{new_york.day} {new_york:%b %Y, %H:%M}</time>" in frames

        Lead.objects.filter(pk=lead.pk).update(
            created_at=datetime(2026, 11, 30, 16, 42, tzinfo=UTC)
        )
        page = tenant_a.admin_client.get(f"/leads/{lead.pk}/").content.decode()
        assert ">30 Nov 2026, 11:42</time>" in page

    @pytest.mark.parametrize("stored", ["localtime", "Factory", "Mars/Base"])
    def test_an_account_zone_that_is_no_time_zone_reads_as_utc(self, tenant_a, stored):
        from datetime import UTC

        from campaignhub.tenancy import account_zone

        tenant_a.account.timezone = stored
        assert account_zone(tenant_a.account) is UTC


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("avery.kowalski149@example.com", "avery.kowalski149@<wbr>example.com"),
        ('"a@b"@example.com', "&quot;a@b&quot;@<wbr>example.com"),
        ("<b>@x.io", "&lt;b&gt;@<wbr>x.io"),
        ("no-at-sign", "no-at-sign"),
        ("", "—"),
    ],
)
def test_an_email_may_wrap_after_its_at_sign_only(value, shown):
    assert render('{{ value|email|default:"—" }}', value=value) == shown


@pytest.mark.parametrize(
    ("fields", "shown"),
    [
        ({"name": "Ann Lee", "phone": "+16465550203"}, "Ann Lee"),
        ({"phone": "+16465550203", "email": "a@x.io"}, "(646) 555-0203"),
        ({"email": "a@x.io"}, "a@x.io"),
        ({}, "Unknown caller"),
    ],
)
def test_a_lead_is_named_the_same_way_on_every_page(fields, shown):
    from campaigns.models import Lead

    lead = Lead(**{"name": "", "phone": "", "email": "", **fields})
    assert render("{% load campaign_tags %}{{ lead|lead_label:'US' }}", lead=lead) == shown


@pytest.mark.parametrize(
    "invisible",
    [
        "\u200b",
        " \u200b\ufeff ",
        "\u2060\u00ad",
        "\u202e\u200b",
        "\u200f\u2067",
        "\u3164",
        "\u2800\u2800",
        "\u115f\u1160",
        "\u034f",
        "\uffa0",
    ],
)
def test_a_name_of_nothing_visible_is_no_name(tenant_a, invisible):
    from campaignhub.fields import NameField
    from campaigns.models import Campaign
    from tests.campaigns.test_views import form_post

    field = NameField(max_length=50)
    with pytest.raises(Exception, match="required"):
        field.clean(invisible)
    assert field.clean(f"{invisible}Ann\u200dLee{invisible}") == "Ann\u200dLee"
    refused = tenant_a.admin_client.post("/campaigns/new/", form_post(campaign_name=invisible))
    assert refused.status_code == 400 and not Campaign.objects.exists()
    assert tenant_a.admin_client.post("/settings/tokens/", {"name": invisible}).status_code == 400


@pytest.mark.parametrize("undrawn", ["\ufe0f", "\U000e0041", "\u0301\u0301"])
def test_a_name_of_marks_alone_is_no_name(undrawn):
    """Variation selectors, tags and combining marks draw nothing alone; beside an emoji they
    belong to it and stay."""
    from campaignhub.fields import NameField

    with pytest.raises(Exception, match="required"):
        NameField(max_length=50).clean(undrawn)
    assert NameField(max_length=50).clean("Bob \u2764\ufe0f") == "Bob \u2764\ufe0f"


def test_a_name_is_never_drawn_reversed():
    """A direction override makes "\u202eevil" read as "live": controls are removed anywhere in a
    name; right-to-left letters stay as typed."""
    from campaignhub.fields import NameField

    field = NameField(max_length=50)
    assert field.clean("\u202eevil\u200b") == "evil"
    assert field.clean("Ann \u2066Lee\u2069 \u202dSr") == "Ann Lee Sr"
    assert field.clean("\u200fشركة البناء") == "شركة البناء"


def test_a_name_has_no_control_characters():
    """An escape sequence would recolour a terminal, a line break forge a line of a report: a
    line break or tab is a space, and other C0 and C1 controls are refused, never removed."""
    from campaignhub.fields import NameField

    field = NameField(max_length=50)
    for controlled in ("Evil\u001b[31mRED\u001b[0m\u0007", "\u009b\u007f\u0001", "a\u0085\u0080b"):
        with pytest.raises(Exception, match="Control characters are not allowed"):
            field.clean(controlled)
    with pytest.raises(Exception, match="Null characters are not allowed"):
        field.clean("ab\x00cd")
    assert field.clean("Two\r\nlines\tand\u0085more\u2028") == "Two  lines and more"


@pytest.mark.parametrize(
    "name, email, shown, title",
    [
        ("", "dana@demo.test", "dana", "dana@demo.test"),
        (
            "",
            "lettings.administrator@northwind-leads-and-lettings.test",
            "lettings",
            "lettings.administrator@northwind-leads-and-lettings.test",
        ),
        ("", "jo.smith@demo.test", "jo.smith", "jo.smith@demo.test"),
        ("Dana Scully", "dana@demo.test", "Dana", "Dana Scully (dana@demo.test)"),
    ],
)
def test_the_header_names_a_person_with_a_short_label_and_their_address_in_full(
    name, email, shown, title
):
    """Someone with no name is called by their address's first word, not a cut-off address."""
    account = make_account("Demo Agency", email)
    user = account.memberships.get().user
    type(user).objects.filter(pk=user.pk).update(name=name)
    user.refresh_from_db()
    page = logged_in_client(user).get("/").content.decode()
    link = re.search(r'<a class="profile-link"[^>]*>[^<]*</a>', page).group(0)
    assert link == f'<a class="profile-link" href="/settings/profile/" title="{title}">{shown}</a>'


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        (Decimal("1500"), "USD", "USD 1,500.00"),
        (Decimal("-2.5"), "EUR", "EUR -2.50"),
        (0, "GBP", "GBP 0.00"),
        (None, "USD", "—"),
        ("lots", "USD", "USD lots"),
    ],
)
def test_amounts_read_the_same_on_every_page(amount, currency, shown):
    from campaignhub.templatetags.display import money

    assert money(amount, currency) == shown
