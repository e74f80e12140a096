"""A lead's page says what its contact was matched by when the contact goes by another name."""

import re

from tests.crm.conftest import capture, crm_campaign


def _contact_fact(tenant, lead):
    page = tenant.admin_client.get(f"/leads/{lead.pk}/").content.decode()
    return re.search(r"<dt>Contact</dt><dd>(.*?)</dd>", page, re.S).group(1)


def test_a_contact_of_another_name_matched_by_phone_says_so(tenant_a):
    campaign = crm_campaign(tenant_a)
    capture(campaign, name="Bob Stone", phone="+14155550182", email="bob@example.com")
    lead = capture(campaign, name="Ann Lee", phone="+14155550182", email="ann@example.com")
    fact = _contact_fact(tenant_a, lead)
    assert ">Bob Stone</a>" in fact
    assert '<span class="muted" data-contact-match>matched by phone</span>' in fact


def test_a_contact_of_another_name_matched_by_email_says_so(tenant_a):
    campaign = crm_campaign(tenant_a)
    capture(campaign, name="Bob Stone", phone="+14155550182", email="Shared@Example.com")
    lead = capture(campaign, name="Ann Lee", phone="+14155550199", email="shared@example.com")
    assert "matched by email<" in _contact_fact(tenant_a, lead)


def test_a_contact_filled_from_the_lead_names_both_values_they_share(tenant_a):
    campaign = crm_campaign(tenant_a)
    capture(campaign, name="Bob Stone", email="shared@example.com")
    lead = capture(campaign, name="Ann Lee", phone="+14155550199", email="shared@example.com")
    assert "matched by phone and email<" in _contact_fact(tenant_a, lead)


def test_a_contact_of_the_same_name_or_a_lead_without_one_says_nothing_more(tenant_a):
    campaign = crm_campaign(tenant_a)
    capture(campaign, name="Ann Lee", phone="+14155550182")
    same = capture(campaign, name="ann lee ", phone="+14155550182")
    nameless = capture(campaign, phone="+14155550182")
    assert "matched by" not in _contact_fact(tenant_a, same)
    assert "matched by" not in _contact_fact(tenant_a, nameless)
