"""Contact pages: list and search (whole page and htmx region), detail, edit, merge."""

import pytest

from campaigns.models import Lead
from crm import contacts
from crm.models import Contact
from tests.crm.conftest import capture, crm_campaign, make_deal
from tests.pages import form_values

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def ann(tenant_a):
    campaign = crm_campaign(tenant_a)
    lead = capture(campaign, name="Ann Lee", phone="+14155550182", email="ann@example.com")
    return lead.contact


def test_the_list_shows_contacts_with_their_lead_counts(tenant_a, ann):
    capture(crm_campaign(tenant_a, name="Gutters"), phone="+14155550182")
    response = tenant_a.admin_client.get("/contacts/")
    content = response.content.decode()
    assert response.status_code == 200
    assert "Ann Lee" in content and "(415) 555-0182" in content
    row = content[content.index(f'id="contact-{ann.pk}"') :]
    assert '<td data-label="Leads">2</td>' in row[: row.index("</tr>")]
    assert 'href="/contacts/export/"' in content


def test_the_empty_list_says_where_contacts_come_from(tenant_a):
    content = tenant_a.admin_client.get("/contacts/").content.decode()
    assert "No contacts yet." in content


def test_search_answers_htmx_with_the_table_only_and_a_filtered_export_link(tenant_a, ann):
    capture(crm_campaign(tenant_a), name="Bob Marsh", phone="+14155550199")
    response = tenant_a.admin_client.get("/contacts/", {"search": "(415) 555-0182"}, **HTMX)
    content = response.content.decode()
    assert content.lstrip().startswith('<section class="card" id="contact-table">')
    assert "Ann Lee" in content and "Bob Marsh" not in content
    assert 'href="/contacts/export/?search=%28415%29+555-0182"' in content
    nothing = tenant_a.admin_client.get("/contacts/", {"search": "zzz"}, **HTMX)
    assert "No contacts match “zzz”." in nothing.content.decode()


def test_the_navigation_has_contacts(tenant_a):
    content = tenant_a.admin_client.get("/").content.decode()
    assert '<a href="/contacts/"' in content


def test_detail_lists_leads_from_every_source_and_deals(tenant_a, ann):
    call = capture(crm_campaign(tenant_a, name="Calls"), phone="+14155550182", source="call")
    deal = make_deal(tenant_a, ann, title="New roof")
    content = tenant_a.admin_client.get(f"/contacts/{ann.pk}/").content.decode()
    assert f'href="/deals/{deal.pk}/"' in content
    assert f'href="/leads/{call.pk}/"' in content
    for lead in Lead.objects.filter(contact=ann):
        assert f'href="/leads/{lead.pk}/"' in content
    assert "Call" in content and "Form" in content
    assert "New roof" in content and "USD 1,200.00" in content
    assert "Merge into…" in content


def test_members_see_no_merge_button_and_cannot_merge(tenant_a):
    lead = capture(crm_campaign(tenant_a, owner=tenant_a.member), name="Ann", phone="+14155550182")
    other = capture(crm_campaign(tenant_a, owner=tenant_a.member), name="Bo", phone="+14155550183")
    page = tenant_a.member_client.get(f"/contacts/{lead.contact_id}/").content.decode()
    assert "Merge into…" not in page
    response = tenant_a.member_client.post(
        f"/contacts/{lead.contact_id}/merge/", {"into": other.contact_id}
    )
    assert response.status_code == 403
    assert Contact.objects.get(pk=lead.contact_id).merged_into is None


def test_edit_saves_and_records_the_staff_edit(tenant_a, ann):
    response = tenant_a.admin_client.post(
        f"/contacts/{ann.pk}/edit/",
        {
            "kind": "person",
            "name": "Ann Lee-Smith",
            "company": "",
            "phone": "(415) 555-0100",
            "email": "ann@example.com",
            "notes": "Call after 5pm",
        },
    )
    assert response.status_code == 302 and response["Location"] == f"/contacts/{ann.pk}/"
    ann.refresh_from_db()
    assert (ann.name, ann.phone, ann.notes) == ("Ann Lee-Smith", "+14155550100", "Call after 5pm")
    assert ann.edited_fields == ["name", "notes", "phone"]


@pytest.mark.parametrize(
    ("stored", "shown"),
    [("+14155550182", "(415) 555-0182"), ("+442079460018", "+44 20 7946 0018")],
)
def test_edit_shows_the_phone_as_pages_do_and_a_save_without_edits_changes_nothing(
    tenant_a, ann, stored, shown
):
    """The form showed "+14155550182" where every page shows "(415) 555-0182"."""
    Contact.objects.filter(pk=ann.pk).update(phone=stored)
    before = Contact.objects.values().get(pk=ann.pk)
    html = tenant_a.admin_client.get(f"/contacts/{ann.pk}/edit/").content.decode()
    drawn = dict(form_values(html, "contact-form"))
    assert drawn["phone"] == shown
    response = tenant_a.admin_client.post(f"/contacts/{ann.pk}/edit/", drawn)
    assert response.status_code == 302
    assert Contact.objects.values().get(pk=ann.pk) == before


def test_edit_with_htmx_redirects_the_browser(tenant_a, ann):
    data = {"kind": "person", "name": "Ann L", "phone": "+14155550182", "email": ""}
    response = tenant_a.admin_client.post(f"/contacts/{ann.pk}/edit/", data, **HTMX)
    assert response.status_code == 200
    assert response["HX-Redirect"] == f"/contacts/{ann.pk}/"


