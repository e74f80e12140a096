"""The shared integration base: one live encrypted credential per account, and one mapping of
upstream failures to API problems, shown on an example upstream that is no real integration."""

import pytest
import requests
import responses
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from campaignhub.api import ApiProblem
from campaignhub.http import BaseClient
from campaignhub.integrations import Credential, NotConnected, Upstream

BASE = "https://example-upstream.test/v1"


class ExampleKey(Credential):
    class Meta(Credential.Meta):
        app_label = "platform_tests"


class ExampleClient(BaseClient):
    def __init__(self, secret, **kwargs):
        super().__init__(BASE, sleep=self.never_sleep, **kwargs)
        self.secret = secret

    def never_sleep(self, seconds):
        raise AssertionError(f"slept {seconds}s answering a web request")

    def auth_headers(self):
        return {"Authorization": f"Bearer {self.secret}"}


class ExampleUpstream(Upstream):
    label = "Example"
    credential_model = ExampleKey

    def make_client(self, secret, *, web_request):
        return ExampleClient(secret, web_request=web_request)

    def verify(self, client):
        client.get("me")


EXAMPLE = ExampleUpstream()


@pytest.fixture(scope="module")
def example_table(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        with connection.schema_editor() as editor:
            editor.create_model(ExampleKey)
        yield
        with connection.schema_editor() as editor:
            editor.delete_model(ExampleKey)


@pytest.fixture
def account(example_table, tenant_a):
    return tenant_a.account


@pytest.fixture
def upstream():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def live(account):
    return list(ExampleKey.objects.for_account(account).filter(deleted_at__isnull=True))


def test_each_subclass_gets_the_one_live_constraint_under_its_own_name():
    names = [constraint.name for constraint in ExampleKey._meta.constraints]
    assert names == ["platform_tests_examplekey_one_live"]


def test_the_database_refuses_a_second_live_credential(account):
    ExampleKey.objects.create(account=account, secret="first-1111", last4="1111")
    with pytest.raises(IntegrityError), transaction.atomic():
        ExampleKey.objects.create(account=account, secret="second-2222", last4="2222")
    assert [key.last4 for key in live(account)] == ["1111"]


def test_connect_checks_the_secret_then_replaces_the_live_one(account, upstream):
    upstream.get(f"{BASE}/me", json={"id": 1})
    first = EXAMPLE.connect(account=account, secret="  first-1111 ")
    second = EXAMPLE.connect(account=account, secret="second-2222")

    assert upstream.calls[0].request.headers["Authorization"] == "Bearer first-1111"
    assert live(account) == [second] and second.last4 == "2222"
    first.refresh_from_db()
    assert first.deleted_at is not None and first.secret == ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT secret FROM {ExampleKey._meta.db_table} WHERE id = %s", [second.pk])
        assert "second" not in cursor.fetchone()[0]


def test_a_refused_secret_is_a_validation_error_and_keeps_the_live_one(account, upstream):
    kept = ExampleKey.objects.create(account=account, secret="good-1111", last4="1111")
    upstream.get(f"{BASE}/me", status=401, json={"error": "bad token"})
    with pytest.raises(ValidationError, match=r"Example did not accept this API key\."):
        EXAMPLE.connect(account=account, secret="bad-2222")
    assert live(account) == [kept]


def test_an_unreachable_upstream_on_connect_is_502_once_and_changes_nothing(account, upstream):
    kept = ExampleKey.objects.create(account=account, secret="good-1111", last4="1111")
    upstream.get(f"{BASE}/me", body=requests.ConnectionError("no route to host"))
    with pytest.raises(ApiProblem) as caught:
        EXAMPLE.connect(account=account, secret="new-2222")
    assert caught.value.status == 502
    assert caught.value.message.startswith("Could not reach Example")
    assert len(upstream.calls) == 1
    assert live(account) == [kept]


def test_an_empty_secret_is_refused_without_calling_the_upstream(account, upstream):
    with pytest.raises(ValidationError, match=r"Enter your Example API key\."):
        EXAMPLE.connect(account=account, secret="   ")
    assert len(upstream.calls) == 0 and live(account) == []


def test_remove_is_a_soft_delete_that_wipes_the_secret(account):
    key = ExampleKey.objects.create(account=account, secret="good-1111", last4="1111")
    assert EXAMPLE.remove(account=account) is True
    key.refresh_from_db()
    assert key.deleted_at is not None and key.secret == "" and key.last4 == "1111"
    assert EXAMPLE.remove(account=account) is False
    assert EXAMPLE.live_credential(account) is None


def test_no_live_credential_is_a_400_with_the_upstreams_message(account):
    with pytest.raises(NotConnected) as caught:
        EXAMPLE.client_for(account)
    assert caught.value.status == 400
    assert caught.value.message == (
        "Example is not connected. Please add your Example API key first."
    )


def test_client_for_sends_the_live_secret_in_the_mode_asked(account):
    ExampleKey.objects.create(account=account, secret="good-1111", last4="1111")
    web = EXAMPLE.client_for(account, web_request=True)
    task = EXAMPLE.client_for(account)
    assert web.secret == "good-1111" and web.max_retries == 0 and web.timeout == web.web_timeout
    assert task.max_retries == BaseClient.max_retries and task.timeout == BaseClient.timeout


def _problem(upstream, account, **answer):
    key = ExampleKey.objects.create(account=account, secret="good-1111", last4="1111")
    upstream.get(f"{BASE}/things", **answer)
    found = EXAMPLE.connection_for(account, web_request=True)
    with pytest.raises(ApiProblem) as caught:
        EXAMPLE.call(found.credential, lambda: found.client.get("things"), not_found="No thing")
    assert len(upstream.calls) == 1, "a web request tries once"
    key.refresh_from_db()
    return caught.value, key


def test_401_marks_the_credential_rejected_and_asks_to_reconnect(account, upstream):
    problem, key = _problem(upstream, account, status=401, json={"error": "expired"})
    assert (problem.status, problem.message) == (
        400,
        "Example rejected the API key. Please reconnect Example with a valid API key.",
    )
    assert key.rejected_at is not None and key.deleted_at is None


@pytest.mark.parametrize(
    ("answer", "status", "message"),
    [
        ({"status": 404, "json": {"error": "gone"}}, 404, "No thing"),
        ({"status": 409, "json": {"error": "Name is taken"}}, 409, "Name is taken"),
        ({"status": 422, "json": {"error": "Url is invalid"}}, 400, "Url is invalid"),
        ({"status": 403, "json": {"error": "Not allowed"}}, 400, "Not allowed"),
        ({"status": 503, "json": {"error": "Down"}}, 502, "Example could not answer: Down"),
        ({"status": 200, "body": "<html>"}, 502, "Example could not answer: Upstream answered"),
        ({"body": requests.ConnectTimeout("slow")}, 502, "Could not reach Example"),
    ],
)
def test_failures_map_to_our_statuses(account, upstream, answer, status, message):
    problem, key = _problem(upstream, account, **answer)
    assert problem.status == status
    assert problem.message.startswith(message)
    assert problem.headers == {}
    assert key.rejected_at is None


def test_429_passes_retry_after_through_without_waiting(account, upstream):
    problem, _ = _problem(
        upstream, account, status=429, headers={"Retry-After": "30"}, json={"error": "slow"}
    )
    assert problem.status == 429
    assert problem.headers == {"Retry-After": "30"}
    assert problem.message == "Example is busy; please try again in 30 seconds."


def test_429_without_retry_after_has_no_header(account, upstream):
    problem, _ = _problem(upstream, account, status=429, json={"error": "slow"})
    assert (problem.status, problem.headers) == (429, {})
