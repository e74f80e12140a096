"""Bounded inputs: public form submissions are capped; secret URL segments never reach the logs."""

import io
import json
import logging
from contextlib import contextmanager

import pytest
from django.core.cache import cache
from django.test import Client

from campaignhub.logs import RedactSecretPaths, redact_secret_paths
from campaigns.models import Lead
from tests.campaigns.factories import make_campaign


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


@pytest.fixture
def form_path(tenant_a, settings):
    settings.LEAD_FORM_MAX_FIELDS = 10
    settings.LEAD_FORM_MAX_FIELD_CHARS = 200
    campaign = make_campaign(tenant_a, campaign_name="Roofing")
    return f"/f/{campaign.form_secret_id}/"


def post_json(path, body):
    return Client().post(path, json.dumps(body), content_type="application/json")


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"notes": "x" * 1_000_000}, "The field 'notes' is too long: at most 200 characters."),
        (
            {"notes": {"deep": ["x" * 300]}},
            "The field 'notes' is too long: at most 200 characters.",
        ),
        ({"k" * 201: "v"}, "is too long: at most 200 characters."),
        ({f"field{n}": "v" for n in range(10)}, "Too many fields: send at most 10."),
    ],
    ids=["huge-value", "huge-nested-value", "huge-name", "too-many-fields"],
)
def test_oversized_json_submission_is_400_and_stores_nothing(form_path, extra, message):
    response = post_json(form_path, {"phone": "4155550111", **extra})
    assert response.status_code == 400
    assert message in response.json()["message"]
    assert not Lead.objects.exists()


def test_oversized_html_submission_shows_the_form_error_and_stores_nothing(form_path):
    response = Client().post(form_path, {"phone": "4155550111", "notes": "x" * 201})
    assert response.status_code == 400
    assert "The field &#x27;notes&#x27; is too long: at most 200 characters." in response.text
    assert not Lead.objects.exists()


def test_repeated_html_field_counts_every_value(form_path):
    response = Client().post(form_path, {"phone": "4155550111", "notes": ["short", "x" * 201]})
    assert response.status_code == 400
    assert not Lead.objects.exists()


def test_each_value_of_a_repeated_field_counts_toward_the_field_limit(form_path):
    """Every value is kept with the lead, so ten values of one field are ten fields."""
    body = {"phone": "4155550111", "services": [f"s{n}" for n in range(10)]}
    response = Client().post(form_path, body)
    assert response.status_code == 400
    assert "Too many fields: send at most 10." in response.text
    assert not Lead.objects.exists()


@pytest.mark.parametrize("accept", ["text/html", "application/json"])
def test_more_values_than_django_reads_is_our_400_not_its_error_page(form_path, accept):
    raw = "phone=%2B14155550111&" + "&".join(["x=v"] * 1001)
    response = Client().generic(
        "POST", form_path, raw, "application/x-www-form-urlencoded", HTTP_ACCEPT=accept
    )
    assert response.status_code == 400
    if accept == "application/json":
        assert response.json()["message"] == "Too many fields: send at most 10."
    else:
        assert [t.name for t in response.templates] == ["campaigns/public_form.html"]
        assert "Too many fields: send at most 10." in response.text
    assert not Lead.objects.exists()


@pytest.mark.parametrize(
    ("content_type", "accept"),
    [
        ("application/x-www-form-urlencoded", "text/html"),
        ("application/x-www-form-urlencoded", "application/json"),
        ("application/json", "application/json"),
    ],
)
def test_a_body_over_the_upload_limit_is_our_400_not_its_error_page(
    form_path, settings, content_type, accept
):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    message = "The request body is too large: send at most 1000 bytes."
    if content_type == "application/json":
        raw = json.dumps({"phone": "4155550111", "notes": "x" * 2000})
    else:
        raw = "phone=%2B14155550111&notes=" + "x" * 2000
    response = Client().generic("POST", form_path, raw, content_type, HTTP_ACCEPT=accept)
    assert response.status_code == 400
    if accept == "application/json":
        assert response.json()["message"] == message
    else:
        assert [t.name for t in response.templates] == ["campaigns/public_form.html"]
        assert message in response.text
    assert not Lead.objects.exists()


