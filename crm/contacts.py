"""Contacts: created or merged from leads, edited by staff, merged by hand; and the reads of
the contact pages, API and export.

Matching: a lead of a campaign with `add_to_crm` joins the oldest
live contact of its own account with the same E.164 phone, else the oldest with the same email
(case-insensitive), else it starts a new contact of the campaign's `add_person_or_business`
kind. Contacts merged by hand into another (`merged_into` set) are never matched or listed.

A merge never overwrites: a lead fills only the contact's empty fields, and never a field
staff edited (`Contact.edited_fields`), not even one staff emptied on purpose.

Names: a lead carries one name. On a person the lead's name is the person's `name`; on a
business it is the business's name, kept in `company`, and `name` is left for staff to fill
with the person to speak to. The lists show `company` for a business and `name` for a person.
"""

import logging
import re

from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection, transaction
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Lower

from campaignhub.models import Account
from campaignhub.phones import InvalidPhoneNumber, to_e164
from campaigns import selectors as campaign_selectors
from campaigns.models import Lead, PersonOrBusiness
from crm.deals import deals_visible_to
from crm.models import Contact, Deal

logger = logging.getLogger(__name__)

# What staff may change on a contact (forms, API, admin); `edited_fields` names some of these.
EDITABLE_FIELDS = ("kind", "name", "company", "phone", "email", "notes")
# What a manual merge copies into the kept contact's empty fields.
FILLED_ON_MERGE = ("name", "company", "phone", "email", "notes")
# How many digits a search needs before it is looked for inside phone numbers.
MIN_PHONE_DIGITS = 4


class ContactMergeError(ValueError):
    """A manual merge that cannot be done (the same contact, another account's, one already
    merged); the message says why, for a form error or a 400."""


class ContactAlreadyMerged(ValueError):
    """A change to a contact already merged into another; the change belongs on that one."""

    def __init__(self, contact):
        super().__init__(
            f"This contact was merged into {contact.merged_into} (contact "
            f"{contact.merged_into_id}) meanwhile: nothing was saved here; change that one."
        )
        self.contact = contact


# Matching and merging leads


def live_contacts(account):
    """The contacts of `account` (an Account or its id) that were not merged into another."""
    return Contact.objects.for_account(account).filter(merged_into__isnull=True)


def find_match(account, *, phone="", email=""):
    """The contact a lead with `phone` (E.164) and `email` belongs to in `account`, or None.

    By phone first (index `contact_phone`), then by email ignoring case (the functional index
    `contact_email` on `Lower(email)`); the oldest live contact wins, so a rule that found one
    contact keeps finding the same one.
    """
    contacts = live_contacts(account).order_by("id")
    if phone:
        found = contacts.filter(phone=phone).first()
        if found is not None:
            return found
    if email:
        return contacts.alias(email_lower=Lower("email")).filter(email_lower=email.lower()).first()
    return None


def _lead_values(lead, kind):
    """The contact fields a lead offers, by the contact's kind (module docstring, "Names")."""
    name_field = "company" if kind == PersonOrBusiness.BUSINESS else "name"
    return {name_field: lead.name, "phone": lead.phone, "email": lead.email}


def _fill_empty(contact, values, *, keep=()):
    """Copy `values` into the contact's empty fields that staff did not edit; returns the
    names of the fields filled. `keep` are more fields not to touch."""
    filled = []
    for field, value in values.items():
        if not value or getattr(contact, field) or field in contact.edited_fields or field in keep:
            continue
        setattr(contact, field, value)
        filled.append(field)
    return filled


def merge_lead(lead):
    """Merge a newly captured `lead` into its account's contact; returns the Contact, or None.

    Called by the CRM's `lead_captured` receiver inside the capture's transaction. Does nothing
    (None) when the lead's campaign has `add_to_crm` off, or when the lead carries no name,
    phone or email (nothing to know the contact by). Otherwise finds the contact (`find_match`)
    and fills its empty fields that staff did not edit, or creates one of the campaign's
    `add_person_or_business` kind, and sets `lead.contact`.

    Never raises for what an upstream sent: values are cleaned by `capture_lead` to the same
    column sizes as the contact's, and a database failure here is logged and undone alone (a
    savepoint), so the lead itself is always kept.
    """
    campaign = lead.campaign
    if not campaign.add_to_crm or not (lead.name or lead.phone or lead.email):
        return None
    try:
        with transaction.atomic():
            contact = _contact_for_lead(lead, campaign)
            lead.contact = contact
            lead.save(update_fields=["contact"])
    except DatabaseError:
        lead.contact = None
        logger.exception("Lead %s could not be merged into a contact.", lead.pk)
        return None
    return contact


