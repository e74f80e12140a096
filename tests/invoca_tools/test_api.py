"""POST /v1/invoca/ivr/validate and /v1/invoca/conditions/parse: verdicts, 400s and auth."""

import json

import pytest
from django.test import Client

from tests.factories import bearer
from tests.invoca_tools.trees import (
    REFERENCE_403_REQUEST,
    REFERENCE_403_RESPONSE,
    REFERENCE_FAILOVER_TREE,
)

pytestmark = pytest.mark.django_db

VALIDATE = "/v1/invoca/ivr/validate"
PARSE = "/v1/invoca/conditions/parse"


def post(client, path, body, **extra):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(path, data, content_type="application/json", **extra)


def test_a_valid_tree_is_valid_with_no_error(tenant_a):
    response = post(tenant_a.member_client, VALIDATE, {"ivr_tree": REFERENCE_FAILOVER_TREE})
    assert response.status_code == 200
    assert response.json() == {
        "success": True,
        "message": "SUCCESS",
        "data": {
            "valid": True,
            "error": None,
            "phones": {
                "+18004377950": "(800) 437-7950",
                "+18004377951": "(800) 437-7951",
                "+18004377952": "(800) 437-7952",
            },
        },
    }


def test_destinations_read_in_the_accounts_country_format(tenant_a):
    tenant_a.account.country = "GB"
    tenant_a.account.save(update_fields=["country"])
    response = post(tenant_a.member_client, VALIDATE, {"ivr_tree": REFERENCE_FAILOVER_TREE})
    assert response.json()["data"]["phones"]["+18004377950"] == "+1 800-437-7950"


def test_the_reference_403_example_answers_invocas_error_exactly(tenant_a):
    response = post(tenant_a.member_client, VALIDATE, {"ivr_tree": REFERENCE_403_REQUEST})
    assert response.status_code == 200
    data = response.json()["data"]
    assert (data["valid"], data["error"]) == (False, REFERENCE_403_RESPONSE["error"])


def test_an_empty_object_is_a_tree_without_a_root(tenant_a):
    response = post(tenant_a.member_client, VALIDATE, {"ivr_tree": {}})
    assert response.json()["data"] == {
        "valid": False,
        "error": {"ivr_tree": {"root": ["cannot be empty"]}},
        "phones": {},
    }


def test_a_bearer_token_works_too(tenant_a):
    response = post(
        Client(), VALIDATE, {"ivr_tree": REFERENCE_FAILOVER_TREE}, **bearer(tenant_a.token.raw)
    )
    assert response.status_code == 200
    assert response.json()["data"]["valid"] is True


@pytest.mark.parametrize(
    ("body", "message", "errors"),
    [
        ({}, "ivr_tree is required.", {"ivr_tree": ["This field is required."]}),
        ({"ivr_tree": None}, "ivr_tree is required.", {"ivr_tree": ["This field is required."]}),
        ({"ivr_tree": "Menu"}, "ivr_tree must be an object.", {"ivr_tree": ["Must be an object."]}),
        ({"ivr_tree": [1]}, "ivr_tree must be an object.", {"ivr_tree": ["Must be an object."]}),
        (
            {"ivr_tree": {}, "campaign": 1},
            "Unknown field: campaign.",
            {"campaign": ["Unknown field."]},
        ),
    ],
)
def test_a_missing_or_ill_typed_tree_is_400(tenant_a, body, message, errors):
    response = post(tenant_a.member_client, VALIDATE, body)
    assert response.status_code == 400
    assert response.json() == {
        "success": False,
        "errno": 400,
        "message": message,
        "errors": errors,
    }


@pytest.mark.parametrize("raw", ["{", "[]", '"tree"', "null"])
def test_a_body_that_is_not_a_json_object_is_400(tenant_a, raw):
    response = post(tenant_a.member_client, VALIDATE, raw)
    assert response.status_code == 400
    assert response.json()["success"] is False


def test_a_tree_nested_deeper_than_json_allows_is_400_not_500(tenant_a):
    raw = '{"ivr_tree": ' + '{"root": ' * 5000 + "{}" + "}" * 5000 + "}"
    response = post(tenant_a.member_client, VALIDATE, raw)
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["message"]


def test_a_deep_tree_json_can_carry_gets_a_verdict(tenant_a):
    node = {"node_type": "VerifyLocation"}
    raw = json.dumps(node)
    for _ in range(300):
        raw = '{"node_type": "VerifyLocation", "children": [' + raw + "]}"
    response = post(tenant_a.member_client, VALIDATE, '{"ivr_tree": ' + raw + "}")
    assert response.status_code == 200
    assert response.json()["data"]["valid"] is False


def test_conditions_parse_to_their_fully_parenthesised_form(tenant_a):
    response = post(
        tenant_a.member_client, PARSE, {"condition": "mobile or in_region and during_hours"}
    )
    assert response.status_code == 200
    assert response.json()["data"] == {
        "valid": True,
        "normalized": "(mobile or (in_region and during_hours))",
        "message": None,
    }


def test_a_bad_condition_says_where_and_what_was_expected(tenant_a):
    response = post(tenant_a.member_client, PARSE, {"condition": "duration >= 1 min 30"})
    assert response.status_code == 200
    assert response.json()["data"] == {
        "valid": False,
        "normalized": None,
        "message": "Unexpected end of the condition at line 1, column 21: expected 'sec'.",
    }


def test_an_empty_condition_is_a_verdict_not_a_400(tenant_a):
    response = post(tenant_a.member_client, PARSE, {"condition": ""})
    assert response.status_code == 200
    assert response.json()["data"]["valid"] is False


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "condition is required."),
        ({"condition": None}, "condition is required."),
        ({"condition": ["mobile"]}, "condition must be a string."),
        ({"condition": 3}, "condition must be a string."),
        ({"condition": "mobile", "strict": True}, "Unknown field: strict."),
    ],
)
def test_a_missing_or_ill_typed_condition_is_400(tenant_a, body, message):
    response = post(tenant_a.member_client, PARSE, body)
    assert response.status_code == 400
    assert response.json()["message"] == message
    assert response.json()["errno"] == 400


@pytest.mark.parametrize("path", [VALIDATE, PARSE])
def test_the_tools_need_a_session_or_a_token(path):
    response = post(Client(), path, {"ivr_tree": {}, "condition": "mobile"})
    assert response.status_code == 401
    assert response.json()["message"] == "Authentication credentials were not provided."


@pytest.mark.parametrize("path", [VALIDATE, PARSE])
def test_a_revoked_or_made_up_token_is_401(path):
    response = post(Client(), path, {"condition": "mobile"}, **bearer("not-a-token"))
    assert response.status_code == 401


def test_a_session_post_needs_the_csrf_token(tenant_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(tenant_a.member)
    refused = post(client, PARSE, {"condition": "mobile"})
    assert refused.status_code == 403
    client.get("/invoca/ivr/")
    token = client.cookies["csrftoken"].value
    allowed = post(client, PARSE, {"condition": "mobile"}, HTTP_X_CSRFTOKEN=token)
    assert allowed.status_code == 200


@pytest.mark.parametrize("path", [VALIDATE, PARSE])
def test_only_post_is_allowed(tenant_a, path):
    response = tenant_a.member_client.get(path)
    assert response.status_code == 405
    assert response["Allow"] == "POST"