def test_the_visitors_own_fields_are_held_to_the_lower_bound_under_their_field(form_path):
    """With `LEAD_FORM_MAX_FIELD_CHARS` below a field's own limit, the field says the lower one."""
    response = Client().post(form_path, {"phone": "4155550111", "message": "x" * 201})
    assert response.status_code == 400
    assert "Ensure this value has at most 200 characters (it has 201)." in response.text
    assert "too long" not in response.text
    assert not Lead.objects.exists()


def test_a_repeated_own_field_is_refused_under_itself_alone(form_path):
    response = Client().post(form_path, {"phone": "4155550111", "name": ["x" * 201, "Ann"]})
    assert response.status_code == 400
    assert '<small class="error">Send one name.</small>' in response.text
    assert "too long" not in response.text
    assert not Lead.objects.exists()


def test_extra_fields_within_the_bounds_are_kept_with_the_lead(form_path):
    response = post_json(form_path, {"phone": "4155550111", "utm_source": "flyer", "notes": "hi"})
    assert response.status_code == 200
    assert Lead.objects.get().payload["utm_source"] == "flyer"


TOKEN = "s3cr3t-webhook-token-value"
FORM_ID = "0b6c7f0e-4a7e-4b9b-9f52-1e2d3c4b5a69"


@pytest.mark.parametrize(
    ("line", "redacted"),
    [
        (f"POST /webhooks/callrail/{TOKEN}/ 200", "POST /webhooks/callrail/…/ 200"),
        (
            f"https://hub.example.com/webhooks/leads/{TOKEN}/?x=1",
            "https://hub.example.com/webhooks/leads/…/?x=1",
        ),
        (f'"GET /f/{FORM_ID}/ HTTP/1.1" 200', '"GET /f/…/ HTTP/1.1" 200'),
        ("GET /password-reset/MQ/cfx-1a2b3c/ 302", "GET /password-reset/…/…/ 302"),
        ("GET /password-reset/sent/ 200", "GET /password-reset/sent/ 200"),
        ("GET /campaigns/12/ 200", "GET /campaigns/12/ 200"),
    ],
)
def test_secret_path_segments_are_redacted(line, redacted):
    assert redact_secret_paths(line) == redacted


def test_filter_redacts_a_runserver_access_record():
    # Daphne's runserver logs "HTTP %(method)s %(path)s …" with a dict of details.
    record = logging.LogRecord(
        "django.channels.server",
        logging.INFO,
        __file__,
        1,
        "HTTP %(method)s %(path)s %(status)s",
        ({"method": "POST", "path": f"/webhooks/callrail/{TOKEN}/", "status": 200},),
        None,
    )
    assert RedactSecretPaths().filter(record) is True
    assert record.getMessage() == "HTTP POST /webhooks/callrail/…/ 200"


@contextmanager
def log_output():
    """What the configured stdout handler writes, while the block runs."""
    (handler,) = [
        handler
        for handler in logging.getLogger().handlers
        if any(isinstance(f, RedactSecretPaths) for f in handler.filters)
    ]
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        yield stream
    finally:
        handler.setStream(previous)


@pytest.mark.django_db
def test_django_request_log_of_an_unknown_webhook_token_is_redacted():
    with log_output() as output:
        assert (
            Client().post(f"/webhooks/leads/{TOKEN}/", "{}", "application/json").status_code == 404
        )
    assert "/webhooks/leads/…/" in output.getvalue()
    assert TOKEN not in output.getvalue()


def test_runserver_and_uvicorn_access_lines_are_redacted():
    with log_output() as output:
        logging.getLogger("django.channels.server").info(
            "HTTP %(method)s %(path)s", {"method": "GET", "path": f"/f/{FORM_ID}/"}
        )
        logging.getLogger("django.server").info('"GET /f/%s/ HTTP/1.1" 200', FORM_ID)
        logging.getLogger("uvicorn.access").info(
            '%s - "%s %s HTTP/%s" %d',
            "203.0.113.5:4000",
            "POST",
            f"/webhooks/callrail/{TOKEN}/",
            "1.1",
            200,
        )
    written = output.getvalue()
    assert TOKEN not in written and FORM_ID not in written
    assert written.count("/f/…/") == 2
    assert '203.0.113.5:4000 - "POST /webhooks/callrail/…/ HTTP/1.1" 200' in written