def _contact_for_lead(lead, campaign):
    match = find_match(lead.account_id, phone=lead.phone, email=lead.email)
    if match is None:
        # Two leads of one new person at once (from two campaigns) take turns here, so the
        # second finds the contact the first created instead of making a twin.
        # FOR NO KEY UPDATE: rows referring to the account (other leads) are still written.
        Account.objects.select_for_update(no_key=True).filter(pk=lead.account_id).first()
        match = find_match(lead.account_id, phone=lead.phone, email=lead.email)
    if match is None:
        kind = campaign.add_person_or_business or PersonOrBusiness.PERSON
        return Contact.objects.create(
            account_id=lead.account_id, kind=kind, **_lead_values(lead, kind)
        )
    contact = Contact.objects.select_for_update().get(pk=match.pk)
    filled = _fill_empty(contact, _lead_values(lead, contact.kind))
    if filled:
        contact.save(update_fields=[*filled, "updated_at"])
    return contact


# Staff changes


def _require_same_account(actor, contact):
    if actor is not None and actor.account_id != contact.account_id:
        raise PermissionDenied("This contact belongs to another account.")


def update_contact(*, contact, changes, actor=None):
    """Apply staff `changes` (cleaned `ContactForm` data: any of `EDITABLE_FIELDS`, the phone in
    E.164) to `contact`; returns the updated Contact.

    Every field whose value really changes is added to `edited_fields`, so later leads never
    overwrite it. `actor` (Membership) must belong to the contact's account (PermissionDenied).
    Raises ContactAlreadyMerged for a contact merged into another. Unknown keys: ValueError.
    """
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {', '.join(sorted(unknown))}.")
    _require_same_account(actor, contact)
    with transaction.atomic():
        contact = Contact.objects.select_for_update().get(pk=contact.pk)
        if contact.merged_into_id is not None:
            raise ContactAlreadyMerged(contact)
        changed = [field for field, value in changes.items() if getattr(contact, field) != value]
        if not changed:
            return contact
        for field in changed:
            setattr(contact, field, changes[field])
        contact.edited_fields = sorted(set(contact.edited_fields) | set(changed))
        contact.save(update_fields=[*changed, "edited_fields", "updated_at"])
    return contact


def merge_contacts(*, keep, other, actor=None):
    """Merge `other` into `keep` by hand; returns the kept Contact.

    Every lead and deal of `other` moves to `keep`, and so do contacts merged into `other`
    before. `keep`'s empty fields that staff did not edit are filled from `other`; a field so
    filled that staff had edited on `other` counts as edited on `keep`. `other` stays, hidden,
    with `merged_into = keep`, so links to it still lead somewhere.

    Raises ContactMergeError for the same contact twice, contacts of two accounts, or either one
    already merged; PermissionDenied when `actor` (Membership) is of another account.
    """
    if keep.pk == other.pk:
        raise ContactMergeError("Choose another contact to merge into.")
    if keep.account_id != other.account_id:
        raise ContactMergeError("Contacts of different accounts cannot be merged.")
    _require_same_account(actor, keep)
    with transaction.atomic():
        # Locked in id order, so two merges of the same pair at once cannot deadlock.
        locked = {
            c.pk: c
            for c in Contact.objects.select_for_update()
            .filter(pk__in=[keep.pk, other.pk])
            .order_by("pk")
        }
        keep, other = locked[keep.pk], locked[other.pk]
        for contact in (keep, other):
            if contact.merged_into_id is not None:
                raise ContactMergeError(
                    f"{contact} was already merged into another contact; refresh and try again."
                )
        Lead.objects.filter(contact=other).update(contact=keep)
        Deal.objects.filter(contact=other).update(contact=keep)
        Contact.objects.filter(merged_into=other).update(merged_into=keep)
        filled = _fill_empty(keep, {field: getattr(other, field) for field in FILLED_ON_MERGE})
        inherited = set(filled) & set(other.edited_fields)
        if inherited:
            keep.edited_fields = sorted(set(keep.edited_fields) | inherited)
        keep.save(update_fields=[*filled, "edited_fields", "updated_at"])
        other.merged_into = keep
        other.save(update_fields=["merged_into", "updated_at"])
    return keep


# Reads


