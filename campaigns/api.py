"""JSON API for campaigns and leads (the shapes and messages of the inbound campaign service)."""

from django.core.exceptions import ValidationError
from django.db import transaction

from campaignhub.api import (
    CURSOR_KEYS,
    PAGE_KEYS,
    ApiProblem,
    api_view,
    form_problem,
    ok,
    page_or_cursor,
    paginate,
    query_form,
    refuse_unknown_query,
    validated,
)
from campaignhub.paging import BY_CREATED
from campaignhub.tenancy import get_for_account_or_404
from campaigns import assignment, outcomes, permissions, selectors, services, sources
from campaigns.forms import (
    CampaignFilterForm,
    CampaignForm,
    LeadAssignForm,
    LeadFilterForm,
    LeadOutcomeForm,
    TrackingNumberQueryForm,
)
from campaigns.schemas import CampaignBody, LeadOutcomeBody
from campaigns.serializers import campaign_data, campaign_with_warnings, lead_data, writable_data

NOT_FOUND = "Campaign not found"
# Page numbers reach this many rows into a list; deeper rows are read by cursor, whose cost
# does not grow with depth.
NUMBERED_ROWS = 1000


def lead_filters(request, *, keys=()) -> dict:
    """`GET /v1/leads` and its export's filters, cleaned (`LeadFilterForm`): a campaign the
    caller cannot see (another member's, another account's, none at all), or a representative
    who is not a member of the account (nor holds one of its leads), is a 400 naming it,
    as on the lead list page, rather than an empty list; one they see that was deleted is a
    filter like any (its leads stay listed), as in reports. Any query key but the filters and
    `keys` (the list's paging) is a 400 naming it."""
    visible = selectors.campaigns_visible_to(request.membership, include_deleted=True)
    return query_form(
        request, LeadFilterForm, keys=keys, campaigns=visible, account=request.account
    ).cleaned_data


def _save(save, **kwargs):
    try:
        return save(**kwargs)
    except services.DuplicateTrackingNumber as exc:
        raise ApiProblem(409, str(exc)) from None
    except sources.LinkRefused as exc:
        # Another save took the linked record after the form was checked; nothing was saved.
        errors = exc.message_dict
        raise ApiProblem(400, next(iter(errors.values()))[0], errors=errors) from None


@api_view("GET", "POST", body=CampaignBody)
def campaigns(request):
    if request.method == "POST":
        if request.data["campaigndata"].get("is_deleted") is True:
            message = "A campaign cannot be created deleted."
            raise ApiProblem(400, message, errors={"is_deleted": [message]})
        _refuse_other_links(request.data["campaigndata"])
        form = validated(
            CampaignForm,
            request.data["campaigndata"],
            account=request.account,
            viewer=request.membership,
        )
        campaign = _save(
            services.create_campaign,
            account=request.account,
            owner=request.user,
            data=form.cleaned_data,
            actor=request.membership,
        )
        return ok(campaign_with_warnings(campaign), status=201)
    filters = query_form(request, CampaignFilterForm, keys=CURSOR_KEYS).cleaned_data
    known = (
        None
        if filters["search"]
        else selectors.matching_count(
            selectors.tally_rows(request.membership),
            integration=filters["integration"],
            status=filters["status"],
        )
    )
    rows, extra = page_or_cursor(
        request,
        selectors.campaign_list(request.membership, **filters).prefetch_related(
            "assignments__user"
        ),
        count=known,
        max_rows=NUMBERED_ROWS,
        keyset=BY_CREATED,
    )
    return ok([campaign_data(row) for row in rows], **extra)


def _refuse_other_links(data, *, integration=""):
    """A link key (`sources.SourceLink.key`, e.g. `invoca_campaign_id`) sent with a value for a
    campaign whose lead source (`data`'s integration, else `integration`, the campaign's) does
    not take it is a 400, not a value dropped without a word."""
    source = data.get("integration") or integration
    for link in sources.LINKS.values():
        if link.integration != source and data.get(link.key) not in (None, ""):
            message = f"Only {link.integration} campaigns take {link.key}; this one is {source}."
            raise ApiProblem(400, message, errors={link.key: [message]})


def _visible(request, campaign_id, *, lock=False):
    campaigns = selectors.campaigns_visible_to(request.membership).select_related("owner")
    if lock:
        campaigns = campaigns.select_related("account").select_for_update(of=("self",))
    return get_for_account_or_404(campaigns, request.account, NOT_FOUND, pk=campaign_id)


@api_view("GET", "PUT", "DELETE", body={"PUT": CampaignBody})
def campaign(request, campaign_id):
    if request.method == "PUT":
        return ok([campaign_with_warnings(_update(request, campaign_id))])
    found = _visible(request, campaign_id)
    if request.method == "GET":
        return ok(campaign_with_warnings(found))
    deleted = services.delete_campaign(campaign=found, actor=request.membership)
    return ok(campaign_data(deleted))


