import json

import pytest
from django.test import Client

from campaignhub import services
from campaignhub.models import ApiToken, Membership
from tests.factories import bearer, make_member

pytestmark = pytest.mark.django_db


def test_me_with_session_describes_user_account_and_role(tenant_a):
    response = tenant_a.member_client.get("/v1/me")
    assert response.status_code == 200
    assert response.json() == {
        "success": True,
        "message": "SUCCESS",
        "data": {
            "user": {
                "id": tenant_a.member.pk,
                "email": "member@acme.test",
                "name": "Acme Agency Member",
            },
            "account": {
                "id": tenant_a.account.pk,
                "name": "Acme Agency",
                "currency": tenant_a.account.currency,
                "timezone": tenant_a.account.timezone,
            },
            "role": "member",
        },
    }


def test_me_names_the_accounts_currency_and_time_zone(tenant_a):
    account = tenant_a.account
    account.currency, account.timezone = "EUR", "Europe/Berlin"
    account.save(update_fields=["currency", "timezone"])
    data = tenant_a.admin_client.get("/v1/me").json()["data"]
    assert data["account"] == {
        "id": account.pk,
        "name": "Acme Agency",
        "currency": "EUR",
        "timezone": "Europe/Berlin",
    }


def test_me_with_bearer_token_and_last_used_is_recorded(tenant_a):
    response = Client().get("/v1/me", **bearer(tenant_a.token.raw))
    assert response.status_code == 200
    assert response.json()["data"]["role"] == "admin"
    tenant_a.token.token.refresh_from_db()
    assert tenant_a.token.token.last_used_at is not None


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({}, "Authentication credentials were not provided."),
        ({"HTTP_AUTHORIZATION": "Bearer chub_not-a-real-token"}, "Invalid or revoked API token."),
        ({"HTTP_AUTHORIZATION": "Token abc"}, "Authorization header must be 'Bearer <token>'."),
        ({"HTTP_AUTHORIZATION": "Bearer "}, "Authorization header must be 'Bearer <token>'."),
    ],
)
def test_missing_or_invalid_credentials_are_401_in_the_envelope(db, headers, message):
    response = Client().get("/v1/me", **headers)
    assert response.status_code == 401
    assert response.json() == {"success": False, "errno": 401, "message": message}


def test_revoked_token_is_401(tenant_a):
    services.revoke_token(token=tenant_a.token.token)
    response = Client().get("/v1/me", **bearer(tenant_a.token.raw))
    assert response.status_code == 401
    assert response.json()["message"] == "Invalid or revoked API token."


def test_token_stops_working_when_its_user_leaves_the_account(tenant_a):
    raw = services.issue_token(account=tenant_a.account, user=tenant_a.member, name="x").raw
    Membership.objects.filter(user=tenant_a.member).delete()
    assert Client().get("/v1/me", **bearer(raw)).status_code == 401


def test_a_token_acts_in_its_own_account_for_someone_in_several(tenant_a, tenant_b):
    # The admin of A is a member of B too; a token made in B acts in B, with B's role.
    Membership.objects.create(account=tenant_b.account, user=tenant_a.admin, role="member")
    raw = services.issue_token(account=tenant_b.account, user=tenant_a.admin, name="b").raw
    data = Client().get("/v1/me", **bearer(raw)).json()["data"]
    assert (data["account"]["id"], data["role"]) == (tenant_b.account.pk, "member")


def test_a_token_stops_working_when_its_user_leaves_its_account_but_stays_in_another(
    tenant_a, tenant_b
):
    Membership.objects.create(account=tenant_b.account, user=tenant_a.member, role="admin")
    raw = services.issue_token(account=tenant_a.account, user=tenant_a.member, name="a").raw
    Membership.objects.filter(account=tenant_a.account, user=tenant_a.member).delete()
    assert Client().get("/v1/me", **bearer(raw)).status_code == 401


def test_wrong_method_is_405_with_allow_header(tenant_a):
    response = tenant_a.admin_client.post("/v1/me")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert response.json() == {
        "success": False,
        "errno": 405,
        "message": "Method POST not allowed.",
    }


def test_head_answers_what_get_would_without_the_body(tenant_a):
    get = Client().get("/v1/me", **bearer(tenant_a.token.raw))
    head = Client().head("/v1/me", **bearer(tenant_a.token.raw))
    assert (head.status_code, head["Content-Type"]) == (200, get["Content-Type"])
    assert head["Content-Length"] == str(len(get.content)) and head.content == b""
    assert Client().head("/v1/me").status_code == 401


