"""The JSON bodies notifications take: each field's type; `notifications.forms` checks values."""

from campaignhub.schemas import JsonBody, Text


class DeviceBody(JsonBody):
    """`POST /v1/devices`: an FCM registration token, the device type and an optional name."""

    registration_id: Text = None
    type: Text = None
    name: Text = None
