"""What the product's log says about refused requests: one line, a traceback only for faults."""

import logging

import pytest
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils.log import log_response

from campaignhub.logs import QuietExpectedRefusals
from tests.security.test_bounded_inputs import log_output

pytestmark = pytest.mark.django_db


def test_a_refused_page_is_one_line_without_a_traceback(tenant_a):
    with log_output() as out:
        response = tenant_a.member_client.post("/settings/members/add/", {})

    assert response.status_code == 403
    assert "WARNING django.request Forbidden (Permission denied): /settings/members/add/" in (
        out.getvalue()
    )
    assert "Traceback" not in out.getvalue()


def test_a_fault_keeps_its_traceback():
    request = RequestFactory().get("/broken/")
    try:
        raise RuntimeError("the database went away")
    except RuntimeError as exc:
        fault = exc
    with log_output() as out:
        log_response(
            "Internal Server Error: %s",
            request.path,
            response=HttpResponse(status=500),
            request=request,
            exception=fault,
        )

    assert "ERROR django.request Internal Server Error: /broken/" in out.getvalue()
    assert "Traceback" in out.getvalue() and "the database went away" in out.getvalue()


def test_a_permission_denied_logged_as_an_error_keeps_its_traceback():
    """Only refusals logged below ERROR are quietened: anything louder was meant to be read."""
    refusal = PermissionDenied("no")
    record = logging.LogRecord(
        "django.request", logging.ERROR, __file__, 1, "odd", (), (PermissionDenied, refusal, None)
    )

    assert QuietExpectedRefusals().filter(record) is True
    assert record.exc_info[1] is refusal