def test_head_on_a_download_reads_no_rows(tenant_a, monkeypatch):
    """Called as a server does (which sends whatever the body yields), not through the test
    client (which drops a HEAD answer's body itself)."""
    from django.test import RequestFactory

    from campaignhub import csv_export
    from campaigns.exports import api_lead_export

    read = []

    def chunks(*args, **kwargs):
        read.append(True)
        yield b"rows"

    monkeypatch.setattr(csv_export, "csv_chunks", chunks)
    request = RequestFactory().head("/v1/leads/export", **bearer(tenant_a.token.raw))
    head = api_lead_export(request)
    assert head.status_code == 200 and head["Content-Type"].startswith("text/csv")
    assert b"".join(head.streaming_content) == b"" and read == []


def test_head_never_runs_a_view_s_other_methods(tenant_a):
    from tests.campaigns.factories import make_campaign

    campaign = make_campaign(tenant_a)
    head = Client().head(f"/v1/campaigns/{campaign.pk}", **bearer(tenant_a.token.raw))
    assert head.status_code == 200
    campaign.refresh_from_db()
    assert campaign.is_deleted is False


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize(
    "method, path",
    [("get", "/v1/no-such-thing"), ("get", "/v1/leads/-1"), ("patch", "/v1/contacts/abc")],
)
def test_unknown_api_path_is_404_envelope(db, settings, debug, method, path):
    settings.DEBUG = debug  # the debug page would otherwise list every route
    response = getattr(Client(), method)(path)
    assert response.status_code == 404
    assert response.json() == {"success": False, "errno": 404, "message": "Not found"}


@pytest.mark.parametrize("debug", [False, True])
def test_a_body_over_the_upload_limit_is_413_in_the_envelope(tenant_a, settings, debug):
    settings.DEBUG = debug
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"campaigndata": {"campaign_name": "x" * 2000}})
    response = Client(**bearer(tenant_a.token.raw)).post(
        "/v1/campaigns", body, content_type="application/json"
    )
    assert response.status_code == 413
    assert response.json() == {
        "success": False,
        "errno": 413,
        "message": "The request body is too large: send at most 1000 bytes.",
    }
    assert not tenant_a.account.campaigns.exists()


def test_a_request_refused_before_any_view_is_an_envelope_under_v1(rf):
    from django.core.exceptions import RequestDataTooBig, SuspiciousOperation

    from campaignhub.errors import handler_400

    too_large = handler_400(rf.post("/v1/campaigns"), RequestDataTooBig("big"))
    assert too_large.status_code == 413
    assert json.loads(too_large.content)["message"].startswith("The request body is too large")
    bad = handler_400(rf.get("/v1/campaigns"), SuspiciousOperation("odd"))
    assert (bad.status_code, json.loads(bad.content)["message"]) == (400, "Bad request.")
    assert handler_400(rf.get("/campaigns/"), SuspiciousOperation("odd")).status_code == 400


def test_user_without_account_is_403(db):
    from campaignhub.models import User

    loner = User.objects.create_user("loner@example.test", "x")
    client = Client()
    client.force_login(loner)
    response = client.get("/v1/me")
    assert response.status_code == 403
    assert response.json()["message"] == "You are not a member of any account."


