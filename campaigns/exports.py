"""The leads CSV: the lead list's rows and filters as a streamed download, for the page (session)
and `GET /v1/leads/export` (session or token)."""

from django.urls import reverse
from django.utils import timezone

from campaignhub.api import api_view
from campaignhub.csv_export import FETCH_SIZE, bad_filter, csv_response
from campaignhub.tenancy import account_required, account_zone
from campaigns import selectors
from campaigns.api import lead_filters
from campaigns.forms import LeadFilterForm
from campaigns.models import LeadSource, LeadStatus

HEADER = (
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
    # Last, so the columns before it stay where they were.
    "Representative is a member",
)
FIELDS = (
    "id",
    "created_at",
    "campaign__campaign_name",
    "source",
    "name",
    "phone",
    "email",
    "status",
    "revenue",
    "representative__name",
    "representative__email",
    "message",
    "representative_is_member",
)
SOURCES = dict(LeadSource.choices)
STATUSES = dict(LeadStatus.choices)


def leads_csv(request, filters):
    """The CSV of the leads `request.membership` may see that pass `filters` (cleaned
    `LeadFilterForm` data, the same filters as the lead list), newest first.

    Columns: ID; created at (ISO 8601 in the account's time zone, with its offset); campaign
    name; source and status in words; name; phone (E.164); email; revenue (account currency,
    two decimals, empty when none); representative (name, else email); message; whether the
    representative is a member of the account ("yes", "no" once removed from it, the lead
    staying theirs; empty when nobody holds the lead).
    """
    zone = account_zone(request.account)
    rows = (
        selectors.lead_list(request.membership, **filters)
        .values_list(*FIELDS)
        .iterator(chunk_size=FETCH_SIZE)
    )

    def convert(row):
        pk, created, campaign, source, name, phone, email, status, revenue, *rest = row
        representative, representative_email, message, is_member = rest
        return (
            pk,
            created.astimezone(zone).isoformat(timespec="seconds"),
            campaign,
            SOURCES.get(source, source),
            name,
            phone,
            email,
            STATUSES.get(status, status),
            revenue,
            representative or representative_email or "",
            message,
            # Nobody holds the lead: its representative columns are null.
            None if representative_email is None else is_member,
        )

    filename = f"leads-{timezone.now().astimezone(zone):%Y-%m-%d}.csv"
    return csv_response(request, filename, HEADER, rows, convert=convert)


@api_view("GET")
def api_lead_export(request):
    """`GET /v1/leads/export?campaign=&representative=&search=&status=`: the lead list's filters
    (`api.lead_filters`); a bad filter is a 400 envelope naming it."""
    return leads_csv(request, lead_filters(request))


@account_required
def lead_export(request):
    """The "Export CSV" link of the leads page, carrying the page's filters (other parameters,
    such as the page number, are ignored)."""
    campaigns = selectors.campaigns_visible_to(request.membership, include_deleted=True)
    form = LeadFilterForm(request.GET, campaigns=campaigns, account=request.account)
    if not form.is_valid():
        return bad_filter(request, form, back=reverse("lead_list"), back_to="leads")
    return leads_csv(request, form.cleaned_data)
