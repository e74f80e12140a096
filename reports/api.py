"""JSON API of reports: `GET /v1/reports/leads`."""

from campaignhub.api import api_view, ok, query_form
from reports import selectors
from reports.forms import ReportForm


@api_view("GET")
def leads(request):
    """`?from=YYYY-MM-DD&to=YYYY-MM-DD&group=day|source|campaign|representative` with the
    optional filters `campaign`, `source` and `representative` (see `ReportForm`) ->
    `data: [{key, label, leads, won, revenue, conversion, median_first_response_s}]`, with
    `is_member` too in the representative group (see `selectors.Row`), plus `currency` (the
    account's, of every revenue) and `period` (`{"from", "to"}`, as applied). Bad dates,
    `from` after `to`, a period over 366 days, an unknown group or filter value, a query key
    it does not take: 400 with `errors`."""
    form = query_form(request, ReportForm, membership=request.membership)
    filters = form.report_filters()
    group = form.cleaned_data["group"]
    rows = selectors.lead_report(request.membership, group=group, **filters)
    return ok(
        [row.as_json(group) for row in rows],
        currency=request.account.currency,
        period={"from": filters["start"].isoformat(), "to": filters["end"].isoformat()},
    )