def _phone_search(search, region):
    """What a phone search can match in stored E.164 numbers: the whole number when `search`
    is one as people write it in the account's country (`(415) 555-0182`), else its digits when
    it has at least four (`555-0182` -> `5550182`); None when it is not about phones."""
    try:
        return Q(phone=to_e164(search, region))
    except InvalidPhoneNumber:
        digits = re.sub(r"\D", "", search)
        return Q(phone__contains=digits) if len(digits) >= MIN_PHONE_DIGITS else None


def visible_contacts(membership):
    """The live contacts `membership` may see.

    Admins see every contact of the account. A member sees the contacts of the leads they may
    see (campaigns they own or represent, leads assigned to them: the campaigns' visibility
    rule, README "Permissions") and of the deals they own; a contact's details are a lead's
    details, so they follow the lead's rule.
    """
    contacts = live_contacts(membership.account)
    if membership.is_admin:
        return contacts
    leads = campaign_selectors.leads_visible_to(membership).exclude(contact=None)
    deals = Deal.objects.for_account(membership.account).filter(owner_id=membership.user_id)
    return contacts.filter(
        Q(pk__in=leads.order_by().values("contact_id"))
        | Q(pk__in=deals.exclude(contact=None).order_by().values("contact_id"))
    )


def with_lead_counts(contacts, membership):
    """`contacts` annotated with `lead_count`: how many of each one's leads `membership` may
    see (one indexed subquery per row, on `Lead.contact`)."""
    leads = (
        campaign_selectors.leads_visible_to(membership)
        .filter(contact=OuterRef("pk"))
        .order_by()
        .values("contact")
        .annotate(n=Count("id"))
        .values("n")
    )
    return contacts.annotate(lead_count=Coalesce(Subquery(leads, output_field=IntegerField()), 0))


def contact_list(membership, *, search=""):
    """The contacts `membership` may see, newest first, each with `lead_count`.

    `search` matches name, company and email (substring, any case) and the phone as stored or
    as people write it (`+14155550182`, `(415) 555-0182`, `555-0182`) in the account's country.
    Paged by the caller (`campaignhub.paging.deep_page_of`, or the API's pagination) on the
    `contact_list` index (account, -id); on PostgreSQL every search condition has an index
    (migration 0003: trigram indexes; `contact_phone` for a whole number).
    """
    contacts = visible_contacts(membership)
    search = search.strip()
    if search:
        matches = Q(name__icontains=search) | Q(company__icontains=search)
        matches |= Q(email__icontains=search)
        phone = _phone_search(search, membership.account.country)
        contacts = _matching(contacts, matches | phone if phone is not None else matches)
    return with_lead_counts(contacts, membership).order_by("-id")


def _matching(contacts, condition):
    """`contacts` filtered by a search `condition`.

    On PostgreSQL the matches are found first, through the trigram indexes, and only then
    ordered: `OFFSET 0` keeps the planner from walking the whole account newest first and
    testing each contact, which it otherwise prefers under `ORDER BY id DESC LIMIT n` (measured
    at 300,000 contacts: 0.17 s instead of 0.85 s for a rare match).
    """
    if connection.vendor != "postgresql":
        return contacts.filter(condition)
    sql, params = Contact.objects.filter(condition).values("pk").query.sql_with_params()
    return contacts.filter(pk__in=RawSQL(f"{sql} OFFSET 0", params))


def contact_detail(membership, pk):
    """The contact `pk` of the caller's account, merged or not (a merged one's page sends people
    on to the contact it was merged into), if `membership` may see the live contact it is or was
    merged into; raises Contact.DoesNotExist."""
    contact = Contact.objects.for_account(membership.account).get(pk=pk)
    live_pk = contact.merged_into_id or contact.pk
    if not visible_contacts(membership).filter(pk=live_pk).exists():
        raise Contact.DoesNotExist
    return contact


def contact_leads(membership, contact):
    """The contact's leads from every source that `membership` may see, newest first."""
    return campaign_selectors.leads_visible_to(membership).filter(contact=contact).order_by("-id")


def contact_deals(membership, contact):
    """The contact's deals that `membership` may see (`crm.deals.deals_visible_to`, the rule of
    the board), newest first, with pipeline, stage and owner for display."""
    return (
        deals_visible_to(membership)
        .filter(contact=contact)
        .select_related("pipeline", "stage", "owner")
        .order_by("-id")
    )


def merge_candidates(membership, contact, *, search="", limit=20):
    """Up to `limit` other live contacts of the account `contact` may be merged into, matching
    `search` like the contact list, newest first."""
    return list(contact_list(membership, search=search).exclude(pk=contact.pk)[:limit])
