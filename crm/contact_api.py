"""JSON API for contacts under /v1/contacts (the same forms and services as the pages)."""

from django.http import Http404

from campaignhub.api import (
    CURSOR_KEYS,
    ApiProblem,
    api_view,
    form_problem,
    ok,
    page_or_cursor,
    query_form,
)
from crm import contacts
from crm.contact_views import contacts_csv
from crm.forms import ContactFilterForm, ContactForm
from crm.models import Contact
from crm.schemas import ContactBody

NOT_FOUND = "Contact not found"
# A contact's page of the API lists this many of its newest leads (`lead_count` has them all).
LEADS_SHOWN = 100


def contact_data(contact, *, lead_count=None) -> dict:
    """A contact as the API shows it. `edited_fields`: fields staff changed, which leads never
    overwrite; `merged_into`: the contact id it was merged into, or null."""
    data = {
        "id": contact.pk,
        "kind": contact.kind,
        "name": contact.name,
        "company": contact.company,
        "phone": contact.phone,
        "email": contact.email,
        "notes": contact.notes,
        "edited_fields": list(contact.edited_fields),
        "merged_into": contact.merged_into_id,
        "created_at": contact.created_at,
        "updated_at": contact.updated_at,
    }
    count = getattr(contact, "lead_count", lead_count)
    if count is not None:
        data["lead_count"] = count
    return data


def _lead_summary(lead) -> dict:
    return {
        "id": lead.pk,
        "campaign": {"id": lead.campaign_id, "campaign_name": lead.campaign.campaign_name},
        "source": lead.source,
        "name": lead.name,
        "phone": lead.phone,
        "email": lead.email,
        "status": lead.status,
        "created_at": lead.created_at,
    }


def _deal_summary(deal) -> dict:
    return {
        "id": deal.pk,
        "title": deal.title,
        "pipeline": {"id": deal.pipeline_id, "name": deal.pipeline.name},
        "stage": {"id": deal.stage_id, "name": deal.stage.name, "kind": deal.stage.kind},
        "value": float(deal.value) if deal.value is not None else None,
        "currency": deal.currency,
        "owner": deal.owner_id,
        "lead_id": deal.lead_id,
    }


def contact_with_history(membership, contact) -> dict:
    """`contact_data` plus its newest leads (`LEADS_SHOWN`, those `membership` may see, from
    every source), `lead_count` and its deals."""
    leads = contacts.contact_leads(membership, contact)
    return {
        **contact_data(contact, lead_count=leads.count()),
        "leads": [_lead_summary(lead) for lead in leads[:LEADS_SHOWN]],
        "deals": [_deal_summary(deal) for deal in contacts.contact_deals(membership, contact)],
    }


def _search(request, *, keys=()):
    """The `search` of the query string (`ContactFilterForm`); any other key but `keys` is a
    400 naming it."""
    return query_form(request, ContactFilterForm, keys=keys).cleaned_data["search"]


@api_view("GET")
def api_contacts(request):
    """`GET /v1/contacts?search=&page=&per_page=` (or `cursor=`): the contacts the caller may
    see, newest first, paginated as `/v1/leads` is."""
    search = _search(request, keys=CURSOR_KEYS)
    rows, extra = page_or_cursor(request, contacts.contact_list(request.membership, search=search))
    return ok([contact_data(row) for row in rows], **extra)


def _visible(request, contact_id):
    try:
        return contacts.contact_detail(request.membership, contact_id)
    except Contact.DoesNotExist:
        raise Http404(NOT_FOUND) from None


@api_view("GET", "PATCH", body={"PATCH": ContactBody})
def api_contact(request, contact_id):
    """`GET /v1/contacts/<id>`: the contact with its leads and deals. `PATCH`: change the fields
    sent (ContactBody); staff edits are kept from then on. A bad value is a 400 naming the field
    and changes nothing; a contact merged into another is a 409."""
    contact = _visible(request, contact_id)
    if request.method == "PATCH":
        if contact.merged_into_id is not None:
            raise ApiProblem(409, str(contacts.ContactAlreadyMerged(contact)))
        changes = request.data
        form = ContactForm(
            data={**ContactForm.current_values(contact), **changes}, account=request.account
        )
        if not form.is_valid():
            raise form_problem(form)
        try:
            contact = contacts.update_contact(
                contact=contact,
                changes={field: form.cleaned_data[field] for field in changes},
                actor=request.membership,
            )
        except contacts.ContactAlreadyMerged as exc:
            raise ApiProblem(409, str(exc)) from None
    return ok(contact_with_history(request.membership, contact))


@api_view("GET")
def api_contact_export(request):
    """`GET /v1/contacts/export?search=`: the contacts CSV (see `contact_views.contacts_csv`)."""
    return contacts_csv(request, _search(request))
