"""Report figures against the hand-counted month of tests/reports/conftest.py."""

from datetime import date
from decimal import Decimal

import pytest

from campaignhub.models import Membership
from reports import selectors

pytestmark = pytest.mark.django_db


def membership(tenant, user):
    return Membership.objects.select_related("account").get(account=tenant.account, user=user)


def figures(rows):
    return [
        (
            row.key,
            row.label,
            row.leads,
            row.won,
            row.revenue,
            row.conversion,
            row.median_first_response_s,
        )
        for row in rows
    ]


def report(month, group, user=None, **filters):
    who = membership(month.a, user or month.a.admin)
    return selectors.lead_report(who, group=group, start=month.start, end=month.end, **filters)


def test_per_day_in_the_account_time_zone(month):
    # L2 arrives at 23:30 in New York on the 1st, 04:30 UTC on the 2nd: it counts on the 1st.
    assert figures(report(month, "day")) == [
        (date(2025, 1, 1), "2025-01-01", 2, 1, Decimal("1000.00"), 0.5, 90.0),
        (date(2025, 1, 2), "2025-01-02", 2, 1, Decimal("250.50"), 0.5, 165.0),
        (date(2025, 1, 3), "2025-01-03", 2, 1, Decimal("100.00"), 0.5, 90.0),
    ]


def test_days_without_leads_are_zeros(month):
    who = membership(month.a, month.a.admin)
    rows = selectors.lead_report(who, group="day", start=date(2025, 1, 3), end=date(2025, 1, 5))
    assert figures(rows)[1:] == [
        (date(2025, 1, 4), "2025-01-04", 1, 1, Decimal("9.00"), 1.0, 5.0),
        (date(2025, 1, 5), "2025-01-05", 0, 0, Decimal("0.00"), None, None),
    ]


def test_the_period_bounds_are_local_midnights(month):
    # 23:59 on Dec 31 in New York is Jan 1 in UTC, and still outside; 00:00 on Jan 4 too.
    who = membership(month.a, month.a.admin)
    [dec_31] = selectors.lead_report(
        who, group="day", start=date(2024, 12, 31), end=date(2024, 12, 31)
    )
    assert (dec_31.leads, dec_31.revenue) == (1, Decimal("9.00"))
    assert selectors.report_totals(who, start=month.start, end=month.end).leads == 6


def test_per_source(month):
    assert figures(report(month, "source")) == [
        ("webhook", "Webhook", 3, 2, Decimal("350.50"), 0.6667, 60.0),
        ("form", "Form", 2, 1, Decimal("1000.00"), 0.5, 90.0),
        ("call", "Call", 1, 0, Decimal("0.00"), 0.0, 300.0),
    ]


def test_per_campaign(month):
    assert figures(report(month, "campaign")) == [
        (month.roofing.pk, "Roofing", 3, 1, Decimal("1000.00"), 0.3333, 120.0),
        (month.solar.pk, "Solar", 3, 2, Decimal("350.50"), 0.6667, 60.0),
    ]


def test_per_representative_with_the_unassigned_last(month):
    assert figures(report(month, "representative")) == [
        (month.a.member.pk, "Acme Agency Member", 3, 1, Decimal("1000.00"), 0.3333, 120.0),
        (month.a.admin.pk, "Acme Agency Admin", 2, 1, Decimal("250.50"), 0.5, 30.0),
        (None, "Unassigned", 1, 1, Decimal("100.00"), 1.0, 90.0),
    ]


def test_totals(month):
    totals = selectors.report_totals(
        membership(month.a, month.a.admin), start=month.start, end=month.end
    )
    assert (totals.leads, totals.won, totals.revenue, totals.conversion) == (
        6,
        3,
        Decimal("1350.50"),
        0.5,
    )
    # Five responses: 30, 60, 90, 120, 300.
    assert totals.median_first_response_s == 90.0


def test_revenue_of_a_lost_lead_does_not_count(month):
    # L2 carries 500.00 but was lost.
    [jan_1] = report(month, "day")[:1]
    assert jan_1.revenue == Decimal("1000.00")


def test_filters_narrow_every_figure(month):
    assert figures(report(month, "campaign", campaign=month.solar)) == [
        (month.solar.pk, "Solar", 3, 2, Decimal("350.50"), 0.6667, 60.0),
    ]
    assert [row.key for row in report(month, "campaign", source="call")] == [month.roofing.pk]
    by_rep = report(month, "representative", representative=month.a.admin)
    assert figures(by_rep) == [
        (month.a.admin.pk, "Acme Agency Admin", 2, 1, Decimal("250.50"), 0.5, 30.0)
    ]
    assert [row.leads for row in report(month, "day", source="form")] == [2, 0, 0]


def test_a_member_counts_only_the_leads_they_may_see(month):
    # The member represents Roofing, not Solar.
    rows = report(month, "campaign", user=month.a.member)
    assert [(row.label, row.leads) for row in rows] == [("Roofing", 3)]
    totals = selectors.report_totals(
        membership(month.a, month.a.member), start=month.start, end=month.end
    )
    assert (totals.leads, totals.won, totals.revenue) == (3, 1, Decimal("1000.00"))


def test_a_member_sees_a_lead_assigned_to_them_on_another_campaign(month):
    from campaigns.models import Lead

    Lead.objects.filter(pk=month.leads.l4.pk).update(representative=month.a.member)
    rows = report(month, "campaign", user=month.a.member)
    assert [(row.label, row.leads, row.won) for row in rows] == [("Roofing", 3, 1), ("Solar", 1, 1)]


def test_another_account_counts_nothing_of_this_one(month):
    who = membership(month.b, month.b.admin)
    totals = selectors.report_totals(who, start=month.start, end=month.end)
    assert (totals.leads, totals.revenue) == (1, Decimal("7777.00"))


def test_the_database_does_the_counting(month, django_assert_max_num_queries):
    who = membership(month.a, month.a.admin)
    # One aggregate query per report (plus one for medians on SQLite and one for labels).
    with django_assert_max_num_queries(3):
        selectors.lead_report(who, group="campaign", start=month.start, end=month.end)


def test_an_unknown_group_is_refused(month):
    with pytest.raises(ValueError):
        report(month, "week")
