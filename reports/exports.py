"""The reports' CSV: one report table (per day, source, campaign or representative) with the
page's period and filters, streamed for the page (session) and `GET /v1/reports/leads/export`
(session or token)."""

from decimal import Decimal
from urllib.parse import urlencode

from django.urls import reverse

from campaignhub.api import api_view, query_form
from campaignhub.csv_export import bad_filter, csv_response
from campaignhub.tenancy import account_required
from reports import selectors
from reports.forms import ReportForm

CENTS = Decimal("0.01")
# The columns naming a row, per group; the figures follow (`header`).
KEY_COLUMNS = {
    "day": ("Day",),
    "source": ("Source",),
    "campaign": ("Campaign ID", "Campaign"),
    "representative": ("Representative ID", "Representative"),
}


# After the figures of the representative table, so the columns before it stay where they were:
# whether the person is a member of the account ("no" once removed, their leads staying theirs).
MEMBER_COLUMN = "Member of the account"


def header(group: str, currency: str) -> tuple[str, ...]:
    """The CSV's header for `group`: the columns naming the row, then Leads, Won,
    Conversion (%), Revenue (`currency`) and Median first response (s); the representative
    table ends with `MEMBER_COLUMN`."""
    columns = (
        *KEY_COLUMNS[group],
        "Leads",
        "Won",
        "Conversion (%)",
        f"Revenue ({currency})",
        "Median first response (s)",
    )
    return (*columns, MEMBER_COLUMN) if group == "representative" else columns


def percent_text(share: float) -> str:
    """A share (0.2105) as the CSV writes it, a percentage with one decimal always ("21.1",
    "26.0", "0.0"), the figure the reports page shows (`report_tags.percent`)."""
    return f"{share * 100:.1f}"


def row_values(group: str, row: selectors.Row) -> tuple:
    """One report row as the CSV's values: the day (ISO, the account's time zone), the source
    in words, or the campaign's or representative's id (empty: unassigned) and name; then
    leads, won, conversion in percent (`percent_text`: one decimal, as the page shows it;
    empty without leads), revenue (two
    decimals, of the won leads) and the median first response in seconds (empty when none);
    for a representative, then "yes" or "no" (removed from the account; empty: unassigned)."""
    if group == "day":
        key = (row.key.isoformat(),)
    elif group == "source":
        key = (row.label,)
    else:
        key = (row.key, row.label)
    conversion = None if row.conversion is None else percent_text(row.conversion)
    revenue = row.revenue.quantize(CENTS)
    values = (*key, row.leads, row.won, conversion, revenue, row.median_first_response_s)
    return (*values, row.is_member) if group == "representative" else values


def report_csv(request, form):
    """The CSV of `form`'s report (a valid `ReportForm`: group, period, filters) for
    `request.membership`, in the report's order, named
    `leads-by-<group>-<from>-to-<to>.csv` after the period (days in the account's time zone)."""
    group = form.cleaned_data["group"]
    filters = form.report_filters()
    rows = selectors.lead_report(request.membership, group=group, **filters)
    filename = f"leads-by-{group}-{filters['start']:%Y-%m-%d}-to-{filters['end']:%Y-%m-%d}.csv"
    return csv_response(
        request,
        filename,
        header(group, request.account.currency),
        rows,
        convert=lambda row: row_values(group, row),
    )


def export_links(filters: dict) -> dict[str, str]:
    """{group: the page's "Export CSV" link of that table}, each carrying `filters`
    (`ReportForm.report_filters()`) with the period written out, so the download is the period
    the page shows even when the page took the default one."""
    query = {"from": filters["start"].isoformat(), "to": filters["end"].isoformat()}
    if filters["campaign"] is not None:
        query["campaign"] = filters["campaign"].pk
    if filters["source"]:
        query["source"] = filters["source"]
    if filters["representative"] is not None:
        query["representative"] = filters["representative"].pk
    url = reverse("report_export")
    return {group: f"{url}?{urlencode({**query, 'group': group})}" for group in KEY_COLUMNS}


@account_required
def report_export(request):
    """`/reports/export/?group=&from=&to=&campaign=&source=&representative=`: the "Export CSV"
    links of the reports page (`ReportForm`; other parameters are ignored). Filters that do not
    validate download nothing: a 400 page naming them, with a link back to the reports."""
    form = ReportForm(request.GET, membership=request.membership)
    if not form.is_valid():
        return bad_filter(request, form, back=reverse("reports"), back_to="reports")
    return report_csv(request, form)


@api_view("GET")
def api_report_export(request):
    """`GET /v1/reports/leads/export`: the query of `GET /v1/reports/leads` (`group` day when
    left out), as CSV; a bad one is the same 400 envelope with `errors`."""
    return report_csv(request, query_form(request, ReportForm, membership=request.membership))