@pytest.mark.parametrize(
    "change, message",
    [
        ({"phone": "12"}, "Enter a valid phone number"),
        ({"email": "not-an-email"}, "Enter a valid email address."),
        ({"kind": "robot"}, "Select a valid choice."),
        (
            {"name": "", "phone": "", "email": "", "company": ""},
            "A contact needs at least a name, a company, a phone or an email.",
        ),
    ],
)
def test_bad_edits_show_errors_and_change_nothing(tenant_a, ann, change, message):
    data = {"kind": "person", "name": "Ann", "phone": "+14155550182", "email": "a@example.com"}
    response = tenant_a.admin_client.post(f"/contacts/{ann.pk}/edit/", {**data, **change}, **HTMX)
    assert response.status_code == 400
    content = response.content.decode()
    assert content.lstrip().startswith("<form")
    assert message in content
    fresh = Contact.objects.get(pk=ann.pk)
    assert (fresh.name, fresh.email, fresh.edited_fields) == ("Ann Lee", "ann@example.com", [])


def test_merge_page_finds_candidates_and_merges(tenant_a, ann):
    campaign = crm_campaign(tenant_a)
    other_lead = capture(campaign, name="A. Lee", email="lee@example.org")
    other = other_lead.contact
    found = tenant_a.admin_client.get(
        f"/contacts/{other.pk}/merge/", {"search": "Ann Lee"}, **HTMX
    ).content.decode()
    assert found.lstrip().startswith('<fieldset id="merge-candidates">')
    assert f'value="{ann.pk}"' in found and f'value="{other.pk}"' not in found

    response = tenant_a.admin_client.post(f"/contacts/{other.pk}/merge/", {"into": ann.pk})
    assert response.status_code == 302 and response["Location"] == f"/contacts/{ann.pk}/"
    other_lead.refresh_from_db()
    assert other_lead.contact == ann
    # The merged contact's page leads on to the kept one; it is gone from the list.
    assert tenant_a.admin_client.get(f"/contacts/{other.pk}/")["Location"] == f"/contacts/{ann.pk}/"
    listed = tenant_a.admin_client.get("/contacts/").content.decode()
    assert f'id="contact-{other.pk}"' not in listed and f'id="contact-{ann.pk}"' in listed


@pytest.mark.parametrize("into", ["", "self", "99999999", "abc"])
def test_a_bad_merge_choice_is_an_error_and_changes_nothing(tenant_a, ann, into):
    value = str(ann.pk) if into == "self" else into
    response = tenant_a.admin_client.post(f"/contacts/{ann.pk}/merge/", {"into": value}, **HTMX)
    assert response.status_code == 400
    content = response.content.decode()
    assert "Choose" in content and 'role="alert"' in content
    assert Contact.objects.get(pk=ann.pk).merged_into is None


def test_merging_into_a_contact_merged_meanwhile_is_an_error(tenant_a, ann):
    campaign = crm_campaign(tenant_a)
    other = capture(campaign, name="Bob", phone="+14155550183").contact
    third = capture(campaign, name="Cy", phone="+14155550184").contact
    contacts.merge_contacts(keep=third, other=other)
    response = tenant_a.admin_client.post(f"/contacts/{ann.pk}/merge/", {"into": other.pk})
    assert response.status_code == 400
    assert Contact.objects.get(pk=ann.pk).merged_into is None


def test_a_contact_known_only_by_its_phone_is_named_by_the_number_as_people_read_it(tenant_a):
    contact = Contact.objects.create(account=tenant_a.account, phone="+12125550199")
    page = tenant_a.admin_client.get(f"/contacts/{contact.pk}/").content.decode()
    assert "<h1>(212) 555-0199</h1>" in page and "+12125550199</h1>" not in page


def test_a_search_the_contact_list_does_not_take_is_named(tenant_a):
    refused = tenant_a.admin_client.get("/contacts/", {"search": "x" * 201})
    assert refused.status_code == 400
    assert "These filters cannot be used: Search: " in refused.content.decode()
    assert "No contacts are listed until the search can be used." in refused.content.decode()


def test_pages_of_a_merged_contact_lead_to_the_kept_one(tenant_a):
    from crm import contacts
    from crm.models import Contact

    kept = Contact.objects.create(account=tenant_a.account, name="Ann Lee", phone="+14155550182")
    gone = Contact.objects.create(account=tenant_a.account, name="Ann L.", email="ann@x.io")
    edit_open = tenant_a.admin_client.get(f"/contacts/{gone.pk}/edit/")
    assert edit_open.status_code == 200
    contacts.merge_contacts(keep=kept, other=gone, actor=tenant_a.admin.memberships.get())

    # The edit page open before the merge is saved: refused, the entries kept on the page.
    saved = tenant_a.admin_client.post(
        f"/contacts/{gone.pk}/edit/", {"kind": "person", "name": "Ann Typed", "notes": "typed"}
    )
    assert saved.status_code == 409
    page = saved.content.decode()
    assert "was merged into Ann Lee" in page and 'value="Ann Typed"' in page
    assert Contact.objects.get(pk=kept.pk).name == "Ann Lee"
    # The merge page sent again, and the edit page opened again, go to the kept contact.
    for response in (
        tenant_a.admin_client.post(f"/contacts/{gone.pk}/merge/", {"into": kept.pk}),
        tenant_a.admin_client.get(f"/contacts/{gone.pk}/edit/"),
    ):
        assert response.status_code == 302
        assert response["Location"] == f"/contacts/{kept.pk}/"
