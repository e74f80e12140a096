import pytest
import requests
import responses

from campaignhub.http import ApiError, BaseClient, retry_after_seconds

BASE = "https://upstream.test/v1"


class Client(BaseClient):
    def auth_headers(self):
        return {"Authorization": "Token token=secret"}


@pytest.fixture
def slept():
    return []


@pytest.fixture
def client(slept):
    return Client(BASE, sleep=slept.append)


@responses.activate
def test_success_returns_json_and_sends_auth_and_user_agent(client):
    responses.get(f"{BASE}/things.json", json={"things": [1]})
    assert client.get("things.json", page=2) == {"things": [1]}
    sent = responses.calls[0].request
    assert sent.headers["Authorization"] == "Token token=secret"
    assert sent.headers["User-Agent"] == "CampaignHub/1.0"
    assert sent.url == f"{BASE}/things.json?page=2"


@responses.activate
def test_get_retries_5xx_then_succeeds(client, slept):
    responses.get(f"{BASE}/x", status=503)
    responses.get(f"{BASE}/x", status=502)
    responses.get(f"{BASE}/x", json={"ok": True})
    assert client.get("x") == {"ok": True}
    assert len(responses.calls) == 3
    assert len(slept) == 2
    assert slept[1] > slept[0] * 0.9  # backs off, never shrinks much


@responses.activate
def test_retry_after_is_honoured(client, slept):
    responses.get(f"{BASE}/x", status=429, headers={"Retry-After": "7"})
    responses.get(f"{BASE}/x", json={})
    client.get("x")
    assert slept == [7.0]


@responses.activate
def test_retries_are_bounded_and_end_in_a_transient_error(client, slept):
    responses.get(f"{BASE}/x", status=500, json={"error": "boom"})
    with pytest.raises(ApiError) as caught:
        client.get("x")
    assert len(responses.calls) == 1 + client.max_retries
    assert caught.value.status == 500
    assert caught.value.permanent is False
    assert caught.value.message == "boom"


@responses.activate
def test_post_is_not_resent_after_a_5xx(client, slept):
    responses.post(f"{BASE}/x", status=500)
    with pytest.raises(ApiError):
        client.post("x", json={"a": 1})
    assert len(responses.calls) == 1
    assert slept == []


@responses.activate
def test_post_is_resent_after_429_because_it_was_not_applied(client):
    responses.post(f"{BASE}/x", status=429)
    responses.post(f"{BASE}/x", json={"id": 1}, status=201)
    assert client.post("x", json={}) == {"id": 1}
    assert len(responses.calls) == 2


@responses.activate
def test_post_is_not_resent_after_a_read_timeout(client):
    responses.post(f"{BASE}/x", body=requests.ReadTimeout("slow"))
    with pytest.raises(ApiError) as caught:
        client.post("x", json={})
    assert len(responses.calls) == 1
    assert caught.value.permanent is False


@responses.activate
def test_post_is_resent_when_the_connection_was_never_made(client):
    responses.post(f"{BASE}/x", body=requests.ConnectTimeout("no route"))
    responses.post(f"{BASE}/x", json={"id": 2})
    assert client.post("x", json={}) == {"id": 2}


@responses.activate
def test_get_is_retried_after_a_dropped_connection(client):
    responses.get(f"{BASE}/x", body=requests.ConnectionError("reset by peer"))
    responses.get(f"{BASE}/x", json={"ok": 1})
    assert client.get("x") == {"ok": 1}


@responses.activate
def test_client_errors_are_permanent_and_carry_the_payload(client, slept):
    responses.get(f"{BASE}/x", status=404, json={"error": "Not found"})
    with pytest.raises(ApiError) as caught:
        client.get("x")
    assert caught.value.permanent is True
    assert caught.value.status == 404
    assert caught.value.payload == {"error": "Not found"}
    assert slept == []


@responses.activate
def test_non_json_success_is_an_error(client):
    responses.get(f"{BASE}/x", body="<html>", status=200)
    with pytest.raises(ApiError, match="not JSON"):
        client.get("x")


def test_retry_after_parses_seconds_and_http_dates():
    from datetime import UTC, datetime

    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert retry_after_seconds("12") == 12.0
    assert retry_after_seconds("Thu, 01 Jan 2026 12:00:30 GMT", now=now) == 30.0
    assert retry_after_seconds("Thu, 01 Jan 2026 11:00:00 GMT", now=now) == 0.0
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None


@pytest.fixture
def web_client():
    def never_sleep(seconds):
        raise AssertionError(f"a web request slept {seconds}s")

    return Client(BASE, sleep=never_sleep, web_request=True)


@responses.activate
@pytest.mark.parametrize(
    "answer",
    [
        {"status": 503},
        {"status": 429, "headers": {"Retry-After": "5"}},
        {"body": requests.ConnectionError("reset by peer")},
        {"body": requests.ConnectTimeout("no route")},
    ],
)
def test_a_web_request_tries_once_and_never_sleeps(web_client, answer):
    responses.get(f"{BASE}/x", **answer)
    responses.get(f"{BASE}/x", json={"ok": True})
    with pytest.raises(ApiError) as caught:
        web_client.get("x")
    assert len(responses.calls) == 1
    assert caught.value.permanent is False


@responses.activate
def test_a_web_request_uses_the_short_timeout(web_client, client):
    responses.get(f"{BASE}/x", json={})
    web_client.get("x")
    client.get("x")
    assert responses.calls[0].request.req_kwargs["timeout"] == BaseClient.web_timeout
    assert responses.calls[1].request.req_kwargs["timeout"] == BaseClient.timeout
    assert BaseClient.web_timeout[1] < BaseClient.timeout[1]


@responses.activate
def test_the_upstreams_retry_after_travels_with_the_error(web_client):
    responses.get(f"{BASE}/x", status=429, headers={"Retry-After": "12"})
    with pytest.raises(ApiError) as caught:
        web_client.get("x")
    assert (caught.value.status, caught.value.retry_after) == (429, 12.0)
