"""Input validation for the contact pages and the contacts API alike."""

from django import forms

from campaignhub.fields import IdChoiceField, NameField
from campaignhub.phones import PhoneNumberField
from campaignhub.query import SingleValueFilterForm
from crm.contacts import EDITABLE_FIELDS, live_contacts
from crm.models import Contact

IDENTITY_FIELDS = ("name", "company", "phone", "email")
# Notes are for people to read: a page of text, not a store for documents.
NOTES_MAX_LENGTH = 10_000


class ContactForm(forms.ModelForm):
    """A contact's details as staff edit them. The phone is read as people write it in the
    account's country and kept in E.164; a contact keeps at least one of name, company, phone
    or email, so it can still be told apart."""

    phone = PhoneNumberField(required=False, help_text="e.g. +14155550182 or (415) 555-0182.")
    notes = forms.CharField(
        max_length=NOTES_MAX_LENGTH, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    class Meta:
        model = Contact
        fields = list(EDITABLE_FIELDS)
        field_classes = {"name": NameField, "company": NameField}
        help_texts = {
            "company": "For a business, its name.",
            "name": "For a business, the person to speak to.",
        }

    def __init__(self, *args, account, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"].region = account.country

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not any(cleaned.get(field) for field in IDENTITY_FIELDS):
            raise forms.ValidationError(
                "A contact needs at least a name, a company, a phone or an email."
            )
        return cleaned

    @staticmethod
    def current_values(contact) -> dict:
        """The contact's editable fields as form data, to validate a partial change whole."""
        return {field: getattr(contact, field) for field in EDITABLE_FIELDS}


class ContactFilterForm(SingleValueFilterForm):
    """The contact list's `search` (page, CSV export, `GET /v1/contacts`), at most 200
    characters; given more than once on a page, an error of the whole form."""

    search = forms.CharField(max_length=200, required=False, strip=True)


class MergeForm(forms.Form):
    """Which contact of the same account the current one is merged into (that one is kept)."""

    into = IdChoiceField(
        queryset=Contact.objects.none(),
        label="Merge into",
        error_messages={
            "required": "Choose the contact to merge into.",
            "invalid_choice": "Choose another contact of this account.",
            # Text that is no id (a hand-made request): the same, as there is one list to use.
            "invalid": "Choose another contact of this account.",
        },
    )

    def __init__(self, *args, contact, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = live_contacts(contact.account_id).exclude(pk=contact.pk)
