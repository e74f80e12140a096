"""Under the real server (Daphne, as `make run` serves): a form body that cannot be read reaches
Django and is refused with its message, never the server's bare 400."""

import http.client
from urllib.parse import urlsplit

import pytest

from campaignhub import services as platform
from campaigns.models import Campaign
from tests.factories import make_account


def send(server, method, path, body, content_type, headers=()):
    """`method path` with `body` over one raw connection: (status, headers, body text)."""
    address = urlsplit(server)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
    try:
        connection.request(
            method, path, body=body, headers={"Content-Type": content_type, **dict(headers)}
        )
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode()
    finally:
        connection.close()


@pytest.mark.parametrize(
    "content_type", ["multipart/form-data", "multipart/form-data; boundary=zz"]
)
@pytest.mark.parametrize("method", ["POST", "PUT"])
def test_an_api_body_in_an_unreadable_form_is_the_envelope_400(server, method, content_type):
    account = make_account("Acme Agency", "admin@acme.test")
    admin = account.memberships.get().user
    token = platform.issue_token(account=account, user=admin, name="e2e").raw
    path = "/v1/campaigns" if method == "POST" else "/v1/campaigns/1"
    status, headers, body = send(
        server, method, path, b"x", content_type, {"Authorization": f"Bearer {token}"}
    )
    assert status == 400, body
    assert headers.get("Content-Type") == "application/json", headers
    assert '"errno": 400' in body and '"message": "Malformed JSON' in body
    assert not Campaign.objects.exists()


def test_a_page_form_without_its_boundary_is_the_400_page_saying_so(server):
    status, _headers, body = send(server, "POST", "/login/", b"x", "multipart/form-data")
    assert status == 400
    assert "The form could not be read: send it as application/x-www-form-urlencoded" in body


def test_an_api_upload_without_its_boundary_says_the_form_could_not_be_read(server):
    account = make_account("Acme Agency", "admin@acme.test")
    admin = account.memberships.get().user
    token = platform.issue_token(account=account, user=admin, name="e2e").raw
    status, _headers, body = send(
        server,
        "POST",
        "/v1/dialer/campaigns/no-such-ref/leads",
        b"name=x",
        "multipart/form-data",
        {"Authorization": f"Bearer {token}"},
    )
    assert status == 400
    assert '"message": "The form could not be read' in body
