"""Leads from the outside: the public form and the generic lead webhook."""

import hashlib
import json
import re
import uuid
from html import unescape
from unittest import mock

import pytest
from django.core.cache import cache
from django.test import Client

from campaignhub.intake import replay_deliveries
from campaignhub.models import DeliveryStatus, InboundDelivery
from campaignhub.tasks import process_inbound_delivery
from campaigns import services
from campaigns.models import Campaign, Lead
from campaigns.webhooks import PAUSED
from notifications.models import Delivery
from tests.campaigns.factories import make_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


@pytest.fixture
def form_campaign(tenant_a):
    return make_campaign(
        tenant_a, campaign_name="Roofing", selected_user=[{"id": tenant_a.admin.pk}]
    )


def form_path(campaign):
    return f"/f/{campaign.form_secret_id}/"


def send_path(campaign):
    """Where a landing page's own form posts (the campaign page's "Use your own form")."""
    return f"/f/{campaign.form_secret_id}/send/"


class TestPublicForm:
    def test_page_renders_without_login(self, form_campaign):
        response = Client().get(form_path(form_campaign))
        assert response.status_code == 200
        content = response.content.decode()
        assert (
            "Roofing" in content
            and 'name="submission_id"' in content
            and 'name="website"' in content
        )

    def test_html_submission_makes_a_lead_and_thanks(self, tenant_a, form_campaign, committed):
        submission = str(uuid.uuid4())
        with committed():
            response = Client().post(
                form_path(form_campaign),
                {
                    "name": "Ann Lee",
                    "phone": "(415) 555-0111",
                    "email": "ann@example.com",
                    "message": "Quote please",
                    "submission_id": submission,
                    "website": "",
                },
            )
        assert response.status_code == 200
        assert b"Thank you!" in response.content
        lead = Lead.objects.get()
        assert (lead.name, lead.phone, lead.email, lead.message) == (
            "Ann Lee",
            "+14155550111",
            "ann@example.com",
            "Quote please",
        )
        assert (lead.source, lead.external_id, lead.representative) == (
            "form",
            submission,
            tenant_a.admin,
        )
        assert Delivery.objects.filter(event="lead_arrived").exists()

    def test_double_submit_makes_one_lead(self, form_campaign):
        body = {"name": "Ann", "phone": "4155550111", "submission_id": str(uuid.uuid4())}
        Client().post(form_path(form_campaign), body)
        Client().post(form_path(form_campaign), body)
        assert Lead.objects.count() == 1

    @pytest.mark.parametrize("submission", ["not-a-uuid", "a\x00b", "x" * 300])
    def test_a_spoilt_submission_id_keeps_the_lead_and_still_makes_one(
        self, form_campaign, submission
    ):
        """A page someone edited is no reason to lose the visitor: a submission id that is not
        one counts as none, so the lead is keyed by what was sent and sending it again (a
        double click, Back) is still one lead."""
        body = {"name": "Ann", "phone": "4155550111", "submission_id": submission}
        for _ in range(2):
            response = Client().post(form_path(form_campaign), body)
            assert response.status_code == 200
            assert b"Thank you!" in response.content
        assert Lead.objects.get().external_id.startswith("sha256:")

    def test_a_json_submission_id_that_is_not_a_uuid_counts_as_none(self, form_campaign):
        body = {"name": "Ann", "phone": "4155550111", "submission_id": "not-a-uuid"}
        for _ in range(2):
            response = Client().post(
                form_path(form_campaign), json.dumps(body), content_type="application/json"
            )
            assert response.status_code == 200
        assert Lead.objects.get().external_id.startswith("sha256:")

    def test_json_submission(self, form_campaign):
        response = Client().post(
            form_path(form_campaign),
            json.dumps({"name": "Ann", "email": "ann@example.com"}),
            content_type="application/json",
        )
        assert response.status_code == 200
        assert response.json() == {
            "success": True,
            "message": "Thank you! We will be in touch shortly.",
        }
        assert Lead.objects.get().email == "ann@example.com"

    @pytest.mark.parametrize(
        ("body", "errors"),
        [
            ({"name": "Ann"}, {"non_field_errors": ["Leave a phone number or an email address."]}),
            (
                {"phone": "12"},
                {"phone": ["Enter a valid phone number, e.g. +14155551234 or (415) 555-1234."]},
            ),
            ({"email": "nope"}, {"email": ["Enter a valid email address."]}),
        ],
    )
    def test_bad_submissions_are_400_and_keep_nothing(self, form_campaign, body, errors):
        response = Client().post(
            form_path(form_campaign), json.dumps(body), content_type="application/json"
        )
        assert response.status_code == 400
        assert response.json()["errors"] == errors
        html = Client().post(form_path(form_campaign), body)
        assert html.status_code == 400
        assert not Lead.objects.exists()

    @pytest.mark.parametrize(
        ("field", "sent", "message"),
        [
            ("name", "N" * 10_000, "Ensure this value has at most 255 characters (it has 10000)."),
            (
                "message",
                "M" * 6_000,
                "Ensure this value has at most 5000 characters (it has 6000).",
            ),
            (
                "email",
                "e" * 10_000 + "@example.com",
                "Ensure this value has at most 254 characters (it has 10012).",
            ),
        ],
    )
    def test_a_value_too_long_is_one_error_under_its_own_field(
        self, form_campaign, field, sent, message
    ):
        """The visitor's own fields are bounded by their own limit alone: one error, under the
        field, never a second one naming the field's internal name or another limit."""
        body = {"phone": "4155550111", field: sent}
        html = Client().post(form_path(form_campaign), body)
        assert html.status_code == 400
        content = html.content.decode()
        start = content.index(f'<label for="id_{field}">')
        block = content[
            content.rindex('<div class="field', 0, start) : content.index("</div>", start)
        ]
        assert "has-error" in block
        assert [unescape(e) for e in re.findall(r'<small class="error">(.*?)</small>', block)] == [
            message
        ]
        assert re.findall(r'class="error"', content) == ['class="error"']
        assert "too long" not in content
        response = Client().post(
            form_path(form_campaign), json.dumps(body), content_type="application/json"
        )
        assert response.status_code == 400
        assert response.json()["errors"] == {field: [message]}
        assert not Lead.objects.exists()

    def test_the_page_offers_each_fields_own_limit(self, form_campaign):
        content = Client().get(form_path(form_campaign)).content.decode()
        assert 'name="name" value="" autocomplete="name" maxlength="255"' in content
        assert 'autocomplete="email" maxlength="254"' in content
        assert 'name="message" maxlength="5000"' in content

    @pytest.mark.parametrize(
        ("raw", "content_type"),
        [
            (
                b"name=Jos%E9+Garc%EDa&phone=%2B14155550315",
                "application/x-www-form-urlencoded; charset=iso-8859-1",
            ),
            (
                b"name=Jos\xe9+Garc\xeda&phone=%2B14155550315",
                "application/x-www-form-urlencoded; charset=ISO-8859-1",
            ),
            (
                '{"name": "José García", "phone": "+14155550315"}'.encode("latin-1"),
                "application/json; charset=iso-8859-1",
            ),
        ],
        ids=["escaped", "raw-bytes", "json"],
    )
    def test_a_body_in_the_charset_its_content_type_names_is_read_in_it(
        self, form_campaign, raw, content_type
    ):
        # generic(): post() would re-encode the bytes into the charset named.
        response = Client().generic("POST", form_path(form_campaign), raw, content_type)
        assert response.status_code == 200
        assert Lead.objects.get().name == "José García"

    @pytest.mark.parametrize(
        ("content_type", "message"),
        [
            (
                "application/x-www-form-urlencoded; charset=utf-8",
                "The form's %-escaped values are not utf-8 text, the charset its Content-Type "
                "names.",
            ),
            (
                "application/x-www-form-urlencoded; charset=klingon",
                "The Content-Type names a charset that is not known: klingon.",
            ),
        ],
    )
    def test_a_form_not_in_its_charset_is_400_saying_so_and_keeps_nothing(
        self, form_campaign, content_type, message
    ):
        """Never read with its accents lost to U+FFFD, never Django's error page."""
        raw = b"name=Jos%E9+Garc%EDa&phone=%2B14155550315"
        page = Client().generic("POST", form_path(form_campaign), raw, content_type)
        assert page.status_code == 400
        assert [t.name for t in page.templates] == ["campaigns/public_form.html"]
        assert message in unescape(page.content.decode())
        as_json = Client().generic(
            "POST", form_path(form_campaign), raw, content_type, HTTP_ACCEPT="application/json"
        )
        assert (as_json.status_code, as_json.json()["message"]) == (400, message)
        assert not Lead.objects.exists()

    @pytest.mark.parametrize(
        ("raw", "name"),
        [
            (b"name=Jos%E9+Garc%EDa&phone=%2B14155550315", "José García"),
            (b"name=Jos\xe9+Garc\xeda&phone=%2B14155550315", "José García"),
            # windows-1252's own: the euro sign and curly quotes.
            (b"name=%93Caf%E9+%80%94&phone=%2B14155550315", "\u201cCafé €\u201d"),
            # A byte windows-1252 leaves unnamed is read as Latin-1: kept, never refused.
            (b"name=Ann%81&phone=%2B14155550315", "Ann\x81"),
        ],
        ids=["escaped", "raw-bytes", "windows-1252", "unnamed-byte"],
    )
    def test_a_form_page_in_another_charset_naming_none_is_read_as_the_webs_legacy_default(
        self, form_campaign, raw, name
    ):
        """Browsers post a page's form in the page's charset without naming it: a visitor of
        a Latin-1 or Windows page is neither refused nor kept with U+FFFD."""
        response = Client().generic(
            "POST", form_path(form_campaign), raw, "application/x-www-form-urlencoded"
        )
        assert response.status_code == 200
        assert Lead.objects.get().name == name

    def test_json_not_in_utf8_without_a_charset_is_400_saying_so(self, form_campaign):
        raw = '{"name": "José", "phone": "+14155550315"}'.encode("latin-1")
        response = Client().generic("POST", form_path(form_campaign), raw, "application/json")
        assert response.status_code == 400
        assert response.json()["message"].startswith("The body is not UTF-8 text")
        assert not Lead.objects.exists()

    @pytest.mark.parametrize("accept", ["text/html", "application/json"])
    def test_a_multipart_form_without_a_boundary_is_400_saying_so(self, form_campaign, accept):
        raw = b'--x\r\nContent-Disposition: form-data; name="phone"\r\n\r\n4155550111\r\n--x--'
        response = Client().generic(
            "POST", form_path(form_campaign), raw, "multipart/form-data", HTTP_ACCEPT=accept
        )
        assert response.status_code == 400
        message = "The form could not be read as multipart/form-data: "
        if accept == "application/json":
            assert response.json()["message"].startswith(message)
        else:
            assert [t.name for t in response.templates] == ["campaigns/public_form.html"]
            assert message in response.content.decode()
        assert not Lead.objects.exists()

    def test_a_text_plain_form_is_read_as_the_browser_sends_it(self, form_campaign):
        """`<form enctype="text/plain">` posts `name=value` lines, CRLF-ended, unescaped: a
        value keeps its "=", a textarea's lines stay one message, a repeated field every
        value."""
        raw = (
            b"name=Ann Lee\r\nphone=(415) 555-0111\r\nmessage=Call after 5pm\r\n"
            b"Ask for the roof and gutters quote\r\nservices=roof\r\nservices=gutter\r\n"
            b"coupon=A=B&C\r\n"
        )
        response = Client().generic("POST", send_path(form_campaign), raw, "text/plain")
        assert response.status_code == 200
        assert "campaigns/public_thanks.html" in [t.name for t in response.templates]
        lead = Lead.objects.get()
        assert (lead.name, lead.phone) == ("Ann Lee", "+14155550111")
        assert lead.message == "Call after 5pm\nAsk for the roof and gutters quote"
        assert lead.payload["services"] == ["roof", "gutter"]
        assert lead.payload["coupon"] == "A=B&C"

    def test_a_text_plain_form_from_a_page_in_another_charset_is_read_as_a_form_is(
        self, form_campaign
    ):
        raw = "name=José García\r\nphone=4155550111\r\n".encode("windows-1252")
        response = Client().generic("POST", send_path(form_campaign), raw, "text/plain")
        assert response.status_code == 200
        assert Lead.objects.get().name == "José García"

    @pytest.mark.parametrize(
        ("raw", "content_type", "message"),
        [
            (
                b"Ann Lee, 4155550111",
                "text/plain",
                "The form must be sent as application/x-www-form-urlencoded or "
                'multipart/form-data: remove enctype="text/plain" from the <form> tag.',
            ),
            (
                b"<lead><phone>4155550111</phone></lead>",
                "text/xml",
                "The form must be sent as application/x-www-form-urlencoded or "
                'multipart/form-data (a <form method="post"> with no enctype), or as JSON, '
                "not as text/xml.",
            ),
            (
                # Not UTF-8 either: no form's lines in the legacy charsets, never a 500.
                "Jos\u00e9 Garc\u00eda, 4155550111".encode("windows-1252"),
                "text/plain",
                "The form must be sent as application/x-www-form-urlencoded or "
                'multipart/form-data: remove enctype="text/plain" from the <form> tag.',
            ),
        ],
        ids=["text-plain-not-lines", "xml", "text-plain-not-lines-nor-utf8"],
    )
    @pytest.mark.parametrize("accept", ["text/html", "application/json"])
    def test_a_body_no_form_is_sent_as_is_400_naming_the_real_problem(
        self, form_campaign, raw, content_type, message, accept
    ):
        """Never "Leave a phone number or an email address." under a phone that was sent."""
        response = Client().generic(
            "POST", send_path(form_campaign), raw, content_type, HTTP_ACCEPT=accept
        )
        assert response.status_code == 400
        if accept == "application/json":
            assert response.json()["message"] == message
        else:
            assert [t.name for t in response.templates] == ["campaigns/public_form.html"]
            content = unescape(response.content.decode())
            assert message in content
            assert "Leave a phone number or an email address." not in content
        assert not Lead.objects.exists()

    def test_a_form_sent_to_the_send_url_with_get_is_400_and_kept_on_our_page(self, form_campaign):
        """`<form method="get">` puts the lead in the query string: never a silent 200 with an
        empty form. Our page says to use method="post" and holds what was typed to send."""
        query = {
            "name": "Ann Lee",
            "phone": "(415) 555-0111",
            "message": "Call after 5pm",
            "services": ["roof", "gutter"],
            "website": "",
            "submission_id": "not-ours",
        }
        page = Client().get(send_path(form_campaign), query)
        assert page.status_code == 400
        assert [t.name for t in page.templates] == ["campaigns/public_form.html"]
        content = page.content.decode()
        assert 'This form was not sent: a form must send it with method="post".' in unescape(
            content
        )
        assert 'name="name" value="Ann Lee"' in content
        assert 'name="phone" value="(415) 555-0111"' in content
        assert ">Call after 5pm</textarea>" in content
        assert content.count('<input type="hidden" name="services"') == 2
        assert 'value="not-ours"' not in content
        assert re.search(r'name="website"[^>]*>', content).group(0).count("value") == 0
        assert "private" in page["Cache-Control"]
        as_json = Client().get(send_path(form_campaign), query, HTTP_ACCEPT="application/json")
        assert as_json.status_code == 400
        assert as_json.json()["message"].startswith("This form was not sent: a form must send")
        assert not Lead.objects.exists()

    def test_a_get_without_fields_or_of_our_own_page_shows_the_form_as_ever(self, form_campaign):
        for response in (
            Client().get(send_path(form_campaign)),
            Client().get(form_path(form_campaign), {"utm_source": "ads"}),
        ):
            assert response.status_code == 200
            assert 'role="alert"' not in response.content.decode()

    def test_a_multipart_form_is_read_as_ever(self, form_campaign):
        response = Client().post(form_path(form_campaign), {"phone": "4155550111"})
        assert response.status_code == 200
        assert Lead.objects.get().phone == "+14155550111"

    def test_every_value_of_a_field_sent_more_than_once_is_kept(self, tenant_a, form_campaign):
        """A checkbox group or a multi-select posts one field per value: each is kept."""
        raw = "name=Multi&phone=%2B14155550301&services=roof&services=gutter&services=siding"
        response = Client().generic(
            "POST", form_path(form_campaign), raw, "application/x-www-form-urlencoded"
        )
        assert response.status_code == 200
        lead = Lead.objects.get()
        assert lead.payload == {
            "name": "Multi",
            "phone": "+14155550301",
            "services": ["roof", "gutter", "siding"],
        }
        page = unescape(tenant_a.admin_client.get(f"/leads/{lead.pk}/").content.decode())
        assert '"services": [\n    "roof",\n    "gutter",\n    "siding"\n  ]' in page
        again = Client().generic(
            "POST", form_path(form_campaign), raw, "application/x-www-form-urlencoded"
        )
        assert again.status_code == 200 and Lead.objects.count() == 1
        other = raw.replace("siding", "windows")
        Client().generic(
            "POST", form_path(form_campaign), other, "application/x-www-form-urlencoded"
        )
        assert Lead.objects.count() == 2

    @pytest.mark.parametrize(
        ("field", "values", "message"),
        [
            ("name", ["Ann", "Bo"], "Send one name."),
            ("phone", ["4155550111", "4155550112"], "Send one phone number."),
            ("email", ["a@example.com", "b@example.com"], "Send one email address."),
            ("message", ["Hi", "Hello"], "Send one message."),
        ],
    )
    def test_a_visitors_own_field_sent_more_than_once_is_refused_under_it(
        self, form_campaign, field, values, message
    ):
        body = {"phone": "4155550111", field: values}
        page = Client().post(form_path(form_campaign), body)
        assert page.status_code == 400
        content = page.content.decode()
        start = content.index(f'<label for="id_{field}">')
        block = content[start : content.index("</div>", start)]
        assert f'<small class="error">{message}</small>' in block
        as_json = Client().post(form_path(form_campaign), body, HTTP_ACCEPT="application/json")
        assert (as_json.status_code, as_json.json()["errors"]) == (400, {field: [message]})
        assert not Lead.objects.exists()

    def test_a_json_key_sent_twice_is_400_and_keeps_nothing(self, form_campaign):
        raw = '{"name": "Ann", "phone": "4155550111", "phone": "4155550112"}'
        response = Client().post(form_path(form_campaign), raw, content_type="application/json")
        assert (response.status_code, response.json()["message"]) == (
            400,
            "Malformed JSON: the key 'phone' appears more than once in one object",
        )
        assert not Lead.objects.exists()

    @pytest.mark.parametrize(
        ("raw", "message"),
        [
            ("{oops", "Malformed JSON: Expecting property name enclosed in double quotes"),
            (
                '{"name": "Broken", "phone": "+14155550135",',
                "Malformed JSON: Expecting property name enclosed in double quotes: "
                "line 1 column 44 (char 43)",
            ),
            ("[1, 2]", "The body must be a JSON object."),
        ],
    )
    def test_malformed_json_is_400_saying_what_the_parser_says(self, form_campaign, raw, message):
        response = Client().post(form_path(form_campaign), raw, content_type="application/json")
        assert response.status_code == 400
        assert response.json()["message"].startswith(message)
        assert not Lead.objects.exists()

    def test_honeypot_pretends_success_and_keeps_nothing(self, form_campaign):
        response = Client().post(
            form_path(form_campaign),
            {"name": "Bot", "phone": "4155550111", "website": "http://spam"},
        )
        assert response.status_code == 200
        assert b"Thank you!" in response.content
        assert not Lead.objects.exists()

    def test_a_json_website_field_is_data_not_the_trap(self, form_campaign):
        """The hidden trap is on our page only: an embed's own form may well ask for a website,
        and its JSON lead is kept with it."""
        body = {"name": "Ann", "phone": "4155550111", "website": "https://ann.example"}
        response = Client().post(
            form_path(form_campaign), json.dumps(body), content_type="application/json"
        )
        assert response.status_code == 200
        lead = Lead.objects.get()
        assert lead.payload["website"] == "https://ann.example"

    def test_the_trap_sprung_by_any_value_keeps_nothing(self, form_campaign):
        raw = "name=Bot&phone=4155550111&website=http%3A%2F%2Fspam&website="
        response = Client().generic(
            "POST", form_path(form_campaign), raw, "application/x-www-form-urlencoded"
        )
        assert response.status_code == 200 and b"Thank you!" in response.content
        assert not Lead.objects.exists()

    def test_rate_limited_per_address(self, form_campaign, settings):
        settings.LEAD_FORM_RATE_LIMIT_PER_MINUTE = 2
        codes = [
            Client()
            .post(
                form_path(form_campaign),
                {"phone": "4155550111", "submission_id": str(uuid.uuid4())},
            )
            .status_code
            for _ in range(3)
        ]
        assert codes == [200, 200, 429]
        assert Lead.objects.count() == 2

    def test_rate_limited_page_holds_what_was_typed_and_says_when_to_retry(
        self, form_campaign, settings
    ):
        settings.LEAD_FORM_RATE_LIMIT_PER_MINUTE = 0
        submission_id = str(uuid.uuid4())
        response = Client().post(
            form_path(form_campaign),
            {
                "name": "Ann Lee",
                "phone": "4155550111",
                "email": "ann@example.com",
                "message": "Call me after 5",
                "utm_source": "spring",
                "submission_id": submission_id,
            },
        )
        assert response.status_code == 429
        assert response["Retry-After"] == "60"
        page = response.content.decode()
        assert "Too many submissions from your address." in page
        for shown in ('value="Ann Lee"', 'value="4155550111"', 'value="ann@example.com"'):
            assert shown in page
        assert ">Call me after 5</textarea>" in page
        assert '<input type="hidden" name="utm_source" value="spring">' in page
        assert f'name="submission_id" value="{submission_id}"' in page
        assert "private" in response["Cache-Control"]
        assert not Lead.objects.exists()

    def test_rate_limited_json_says_when_to_retry(self, form_campaign, settings):
        settings.LEAD_FORM_RATE_LIMIT_PER_MINUTE = 0
        response = Client().post(
            form_path(form_campaign),
            json.dumps({"phone": "4155550111"}),
            content_type="application/json",
        )
        assert response.status_code == 429
        assert response["Retry-After"] == "60"
        assert response.json()["message"] == (
            "Too many submissions from your address. Please try again in a minute."
        )
        assert not Lead.objects.exists()

    @pytest.mark.parametrize("debug", [False, True])
    def test_a_deleted_forms_link_says_it_is_no_longer_available(
        self, tenant_a, form_campaign, settings, debug
    ):
        """Our own page, 410 for a form that was there, 404 for one never made; never
        Django's debug page, even with DEBUG on (`make run`)."""
        settings.DEBUG = debug
        services.delete_campaign(campaign=form_campaign)
        for answer in (
            Client().get(form_path(form_campaign)),
            Client().post(form_path(form_campaign), {"phone": "4155550111"}),
        ):
            assert answer.status_code == 410
            assert "This form is no longer available." in answer.content.decode()
            assert [t.name for t in answer.templates] == ["campaigns/public_gone.html"]
        unknown = Client().get(f"/f/{uuid.uuid4()}/")
        assert unknown.status_code == 404
        assert "This form is no longer available." in unknown.content.decode()
        assert "URLconf" not in unknown.content.decode()
        as_json = Client().post(
            form_path(form_campaign), json.dumps({"phone": "4155550111"}), "application/json"
        )
        assert (as_json.status_code, as_json.json()["message"]) == (
            410,
            "This form is no longer available.",
        )
        assert not Lead.objects.exists() and not InboundDelivery.objects.exists()


