"""Lead reports: leads, wins, revenue, conversion and median first response, per day, source,
campaign or representative, aggregated by the database.

Every figure is one aggregate query over the leads of the period (the `lead_report` index,
account then arrival time), never a loop over lead rows. Days are the account's time zone:
the period's bounds and the day of each lead both are (`TruncDate(..., tzinfo=zone)`).
Visibility is the lead list's (`campaigns.selectors.leads_visible_to`): admins count every
lead of the account, members the leads of campaigns they own or represent and the leads
assigned to them.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import (
    Aggregate,
    Count,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    Sum,
    Value,
    Window,
)
from django.db.models.functions import RowNumber, TruncDate

from campaignhub.models import User, member_exists
from campaignhub.tenancy import account_zone
from campaigns.assignment import FORMER_MEMBER
from campaigns.models import Campaign, LeadSource, LeadStatus
from campaigns.selectors import leads_visible_to

GROUPS = ("day", "source", "campaign", "representative")
# A year, leap day included.
MAX_DAYS = 366
UNASSIGNED = "Unassigned"
ZERO = Decimal("0.00")


class Median(Aggregate):
    """PostgreSQL's `percentile_cont(0.5) WITHIN GROUP (ORDER BY expr)`: the median of the
    non-null values, the mean of the two middle ones when their number is even (a float)."""

    function = "percentile_cont"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


@dataclass(frozen=True)
class Row:
    """One group of a report. `key`: the day (date), source code, campaign id or
    representative id (None: unassigned); `label`: how people read it; `revenue`: Decimal in
    the account's currency, of the won leads; `conversion`: won / leads (None without leads);
    `median_first_response_s`: seconds from the alert to the first status change (None when
    no lead of the group has one yet); `is_member`, for a representative's row only: True
    while they are a member of the account, False once they were removed from it (their leads
    stay theirs, `campaigns.assignment.representative_left`); None for every other row."""

    key: object
    label: str
    leads: int
    won: int
    revenue: Decimal
    conversion: float | None
    median_first_response_s: float | None
    is_member: bool | None = None

    @property
    def shown_label(self) -> str:
        """The label as pages and charts show it: "Max Doe (no longer a member)" for someone
        removed from the account (`FORMER_MEMBER`, as the lead list names them), else `label`."""
        return FORMER_MEMBER.format(name=self.label) if self.is_member is False else self.label

    def as_json(self, group: str = "") -> dict:
        """The row as `GET /v1/reports/leads` answers it (revenue as a number, days ISO); a row
        of the `representative` group adds `is_member` (null for unassigned leads), its `label`
        staying the person's name as a lead's `representative.name` does."""
        answer = {
            "key": self.key.isoformat() if isinstance(self.key, date) else self.key,
            "label": self.label,
            "leads": self.leads,
            "won": self.won,
            "revenue": float(self.revenue),
            "conversion": self.conversion,
            "median_first_response_s": self.median_first_response_s,
        }
        if group == "representative":
            answer["is_member"] = self.is_member
        return answer


def period_bounds(start: date, end: date, zone) -> tuple[datetime, datetime]:
    """[first instant of `start`, first instant of the day after `end`) in `zone`."""
    return (
        datetime.combine(start, time.min, tzinfo=zone),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone),
    )


def report_leads(membership, *, start, end, campaign=None, source="", representative=None):
    """The leads `membership` may see that arrived from `start` to `end` (dates, included, in
    the account's time zone), narrowed to a campaign (Campaign), a source (`LeadSource`
    value) and a representative (User) when given. Unordered, for aggregation."""
    since, until = period_bounds(start, end, account_zone(membership.account))
    leads = leads_visible_to(membership).filter(created_at__gte=since, created_at__lt=until)
    if campaign is not None:
        leads = leads.filter(campaign=campaign)
    if source:
        leads = leads.filter(source=source)
    if representative is not None:
        leads = leads.filter(representative=representative)
    return leads.order_by()


COLUMNS = {"source": "source", "campaign": "campaign_id", "representative": "representative_id"}


def group_key(group, zone):
    """The expression a report groups by: the local day (`TruncDate` in `zone`) or a column."""
    if group == "day":
        return TruncDate("created_at", tzinfo=zone)
    return F(COLUMNS[group])


FIGURES = {
    "leads": Count("pk"),
    "won": Count("pk", filter=Q(status=LeadStatus.WON)),
    # Revenue counts once a lead is won; a figure entered earlier is a hope, not income.
    "revenue": Sum("revenue", filter=Q(status=LeadStatus.WON)),
}


def _uses_percentile():
    return connection.vendor == "postgresql"


def _medians(leads, key):
    """{key: median first_response_s} for databases without `percentile_cont` (SQLite).

    One SQL statement: the group's responses are numbered in order (`ROW_NUMBER()`) and
    counted (`COUNT(*) OVER`) per group, and the middle one (odd count) or the mean of the
    middle two (even count) is taken — `percentile_cont(0.5)`'s result, computed in the
    database; only one row per group comes back.
    """
    ranked = (
        leads.filter(first_response_s__isnull=False)
        .annotate(
            key=key,
            position=Window(
                RowNumber(), partition_by=[key], order_by=[F("first_response_s").asc()]
            ),
            size=Window(Count("pk"), partition_by=[key]),
        )
        .values("key", "first_response_s", "position", "size")
    )
    sql, params = ranked.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            'SELECT "key", AVG("first_response_s") FROM ('
            + sql
            + ') AS ranked WHERE "position" IN (("size" + 1) / 2, ("size" + 2) / 2) '
            'GROUP BY "key"',
            params,
        )
        return dict(cursor.fetchall())


def _aggregate(leads, key):
    """[{"key", "leads", "won", "revenue", "median"}] per value of `key`, from one query (two
    on SQLite, see `_medians`)."""
    figures = dict(FIGURES)
    if _uses_percentile():
        figures["median"] = Median("first_response_s")
    rows = list(leads.annotate(key=key).values("key").annotate(**figures).order_by())
    if not _uses_percentile():
        medians = _medians(leads, key)
        for row in rows:
            row["median"] = medians.get(_raw_key(row["key"]))
    return rows


def _raw_key(key):
    # The window query is read by a plain cursor: days come back as ISO text on SQLite.
    return key.isoformat() if isinstance(key, date) else key


def _row(key, label, figures, is_member=None) -> Row:
    leads = figures["leads"]
    median = figures.get("median")
    return Row(
        key=key,
        label=label,
        leads=leads,
        won=figures["won"],
        revenue=figures["revenue"] or ZERO,
        conversion=round(figures["won"] / leads, 4) if leads else None,
        median_first_response_s=round(float(median), 1) if median is not None else None,
        is_member=is_member,
    )


def _labels(group, keys, account) -> tuple[dict, dict]:
    """({key: label}, {representative id: is a member of `account`}) for the groups' keys, in
    one query (none for sources)."""
    if group == "source":
        labels = {key: LeadSource(key).label if key in LeadSource.values else key for key in keys}
        return labels, {}
    if group == "campaign":
        campaigns = Campaign.objects.filter(pk__in=keys).values_list(
            "pk", "campaign_name", "is_deleted"
        )
        labels = {pk: f"{name} (deleted)" if deleted else name for pk, name, deleted in campaigns}
        return labels, {}
    users = User.objects.filter(pk__in=[key for key in keys if key is not None]).annotate(
        is_member=member_exists(account=account, user=OuterRef("pk"))
    )
    users = list(users)
    labels = {None: UNASSIGNED, **{user.pk: user.get_full_name() for user in users}}
    return labels, {user.pk: user.is_member for user in users}


def lead_report(membership, *, group, start, end, **filters) -> list[Row]:
    """The report of `report_leads(membership, start=, end=, **filters)` per `group` (one of
    `GROUPS`).

    `day`: every day of the period in order, days without leads included (zeros). The other
    groups: only groups with leads, most leads first, then by label (unassigned last).
    Raises ValueError for an unknown group.
    """
    if group not in GROUPS:
        raise ValueError(f"Unknown report group {group!r}.")
    zone = account_zone(membership.account)
    leads = report_leads(membership, start=start, end=end, **filters)
    found = {row["key"]: row for row in _aggregate(leads, group_key(group, zone))}
    if group == "day":
        empty = {"leads": 0, "won": 0, "revenue": None, "median": None}
        days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
        return [_row(day, day.isoformat(), found.get(day, empty)) for day in days]
    labels, standing = _labels(group, list(found), membership.account)
    rows = [
        _row(key, labels.get(key, str(key)), figures, standing.get(key))
        for key, figures in found.items()
    ]
    return sorted(rows, key=lambda row: (-row.leads, row.key is None, row.label, str(row.key)))


def report_totals(membership, *, start, end, **filters) -> Row:
    """The whole period as one row (`key` None, label "Total")."""
    leads = report_leads(membership, start=start, end=end, **filters)
    if _uses_percentile():
        figures = leads.aggregate(**FIGURES, median=Median("first_response_s"))
    else:
        figures = leads.aggregate(**FIGURES)
        everything = Value(1, output_field=IntegerField())
        figures["median"] = _medians(leads, everything).get(1)
    return _row(None, "Total", figures)
