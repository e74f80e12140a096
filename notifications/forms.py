"""Input validation for notifications: delivery filters and device registration."""

from django import forms
from fcm_django.models import DeviceType

from notifications.models import Channel, Status


class DeliveryFilterForm(forms.Form):
    event = forms.CharField(max_length=64, required=False)
    channel = forms.ChoiceField(choices=[("", "All channels"), *Channel.choices], required=False)
    status = forms.ChoiceField(choices=[("", "All statuses"), *Status.choices], required=False)


class DeviceForm(forms.Form):
    registration_id = forms.CharField(
        max_length=4096, label="Registration token", help_text="The FCM token the app received."
    )
    type = forms.ChoiceField(choices=DeviceType.choices)
    name = forms.CharField(max_length=255, required=False, help_text="e.g. 'Work phone'.")

    def clean_registration_id(self):
        return self.cleaned_data["registration_id"].strip()