@pytest.mark.django_db(transaction=True)
class TestPausedPublicForm:
    """A paused form campaign's public form still takes submissions and holds them, as the
    lead webhook holds a paused campaign's leads."""

    @pytest.fixture
    def paused(self, form_campaign):
        services.update_campaign(campaign=form_campaign, changes={"status": False})
        return form_campaign

    def send(self, campaign, **fields):
        body = {"name": "Ann Lee", "phone": "(415) 555-0111", "website": "", **fields}
        return Client().post(form_path(campaign), body)

    def page(self, tenant_a, campaign):
        return unescape(tenant_a.admin_client.get(f"/campaigns/{campaign.pk}/").content.decode())

    def test_the_page_is_served_and_a_submission_is_held_not_lost(self, tenant_a, paused):
        page = Client().get(form_path(paused))
        assert page.status_code == 200 and 'name="submission_id"' in page.content.decode()
        with mock.patch("campaigns.held_forms.events.held_changed") as announced:
            answer = self.send(paused, submission_id=str(uuid.uuid4()))
        assert answer.status_code == 200 and b"Thank you!" in answer.content
        assert not Lead.objects.exists()
        held = InboundDelivery.objects.get()
        assert (held.source, held.status, held.target_id) == (
            "lead_form",
            DeliveryStatus.IGNORED,
            str(paused.pk),
        )
        announced.assert_called_once_with(paused.pk)
        assert "1 lead</strong> reached this campaign's public form while it was paused" in (
            self.page(tenant_a, paused)
        )

    def test_it_is_checked_as_ever_and_a_refused_one_keeps_nothing(self, paused):
        answer = self.send(paused, email="not-an-email")
        assert answer.status_code == 400
        assert "Enter a valid email address." in answer.content.decode()
        assert self.send(paused, website="http://spam.example").status_code == 200
        assert not InboundDelivery.objects.exists()

    def test_repeats_count_once_and_capture_makes_each_lead_once(self, tenant_a, paused):
        twice = str(uuid.uuid4())
        self.send(paused, submission_id=twice, message="Quote please")
        self.send(paused, submission_id=twice, message="Quote please")
        self.send(paused, name="Bo Chen", phone="4155550112", submission_id=str(uuid.uuid4()))
        Client().post(
            form_path(paused),
            json.dumps({"name": "Cy", "email": "cy@example.com"}),
            content_type="application/json",
        )
        assert InboundDelivery.objects.count() == 4
        assert "3 leads</strong> reached this campaign's public form" in self.page(tenant_a, paused)

        services.update_campaign(campaign=paused, changes={"status": True})
        response = tenant_a.admin_client.post(f"/campaigns/{paused.pk}/held-leads/", follow=True)
        assert "Capturing 3 held leads" in unescape(response.content.decode())
        leads = {lead.name: lead for lead in Lead.objects.all()}
        assert sorted(leads) == ["Ann Lee", "Bo Chen", "Cy"]
        ann = leads["Ann Lee"]
        assert (ann.source, ann.external_id, ann.phone, ann.message) == (
            "form",
            twice,
            "+14155550111",
            "Quote please",
        )
        assert ann.payload["message"] == "Quote please" and "website" not in ann.payload
        assert leads["Cy"].email == "cy@example.com"
        assert Delivery.objects.filter(event="lead_arrived").count() == 3
        assert "reached this campaign" not in self.page(tenant_a, paused)

    def test_a_submission_sent_again_after_capture_is_the_same_lead(self, tenant_a, paused):
        submission = str(uuid.uuid4())
        self.send(paused, submission_id=submission)
        services.update_campaign(campaign=paused, changes={"status": True})
        tenant_a.admin_client.post(f"/campaigns/{paused.pk}/held-leads/")
        self.send(paused, submission_id=submission)
        assert Lead.objects.get().external_id == submission
        # The captured delivery names its campaign and the lead it made.
        held = InboundDelivery.objects.get(source="lead_form")
        assert (held.campaign_id, held.lead_id) == (paused.pk, Lead.objects.get().pk)

    def test_every_value_of_a_repeated_field_is_held_and_captured(self, tenant_a, paused):
        raw = "name=Multi&phone=%2B14155550301&services=roof&services=gutter&services=siding"
        for _ in range(2):
            Client().generic("POST", form_path(paused), raw, "application/x-www-form-urlencoded")
        assert "1 lead</strong> reached" in self.page(tenant_a, paused)
        services.update_campaign(campaign=paused, changes={"status": True})
        tenant_a.admin_client.post(f"/campaigns/{paused.pk}/held-leads/")
        assert Lead.objects.get().payload["services"] == ["roof", "gutter", "siding"]
        Client().generic("POST", form_path(paused), raw, "application/x-www-form-urlencoded")
        assert Lead.objects.count() == 1

    def test_a_repeated_own_field_is_refused_and_nothing_held(self, paused):
        answer = self.send(paused, name=["Ann", "Bo"])
        assert answer.status_code == 400 and "Send one name." in answer.content.decode()
        assert not InboundDelivery.objects.exists()

    def test_a_json_website_field_is_held_and_kept_with_the_lead(self, tenant_a, paused):
        body = {"name": "Ann", "phone": "4155550111", "website": "https://ann.example"}
        Client().post(form_path(paused), json.dumps(body), content_type="application/json")
        assert InboundDelivery.objects.count() == 1
        services.update_campaign(campaign=paused, changes={"status": True})
        tenant_a.admin_client.post(f"/campaigns/{paused.pk}/held-leads/")
        assert Lead.objects.get().payload["website"] == "https://ann.example"

    def test_replayed_while_still_paused_it_stays_held(self, tenant_a, paused):
        self.send(paused, submission_id=str(uuid.uuid4()))
        replay_deliveries(InboundDelivery.objects.all())
        assert InboundDelivery.objects.get().status == DeliveryStatus.IGNORED
        assert not Lead.objects.exists()
        assert "1 lead</strong> reached" in self.page(tenant_a, paused)

    def test_the_campaign_page_says_its_form_holds_submissions(self, tenant_a, paused):
        page = self.page(tenant_a, paused)
        assert "Its public form still takes submissions: they are held here, not lost" in page
        services.update_campaign(campaign=paused, changes={"status": True})
        assert "still takes submissions" not in self.page(tenant_a, paused)


