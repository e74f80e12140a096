"""Contact pages: the list with search, a contact's page (its leads and deals), edit, merge by
hand, and the CSV download."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from campaignhub.csv_export import FETCH_SIZE, bad_filter, csv_response
from campaignhub.pages import page_or_partial
from campaignhub.paging import deep_page_of, page_of
from campaignhub.tenancy import account_required, account_zone
from crm import contacts
from crm.forms import ContactFilterForm, ContactForm, MergeForm
from crm.models import Contact

CONTACT_HEADER = (
    "ID",
    "Kind",
    "Name",
    "Company",
    "Phone",
    "Email",
    "Leads",
    "Notes",
    "Created at",
)
KINDS = dict(Contact._meta.get_field("kind").choices)
# Contacts the merge page lists before a search narrows them down.
MERGE_CANDIDATES = 20


def _contact(request, contact_id):
    try:
        return contacts.contact_detail(request.membership, contact_id)
    except Contact.DoesNotExist:
        raise Http404("Contact not found") from None


def _search(request, data=None):
    form = ContactFilterForm(request.GET if data is None else data)
    return form, form.cleaned_data["search"] if form.is_valid() else ""


@account_required
def contact_list(request):
    form, search = _search(request)
    rows = contacts.contact_list(request.membership, search=search)
    # As on the leads page: nothing is listed for a search that cannot be used.
    page_obj = deep_page_of(request, rows.none() if form.errors else rows)
    context = {"form": form, "page_obj": page_obj, "search": search}
    return page_or_partial(
        request,
        "crm/contacts.html",
        context,
        partial="contact-table",
        status=400 if form.errors else 200,
    )


@account_required
def contact_detail(request, contact_id):
    contact = _contact(request, contact_id)
    if contact.merged_into_id is not None:
        messages.info(request, f"{contact} was merged into this contact.")
        return redirect("contact_detail", contact_id=contact.merged_into_id)
    context = {
        "contact": contact,
        "page_obj": page_of(request, contacts.contact_leads(request.membership, contact)),
        "deals": contacts.contact_deals(request.membership, contact),
        "can_merge": request.membership.is_admin,
    }
    return page_or_partial(request, "crm/contacts_detail.html", context, partial="contact-leads")


def _merged_away(request, contact, note):
    """The page of the contact `contact` was merged into, with `note` (an info message)."""
    messages.info(request, note)
    url = reverse("contact_detail", kwargs={"contact_id": contact.merged_into_id})
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def _done(request, contact):
    """After a change: back to the contact's page (a client redirect for an htmx form)."""
    url = reverse("contact_detail", kwargs={"contact_id": contact.pk})
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@require_http_methods(["GET", "POST"])
@account_required
def contact_edit(request, contact_id):
    """Edit a contact. One merged into another meanwhile: GET goes to the kept one; a POST is
    refused (409) with the entries kept on the page, as they were meant for the merged one."""
    contact = _contact(request, contact_id)
    if contact.merged_into_id is not None and request.method != "POST":
        return _merged_away(request, contact, f"{contact} was merged into this contact.")
    form = ContactForm(
        request.POST if request.method == "POST" else None,
        initial=ContactForm.current_values(contact),
        account=request.account,
    )
    if contact.merged_into_id is not None:
        form.is_valid()
        form.add_error(None, str(contacts.ContactAlreadyMerged(contact)))
    elif request.method == "POST" and form.is_valid():
        changes = {field: form.cleaned_data[field] for field in form.fields}
        try:
            contacts.update_contact(contact=contact, changes=changes, actor=request.membership)
        except contacts.ContactAlreadyMerged as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Contact saved.")
            return _done(request, contact)
    status = 200
    if request.method == "POST":
        status = 409 if contact.merged_into_id is not None else 400
    return page_or_partial(
        request,
        "crm/contacts_edit.html",
        {"contact": contact, "form": form},
        partial="contact-form",
        status=status,
    )


@require_http_methods(["GET", "POST"])
@account_required
def contact_merge(request, contact_id):
    """Merge this contact into another of the account (that one is kept). Admins only: a merge
    cannot be undone."""
    if not request.membership.is_admin:
        raise PermissionDenied("Only account admins can merge contacts.")
    contact = _contact(request, contact_id)
    if contact.merged_into_id is not None:
        return _merged_away(request, contact, f"{contact} was already merged into this contact.")
    # A failed merge shows the candidates of the search it was chosen from (posted with it).
    filter_form, search = _search(request, request.POST if request.method == "POST" else None)
    form = MergeForm(request.POST if request.method == "POST" else None, contact=contact)
    if request.method == "POST" and form.is_valid():
        keep = form.cleaned_data["into"]
        try:
            contacts.merge_contacts(keep=keep, other=contact, actor=request.membership)
        except contacts.ContactMergeError as exc:
            form.add_error("into", str(exc))
        else:
            messages.success(request, f"{contact} was merged into {keep}.")
            return _done(request, keep)
    # One more than shown, to tell whether a search is needed to reach the others.
    candidates = contacts.merge_candidates(
        request.membership, contact, search=search, limit=MERGE_CANDIDATES + 1
    )
    context = {
        "contact": contact,
        "form": form,
        "filter_form": filter_form,
        "search": search,
        "candidates": candidates[:MERGE_CANDIDATES],
        "more_candidates": len(candidates) > MERGE_CANDIDATES,
    }
    status = 400 if request.method == "POST" else 200
    partial = "merge-form" if request.method == "POST" else "merge-candidates"
    return page_or_partial(
        request, "crm/contacts_merge.html", context, partial=partial, status=status
    )


def contacts_csv(request, search):
    """The CSV of the contacts `request.membership` may see that match `search`, newest first.

    Columns: ID, kind, name, company, phone (E.164), email, leads (how many of the contact's
    leads the caller may see), notes, created at (ISO 8601, account time zone).
    """
    zone = account_zone(request.account)
    rows = (
        contacts.contact_list(request.membership, search=search)
        .values_list(
            "id", "kind", "name", "company", "phone", "email", "lead_count", "notes", "created_at"
        )
        .iterator(chunk_size=FETCH_SIZE)
    )

    def convert(row):
        *values, created = row
        values[1] = KINDS.get(values[1], values[1])
        return (*values, created.astimezone(zone).isoformat(timespec="seconds"))

    filename = f"contacts-{timezone.now().astimezone(zone):%Y-%m-%d}.csv"
    return csv_response(request, filename, CONTACT_HEADER, rows, convert=convert)


@account_required
def contact_export(request):
    """The "Export CSV" link of the contacts page, carrying its search."""
    form = ContactFilterForm(request.GET)
    if not form.is_valid():
        return bad_filter(request, form, back=reverse("contact_list"), back_to="contacts")
    return contacts_csv(request, form.cleaned_data["search"])
