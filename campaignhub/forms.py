"""Input validation for the platform's pages: profile, members, API tokens, password reset,
the Incoming deliveries list's filters."""

import unicodedata

import phonenumbers
from django import forms
from django.contrib.auth import forms as auth_forms

from campaignhub import inbound, signals
from campaignhub.cleaning import id_or_none
from campaignhub.fields import NameField
from campaignhub.models import Account, DeliveryStatus, Role, User
from campaignhub.phones import PhoneNumberField
from campaignhub.query import SingleValueFilterForm
from campaignhub.tenancy import time_zone_names


class ProfileForm(forms.ModelForm):
    phone = PhoneNumberField(
        required=False, help_text="Used for SMS lead alerts. E.164, e.g. +14155551234."
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


class InboundDeliveryFilterForm(SingleValueFilterForm):
    """The Incoming deliveries list's filters: `source` (a source registered with a name,
    `inbound.source_choices`, or "" for any), `status` (a `DeliveryStatus`, or "" for any) and
    `campaign`, the id of a campaign of `account` that deliveries name (`inbound.
    CAMPAIGN_SOURCES`), cleaned to {"id": int, "concern": Concern} or None. An unknown source
    or status, a campaign id that is not the account's, or a filter given more than once
    (`SingleValueFilterForm`) is an error, and the page lists nothing."""

    UNKNOWN_CAMPAIGN = "Choose a campaign of this account."

    source = forms.ChoiceField(required=False)
    status = forms.ChoiceField(
        choices=[("", "Any status"), *DeliveryStatus.choices], required=False
    )
    campaign = forms.CharField(required=False, max_length=20)

    def __init__(self, *args, account, **kwargs):
        super().__init__(*args, **kwargs)
        self.account = account
        self.fields["source"].choices = [("", "All sources"), *inbound.source_choices()]

    def clean_campaign(self):
        raw = self.cleaned_data["campaign"]
        if not raw:
            return None
        campaign_id = id_or_none(raw)
        named = {}
        if campaign_id is not None:
            for campaigns_named in {*inbound.CAMPAIGN_SOURCES.values(), *inbound.CAMPAIGNS_NAMED}:
                named.update(campaigns_named(self.account, {campaign_id}))
        if campaign_id not in named:
            raise forms.ValidationError(self.UNKNOWN_CAMPAIGN, code="unknown")
        return {"id": campaign_id, "concern": named[campaign_id]}