@pytest.mark.urls("tests.platform.api_urls")
class TestConventions:
    def post(self, tenant, body, content_type="application/json"):
        return Client().post(
            "/v1/echo", body, content_type=content_type, **bearer(tenant.token.raw)
        )

    def test_valid_body_is_parsed_and_validated(self, tenant_a):
        response = self.post(tenant_a, json.dumps({"title": "Hello", "count": 2}))
        assert response.status_code == 201
        assert response.json()["data"] == {"title": "Hello", "count": 2}

    @pytest.mark.parametrize("body", ["{not json", '{"title": "x",}', "\xff\xfe"])
    def test_malformed_json_is_400_never_500(self, tenant_a, body):
        response = self.post(tenant_a, body)
        assert response.status_code == 400
        payload = response.json()
        assert payload["success"] is False and payload["errno"] == 400
        assert payload["message"].startswith("Malformed JSON")

    @pytest.mark.parametrize(
        "body", ['{"title": "A", "title": "B"}', '{"title": "A", "x": {"k": 1, "k": 2}}']
    )
    def test_a_key_named_twice_is_400(self, tenant_a, body):
        response = self.post(tenant_a, body)
        assert response.status_code == 400
        assert "appears more than once" in response.json()["message"]

    def test_body_that_is_not_an_object_is_400(self, tenant_a):
        response = self.post(tenant_a, json.dumps(["title"]))
        assert response.status_code == 400
        assert response.json()["message"] == "The request body must be a JSON object."

    def test_unknown_fields_are_rejected(self, tenant_a):
        response = self.post(tenant_a, json.dumps({"title": "x", "colour": "red"}))
        assert response.status_code == 400
        assert response.json() == {
            "success": False,
            "errno": 400,
            "message": "Unknown field: colour.",
            "errors": {"colour": ["Unknown field."]},
        }

    def test_validation_errors_list_every_field(self, tenant_a):
        response = self.post(tenant_a, json.dumps({"title": "", "count": 0}))
        assert response.status_code == 400
        payload = response.json()
        assert payload["errors"] == {
            "title": ["This field is required."],
            "count": ["Ensure this value is greater than or equal to 1."],
        }
        assert payload["message"] == "This field is required."

    def test_session_post_without_csrf_token_is_refused(self, tenant_a):
        client = Client(enforce_csrf_checks=True)
        client.force_login(tenant_a.admin)
        response = client.post(
            "/v1/echo", json.dumps({"title": "x"}), content_type="application/json"
        )
        assert response.status_code == 403
        assert response.json()["message"].startswith("CSRF check failed")

    def test_session_post_with_csrf_token_is_accepted(self, tenant_a):
        client = Client(enforce_csrf_checks=True)
        client.force_login(tenant_a.admin)
        client.get("/settings/profile/")
        token = client.cookies["csrftoken"].value
        response = client.post(
            "/v1/echo",
            json.dumps({"title": "x"}),
            content_type="application/json",
            HTTP_X_CSRFTOKEN=token,
        )
        assert response.status_code == 201

    def test_another_accounts_object_is_404(self, tenant_a, tenant_b):
        foreign = tenant_b.token.token
        response = Client().get(f"/v1/tokens/{foreign.pk}", **bearer(tenant_a.token.raw))
        assert response.status_code == 404
        assert response.json() == {"success": False, "errno": 404, "message": "Token not found"}
        own = Client().get(f"/v1/tokens/{tenant_a.token.token.pk}", **bearer(tenant_a.token.raw))
        assert own.json()["data"]["name"] == "acme token"

    def test_admin_only_view_refuses_members(self, tenant_a):
        raw = services.issue_token(account=tenant_a.account, user=tenant_a.member, name="m").raw
        response = Client().get("/v1/admins-only", **bearer(raw))
        assert response.status_code == 403
        assert response.json()["message"] == "Only account admins can do this."

    def test_page_pagination(self, tenant_a):
        for n in range(12):
            make_member(tenant_a.account, f"extra{n:02}@acme.test")
        client = Client()
        response = client.get("/v1/members?page=2&per_page=5", **bearer(tenant_a.token.raw))
        payload = response.json()
        assert payload["pagination"] == {"page": 2, "per_page": 5, "total": 14, "total_pages": 3}
        assert len(payload["data"]) == 5
        last = client.get("/v1/members?page=3&per_page=5", **bearer(tenant_a.token.raw))
        assert len(last.json()["data"]) == 4

    @pytest.mark.parametrize(
        ("query", "message"),
        [
            ("page=0", "page must be a positive integer, written in digits 0-9."),
            ("page=abc", "page must be a positive integer, written in digits 0-9."),
            ("per_page=101", "per_page must be at most 100."),
            ("cursor=forged", "Invalid cursor."),
        ],
    )
    def test_bad_paging_parameters_are_400(self, tenant_a, query, message):
        response = Client().get(f"/v1/members?{query}", **bearer(tenant_a.token.raw))
        assert response.status_code == 400
        assert response.json()["message"] == message

    def test_a_page_with_a_cursor_is_400_not_one_of_them_guessed(self, tenant_a):
        client = Client()
        first = client.get("/v1/members?per_page=1&cursor=", **bearer(tenant_a.token.raw))
        cursor = first.json()["next_cursor"]
        both = client.get(f"/v1/members?page=2&cursor={cursor}", **bearer(tenant_a.token.raw))
        assert both.status_code == 400
        assert both.json()["message"] == "Give either page or cursor, not both."
        alone = client.get(f"/v1/members?per_page=1&cursor={cursor}", **bearer(tenant_a.token.raw))
        assert alone.status_code == 200 and len(alone.json()["data"]) == 1

    def test_a_page_with_an_empty_cursor_is_that_page(self, tenant_a):
        """`?page=2&cursor=` (a client sending every key) is page 2, not the first cursor page;
        `?cursor=` alone still starts a walk by cursor."""
        for n in range(7):
            make_member(tenant_a.account, f"extra{n}@acme.test")
        token = bearer(tenant_a.token.raw)
        numbered = Client().get("/v1/members?per_page=4&page=2", **token).json()
        second = Client().get("/v1/members?per_page=4&page=2&cursor=", **token).json()
        assert second["pagination"]["page"] == 2
        assert second["data"] == numbered["data"]
        assert "next_cursor" not in second
        walk = Client().get("/v1/members?per_page=4&cursor=", **token).json()
        assert walk["next_cursor"] and "pagination" not in walk

    def test_cursor_pagination_walks_every_row_once(self, tenant_a):
        for n in range(7):
            make_member(tenant_a.account, f"extra{n}@acme.test")
        seen, cursor, pages = [], "", 0
        while cursor is not None:
            response = Client().get(
                f"/v1/members?per_page=4&cursor={cursor}", **bearer(tenant_a.token.raw)
            )
            payload = response.json()
            seen += payload["data"]
            cursor = payload["next_cursor"]
            pages += 1
        assert pages == 3
        assert sorted(seen) == sorted(
            Membership.objects.for_account(tenant_a.account).values_list("user__email", flat=True)
        )
        assert len(seen) == len(set(seen)) == 9


