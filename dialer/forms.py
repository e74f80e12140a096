"""Input validation for the dialer's pages and JSON API alike."""

from django import forms

from campaignhub.fields import (
    DecimalTextField,
    DigitsIntegerField,
    IdChoiceField,
    NameField,
    UpstreamAddressField,
)
from campaignhub.phones import PhoneNumberField
from campaigns.models import Campaign, Integration
from dialer.models import EXTENSION_MESSAGE, EXTENSION_PATTERN, DialerCampaign


class ConnectionForm(forms.Form):
    base_url = UpstreamAddressField(
        label="Dialer API address",
        max_length=500,
        error_messages={
            "invalid": "Enter an http(s) address, e.g. https://dialer.example.com/api."
        },
        help_text="The dialer's API base URL, e.g. https://dialer.example.com/api.",
    )
    api_key = forms.CharField(
        label="API key",
        max_length=500,
        strip=True,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )


class InboundCampaignField(IdChoiceField):
    """An inbound campaign by name, a paused one marked so (its calls would be held)."""

    def label_from_instance(self, obj):
        if not obj.status:
            return f"{obj.campaign_name} (paused: calls are held until it is active)"
        return obj.campaign_name


class CampaignForm(forms.ModelForm):
    """A campaign's name, settings and our own choices (default agent state, linked inbound
    campaign). The settings ranges are the dialer's (dialer-api.md)."""

    caller_id = PhoneNumberField(
        required=False, help_text="The number callees see, e.g. +14155550100."
    )
    aggression = DecimalTextField(
        min_value=1,
        max_value=10,
        max_digits=3,
        decimal_places=1,
        initial=DialerCampaign._meta.get_field("aggression").default,
        widget=forms.NumberInput(attrs={"step": "0.1"}),
        help_text="Calls dialled per available agent (1.0 to 10.0, in steps of 0.1).",
    )
    max_attempts = DigitsIntegerField(
        min_value=1, max_value=10, initial=DialerCampaign._meta.get_field("max_attempts").default
    )
    retry_delay_s = DigitsIntegerField(
        min_value=60,
        max_value=604800,
        initial=DialerCampaign._meta.get_field("retry_delay_s").default,
        label="Retry delay (seconds)",
    )
    record_calls = forms.BooleanField(required=False)
    inbound_campaign = InboundCampaignField(
        queryset=Campaign.objects.none(),
        required=False,
        label="Leads go to",
        empty_label="None: calls are held until a campaign is chosen",
        help_text=(
            "Calls where the callee talked to an agent become leads of this inbound campaign "
            "(one whose lead source is Dialer), given to that agent when they are one of its "
            "representatives. While it is paused, such calls are held and become its leads "
            "once it is active again."
        ),
    )

    class Meta:
        model = DialerCampaign
        field_classes = {"name": NameField}
        fields = [
            "name",
            "aggression",
            "max_attempts",
            "retry_delay_s",
            "caller_id",
            "record_calls",
            "default_agent_state",
            "inbound_campaign",
        ]
        help_texts = {
            "default_agent_state": (
                "Offline: agents make themselves available to join a started campaign. "
                "Available: when the campaign starts, the dialer calls its agents to join."
            ),
        }

    def __init__(self, *args, account, **kwargs):
        super().__init__(*args, **kwargs)
        inbound = self.fields["inbound_campaign"]
        inbound.queryset = Campaign.objects.filter(
            account=account, integration=Integration.DIALER, is_deleted=False
        ).order_by("campaign_name")
        if not inbound.queryset.exists():
            inbound.help_text += " There is none yet: create one under Campaigns first."


class AgentForm(forms.Form):
    extension = forms.RegexField(
        regex=EXTENSION_PATTERN, strip=True, error_messages={"invalid": EXTENSION_MESSAGE}
    )


class ExtensionForm(forms.Form):
    """A member's dialer extension in the account; blank clears it."""

    extension = forms.RegexField(
        regex=EXTENSION_PATTERN,
        strip=True,
        required=False,
        max_length=4,
        label="Dialer extension",
        error_messages={"invalid": EXTENSION_MESSAGE},
        help_text="3 or 4 digits, unique in this account; leave empty for none.",
    )

    def clean_extension(self):
        return self.cleaned_data["extension"] or None


class UploadForm(forms.Form):
    file = forms.FileField(
        label="File",
        help_text=(
            "CSV or .xlsx with a phone column; first name and last name (or one name column) "
            "and email are optional; any other column goes to the dialer with the contact."
        ),
    )


class AdoptForm(forms.Form):
    ref = forms.RegexField(regex=r"^[A-Za-z0-9._~:-]{1,230}$", strip=True)
