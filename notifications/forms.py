"""Input validation for notifications: delivery filters and device registration."""

import re

from django import forms
from fcm_django.models import DeviceType

from campaignhub.query import SingleValueFilterForm
from notifications import rendering
from notifications.models import Channel, Status


class DeliveryFilterForm(SingleValueFilterForm):
    """The delivery log's filters (page and `GET /v1/notifications/deliveries`): an event the
    product sends (one with templates, `rendering.event_channels`), a channel, a status."""

    event = forms.CharField(max_length=64, required=False)
    channel = forms.ChoiceField(choices=[("", "All channels"), *Channel.choices], required=False)
    status = forms.ChoiceField(choices=[("", "All statuses"), *Status.choices], required=False)

    def clean_event(self):
        event = self.cleaned_data["event"]
        if event and not re.fullmatch(r"[a-z0-9_]+", event):
            raise forms.ValidationError(UNKNOWN_EVENT)
        if event:
            try:
                rendering.event_channels(event)
            except ValueError:
                raise forms.ValidationError(UNKNOWN_EVENT) from None
        return event


UNKNOWN_EVENT = "No notification is sent for this event; choose one of those listed."


# fcm-django labels its device types in lower case ("ios"); pages use the platforms' own names.
DEVICE_TYPE_LABELS = {"android": "Android", "ios": "iOS", "web": "Web"}


def device_type_label(value) -> str:
    """`ios` -> "iOS": a device type (fcm-django's `DeviceType`) as its platform is named."""
    return DEVICE_TYPE_LABELS.get(value, str(value or ""))


class DeviceForm(forms.Form):
    registration_id = forms.CharField(
        max_length=4096, label="Registration token", help_text="The FCM token the app received."
    )
    type = forms.ChoiceField(
        choices=[(value, device_type_label(value)) for value in DeviceType.values]
    )
    name = forms.CharField(max_length=255, required=False, help_text="e.g. 'Work phone'.")

    def clean_registration_id(self):
        return self.cleaned_data["registration_id"].strip()
