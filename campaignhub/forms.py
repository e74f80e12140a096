"""Input validation for the platform's pages: profile, members, API tokens, password reset,
the Incoming deliveries list's filters."""

import unicodedata

import phonenumbers
from django import forms
from django.contrib.auth import forms as auth_forms

from campaignhub import inbound, signals
from campaignhub.fields import IdChoiceField, NameField
from campaignhub.models import Account, DeliveryStatus, Role, User
from campaignhub.phones import PhoneInput, PhoneNumberField
from campaignhub.query import SingleValueFilterForm
from campaignhub.tenancy import time_zone_names


class ProfileForm(forms.ModelForm):
    # The person's own number: the browser may offer it (`autocomplete="tel"`).
    phone = PhoneNumberField(
        required=False,
        help_text="Used for SMS lead alerts, e.g. +14155551234 or (415) 555-1234.",
        widget=PhoneInput(attrs={"autocomplete": "tel"}),
    )

    class Meta:
        model = User
        fields = ["name", "phone"]
        field_classes = {"name": NameField}


class AccountForm(forms.ModelForm):
    """The account's settings. A currency change converts nothing: when anything is recorded
    in the old currency (`signals.currency_changing`), the form names it under Currency and
    asks for `change_currency` ticked before it changes."""

    change_currency = forms.BooleanField(
        required=False,
        label="Change the currency anyway",
        help_text="Amounts already recorded keep their figures; nothing is converted.",
        widget=forms.HiddenInput,
    )

    class Meta:
        model = Account
        fields = ["name", "timezone", "currency", "country"]
        field_classes = {"name": NameField}
        labels = {"timezone": "Time zone"}

    def clean(self):
        data = super().clean()
        new, old = data.get("currency"), self.instance.currency
        if not self.instance.pk or not new or new == old or data.get("change_currency"):
            return data
        # Asked before `_post_clean` copies the new values onto the instance: it still reads old.
        answers = signals.currency_changing.send(
            sender=Account, account=self.instance, currency=new
        )
        effects = [answer for _, answer in answers if answer]
        if effects:
            self.fields["change_currency"].widget = forms.CheckboxInput()
            self.add_error(
                "currency",
                f"Nothing is converted from {old} to {new}: {' '.join(effects)} "
                "Tick “Change the currency anyway” to change it.",
            )
        return data

    def clean_country(self):
        value = self.cleaned_data["country"].strip().upper()
        if value not in phonenumbers.SUPPORTED_REGIONS:
            raise forms.ValidationError("Enter a two-letter country code such as US, GB or CA.")
        return value

    def clean_timezone(self):
        return checked_time_zone(self.cleaned_data["timezone"])


def checked_time_zone(value: str) -> str:
    """`value` when it is an IANA time zone name (`tenancy.time_zone_names`); raises
    ValidationError otherwise. For every form that sets an account's time zone (admin too)."""
    if value not in time_zone_names():
        raise forms.ValidationError("Choose a time zone such as America/New_York or UTC.")
    return value


class AddMemberForm(forms.Form):
    # Kept as typed: an invited person's address is shown to the admins only as they typed it.
    email = forms.EmailField(max_length=254)
    name = NameField(max_length=150, required=False)
    role = forms.ChoiceField(choices=Role.choices, initial=Role.MEMBER)


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class TokenForm(forms.Form):
    name = NameField(max_length=100, help_text="What will use it, e.g. 'Zapier' or 'CRM sync'.")


def _same_email(typed: str, stored: str) -> bool:
    return (
        unicodedata.normalize("NFKC", typed).casefold()
        == unicodedata.normalize("NFKC", stored).casefold()
    )


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's password reset, also for people who never chose a password
    (`User.awaits_first_password`: added by an admin, their first link lost or expired), whom
    Django's form skips: they get the "choose your password" email a new member gets, naming
    the account they were first added to. The page answers the same either way."""

    def get_users(self, email):
        active = User.objects.filter(email__iexact=email, is_active=True)
        return (
            user
            for user in active
            if (user.has_usable_password() or user.awaits_first_password)
            and _same_email(email, user.email)
        )

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        user = context["user"]
        if not user.has_usable_password():
            first = user.memberships.select_related("account").order_by("created_at", "id").first()
            context = {**context, "account": first.account if first else None}
            subject_template_name = "registration/invite_subject.txt"
            email_template_name = "registration/invite_email.txt"
            html_email_template_name = None
        super().send_mail(
            subject_template_name,
            email_template_name,
            context,
            from_email,
            to_email,
            html_email_template_name,
        )


class CampaignFilterField(IdChoiceField):
    """A campaign of the account chosen by id among those the Incoming deliveries list offers
    (`inbound.Campaigns.offered`), each read as `inbound.Campaigns.option` says: an id that is
    none of them is UNKNOWN_CAMPAIGN, text that is no id "Enter a whole number in digits 0-9."
    (`IdChoiceField`), as the other lists' campaign filters say. Cleans to the campaign, or
    None when empty."""

    UNKNOWN_CAMPAIGN = "Choose a campaign of this account."
    default_error_messages = {"invalid_choice": UNKNOWN_CAMPAIGN}

    def label_from_instance(self, obj):
        return inbound.CAMPAIGNS[0].option(obj)


class InboundDeliveryFilterForm(SingleValueFilterForm):
    """The Incoming deliveries list's filters: `source` (a source registered with a name,
    `inbound.source_choices`, or "" for any), `status` (a `DeliveryStatus`, or "" for any) and
    `campaign` (`CampaignFilterField`: one of the account's campaigns, cleaned to its id, or
    None). An unknown source or status, a campaign that is not the account's, or a filter
    given more than once (`SingleValueFilterForm`) is an error, and the page lists nothing.
    Without an app that keeps campaigns (`inbound.register_campaigns`) there is no campaign
    filter: `campaign` is always None."""

    UNKNOWN_CAMPAIGN = CampaignFilterField.UNKNOWN_CAMPAIGN

    source = forms.ChoiceField(required=False)
    status = forms.ChoiceField(
        choices=[("", "Any status"), *DeliveryStatus.choices], required=False
    )
    campaign = CampaignFilterField(queryset=None, required=False, empty_label="All campaigns")

    def __init__(self, *args, account, **kwargs):
        super().__init__(*args, **kwargs)
        self.account = account
        self.fields["source"].choices = [("", "All sources"), *inbound.source_choices()]
        if inbound.CAMPAIGNS:
            self.fields["campaign"].queryset = inbound.CAMPAIGNS[0].offered(account)
        else:
            del self.fields["campaign"]

    def campaign_choices(self) -> list[tuple[str, str]]:
        """(value, label) of the campaign filter's options, "All campaigns" first, read in one
        query ([] without a campaign filter)."""
        field = self.fields.get("campaign")
        if field is None:
            return []
        return [(str(value), label) for value, label in field.choices]

    def clean_campaign(self):
        campaign = self.cleaned_data["campaign"]
        return campaign.pk if campaign is not None else None

    def clean(self):
        cleaned = super().clean()
        cleaned.setdefault("campaign", None)
        return cleaned
