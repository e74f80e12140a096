"""Campaign lists at size: deep pages by cursor, paged tracking numbers, indexed search and
member visibility, and a query count that does not grow with the account."""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from campaigns import selectors, services
from campaigns.models import Campaign, CampaignTally, Representative
from tests.campaigns.factories import make_campaign
from tests.campaigns.test_api import Api

pytestmark = pytest.mark.django_db

NUMBERED_PAGES = 20  # campaigns.views: 25 rows a page, numbered up to page 20
PER_PAGE = 25


def bulk_campaigns(tenant, count, owner=None, **fields):
    """`count` campaigns named `Campaign 0000`… (oldest first), tallies recounted."""
    Campaign.objects.bulk_create(
        Campaign(
            account=tenant.account,
            owner=owner or tenant.admin,
            campaign_name=f"Campaign {n:04}",
            integration="form",
            currency="USD",
            **fields,
        )
        for n in range(count)
    )
    services.recount_tallies(tenant.account)
    return list(Campaign.objects.filter(account=tenant.account).order_by("-id"))


def names_on(html):
    return re.findall(r"(Campaign \d{4})</a>", html)


def link(html, rel):
    match = re.search(rf'<a[^>]*rel="{rel}"[^>]*href="([^"]+)"', html)
    return unescape(match.group(1)) if match else None


def test_numbered_pages_stop_at_page_20_and_cursor_pages_walk_every_campaign_once(tenant_a):
    newest_first = bulk_campaigns(tenant_a, NUMBERED_PAGES * PER_PAGE + 40)
    client = tenant_a.admin_client
    seen, url, numbered = [], "/campaigns/", 0
    while url:
        html = client.get(url).content.decode()
        seen += names_on(html)
        numbered += "?page=" in url or url == "/campaigns/"
        following = link(html, "next")
        url = f"/campaigns/{following}" if following else None
    assert seen == [campaign.campaign_name for campaign in newest_first]
    assert numbered == NUMBERED_PAGES
    deep = client.get("/campaigns/?page=400").content.decode()
    assert "Page 20 of 22 · 540 in all" in deep


def test_last_page_is_the_oldest_campaigns_and_previous_walks_back(tenant_a):
    newest_first = bulk_campaigns(tenant_a, 60)
    client = tenant_a.admin_client
    first = client.get("/campaigns/").content.decode()
    last = client.get(f"/campaigns/{link(first, 'last')}").content.decode()
    assert names_on(last) == [c.campaign_name for c in newest_first[-PER_PAGE:]]
    assert link(last, "next") is None and link(last, "last") is None
    previous = client.get(f"/campaigns/{link(last, 'prev')}").content.decode()
    assert names_on(previous) == [c.campaign_name for c in newest_first[-2 * PER_PAGE : -PER_PAGE]]
    # Walking back to the newest campaigns lands on page 1 itself, live rows and all.
    newest = client.get(f"/campaigns/{link(previous, 'prev')}").content.decode()
    assert "Page 1 of 3 · 60 in all" in newest and 'id="campaign-rows-live"' in newest


def test_cursor_pages_keep_the_filters_and_junk_cursors_start_over(tenant_a):
    bulk_campaigns(tenant_a, 60)
    client = tenant_a.admin_client
    first = client.get("/campaigns/?search=campaign&status=active").content.decode()
    assert "search=campaign" in link(first, "last") and "status=active" in link(first, "last")
    junk = client.get("/campaigns/?cursor=forged").content.decode()
    assert "Page 1 of 3" in junk and names_on(junk)[0] == "Campaign 0059"


def test_api_page_numbers_stop_at_max_page_and_next_cursor_reads_on(tenant_a):
    newest_first = bulk_campaigns(tenant_a, 1005)
    api = Api(tenant_a.token.raw)
    deepest = api.get("/v1/campaigns?per_page=100&page=10").json()
    assert deepest["pagination"] == {
        "page": 10,
        "per_page": 100,
        "total": 1005,
        "total_pages": 11,
        "max_page": 10,
    }
    rest = api.get(f"/v1/campaigns?per_page=100&cursor={deepest['next_cursor']}").json()
    names = [c["campaign_name"] for c in deepest["data"] + rest["data"]]
    assert names == [c.campaign_name for c in newest_first[900:]]
    assert rest["next_cursor"] is None
    too_deep = api.get("/v1/campaigns?per_page=100&page=11")
    assert too_deep.status_code == 400
    assert too_deep.json()["message"] == (
        "page must be at most 10; follow next_cursor for deeper pages."
    )
    last = api.get("/v1/campaigns?search=campaign 000&per_page=5&page=2").json()
    assert last["pagination"]["total"] == 10 and last["next_cursor"] is None


