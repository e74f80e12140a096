"""CSV exports: leads (page and API) and contacts; BOM, columns, filters, formula cells, and
memory that stays flat however many rows stream."""

import csv
import gc
import io
import json
import tracemalloc
import zoneinfo
from decimal import Decimal

import pytest
from asgiref.sync import async_to_sync
from django.test import AsyncRequestFactory, Client, RequestFactory

from campaignhub import csv_export
from campaigns import exports
from campaigns.models import Lead, LeadSource
from campaigns.outcomes import set_outcome
from crm import contacts
from tests.crm.conftest import capture, crm_campaign
from tests.factories import bearer

pytestmark = pytest.mark.django_db

LEAD_HEADER = [
    "ID",
    "Created at",
    "Campaign",
    "Source",
    "Name",
    "Phone",
    "Email",
    "Status",
    "Revenue",
    "Representative",
    "Message",
    "Representative is a member",
]


def body(response) -> str:
    return b"".join(response.streaming_content).decode("utf-8")


def rows(response) -> list[list[str]]:
    text = body(response)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:], newline="")))


# The writer


@pytest.mark.parametrize(
    "value, text",
    [
        ("=1+2", "'=1+2"),
        ("+14155550182", "'+14155550182"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=cmd", "'\t=cmd"),
        ("\r=cmd", "'\r=cmd"),
        ("Ann = friend", "Ann = friend"),
        ("", ""),
        (None, ""),
        (Decimal("12.50"), "12.50"),
        (7, "7"),
    ],
)
def test_cells_that_could_be_formulas_are_neutralised(value, text):
    assert csv_export.cell(value) == text


def test_the_csv_starts_with_a_bom_quotes_every_cell_and_ends_rows_with_crlf():
    chunks = list(csv_export.csv_chunks(["A", "B"], [(1, 'say "hi"\nbye'), (2, None)]))
    text = b"".join(chunks).decode()
    assert text == '\ufeff"A","B"\r\n"1","say ""hi""\nbye"\r\n"2",""\r\n'


def test_rows_leave_in_batches_not_all_at_once():
    produced = []

    def source():
        for i in range(1200):
            produced.append(i)
            yield (i,)

    chunks = csv_export.csv_chunks(["n"], source(), rows_per_chunk=500)
    next(chunks)  # the header
    assert produced == []  # nothing is read before the first batch is asked for
    next(chunks)
    assert len(produced) == 500


# Leads export


@pytest.fixture
def leads(tenant_a):
    tenant_a.account.timezone = "America/New_York"
    tenant_a.account.save()
    roofing = crm_campaign(tenant_a, name="Roofing")
    gutters = crm_campaign(tenant_a, name="=Gutters")
    ann = capture(roofing, name="Ann Lee", phone="+14155550182", email="ann@example.com")
    bob = capture(gutters, name='=HYPERLINK("http://x")', phone="+14155550183", message="@cmd")
    set_outcome(lead=ann, status="won", revenue=Decimal("1250.50"))
    Lead.objects.filter(pk=ann.pk).update(representative=tenant_a.member)
    return {"ann": ann, "bob": bob, "roofing": roofing, "gutters": gutters}


def test_leads_export_has_plain_columns_account_time_and_neutralised_cells(tenant_a, leads):
    response = Client().get("/v1/leads/export", **bearer(tenant_a.token.raw))
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="leads-')
    header, bob, ann = rows(response)
    assert header == LEAD_HEADER
    ann_lead = leads["ann"]
    new_york = zoneinfo.ZoneInfo("America/New_York")
    created = ann_lead.created_at.astimezone(new_york).isoformat(timespec="seconds")
    assert ann == [
        str(ann_lead.pk),
        created,
        "Roofing",
        "Form",
        "Ann Lee",
        "'+14155550182",
        "ann@example.com",
        "Won",
        "1250.50",
        "Acme Agency Member",
        "",
        "yes",
    ]
    assert ann[1].endswith(("-05:00", "-04:00"))
    assert bob[2] == "'=Gutters"
    assert bob[4] == '\'=HYPERLINK("http://x")'
    assert bob[7] == "New" and bob[8] == "" and bob[9] == ""  # no revenue, unassigned
    assert bob[10] == "'@cmd" and bob[11] == ""  # nobody holds it


def test_leads_export_applies_the_list_filters(tenant_a, leads):
    def ids(**params):
        response = Client().get("/v1/leads/export", params, **bearer(tenant_a.token.raw))
        assert response.status_code == 200
        return [row[0] for row in rows(response)[1:]]

    ann, bob = str(leads["ann"].pk), str(leads["bob"].pk)
    assert ids() == [bob, ann]
    assert ids(campaign=leads["roofing"].pk) == [ann]
    assert ids(search="(415) 555-0183") == [bob]
    assert ids(status="won") == [ann]


def test_leads_export_follows_who_may_see_what(tenant_a, leads):
    mine = crm_campaign(tenant_a, name="Mine", owner=tenant_a.member)
    own = capture(mine, name="Own lead", phone="+14155550111")
    response = tenant_a.member_client.get("/leads/export/")
    # The member sees their campaign's lead and the lead assigned to them, nothing else.
    assert sorted(row[0] for row in rows(response)[1:]) == sorted(
        [str(own.pk), str(leads["ann"].pk)]
    )


@pytest.mark.parametrize(
    "params, field",
    [({"campaign": "abc"}, "campaign"), ({"status": "maybe"}, "status"), ({"foo": "1"}, "foo")],
)
def test_bad_export_filters_are_400(tenant_a, leads, params, field):
    response = Client().get("/v1/leads/export", params, **bearer(tenant_a.token.raw))
    assert response.status_code == 400
    assert field in response.json()["errors"]
    page = tenant_a.admin_client.get("/leads/export/", params)
    if field == "foo":  # the page's link ignores what is not a filter, such as the page number
        assert page.status_code == 200
        return
    assert page.status_code == 400 and field in page.content.decode()


def test_the_leads_page_links_the_export_with_its_filters(tenant_a, leads):
    page = tenant_a.admin_client.get("/leads/", {"search": "Ann", "page": "1"})
    assert 'href="/leads/export/?search=Ann"' in page.content.decode()
    download = tenant_a.admin_client.get("/leads/export/", {"search": "Ann"})
    assert [row[4] for row in rows(download)[1:]] == ["Ann Lee"]


def test_the_export_requires_a_login(leads):
    assert Client().get("/v1/leads/export").status_code == 401
    assert Client().get("/leads/export/").status_code == 302


# Contacts export


def test_contacts_export_has_lead_counts_and_search(tenant_a):
    campaign = crm_campaign(tenant_a)
    ann = capture(campaign, name="Ann Lee", phone="+14155550182").contact
    capture(crm_campaign(tenant_a, name="Calls"), phone="+14155550182", source=LeadSource.CALL)
    business = crm_campaign(tenant_a, kind="business")
    bob = capture(business, name="-Bob's Roofs", email="b@x.io").contact
    contacts.update_contact(contact=ann, changes={"notes": "=evil()"}, actor=None)
    response = Client().get("/v1/contacts/export", **bearer(tenant_a.token.raw))
    assert response["Content-Disposition"].startswith('attachment; filename="contacts-')
    header, *data = rows(response)
    assert header == [
        "ID",
        "Kind",
        "Name",
        "Company",
        "Phone",
        "Email",
        "Leads",
        "Notes",
        "Created at",
    ]
    assert [row[:8] for row in data] == [
        [str(bob.pk), "Business", "", "'-Bob's Roofs", "", "b@x.io", "1", ""],
        [str(ann.pk), "Person", "Ann Lee", "", "'+14155550182", "", "2", "'=evil()"],
    ]
    searched = tenant_a.admin_client.get("/contacts/export/", {"search": "555-0182"})
    assert [row[0] for row in rows(searched)[1:]] == [str(ann.pk)]


def test_contacts_export_bad_search_is_400(tenant_a):
    response = Client().get(
        "/v1/contacts/export", {"search": "x" * 201}, **bearer(tenant_a.token.raw)
    )
    assert response.status_code == 400
    assert json.loads(response.content)["errors"]["search"]
    page = tenant_a.admin_client.get("/contacts/export/", {"search": "x" * 201})
    assert page.status_code == 400 and page["Content-Type"].startswith("text/html")
    assert "These filters cannot be used: Search:" in page.content.decode()
    assert 'href="/contacts/"' in page.content.decode()


# Streaming and memory


def _many_leads(tenant, count):
    campaign = crm_campaign(tenant, add_to_crm=False)
    message = "A message long enough to give each row some weight. " * 4
    Lead.objects.bulk_create(
        (
            Lead(
                account=tenant.account,
                campaign=campaign,
                source=LeadSource.WEBHOOK,
                external_id=f"bulk-{i}",
                name=f"Person {i}",
                phone=f"+1415555{i % 10000:04d}",
                email=f"person{i}@example.com",
                message=message,
            )
            for i in range(count)
        ),
        batch_size=1000,
    )


def _export_request(tenant, factory):
    request = factory.get("/leads/export/")
    request.user = tenant.admin
    request.membership = tenant.account.memberships.get(user=tenant.admin)
    request.account = tenant.account
    return request


def _measured(read) -> tuple[int, int]:
    """(peak bytes allocated while `read()` runs, what it returned: the body's size)."""
    gc.collect()
    tracemalloc.start()
    try:
        total = read()
        return tracemalloc.get_traced_memory()[1], total
    finally:
        tracemalloc.stop()


ROWS = 5000
# Rows per database fetch in these tests: what an export holds is one fetch and one chunk
# whatever the row count (measured: the same peak at 1,500 and 3,000 rows), so a small fetch
# lets a modest row count show streaming (a fraction of the body) apart from buffering (the
# whole body and more).
FETCH = 100


@pytest.fixture
def small_fetches(monkeypatch):
    monkeypatch.setattr(exports, "FETCH_SIZE", FETCH)


def test_streaming_many_leads_stays_within_a_memory_bound_buffering_breaks(tenant_a, small_fetches):
    _many_leads(tenant_a, ROWS)

    def streamed():
        response = Client().get("/v1/leads/export", **bearer(tenant_a.token.raw))
        assert response.streaming
        return sum(len(chunk) for chunk in response.streaming_content)

    def buffered():
        response = Client().get("/v1/leads/export", **bearer(tenant_a.token.raw))
        return len(b"".join(list(response.streaming_content)))

    peak, total = _measured(streamed)
    assert total > 1_500_000
    assert peak < total / 2, (peak, total)
    # The bound means something: the same body held whole exceeds it.
    peak_buffered, same_total = _measured(buffered)
    assert same_total == total
    assert peak_buffered > total / 2, (peak_buffered, total)


def test_under_asgi_the_body_streams_asynchronously_in_bounded_memory(tenant_a, small_fetches):
    _many_leads(tenant_a, ROWS)
    response = exports.lead_export(_export_request(tenant_a, AsyncRequestFactory()))
    # Django collects a synchronous iterator whole before sending it over ASGI.
    assert response.is_async

    async def consume():
        total = 0
        async for chunk in response:
            total += len(chunk)
        return total

    # async_to_sync from this thread: the rows are read on it, inside the test's transaction.
    peak, total = _measured(async_to_sync(consume))
    assert total > 1_500_000
    assert peak < total / 2, (peak, total)


def test_under_wsgi_the_body_is_a_plain_iterator(tenant_a, leads):
    response = exports.lead_export(_export_request(tenant_a, RequestFactory()))
    assert not response.is_async
    assert "Ann Lee" in body(response)
