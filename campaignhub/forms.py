"""Input validation for the platform's pages: profile, members, API tokens."""

import zoneinfo

import phonenumbers
from django import forms

from campaignhub.models import Account, Role, User
from campaignhub.phones import PhoneNumberField


class ProfileForm(forms.ModelForm):
    phone = PhoneNumberField(
        required=False, help_text="Used for SMS lead alerts. E.164, e.g. +14155551234."
    )

    class Meta:
        model = User
        fields = ["name", "phone"]


class AccountForm(forms.ModelForm):
    class Meta:
        model = Account
        fields = ["name", "timezone", "currency", "country"]

    def clean_country(self):
        value = self.cleaned_data["country"].strip().upper()
        if value not in phonenumbers.SUPPORTED_REGIONS:
            raise forms.ValidationError("Enter a two-letter country code such as US, GB or CA.")
        return value

    def clean_timezone(self):
        value = self.cleaned_data["timezone"]
        if value not in zoneinfo.available_timezones():
            raise forms.ValidationError("Choose a time zone such as America/New_York or UTC.")
        return value


class AddMemberForm(forms.Form):
    # Kept as typed: an invited person's address is shown to the admins only as they typed it.
    email = forms.EmailField(max_length=254)
    name = forms.CharField(max_length=150, required=False)
    role = forms.ChoiceField(choices=Role.choices, initial=Role.MEMBER)


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=100, help_text="What will use it, e.g. 'Zapier' or 'CRM sync'."
    )
