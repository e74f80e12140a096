"""Cross-tenant cases for the IVR tree checker and the two tool endpoints.

They read and write no account's data: any member of any account gets the same verdict for the
same input, never anything of another account, and nobody gets in without a session or token.
"""

import json

from django.test import Client

from tests.factories import bearer
from tests.invoca_tools.trees import REFERENCE_403_REQUEST, REFERENCE_403_RESPONSE


def _same_for_both_and_closed_to_strangers(a, b, path, body, expected):
    answers = []
    for tenant in (a, b):
        for client, extra in ((tenant.member_client, {}), (Client(), bearer(tenant.token.raw))):
            response = client.post(path, json.dumps(body), content_type="application/json", **extra)
            assert response.status_code == 200, response.content
            answers.append(response.json()["data"])
    assert answers == [expected] * 4
    stranger = Client().post(path, json.dumps(body), content_type="application/json")
    assert stranger.status_code == 401


def ivr_validate(a, b):
    _same_for_both_and_closed_to_strangers(
        a,
        b,
        "/v1/invoca/ivr/validate",
        {"ivr_tree": REFERENCE_403_REQUEST},
        {
            "valid": False,
            "error": REFERENCE_403_RESPONSE["error"],
            # This tree's numbers are not read as phone numbers (no country code).
            "phones": {},
        },
    )


def conditions_parse(a, b):
    _same_for_both_and_closed_to_strangers(
        a,
        b,
        "/v1/invoca/conditions/parse",
        {"condition": "mobile or in_region and during_hours"},
        {"valid": True, "normalized": "(mobile or (in_region and during_hours))", "message": None},
    )


def ivr_checker(a, b):
    raw = json.dumps(REFERENCE_403_REQUEST)
    for tenant, other in ((a, b), (b, a)):
        response = tenant.member_client.post("/invoca/ivr/", {"ivr_tree": raw})
        assert response.status_code == 400
        content = response.content.decode()
        assert "Prompt cannot be empty." in content
        assert other.account.name not in content
    assert Client().get("/invoca/ivr/").status_code == 302


CASES = {
    "api_invoca_ivr_validate": ivr_validate,
    "api_invoca_conditions_parse": conditions_parse,
    "invoca_ivr_checker": ivr_checker,
}
EXEMPT = {}