def test_tokens_are_stored_hashed(tenant_a):
    stored = ApiToken.objects.get(pk=tenant_a.token.token.pk)
    assert tenant_a.token.raw not in (stored.token_hash, stored.prefix)
    assert tenant_a.token.raw.startswith(stored.prefix)


LISTS = {
    "/v1/members": "page=1&per_page=5&cursor=",
    "/v1/campaigns": "search=&integration=&status=&page=1&per_page=5&cursor=",
    "/v1/campaigns/filters": "",
    "/v1/campaigns/tracking-numbers": "type=&page=1&per_page=5",
    "/v1/leads": "campaign=&search=&status=&page=1&per_page=5&cursor=",
    "/v1/leads/export": "campaign=&search=&status=",
    "/v1/contacts": "search=&page=1&per_page=5&cursor=",
    "/v1/contacts/export": "search=",
    "/v1/pipelines": "",
    "/v1/deals": "pipeline=&stage=&owner=&page=1&per_page=5&cursor=",
    "/v1/notifications/deliveries": "event=&channel=&status=&page=1&per_page=5",
    "/v1/devices": "",
    "/v1/reports/leads": "from=&to=&group=&campaign=&source=&representative=",
    "/v1/dialer/extensions": "page=1&per_page=5&cursor=",
    "/v1/invoca/advertisers/adv-1/campaigns": "page=1&per_page=5",
}


@pytest.mark.parametrize("path", LISTS)
def test_every_list_takes_its_filters_and_paging(tenant_a, path):
    query = LISTS[path]
    response = Client().get(f"{path}?{query}", **bearer(tenant_a.token.raw))
    assert response.status_code == 200, (path, response.content[:300])


@pytest.mark.parametrize(
    "path, query, unknown",
    [
        ("/v1/members", "role=admin", ["role"]),
        ("/v1/campaigns", "sort=name", ["sort"]),
        ("/v1/campaigns/filters", "status=active", ["status"]),
        ("/v1/campaigns/tracking-numbers", "cursor=", ["cursor"]),
        ("/v1/leads", "source=form&sort=name&from=2025-01-01", None),
        ("/v1/leads/export", "source=form", ["source"]),
        ("/v1/contacts", "status=won", ["status"]),
        ("/v1/contacts/export", "page=2", ["page"]),
        ("/v1/pipelines", "name=Sales", ["name"]),
        ("/v1/deals", "status=open&campaign=1&search=Ann", ["campaign", "search", "status"]),
        ("/v1/notifications/deliveries", "recipient=a@acme.test", ["recipient"]),
        ("/v1/devices", "type=ios", ["type"]),
        ("/v1/reports/leads", "status=won", ["status"]),
        ("/v1/dialer/campaigns", "state=started", ["state"]),
        ("/v1/dialer/extensions", "extension=101", ["extension"]),
        ("/v1/invoca/advertisers/adv-1/campaigns", "status=live", ["status"]),
    ],
)
def test_a_query_key_a_list_does_not_take_is_a_400_naming_it(tenant_a, path, query, unknown):
    unknown = unknown or ["from", "sort", "source"]
    response = Client().get(f"{path}?{query}", **bearer(tenant_a.token.raw))
    assert response.status_code == 400, (path, response.content[:300])
    body = response.json()
    assert (body["success"], body["errno"]) == (False, 400)
    assert body["errors"] == {key: ["Unknown query parameter."] for key in unknown}
    assert ", ".join(unknown) in body["message"] and "This list takes" in body["message"]


@pytest.mark.parametrize(
    "path, query",
    [
        ("/v1/leads", "campaign=1&campaign=22"),
        ("/v1/leads/export", "campaign=1&campaign=22"),
        ("/v1/campaigns", "status=bogus&status=active"),
        ("/v1/campaigns", "page=1&page=2"),
    ],
)
def test_a_query_key_given_twice_is_a_400_not_a_guess(tenant_a, path, query):
    """Which of two values a list would filter by is a guess: it is refused, naming the key."""
    key = query.split("=", 1)[0]
    response = Client().get(f"{path}?{query}", **bearer(tenant_a.token.raw))
    assert response.status_code == 400, (path, response.content[:300])
    assert response.json()["errors"] == {key: ["Given more than once; this list takes one value."]}
