"""The JSON bodies of the deals API: the type of every field; `crm.deal_forms` checks values."""

from campaignhub.schemas import Integer, JsonBody, Money


class DealPatchBody(JsonBody):
    """`PATCH /v1/deals/<id>`: the fields given change, the rest stay. `stage` is a stage id of
    the deal's pipeline; `value` (>= 0, in the deal's currency) and `owner` (a member's user
    id) may be null to clear them."""

    stage: Integer = None
    value: Money | None = None
    owner: Integer | None = None