def test_tracking_numbers_are_paged_by_name_with_their_total(tenant_a):
    for n in (3, 1, 2):
        make_campaign(
            tenant_a,
            campaign_name=f"Line {n}",
            integration="callrail",
            tracking_number=f"+1415555123{n}",
        )
    make_campaign(tenant_a, campaign_name="No number")
    api = Api(tenant_a.token.raw)
    page = api.get("/v1/campaigns/tracking-numbers?per_page=2&page=2").json()
    assert page["pagination"] == {"page": 2, "per_page": 2, "total": 3, "total_pages": 2}
    assert [row["campaign_name"] for row in page["data"]] == ["Line 3"]
    first = api.get("/v1/campaigns/tracking-numbers?type=callrail&per_page=2").json()
    assert [row["tracking_number"] for row in first["data"]] == ["+14155551231", "+14155551232"]
    assert api.get("/v1/campaigns/tracking-numbers?type=form").json()["pagination"]["total"] == 0


def test_tracking_number_tally_follows_every_change(tenant_a):
    campaign = make_campaign(
        tenant_a, campaign_name="A", integration="callrail", tracking_number="+14155551234"
    )
    make_campaign(
        tenant_a, campaign_name="B", integration="webhook", tracking_number="+14155551235"
    )
    make_campaign(tenant_a, campaign_name="C")
    services.update_campaign(campaign=campaign, changes={"status": False})
    services.update_campaign(campaign=campaign, changes={"tracking_number": "+14155551236"})
    kept = selectors.tracking_number_count(tenant_a.account.memberships.get(user=tenant_a.admin))
    assert kept == 2
    services.delete_campaign(campaign=campaign)
    admin = tenant_a.account.memberships.get(user=tenant_a.admin)
    assert selectors.tracking_number_count(admin) == 1
    assert selectors.tracking_number_count(admin, "callrail") == 0
    before = set(CampaignTally.objects.values_list("integration", "status", "count", "numbered"))
    services.recount_tallies(tenant_a.account)
    after = set(CampaignTally.objects.values_list("integration", "status", "count", "numbered"))
    assert {row for row in before if row[2]} == after


NAMES = [
    "Roofing North",
    "roofing South",
    "ROOFING west",
    "Gutters",
    'Quote "best" deals',
    "50% off windows",
    "under_score",
    "Solar Austin",
]


@pytest.mark.parametrize(
    "search", ["roof", "ROOFING S", "oof", "ro", "g", '"best"', "50%", "_sc", "zzz", "ar Au"]
)
def test_search_finds_the_campaigns_whose_name_contains_it_ignoring_case(tenant_a, search):
    for name in NAMES:
        make_campaign(tenant_a, campaign_name=name)
    expected = {name for name in NAMES if search.lower() in name.lower()}
    membership = tenant_a.account.memberships.get(user=tenant_a.admin)
    found = {c.campaign_name for c in selectors.campaign_list(membership, search=search)}
    assert found == expected


def test_search_follows_renames_and_deletions(tenant_a):
    campaign = make_campaign(tenant_a, campaign_name="Roofing North")
    gone = make_campaign(tenant_a, campaign_name="Roofing Gone")
    services.update_campaign(campaign=campaign, changes={"campaign_name": "Siding North"})
    Campaign.objects.filter(pk=gone.pk).delete()
    membership = tenant_a.account.memberships.get(user=tenant_a.admin)
    assert not selectors.campaign_list(membership, search="roofing").exists()
    assert [c.pk for c in selectors.campaign_list(membership, search="siding")] == [campaign.pk]


def test_search_stays_within_the_account(tenant_a, tenant_b):
    make_campaign(tenant_b, campaign_name="Roofing elsewhere")
    membership = tenant_a.account.memberships.get(user=tenant_a.admin)
    assert not selectors.campaign_list(membership, search="roofing").exists()


