"""Cross-tenant cases for contact URLs and the CSV exports (see tests/test_cross_tenant.py):
B never reads, changes, merges or downloads A's contacts or leads."""

import json

from django.test import Client

from crm.models import Contact
from tests.crm.conftest import capture, crm_campaign
from tests.factories import bearer

SECRET = "Acme secret contact"


def _contact(a):
    lead = capture(crm_campaign(a, name="Acme secret campaign"), name=SECRET, phone="+14155550111")
    return lead.contact


def _b_own(b):
    return capture(crm_campaign(b, name="Bolt campaign"), name="Bolt contact", phone="+14155550111")


def _untouched(contact):
    fresh = Contact.objects.get(pk=contact.pk)
    assert (fresh.name, fresh.phone, fresh.merged_into_id, fresh.edited_fields) == (
        SECRET,
        "+14155550111",
        None,
        [],
    )
    assert fresh.leads.count() == 1


def _api(tenant, method, path, body=None):
    client = Client()
    if body is None:
        return getattr(client, method)(path, **bearer(tenant.token.raw))
    return getattr(client, method)(
        path, json.dumps(body), content_type="application/json", **bearer(tenant.token.raw)
    )


def _csv(response):
    return b"".join(response.streaming_content).decode()


def contact_list(a, b):
    contact = _contact(a)
    assert SECRET in a.admin_client.get("/contacts/").content.decode()
    content = b.admin_client.get("/contacts/", {"search": "Acme"}).content.decode()
    assert SECRET not in content and f'id="contact-{contact.pk}"' not in content


def contact_export(a, b):
    _contact(a)
    _b_own(b)
    assert SECRET in _csv(a.admin_client.get("/contacts/export/"))
    text = _csv(b.admin_client.get("/contacts/export/"))
    assert "Bolt contact" in text and SECRET not in text  # the same phone, another account


def contact_detail(a, b):
    contact = _contact(a)
    response = b.admin_client.get(f"/contacts/{contact.pk}/")
    assert response.status_code == 404 and SECRET not in response.content.decode()


def contact_edit(a, b):
    contact = _contact(a)
    assert b.admin_client.get(f"/contacts/{contact.pk}/edit/").status_code == 404
    response = b.admin_client.post(
        f"/contacts/{contact.pk}/edit/", {"kind": "person", "name": "Hacked"}
    )
    assert response.status_code == 404
    _untouched(contact)


def contact_merge(a, b):
    contact = _contact(a)
    own = _b_own(b).contact
    # B's contact into A's, and A's into B's: neither is found.
    response = b.admin_client.post(f"/contacts/{own.pk}/merge/", {"into": contact.pk})
    assert response.status_code == 400
    assert "Choose another contact of this account." in response.content.decode()
    response = b.admin_client.post(f"/contacts/{contact.pk}/merge/", {"into": own.pk})
    assert response.status_code == 404
    candidates = b.admin_client.get(f"/contacts/{own.pk}/merge/", {"search": "Acme"})
    assert SECRET not in candidates.content.decode()
    _untouched(contact)
    assert Contact.objects.get(pk=own.pk).merged_into is None


def api_contacts(a, b):
    _contact(a)
    assert _api(a, "get", "/v1/contacts").json()["data"][0]["name"] == SECRET
    body = _api(b, "get", "/v1/contacts?search=Acme").json()
    assert body["data"] == [] and body["pagination"]["total"] == 0


def api_contact_export(a, b):
    _contact(a)
    response = _api(b, "get", "/v1/contacts/export")
    assert response.status_code == 200 and SECRET not in _csv(response)


def api_contact(a, b):
    contact = _contact(a)
    response = _api(b, "get", f"/v1/contacts/{contact.pk}")
    assert response.status_code == 404 and SECRET not in response.content.decode()
    response = _api(b, "patch", f"/v1/contacts/{contact.pk}", {"name": "Hacked"})
    assert response.status_code == 404
    _untouched(contact)


def lead_export(a, b):
    contact = _contact(a)
    campaign_id = contact.leads.get().campaign_id
    refused = b.admin_client.get("/leads/export/", {"campaign": campaign_id})
    assert refused.status_code == 400
    assert SECRET not in refused.content.decode()
    text = _csv(b.admin_client.get("/leads/export/"))
    assert SECRET not in text and "Acme secret campaign" not in text
    assert text.count("\r\n") == 1  # the header only
    assert SECRET in _csv(a.admin_client.get("/leads/export/"))


def api_lead_export(a, b):
    _contact(a)
    _b_own(b)
    text = _csv(_api(b, "get", "/v1/leads/export"))
    assert "Bolt contact" in text and SECRET not in text


CASES = {
    "contact_list": contact_list,
    "contact_export": contact_export,
    "contact_detail": contact_detail,
    "contact_edit": contact_edit,
    "contact_merge": contact_merge,
    "api_contacts": api_contacts,
    "api_contact_export": api_contact_export,
    "api_contact": api_contact,
    "lead_export": lead_export,
    "api_lead_export": api_lead_export,
}

EXEMPT = {}
