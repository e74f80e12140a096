"""The JSON bodies of the dialer API: the type of every field; `dialer.forms` checks values."""

from campaignhub.schemas import Flag, Integer, JsonBody, Number, Text


class ConnectionBody(JsonBody):
    """`POST /v1/dialer/connection`."""

    base_url: Text = None
    api_key: Text = None


class SettingsObject(JsonBody):
    """The dialer's `settings` object, as `GET` shows it (dialer-api.md)."""

    aggression: Number = None
    max_attempts: Integer = None
    retry_delay_s: Integer = None
    caller_id: Text | None = None
    record_calls: Flag = None


class SettingsBody(JsonBody):
    """`PUT /v1/dialer/campaigns/<ref>/settings`: the fields given change, the rest stay.

    The settings come nested under `settings`, as `GET` answers them, or (the first shape the
    API took, still accepted) as top-level fields; not both in one body.
    """

    name: Text = None
    settings: SettingsObject = None
    aggression: Number = None
    max_attempts: Integer = None
    retry_delay_s: Integer = None
    caller_id: Text | None = None
    record_calls: Flag = None
    default_agent_state: Text = None
    inbound_campaign_id: Integer | None = None


class CampaignBody(SettingsBody):
    """`POST /v1/dialer/campaigns`: a new campaign, or `adopt_ref` to keep one found only on
    the dialer (then no other field)."""

    adopt_ref: Text = None


class AgentBody(JsonBody):
    """`POST /v1/dialer/campaigns/<ref>/agents`: the member's dialer extension."""

    extension: Text = None


class ExtensionBody(JsonBody):
    """`PUT /v1/dialer/extensions/<user_id>`: the member's extension, null to clear it."""

    extension: Text | None = None