def test_members_see_what_they_own_or_represent_once_each(tenant_a):
    owned = make_campaign(tenant_a, owner=tenant_a.member, campaign_name="Owned")
    both = make_campaign(
        tenant_a,
        owner=tenant_a.member,
        campaign_name="Both",
        selected_user=[{"id": tenant_a.member.pk}],
    )
    represented = make_campaign(
        tenant_a, campaign_name="Represented", selected_user=[{"id": tenant_a.member.pk}]
    )
    make_campaign(tenant_a, campaign_name="Hidden")
    deleted = make_campaign(tenant_a, owner=tenant_a.member, campaign_name="Deleted")
    services.delete_campaign(campaign=deleted)
    membership = tenant_a.account.memberships.get(user=tenant_a.member)
    visible = list(selectors.campaigns_visible_to(membership).values_list("pk", flat=True))
    assert visible == [represented.pk, both.pk, owned.pk]
    with_deleted = selectors.campaigns_visible_to(membership, include_deleted=True)
    assert set(with_deleted.values_list("pk", flat=True)) == {
        owned.pk,
        both.pk,
        represented.pk,
        deleted.pk,
    }
    assert selectors.filter_counts(selectors.tally_rows(membership))["total"] == 3
    names = [c["campaign_name"] for c in tenant_a.member_client.get("/v1/campaigns").json()["data"]]
    assert names == ["Represented", "Both", "Owned"]
    member_numbers = tenant_a.member_client.get("/v1/campaigns/tracking-numbers").json()
    assert member_numbers["pagination"]["total"] == 0


def test_members_lose_a_campaign_when_no_longer_its_representative(tenant_a):
    campaign = make_campaign(
        tenant_a, campaign_name="Represented", selected_user=[{"id": tenant_a.member.pk}]
    )
    membership = tenant_a.account.memberships.get(user=tenant_a.member)
    assert list(selectors.campaigns_visible_to(membership)) == [campaign]
    Representative.objects.filter(campaign=campaign, user=tenant_a.member).delete()
    assert not selectors.campaigns_visible_to(membership).exists()


def _grow_to(tenant, count):
    have = Campaign.objects.filter(account=tenant.account).count()
    for n in range(have, count):
        make_campaign(
            tenant,
            owner=tenant.member if n % 3 == 0 else tenant.admin,
            campaign_name=f"Campaign {n:04}",
            integration="callrail" if n % 2 else "webhook",
            tracking_number=f"+1415555{n:04}",
            selected_user=[{"id": tenant.member.pk}] if n % 3 == 1 else [],
        )


LIST_PATHS = [
    ("admin_client", "/campaigns/"),
    ("admin_client", "/campaigns/?search=campaign"),
    ("admin_client", "/campaigns/?page=2&integration=callrail"),
    ("admin_client", "/v1/campaigns"),
    ("admin_client", "/v1/campaigns?search=campaign&per_page=5"),
    ("admin_client", "/v1/campaigns/filters"),
    ("admin_client", "/v1/campaigns/tracking-numbers"),
    ("member_client", "/campaigns/"),
    ("member_client", "/v1/campaigns"),
    ("member_client", "/v1/campaigns/filters"),
    ("member_client", "/v1/campaigns/tracking-numbers"),
]


@pytest.mark.parametrize(("who", "path"), LIST_PATHS)
def test_list_query_count_is_the_same_at_3_and_30_campaigns(
    tenant_a, django_assert_num_queries, who, path
):
    client = getattr(tenant_a, who)
    _grow_to(tenant_a, 3)
    client.get(path)  # the session and account lookups settle on the first request
    with CaptureQueriesContext(connection) as at_3:
        assert client.get(path).status_code == 200
    _grow_to(tenant_a, 30)
    with django_assert_num_queries(len(at_3)):
        assert client.get(path).status_code == 200


