"""What a contact's page shows of its deals (the board's visibility rule) and how the merge page
says it lists only the newest contacts."""

import pytest

from crm.models import Deal
from tests.crm.conftest import capture, crm_campaign, make_deal

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _contact_with_a_hidden_deal(tenant):
    """A contact a member sees (a lead of their campaign) with a deal of theirs and a deal of a
    campaign only admins see."""
    lead = capture(crm_campaign(tenant, owner=tenant.member), name="Ann", phone="+14155550182")
    admins_campaign = crm_campaign(tenant, name="Admins only")
    admins_lead = capture(admins_campaign, name="Ann", phone="+14155550182")
    assert admins_lead.contact_id == lead.contact_id
    hidden = make_deal(tenant, lead.contact, title="Admins' deal", lead=admins_lead)
    Deal.objects.filter(pk=hidden.pk).update(campaign=admins_campaign)
    make_deal(tenant, lead.contact, title="Riley's deal", owner=tenant.member)
    return lead.contact


def test_a_member_sees_only_the_deals_of_a_contact_they_may_see(tenant_a):
    contact = _contact_with_a_hidden_deal(tenant_a)
    page = tenant_a.member_client.get(f"/contacts/{contact.pk}/").content.decode()
    assert "Riley&#x27;s deal" in page and "Admins&#x27; deal" not in page
    data = tenant_a.member_client.get(f"/v1/contacts/{contact.pk}").json()["data"]
    assert [deal["title"] for deal in data["deals"]] == ["Riley's deal"]
    page = tenant_a.admin_client.get(f"/contacts/{contact.pk}/").content.decode()
    assert "Riley&#x27;s deal" in page and "Admins&#x27; deal" in page


def test_the_merge_page_says_when_more_contacts_than_it_lists_exist(tenant_a):
    campaign = crm_campaign(tenant_a)
    ann = capture(campaign, name="Ann Lee", phone="+14155550182").contact
    for n in range(21):
        capture(campaign, name=f"Person {n}", phone=f"+1415555{1000 + n}")
    page = tenant_a.admin_client.get(f"/contacts/{ann.pk}/merge/").content.decode()
    assert page.count('name="into"') == 20
    assert "Only the 20 newest contacts are listed: search to find another." in page
    found = tenant_a.admin_client.get(
        f"/contacts/{ann.pk}/merge/", {"search": "Person 1"}, **HTMX
    ).content.decode()
    assert 'name="into"' in found and 'id="merge-more"' not in found