@pytest.mark.django_db(transaction=True)
class TestLeadWebhook:
    @pytest.fixture
    def hook(self, tenant_a):
        campaign = make_campaign(tenant_a, integration="webhook", campaign_name="Chat")
        return campaign, f"/webhooks/leads/{campaign.webhook_token}/"

    def post(self, path, body):
        data = body if isinstance(body, (str, bytes)) else json.dumps(body)
        return Client().post(path, data, content_type="application/json")

    def test_lead_is_stored_raw_then_captured(self, hook):
        campaign, path = hook
        body = {
            "external_id": "chat-1",
            "name": "Ann",
            "phone": "+14155550111",
            "utm_source": "google",
        }
        response = self.post(path, body)
        assert response.status_code == 200
        delivery = InboundDelivery.objects.get()
        assert json.loads(delivery.text) == body
        assert (delivery.source, delivery.status, delivery.target_id) == (
            "leads",
            DeliveryStatus.PROCESSED,
            str(campaign.pk),
        )
        lead = Lead.objects.get()
        assert (lead.campaign, lead.source, lead.external_id, lead.payload["utm_source"]) == (
            campaign,
            "webhook",
            "chat-1",
            "google",
        )

    def test_a_number_no_float_holds_is_kept_as_written(self, hook):
        """`1e999` reads as infinity, which a JSON column stores as null: the payload keeps
        the text the sender wrote, as it keeps the non-JSON NaN and Infinity."""
        _campaign, path = hook
        raw = '{"phone":"+14155550100","n":1e999,"m":-1E+400,"x":NaN,"y":-Infinity,"z":1.5}'
        response = self.post(path, raw)
        assert response.status_code == 200
        payload = Lead.objects.get().payload
        assert (payload["n"], payload["m"], payload["x"], payload["y"]) == (
            "1e999",
            "-1E+400",
            "NaN",
            "-Infinity",
        )
        assert payload["z"] == 1.5

    def test_the_campaign_page_shows_an_example_request_that_makes_a_lead(self, tenant_a, hook):
        campaign, path = hook
        page = unescape(tenant_a.admin_client.get(f"/campaigns/{campaign.pk}/").content.decode())
        assert "A lead needs a <code>phone</code> or an <code>email</code>" in page
        example = re.search(r'<pre class="example" id="webhook-example">(.*?)</pre>', page, re.S)
        command = example.group(1)
        assert f"curl -X POST 'http://testserver{path}'" in command
        assert "-H 'Content-Type: application/json'" in command
        body = json.loads(re.search(r"-d '(.*)'", command).group(1))
        assert set(body) == {"name", "phone", "email", "message", "external_id"}
        assert self.post(path, body).status_code == 200
        assert self.post(path, body).status_code == 200
        lead = Lead.objects.get()
        assert (lead.name, lead.external_id) == ("Ann Lee", "order-1042")

    def test_the_same_webhook_posted_twice_makes_one_lead(self, hook):
        _, path = hook
        self.post(path, {"external_id": "chat-1", "phone": "+14155550111"})
        self.post(path, {"external_id": "chat-1", "phone": "+14155550111", "name": "Ann"})
        assert Lead.objects.count() == 1
        assert Lead.objects.get().name == "Ann"
        assert InboundDelivery.objects.count() == 2

    def test_without_an_external_id_an_identical_body_is_a_retry(self, hook):
        _, path = hook
        self.post(path, {"phone": "+14155550111"})
        self.post(path, {"phone": "+14155550111"})
        self.post(path, {"phone": "+14155550122"})
        assert Lead.objects.count() == 2

    @pytest.mark.parametrize(
        ("body", "message"),
        [
            (
                '{"name": "Broken", "phone": "+14155550135",',
                "Malformed JSON: Expecting property name enclosed in double quotes: "
                "line 1 column 44 (char 43)",
            ),
            (
                "{not json",
                "Malformed JSON: Expecting property name enclosed in double quotes: "
                "line 1 column 2 (char 1)",
            ),
            ("[1, 2]", "The body must be a JSON object."),
            ({"name": "Ann"}, "Send a phone or an email."),
            ({"phone": "12"}, "Enter a valid phone number, e.g. +14155551234 or (415) 555-1234."),
        ],
    )
    def test_bad_leads_are_400_but_still_stored(self, hook, body, message):
        _, path = hook
        response = self.post(path, body)
        assert response.status_code == 400
        assert response.json()["message"] == message
        assert response.json()["success"] is False
        assert InboundDelivery.objects.get().status == DeliveryStatus.REJECTED
        assert not Lead.objects.exists()

    def test_a_body_in_the_charset_its_content_type_declares_is_read_in_it(self, hook):
        _, path = hook
        raw = '{"name": "José", "phone": "+14155550111"}'.encode("latin-1")
        # generic(): post() would re-encode the bytes into the charset named.
        response = Client().generic("POST", path, raw, "application/json; charset=iso-8859-1")
        assert response.status_code == 200
        assert bytes(InboundDelivery.objects.get().body) == raw
        assert Lead.objects.get().name == "José"

    @pytest.mark.parametrize(
        ("content_type", "message"),
        [
            (
                "application/json",
                "The body is not UTF-8 text: send UTF-8, or name the body's charset in its "
                "Content-Type (e.g. application/json; charset=iso-8859-1).",
            ),
            (
                "application/json; charset=utf-8",
                "The body is not utf-8 text, the charset its Content-Type names.",
            ),
            (
                "application/json; charset=klingon",
                "The Content-Type names a charset that is not known: klingon.",
            ),
        ],
    )
    def test_a_body_not_in_its_charset_is_400_naming_why_and_kept_as_sent(
        self, hook, content_type, message
    ):
        _, path = hook
        raw = '{"name": "José", "phone": "+14155550111"}'.encode("latin-1")
        response = Client().generic("POST", path, raw, content_type)
        assert response.status_code == 400
        assert response.json()["message"] == message
        delivery = InboundDelivery.objects.get()
        assert (delivery.status, delivery.error, bytes(delivery.body)) == (
            DeliveryStatus.REJECTED,
            message,
            raw,
        )
        assert not Lead.objects.exists()

    @pytest.mark.parametrize("paused", [False, True])
    def test_a_key_sent_twice_is_400_and_the_delivery_rejected_with_why(self, hook, paused):
        campaign, path = hook
        if paused:
            services.update_campaign(campaign=campaign, changes={"status": False})
        raw = '{"external_id": "chat-1", "phone": "+14155550111", "phone": "+14155550112"}'
        response = self.post(path, raw)
        message = "Malformed JSON: the key 'phone' appears more than once in one object"
        assert (response.status_code, response.json()["message"]) == (400, message)
        delivery = InboundDelivery.objects.get()
        assert (delivery.status, delivery.error, bytes(delivery.body)) == (
            DeliveryStatus.REJECTED,
            message,
            raw.encode(),
        )
        assert not Lead.objects.exists()

    def test_unknown_or_deleted_endpoints_are_404(self, hook):
        campaign, path = hook
        assert (
            self.post("/webhooks/leads/not-a-token/", {"phone": "+14155550111"}).status_code == 404
        )
        services.delete_campaign(campaign=campaign)
        assert self.post(path, {"phone": "+14155550111"}).status_code == 404
        assert not Lead.objects.exists()

    def test_a_paused_campaigns_lead_is_stored_ignored_and_replays_once_active(self, hook):
        campaign, path = hook
        services.update_campaign(campaign=campaign, changes={"status": False})
        response = self.post(path, {"external_id": "chat-9", "phone": "+14155550111"})
        assert response.status_code == 200
        assert "paused" in response.json()["ignored"]
        delivery = InboundDelivery.objects.get()
        assert delivery.status == DeliveryStatus.IGNORED
        assert not Lead.objects.exists()
        services.update_campaign(campaign=campaign, changes={"status": True})
        assert replay_deliveries(InboundDelivery.objects.all()) == 1
        assert Lead.objects.get().external_id == "chat-9"

    def test_a_paused_campaign_refuses_what_could_never_be_a_lead(self, hook):
        """Held for later only what can become a lead: the sender hears at once what is wrong,
        as with an active campaign."""
        campaign, path = hook
        Campaign.objects.filter(pk=campaign.pk).update(status=False)
        assert self.post(path, {"name": 123, "phone": "+14155550111"}).status_code == 400
        assert self.post(path, "not json at all").status_code == 400
        assert self.post(path, {"name": "Ann", "phone": "+14155550111"}).status_code == 200
        statuses = sorted(InboundDelivery.objects.values_list("status", flat=True))
        assert statuses == sorted(
            [DeliveryStatus.REJECTED, DeliveryStatus.REJECTED, DeliveryStatus.IGNORED]
        )

    def test_a_campaign_paused_before_processing_gets_no_lead(self, hook):
        campaign, path = hook
        with mock.patch("campaignhub.webhooks.enqueue"):
            assert self.post(path, {"phone": "+14155550111"}).status_code == 200
        services.update_campaign(campaign=campaign, changes={"status": False})
        with mock.patch("campaigns.events.held_changed") as announced:
            process_inbound_delivery(InboundDelivery.objects.get().pk)
        delivery = InboundDelivery.objects.get()
        assert delivery.status == DeliveryStatus.IGNORED
        digest = hashlib.sha256(bytes(delivery.body)).hexdigest()
        assert delivery.error == f"{PAUSED} Lead key: sha256:{digest}."
        assert not Lead.objects.exists()
        # Its page, open anywhere, counts it among the held.
        announced.assert_called_once_with(campaign.pk)

    def test_a_replayed_or_late_processed_older_delivery_never_undoes_a_correction(self, hook):
        """Corrections of one `external_id`: processed out of order (two workers), or the older
        replayed afterwards, the lead keeps the details that arrived last."""
        _, path = hook
        with mock.patch("campaignhub.webhooks.enqueue"):
            for name in ("Ann v1", "Ann v2"):
                self.post(path, {"external_id": "corr-1", "name": name, "phone": "+14155550111"})
        first, second = InboundDelivery.objects.order_by("id")
        process_inbound_delivery(second.pk)
        process_inbound_delivery(first.pk)
        assert Lead.objects.get().name == "Ann v2"
        replay_deliveries(InboundDelivery.objects.filter(pk=first.pk))
        assert Lead.objects.get().name == "Ann v2"
        # A correction that comes later still applies.
        self.post(path, {"external_id": "corr-1", "name": "Ann v3", "phone": "+14155550111"})
        assert Lead.objects.get().name == "Ann v3"

    def test_processing_looks_the_campaign_up_in_the_deliverys_account_only(self, hook, tenant_b):
        _, path = hook
        self.post(path, {"external_id": "x-1", "phone": "+14155550111"})
        delivery = InboundDelivery.objects.get()
        # A delivery of account B naming account A's campaign finds nothing.
        InboundDelivery.objects.filter(pk=delivery.pk).update(account=tenant_b.account)
        Lead.objects.all().delete()
        replay_deliveries(InboundDelivery.objects.all())
        delivery.refresh_from_db()
        assert delivery.status == DeliveryStatus.IGNORED
        assert not Lead.objects.exists()

    def test_two_different_bodies_without_ids_are_two_leads(self, hook):
        _, path = hook
        self.post(path, {"phone": "+14155550111", "message": "first"})
        self.post(path, {"phone": "+14155550111", "message": "second"})
        assert sorted(Lead.objects.values_list("message", flat=True)) == ["first", "second"]


