"""Contacts from leads: matching, filling, staff edits kept, merges by hand."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError

from campaigns.models import Lead
from crm import contacts
from crm.models import Contact, Deal
from tests.crm.conftest import capture, contacts_of, crm_campaign, make_deal

pytestmark = pytest.mark.django_db


def test_a_lead_of_a_crm_campaign_starts_a_person_contact(tenant_a):
    lead = capture(
        crm_campaign(tenant_a),
        name="Ann Lee",
        phone="(415) 555-0182",
        email="Ann@Example.com",
    )
    contact = contacts_of(tenant_a).get()
    assert lead.contact == contact
    assert (contact.kind, contact.name, contact.phone, contact.email, contact.company) == (
        "person",
        "Ann Lee",
        "+14155550182",
        "Ann@Example.com",
        "",
    )
    assert contact.edited_fields == []


def test_a_business_campaign_names_the_company(tenant_a):
    capture(crm_campaign(tenant_a, kind="business"), name="Acme Roofing LLC", phone="4155550182")
    contact = contacts_of(tenant_a).get()
    assert (contact.kind, contact.company, contact.name) == ("business", "Acme Roofing LLC", "")
    assert str(contact) == "Acme Roofing LLC"


def test_add_to_crm_off_makes_no_contact(tenant_a):
    lead = capture(crm_campaign(tenant_a, add_to_crm=False), name="Ann", phone="4155550182")
    assert lead.contact is None
    assert not contacts_of(tenant_a).exists()


def test_a_lead_with_nothing_to_know_it_by_makes_no_contact(tenant_a):
    lead = capture(crm_campaign(tenant_a), name="", phone="anonymous", email="not an email")
    assert lead.contact is None
    assert not contacts_of(tenant_a).exists()


def test_the_same_phone_joins_the_same_contact_across_campaigns_and_sources(tenant_a):
    first = capture(crm_campaign(tenant_a), name="Ann", phone="+14155550182")
    second = capture(
        crm_campaign(tenant_a, name="Gutters"),
        phone="(415) 555-0182",
        email="ann@example.com",
        source="webhook",
    )
    contact = contacts_of(tenant_a).get()
    assert first.contact == second.contact == contact
    assert contact.email == "ann@example.com"  # an empty field filled by the later lead


def test_email_matches_ignoring_case_when_the_phone_does_not(tenant_a):
    campaign = crm_campaign(tenant_a)
    first = capture(campaign, name="Ann", email="Ann.Lee@Example.com")
    second = capture(campaign, phone="+14155550182", email="ann.lee@example.COM")
    contact = contacts_of(tenant_a).get()
    assert first.contact == second.contact == contact
    assert contact.phone == "+14155550182"


def test_phone_wins_over_email(tenant_a):
    campaign = crm_campaign(tenant_a)
    by_phone = capture(campaign, name="Ann", phone="+14155550182")
    by_email = capture(campaign, name="Bob", email="bob@example.com")
    both = capture(campaign, phone="+14155550182", email="bob@example.com")
    assert both.contact == by_phone.contact
    assert both.contact != by_email.contact


def test_different_people_get_different_contacts(tenant_a):
    campaign = crm_campaign(tenant_a)
    capture(campaign, name="Ann", phone="+14155550182")
    capture(campaign, name="Bob", phone="+14155550183")
    assert contacts_of(tenant_a).count() == 2


def test_never_matches_across_accounts(tenant_a, tenant_b):
    a = capture(crm_campaign(tenant_a), name="Ann", phone="+14155550182", email="ann@example.com")
    b = capture(crm_campaign(tenant_b), name="Ann", phone="+14155550182", email="ann@example.com")
    assert a.contact != b.contact
    assert a.contact.account == tenant_a.account
    assert b.contact.account == tenant_b.account
    assert Lead.objects.filter(contact=a.contact).count() == 1


def test_a_merge_fills_empty_fields_only(tenant_a):
    campaign = crm_campaign(tenant_a)
    capture(campaign, name="Ann Lee", phone="+14155550182")
    capture(campaign, name="Annie Someone", phone="+14155550182", email="ann@example.com")
    contact = contacts_of(tenant_a).get()
    assert contact.name == "Ann Lee"  # kept: it was not empty
    assert contact.email == "ann@example.com"  # filled: it was


def test_staff_edits_are_kept_when_leads_merge(tenant_a):
    campaign = crm_campaign(tenant_a)
    lead = capture(campaign, name="ann", phone="+14155550182", email="old@example.com")
    contacts.update_contact(
        contact=lead.contact, changes={"name": "Ann Lee", "email": ""}, actor=None
    )
    capture(campaign, name="Someone Else", phone="+14155550182", email="new@example.com")
    contact = contacts_of(tenant_a).get()
    assert contact.name == "Ann Lee"
    assert contact.email == ""  # emptied on purpose by staff: no lead fills it again
    assert contact.edited_fields == ["email", "name"]


def test_merged_contacts_are_not_matched(tenant_a):
    campaign = crm_campaign(tenant_a)
    gone = capture(campaign, name="Ann", phone="+14155550182").contact
    keep = capture(campaign, name="Ann Lee", email="ann@example.com").contact
    contacts.merge_contacts(keep=keep, other=gone)
    later = capture(campaign, phone="+14155550182")
    assert later.contact == keep  # the phone now lives on the kept contact


def test_a_database_failure_in_the_merge_keeps_the_lead(tenant_a, monkeypatch):
    def broken(*args, **kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr(contacts, "_contact_for_lead", broken)
    lead = capture(crm_campaign(tenant_a), name="Ann", phone="+14155550182")
    assert Lead.objects.filter(pk=lead.pk, contact=None).exists()


def test_update_records_only_fields_that_changed(tenant_a):
    contact = capture(crm_campaign(tenant_a), name="Ann", phone="+14155550182").contact
    contacts.update_contact(
        contact=contact, changes={"name": "Ann", "notes": "Prefers mornings"}, actor=None
    )
    contact.refresh_from_db()
    assert contact.edited_fields == ["notes"]


def test_update_by_another_accounts_member_is_refused(tenant_a, tenant_b):
    contact = capture(crm_campaign(tenant_a), name="Ann", phone="+14155550182").contact
    with pytest.raises(PermissionDenied):
        contacts.update_contact(
            contact=contact,
            changes={"name": "Hacked"},
            actor=tenant_b.account.memberships.get(user=tenant_b.admin),
        )
    contact.refresh_from_db()
    assert contact.name == "Ann"


def test_manual_merge_keeps_every_lead_and_deal(tenant_a):
    campaign = crm_campaign(tenant_a)
    keep_lead = capture(campaign, name="Ann Lee", phone="+14155550182")
    other_leads = [
        capture(campaign, name="A. Lee", email="ann@example.com"),
        capture(crm_campaign(tenant_a, name="Gutters"), email="ANN@example.com", source="call"),
    ]
    keep, other = keep_lead.contact, other_leads[0].contact
    assert other_leads[1].contact == other
    deals = [make_deal(tenant_a, other, title="Roof"), make_deal(tenant_a, keep, title="Gutter")]
    contacts.update_contact(contact=other, changes={"company": "Lee & Co"}, actor=None)

    contacts.merge_contacts(keep=keep, other=other)

    keep.refresh_from_db()
    other.refresh_from_db()
    assert set(Lead.objects.filter(contact=keep)) == {keep_lead, *other_leads}
    assert set(Deal.objects.filter(contact=keep)) == set(deals)
    assert other.merged_into == keep
    assert (keep.name, keep.phone, keep.email, keep.company) == (
        "Ann Lee",
        "+14155550182",
        "ann@example.com",
        "Lee & Co",
    )
    assert keep.edited_fields == ["company"]  # a staff edit stays one after the merge
    assert list(contacts.live_contacts(tenant_a.account)) == [keep]


def test_contacts_merged_before_follow_the_merge(tenant_a):
    campaign = crm_campaign(tenant_a)
    first = capture(campaign, name="One", phone="+14155550181").contact
    second = capture(campaign, name="Two", phone="+14155550182").contact
    third = capture(campaign, name="Three", phone="+14155550183").contact
    contacts.merge_contacts(keep=second, other=first)
    contacts.merge_contacts(keep=third, other=second)
    first.refresh_from_db()
    assert first.merged_into == third
    assert Lead.objects.filter(contact=third).count() == 3


@pytest.mark.parametrize("case", ["same", "already_merged", "other_account"])
def test_impossible_merges_are_refused_and_change_nothing(case, tenant_a, tenant_b):
    campaign = crm_campaign(tenant_a)
    keep = capture(campaign, name="Ann", phone="+14155550182").contact
    other = capture(campaign, name="Bob", phone="+14155550183").contact
    if case == "same":
        other = keep
    elif case == "already_merged":
        third = capture(campaign, name="Cy", phone="+14155550184").contact
        contacts.merge_contacts(keep=third, other=other)
    else:
        other = capture(crm_campaign(tenant_b), name="Bob", phone="+14155550183").contact
    before = list(Lead.objects.order_by("pk").values_list("pk", "contact_id"))
    with pytest.raises(contacts.ContactMergeError):
        contacts.merge_contacts(keep=keep, other=other)
    assert list(Lead.objects.order_by("pk").values_list("pk", "contact_id")) == before
    keep.refresh_from_db()
    assert keep.merged_into is None


def test_search_finds_name_company_email_and_phone_as_people_write_it(tenant_a):
    campaign = crm_campaign(tenant_a)
    ann = capture(campaign, name="Ann Lee", phone="+14155550182", email="ann@example.com").contact
    capture(campaign, name="Bob Marsh", phone="+14155550199")
    contacts.update_contact(contact=ann, changes={"company": "Lee Roofing"}, actor=None)
    admin = tenant_a.account.memberships.get(user=tenant_a.admin)
    searches = ["ann lee", "ROOFING", "ann@EXAMPLE", "(415) 555-0182", "555-0182", "+1415555018"]
    for search in searches:
        assert list(contacts.contact_list(admin, search=search)) == [ann], search
    assert contacts.contact_list(admin, search="nobody").count() == 0


def test_a_member_sees_only_contacts_of_leads_they_may_see(tenant_a):
    mine = crm_campaign(tenant_a, name="Mine", owner=tenant_a.member)
    theirs = crm_campaign(tenant_a, name="Theirs")
    visible = capture(mine, name="Ann", phone="+14155550182").contact
    hidden = capture(theirs, name="Bob", phone="+14155550183").contact
    member = tenant_a.account.memberships.get(user=tenant_a.member)
    assert list(contacts.contact_list(member)) == [visible]
    with pytest.raises(Contact.DoesNotExist):
        contacts.contact_detail(member, hidden.pk)
    make_deal(tenant_a, hidden, owner=tenant_a.member)
    assert set(contacts.contact_list(member)) == {visible, hidden}  # the deal they own
