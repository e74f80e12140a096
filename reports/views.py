"""The reports page: leads per day, by source, by campaign and per representative, as charts
with the same numbers in a table under each."""

from datetime import date

from django.utils import dateformat

from campaignhub.pages import page_or_partial
from campaignhub.tenancy import account_required
from campaigns.models import LeadSource
from reports import selectors
from reports.exports import export_links
from reports.forms import ReportForm

BRAND, WON, WARN = "#2952cc", "#12805c", "#b54708"


def _chart(kind, rows, datasets, unit="count", label=lambda row: row.label):
    """What `static/reports/reports.js` draws: `{type, unit, labels, datasets, empty}`, each
    dataset `{label, data, color, [type, axis, joined]}` with one value per row (None: no
    value; `joined` False draws a line dataset's values as points with no line between them);
    `label(row)` names a row on the axis (a day's ISO date reads "4 Nov", as pages write days).
    `empty` is true when there is nothing to draw (every value None, or zero for counts and
    money): the page then says so instead of drawing bare axes. A response time of 0 minutes
    is a value."""
    drawn = [{**options, "data": [value(row) for row in rows]} for value, options in datasets]
    values = [value for dataset in drawn for value in dataset["data"] if value is not None]
    return {
        "type": kind,
        "unit": unit,
        "labels": [label(row) for row in rows],
        "datasets": drawn,
        "empty": not values if unit == "minutes" else not any(values),
    }


def _axis_day(row):
    # The period's year is said above the chart; the axis gives day and month.
    return dateformat.format(date.fromisoformat(row.label), "j M")


def _minutes(row):
    seconds = row.median_first_response_s
    return None if seconds is None else round(seconds / 60, 1)


def _percent(row):
    return None if row.conversion is None else round(row.conversion * 100, 1)


def _charts(by_day, by_source, by_campaign, by_representative):
    leads = (lambda row: row.leads, {"label": "Leads", "color": BRAND})
    won = (lambda row: row.won, {"label": "Won", "color": WON})
    return {
        "leads_per_day": _chart("line", by_day, [leads, won], label=_axis_day),
        "leads_by_source": _chart("bar", by_source, [leads, won]),
        "leads_by_campaign": _chart("bar", by_campaign, [leads, won]),
        "revenue_by_campaign": _chart(
            "bar",
            by_campaign,
            [
                (lambda row: float(row.revenue), {"label": "Revenue", "color": WON}),
                (
                    _percent,
                    # Campaigns are unrelated categories: each rate is a point, none joined.
                    {
                        "label": "Conversion (%)",
                        "color": WARN,
                        "type": "line",
                        "axis": "percent",
                        "joined": False,
                    },
                ),
            ],
            unit="currency",
        ),
        "response_by_representative": _chart(
            "bar",
            by_representative,
            [(_minutes, {"label": "Median first response (min)", "color": BRAND})],
            unit="minutes",
            # Someone removed from the account reads "Max Doe (no longer a member)".
            label=lambda row: row.shown_label,
        ),
    }


@account_required
def report(request):
    """`/reports/?from=&to=&campaign=&source=&representative=` (see `ReportForm`); the last
    30 days of the account's time zone by default. A bad period or filter answers 400 with
    the form's errors and no figures."""
    membership = request.membership
    form = ReportForm(request.GET, membership=membership)
    context = {
        "form": form,
        "currency": request.account.currency,
        "sources": LeadSource.choices,
        "campaigns": form.fields["campaign"].queryset,
        "representatives": form.fields["representative"].queryset,
    }
    if not form.is_valid():
        return page_or_partial(
            request, "reports/report.html", context, partial="report", status=400
        )
    filters = form.report_filters()
    by_day = selectors.lead_report(membership, group="day", **filters)
    by_source = selectors.lead_report(membership, group="source", **filters)
    by_campaign = selectors.lead_report(membership, group="campaign", **filters)
    by_representative = selectors.lead_report(membership, group="representative", **filters)
    context.update(
        start=filters["start"],
        end=filters["end"],
        totals=selectors.report_totals(membership, **filters),
        by_day=by_day,
        by_source=by_source,
        by_campaign=by_campaign,
        by_representative=by_representative,
        charts=_charts(by_day, by_source, by_campaign, by_representative),
        exports=export_links(filters),
        filtered=any(filters[name] for name in ("campaign", "source", "representative")),
    )
    return page_or_partial(request, "reports/report.html", context, partial="report")
