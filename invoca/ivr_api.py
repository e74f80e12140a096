"""JSON tools under /v1/invoca/ that check IVR trees and conditions without touching any campaign.

Both read and write nothing, and answer the same for every account but for how phone numbers
read (in the account's country's format); like every /v1/ view they need a signed-in session or
a Bearer token.
"""

from campaignhub.api import ApiProblem, api_view, ok
from campaignhub.schemas import JsonBody, Text
from invoca import conditions, ivr


class IvrTreeBody(JsonBody):
    """`POST /v1/invoca/ivr/validate`: the tree, in either shape `invoca.ivr` accepts."""

    ivr_tree: dict | None = None


class ConditionBody(JsonBody):
    """`POST /v1/invoca/conditions/parse`: one condition string."""

    condition: Text | None = None


def _required(data: dict, name: str):
    if data.get(name) is None:
        raise ApiProblem(400, f"{name} is required.", {name: ["This field is required."]})
    return data[name]


@api_view("POST", body=IvrTreeBody)
def ivr_validate(request):
    """200 `data: {"valid": bool, "error": {Invoca's shape} | null, "phones": {"+18004377950":
    "(800) 437-7950"}}`, the error being what Invoca's 403 carries under `error`
    (`{"ivr_tree": {...}}`) and `phones` how pages show each Connect node's destination, in the
    format of the account's country (`ivr.destinations`); a body without an `ivr_tree` object
    is a 400."""
    tree = _required(request.data, "ivr_tree")
    error = ivr.validate_tree(tree)
    phones = ivr.destinations(tree, request.account.country)
    return ok({"valid": error is None, "error": error, "phones": phones})


@api_view("POST", body=ConditionBody)
def condition_parse(request):
    """200 `data: {"valid": bool, "normalized": "<fully parenthesised>" | null, "message":
    "<what is wrong, and where>" | null}`; a body without a `condition` string is a 400."""
    parsed = conditions.parse(_required(request.data, "condition"))
    return ok({"valid": parsed.valid, "normalized": parsed.normalized, "message": parsed.message})
