"""The JSON bodies of the CallRail API: the type of every field; `callrail.forms` checks values.

CallRail ids are strings (`ACC…`, `COM…`, `web_…`). On trackers null is accepted where CallRail
itself answers null, and means "not given".
"""

from campaignhub.schemas import Flag, Integer, JsonBody, Text, TextOrObject


class KeyBody(JsonBody):
    """`POST /v1/e/callrail/key`."""

    api_key: Text = None


class WebhookCreateBody(JsonBody):
    """`POST /v1/e/callrail/companies/webhook`."""

    account_id: Text = None
    company_id: Text = None
    webhook_url: Text = None


class WebhookUpdateBody(WebhookCreateBody):
    """`PUT /v1/e/callrail/companies/webhook`."""

    webhook_id: Text = None
    status: Text = None


class TrackerBody(JsonBody):
    """What a tracker may carry, on create and on update (`callrail.forms.TrackerFields`).

    A swap target is a phone number or `{"target", "match_type"}`.
    """

    name: Text = None
    destination_number: Text = None
    whisper_message: Text | None = None
    record_calls: Flag | None = None
    sms_enabled: Flag | None = None
    pool_size: Integer | None = None
    swap_targets: list[TextOrObject] | None = None


class TrackerCreateBody(TrackerBody):
    """`POST /v1/e/callrail/trackers`."""

    type: Text = None
    source: Text | None = None
    area_code: Text | None = None
    toll_free: Flag | None = None


class TrackerUpdateBody(TrackerBody):
    """`PUT /v1/e/callrail/trackers/<id>`."""

    status: Text = None