@pytest.mark.django_db(transaction=True)
class TestHeldLeads:
    @pytest.fixture
    def paused(self, tenant_a):
        campaign = make_campaign(tenant_a, integration="webhook", campaign_name="Chat")
        services.update_campaign(campaign=campaign, changes={"status": False})
        path = f"/webhooks/leads/{campaign.webhook_token}/"
        for n in range(2):
            body = json.dumps({"external_id": f"held-{n}", "phone": "+14155550111"})
            Client().post(path, body, content_type="application/json")
        return campaign

    def test_the_campaign_page_says_leads_are_held_and_asks_to_activate(self, tenant_a, paused):
        page = tenant_a.admin_client.get(f"/campaigns/{paused.pk}/").content.decode()
        assert "2 leads</strong> reached this campaign" in page
        assert "Activate the campaign, then capture them here with “Capture them now”." in page
        assert f"/campaigns/{paused.pk}/held-leads/" not in page

    def test_once_active_the_owner_captures_them_from_the_page(self, tenant_a, paused):
        services.update_campaign(campaign=paused, changes={"status": True})
        page = tenant_a.admin_client.get(f"/campaigns/{paused.pk}/").content.decode()
        assert f"/campaigns/{paused.pk}/held-leads/" in page
        response = tenant_a.admin_client.post(f"/campaigns/{paused.pk}/held-leads/")
        assert response.status_code == 302
        assert sorted(Lead.objects.values_list("external_id", flat=True)) == ["held-0", "held-1"]
        page = tenant_a.admin_client.get(f"/campaigns/{paused.pk}/").content.decode()
        assert "reached this campaign" not in page

    def test_a_held_correction_is_applied_after_what_it_corrects(self, tenant_a, paused):
        """Two posts of one `external_id` while paused: captured in the order they came, the
        lead ends with the second (corrected) details."""
        path = f"/webhooks/leads/{paused.webhook_token}/"
        for name in ("Order First", "Order Second (corrected)"):
            body = json.dumps({"external_id": "ord-1", "name": name, "phone": "+14155550111"})
            Client().post(path, body, content_type="application/json")
        services.update_campaign(campaign=paused, changes={"status": True})
        tenant_a.admin_client.post(f"/campaigns/{paused.pk}/held-leads/")
        assert Lead.objects.get(external_id="ord-1").name == "Order Second (corrected)"

    def test_a_held_lead_is_kept_even_when_naming_it_fails(self, paused):
        path = f"/webhooks/leads/{paused.webhook_token}/"
        with mock.patch("campaigns.webhooks.held_reason", side_effect=RuntimeError("boom")):
            answer = Client().post(path, json.dumps({"phone": "+14155550119"}), "application/json")
        assert answer.status_code == 200
        kept = InboundDelivery.objects.latest("id")
        assert (kept.status, kept.error) == (DeliveryStatus.IGNORED, PAUSED)

    def test_repeats_of_one_lead_count_once_as_capturing_them_makes_one(self, tenant_a, paused):
        """A sender retrying `held-0`, and the same body without an id sent twice: two more
        deliveries, one more lead, as capture makes it."""
        path = f"/webhooks/leads/{paused.webhook_token}/"
        Client().post(
            path, json.dumps({"external_id": "held-0", "name": "Ann"}), "application/json"
        )
        for _ in range(2):
            Client().post(path, json.dumps({"phone": "+14155550112"}), "application/json")
        assert InboundDelivery.objects.count() == 5
        page = tenant_a.admin_client.get(f"/campaigns/{paused.pk}/").content.decode()
        assert "3 leads</strong> reached this campaign" in page
        services.update_campaign(campaign=paused, changes={"status": True})
        tenant_a.admin_client.post(f"/campaigns/{paused.pk}/held-leads/")
        assert Lead.objects.count() == 3

    def test_a_representative_is_told_who_may_activate_it(self, tenant_a, paused):
        services.update_campaign(
            campaign=paused, changes={"selected_user": [{"id": tenant_a.member.pk}]}
        )
        page = tenant_a.member_client.get(f"/campaigns/{paused.pk}/").content.decode()
        assert "2 leads</strong> reached this campaign" in page
        assert "Activate the campaign" not in page
        assert "activates it" not in page
        assert (
            "Once the campaign is active again, an admin or the campaign's owner captures them "
            "from this page (“Capture them now”)." in page
        )

    def test_while_paused_nothing_is_captured(self, tenant_a, paused):
        response = tenant_a.admin_client.post(f"/campaigns/{paused.pk}/held-leads/", follow=True)
        assert "Activate the campaign first" in response.content.decode()
        assert not Lead.objects.exists()

    def test_a_representative_cannot_capture_them(self, tenant_a, paused):
        services.update_campaign(
            campaign=paused,
            changes={"status": True, "selected_user": [{"id": tenant_a.member.pk}]},
        )
        response = tenant_a.member_client.post(f"/campaigns/{paused.pk}/held-leads/")
        assert response.status_code == 403
        assert not Lead.objects.exists()
