"""What a lead report is asked for: a period of days, a grouping and filters, for the page and
`GET /v1/reports/leads` alike."""

from datetime import date, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from campaignhub.fields import IsoDateField
from campaignhub.query import SingleValueFilterForm
from campaignhub.tenancy import account_zone
from campaigns import selectors as campaign_selectors
from campaigns.forms import CampaignChoiceField, MemberChoiceField
from campaigns.models import LeadSource
from reports.selectors import GROUPS, MAX_DAYS

DEFAULT_DAYS = 30
# Reports cover the years leads can have arrived in; beyond them a day has no bounds in every
# time zone.
EARLIEST = date(2000, 1, 1)
LATEST = date(2099, 12, 31)


def default_period(account) -> tuple[date, date]:
    """The last `DEFAULT_DAYS` days, today included, in the account's time zone."""
    today = timezone.localdate(timezone=account_zone(account))
    return today - timedelta(days=DEFAULT_DAYS - 1), today


class ReportForm(SingleValueFilterForm):
    """`from` and `to` (YYYY-MM-DD, days in the account's time zone, `to` included; the last
    30 days when both are left out, 30 days from or up to the one given, cut at `EARLIEST` or
    `LATEST`, the days either may name, so the period asked never runs past them), `group` (day,
    source, campaign or representative; day when left out) and the filters `campaign` (a
    campaign id one may see, deleted ones too; any other is `UNKNOWN_CAMPAIGN`), `source` (a
    `LeadSource`) and `representative` (the user id of a member of the account, or of someone
    removed from it who still holds one of its leads, `representatives_for_filter`; any other
    is `UNKNOWN_MEMBER`).

    The period runs at most `MAX_DAYS` days and `from` is not after `to`; each problem is an
    error on the field named (the API's 400 `errors`); a page's query giving a field more than
    once is an error of the whole form (`SingleValueFilterForm`). `cleaned_data` holds `start`
    and `end` (dates) for the report, beside the fields.
    """

    group = forms.ChoiceField(choices=[(group, group) for group in GROUPS], required=False)
    campaign = CampaignChoiceField(queryset=None, required=False)
    source = forms.ChoiceField(choices=[("", "Every source"), *LeadSource.choices], required=False)
    representative = MemberChoiceField(queryset=None, required=False)

    def __init__(self, *args, membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.membership = membership
        self.fields["campaign"].queryset = campaign_selectors.campaigns_visible_to(
            membership, include_deleted=True
        ).order_by("campaign_name", "id")
        self.fields["representative"].queryset = campaign_selectors.representatives_for_filter(
            membership.account
        )
        self.period = default_period(membership.account)

    def _clean_day(self, name):
        day = self.cleaned_data.get(name)
        if day is not None and not EARLIEST <= day <= LATEST:
            raise ValidationError(
                f"Choose a day between {EARLIEST.isoformat()} and {LATEST.isoformat()}.",
                code="out_of_range",
            )
        return day

    def clean_group(self):
        return self.cleaned_data["group"] or "day"

    def clean(self):
        data = super().clean()
        for name in ("from", "to"):
            if name not in self.errors:
                try:
                    data[name] = self._clean_day(name)
                except ValidationError as exc:
                    self.add_error(name, exc)
        if {"from", "to"} & set(self.errors):
            return data
        start, end = data.get("from"), data.get("to")
        if start is None and end is None:
            start, end = self.period
        elif start is None:
            start = max(end - timedelta(days=DEFAULT_DAYS - 1), EARLIEST)
        elif end is None:
            end = min(start + timedelta(days=DEFAULT_DAYS - 1), LATEST)
        if start > end:
            self.add_error("to", "The end of the period is before its start.")
        elif (end - start).days + 1 > MAX_DAYS:
            self.add_error("to", f"A report covers at most {MAX_DAYS} days.")
        else:
            data["start"], data["end"] = start, end
            self.period = (start, end)
        return data

    def report_filters(self) -> dict:
        """The keyword arguments of `reports.selectors` reads, from the valid form."""
        data = self.cleaned_data
        return {
            "start": data["start"],
            "end": data["end"],
            "campaign": data["campaign"],
            "source": data["source"],
            "representative": data["representative"],
        }


# `from` is a Python keyword, so the period's fields are declared by name, as the query
# string spells them, ahead of the others.
ReportForm.base_fields = {
    "from": IsoDateField(required=False, label="From"),
    "to": IsoDateField(required=False, label="To"),
    **ReportForm.base_fields,
}