def test_deep_cursor_page_query_count_is_the_same_at_any_depth(tenant_a, django_assert_num_queries):
    bulk_campaigns(tenant_a, 560)
    client = tenant_a.admin_client
    html = client.get("/campaigns/?page=20").content.decode()
    deeper = link(html, "next")
    with CaptureQueriesContext(connection) as shallow:
        client.get("/campaigns/?page=20")
    with django_assert_num_queries(len(shallow)):
        client.get(f"/campaigns/{deeper}")


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite search table")
def test_the_sqlite_name_search_table_is_kept_by_triggers():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
            ["campaigns_campaign"],
        )
        triggers = {row[0] for row in cursor.fetchall()}
    table = selectors.NAME_SEARCH_TABLE
    assert {f"{table}_insert", f"{table}_update", f"{table}_delete"} <= triggers


def _created_in_blocks(tenant, count, block):
    """`count` campaigns whose creation times come `block` at a time, equal within a block and
    going back a day a block, the newest block made first (as an import of older campaigns
    after newer ones would): their ids run against their age. Returns them as the list
    orders them: newest created first, the higher id first among equals."""
    bulk_campaigns(tenant, count)
    start = timezone.now()
    campaigns = list(Campaign.objects.filter(account=tenant.account).order_by("id"))
    for n, campaign in enumerate(campaigns):
        campaign.created_at = start - timedelta(days=n // block)
    Campaign.objects.bulk_update(campaigns, ["created_at"])
    return sorted(campaigns, key=lambda c: (c.created_at, c.pk), reverse=True)


def test_campaigns_moved_in_with_their_creation_date_are_listed_by_it_not_by_id(tenant_a):
    newer = make_campaign(tenant_a, campaign_name="Made here")
    older = make_campaign(tenant_a, campaign_name="Moved in")
    Campaign.objects.filter(pk=older.pk).update(created_at=timezone.now() - timedelta(days=400))
    html = tenant_a.admin_client.get("/campaigns/").content.decode()
    assert html.index("Made here") < html.index("Moved in")
    api = Api(tenant_a.token.raw)
    listed = api.get("/v1/campaigns").json()["data"]
    assert [c["id"] for c in listed] == [newer.pk, older.pk]
    by_cursor = api.get("/v1/campaigns?cursor=").json()["data"]
    assert [c["id"] for c in by_cursor] == [newer.pk, older.pk]


def test_deep_pages_walk_every_campaign_once_by_creation_date_with_equal_dates(tenant_a):
    """Blocks of 7 equal creation times straddle every page boundary (25 rows a page): next,
    from page 1 to the last cursor page, and prev, back from the last page, see each campaign
    once, in order."""
    expected = [c.campaign_name for c in _created_in_blocks(tenant_a, 560, block=7)]
    client = tenant_a.admin_client
    seen, url = [], "/campaigns/"
    while url:
        html = client.get(url).content.decode()
        seen += names_on(html)
        following = link(html, "next")
        url = f"/campaigns/{following}" if following else None
    assert seen == expected

    first = client.get("/campaigns/").content.decode()
    html = client.get(f"/campaigns/{link(first, 'last')}").content.decode()
    backwards = []
    while "Page 1 of" not in html:
        backwards[:0] = names_on(html)
        html = client.get(f"/campaigns/{link(html, 'prev')}").content.decode()
    # Pages back from the last are counted from the oldest; the walk ends on page 1 itself.
    assert backwards == expected[-len(backwards) :]
    assert names_on(html) == expected[:PER_PAGE]
    assert len(backwards) + PER_PAGE >= len(expected)


def test_api_cursor_walks_every_campaign_once_by_creation_date_with_equal_dates(tenant_a):
    expected = [c.pk for c in _created_in_blocks(tenant_a, 240, block=7)]
    api = Api(tenant_a.token.raw)
    seen, url = [], "/v1/campaigns?per_page=10&page=10"
    numbered = api.get("/v1/campaigns?per_page=100&page=1").json()["data"]
    assert [c["id"] for c in numbered] == expected[:100]
    while url:
        answer = api.get(url).json()
        seen += [c["id"] for c in answer["data"]]
        url = (
            f"/v1/campaigns?per_page=10&cursor={answer['next_cursor']}"
            if (answer["next_cursor"])
            else None
        )
    assert seen == expected[90:]
    # A cursor of the list by id (as given before it was ordered by creation) is refused.
    from django.core import signing

    from campaignhub.api import CURSOR_SALT

    old = signing.dumps({"after": expected[5]}, salt=CURSOR_SALT)
    assert api.get(f"/v1/campaigns?cursor={old}").status_code == 400