@api_view("POST")
def held_leads(request, campaign_id):
    """Capture what reached the campaign while it was paused (its `held` count), oldest first:
    202 `{"queued": n}`, n deliveries (repeats of a lead included); 409 while it is paused; 403
    for who may not edit it."""
    found = _visible(request, campaign_id)
    try:
        queued = services.capture_held_leads(campaign=found, actor=request.membership)
    except services.CampaignPaused as exc:
        raise ApiProblem(409, str(exc)) from None
    return ok({"queued": queued}, status=202)


def _update(request, campaign_id):
    """Validate and apply a PUT under the campaign's row lock, so no other change slips in
    between the check and the write; committed (and its live row sent) before the answer is
    built."""
    changes = request.data["campaigndata"]
    with transaction.atomic():
        found = _visible(request, campaign_id, lock=True)
        _refuse_other_links(changes, integration=found.integration)
        # Validate the campaign as it would be after the change, so rules that tie fields
        # together (a CallRail campaign needs a number) hold for partial updates too.
        form = CampaignForm(
            data={**writable_data(found), **changes},
            account=request.account,
            campaign=found,
            viewer=request.membership,
        )
        if not form.is_valid():
            raise form_problem(form)
        cleaned = {key: form.cleaned_data[key] for key in changes}
        return _save(
            services.update_campaign,
            campaign=found,
            changes=cleaned,
            actor=request.membership,
            locked=True,
        )


@api_view("GET")
def filters(request):
    refuse_unknown_query(request, ())
    return ok(selectors.filter_counts(selectors.tally_rows(request.membership)))


@api_view("GET")
def tracking_numbers(request):
    integration = query_form(request, TrackingNumberQueryForm, keys=PAGE_KEYS).cleaned_data["type"]
    rows, pagination = paginate(
        request,
        selectors.tracking_numbers(request.membership, integration),
        count=selectors.tracking_number_count(request.membership, integration),
    )
    return ok(
        [
            {
                "tracking_number": row["tracking_number"],
                "campaign_id": row["id"],
                "campaign_name": row["campaign_name"],
            }
            for row in rows
        ],
        pagination=pagination,
    )


@api_view("GET")
def leads(request):
    filters = lead_filters(request, keys=CURSOR_KEYS)
    rows, extra = page_or_cursor(request, selectors.lead_list(request.membership, **filters))
    return ok([lead_data(row) for row in rows], **extra)


@api_view("GET", "PATCH", body={"PATCH": LeadOutcomeBody})
def lead(request, lead_id):
    """GET one lead; PATCH `{status?, revenue?, representative?}` sets what became of it
    (`LeadOutcomeForm`, `outcomes.set_outcome`), for who `permissions.may_set_outcome` allows,
    and who works it (`LeadAssignForm`, `assignment.assign_lead`), for the campaign's owner
    and admins (else 403; see `_patch_lead`)."""
    found = get_for_account_or_404(
        selectors.leads_visible_to(request.membership),
        request.account,
        "Lead not found",
        pk=lead_id,
    )
    if request.method == "PATCH":
        _patch_lead(request, found)
        found = selectors.leads_visible_to(request.membership).get(pk=found.pk)
    return ok(lead_data(found))


NOTHING_TO_CHANGE = "Send a status, a revenue, a representative, or several of them."


def _patch_lead(request, lead):
    """Apply a lead PATCH: `representative` through `assignment.assign_lead` (who may choose
    it: `permissions.Action.ASSIGN_LEADS`), `status`/`revenue` through `outcomes.set_outcome`
    (`permissions.may_set_outcome`). Both rights are checked first and the whole PATCH is one
    transaction, so a refusal or a 400 on any field changes nothing."""
    if not request.data:
        raise ApiProblem(400, NOTHING_TO_CHANGE, errors={"non_field_errors": [NOTHING_TO_CHANGE]})
    outcome = {key: value for key, value in request.data.items() if key != "representative"}
    assigning = "representative" in request.data
    if assigning:
        permissions.require(request.membership, lead.campaign, permissions.Action.ASSIGN_LEADS)
    if outcome or not assigning:
        permissions.require_outcome(request.membership, lead)
    with transaction.atomic():
        if assigning:
            form = validated(LeadAssignForm, {"representative": request.data["representative"]})
            try:
                assignment.assign_lead(
                    lead=lead,
                    user_id=form.cleaned_data["representative"],
                    actor=request.membership,
                )
            except ValidationError as exc:
                raise ApiProblem(
                    400, exc.messages[0], errors={"representative": exc.messages}
                ) from None
        if outcome or not assigning:
            form = validated(LeadOutcomeForm, outcome, lead=lead)
            outcomes.set_outcome(lead=lead, actor=request.user, via="lead", **form.changes())
