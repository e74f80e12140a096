"""JSON API for pipelines and deals under /v1/ (the same forms and services as the pages)."""

from django.core.exceptions import ValidationError

from campaignhub.api import (
    CURSOR_KEYS,
    ApiProblem,
    api_view,
    form_problem,
    ok,
    page_or_cursor,
    query_form,
    refuse_unknown_query,
)
from campaignhub.tenancy import get_for_account_or_404
from crm import deals, pipelines
from crm.deal_forms import DealFilterForm, DealForm
from crm.models import Deal
from crm.schemas_deals import DealPatchBody

NOT_FOUND = "Deal not found"
RELATED = ("pipeline", "stage", "owner", "contact", "campaign")


def pipeline_data(pipeline) -> dict:
    """`{id, name, stages: [{id, name, kind}]}`, stages in board order; kind is open|won|lost."""
    return {
        "id": pipeline.pk,
        "name": pipeline.name,
        "stages": [
            {"id": stage.pk, "name": stage.name, "kind": stage.kind}
            for stage in pipeline.stages.all()
        ],
    }


def _person(user):
    return {"id": user.pk, "name": user.get_full_name()} if user else None


def deal_data(deal) -> dict:
    """A deal as the API shows it; `value` is a number in `currency` (ISO 4217) or null,
    times are ISO 8601."""
    return {
        "id": deal.pk,
        "title": deal.title,
        "pipeline": {"id": deal.pipeline_id, "name": deal.pipeline.name},
        "stage": {"id": deal.stage_id, "name": deal.stage.name, "kind": deal.stage.kind},
        "value": float(deal.value) if deal.value is not None else None,
        "currency": deal.currency,
        "owner": _person(deal.owner),
        "contact": {"id": deal.contact_id, "name": str(deal.contact)} if deal.contact else None,
        "lead": deal.lead_id,
        "campaign": (
            {"id": deal.campaign_id, "campaign_name": deal.campaign.campaign_name}
            if deal.campaign
            else None
        ),
        "won_at": deal.won_at,
        "closed_at": deal.closed_at,
        "created_at": deal.created_at,
        "updated_at": deal.updated_at,
    }


@api_view("GET")
def pipeline_list(request):
    """`GET /v1/pipelines`: the account's pipelines in order, with their ordered stages (it
    takes no query parameters)."""
    refuse_unknown_query(request, ())
    return ok([pipeline_data(p) for p in pipelines.pipelines_of(request.account)])


@api_view("GET")
def deal_list(request):
    """`GET /v1/deals?pipeline=&stage=&owner=`: the deals one may see, newest first, paged
    (`page`/`per_page` or `cursor`); any other query key is a 400 naming it."""
    form = query_form(request, DealFilterForm, keys=CURSOR_KEYS, account=request.account)
    filters = form.cleaned_data
    rows, extra = page_or_cursor(request, deals.deal_list(request.membership, **filters))
    return ok([deal_data(row) for row in rows], **extra)


@api_view("GET", "PATCH", body={"PATCH": DealPatchBody})
def deal(request, deal_id):
    """`GET /v1/deals/<id>`; `PATCH` with any of `stage`, `value`, `owner`. A stage of another
    pipeline or account, or an owner who is not a member, is a 400 that changes nothing. A
    `stage` out of won clears the lead's revenue without asking, as the README documents (the
    pages ask first when winning the deal again would not bring it back)."""
    found = get_for_account_or_404(
        deals.deals_visible_to(request.membership).select_related(*RELATED),
        request.account,
        NOT_FOUND,
        pk=deal_id,
    )
    if request.method == "PATCH":
        # Who may not change the deal learns that first, whatever the body holds.
        deals.require_change(request.membership, found)
        changes = request.data
        form = DealForm.for_changes(found, changes)
        if not form.is_valid():
            raise form_problem(form)
        try:
            deals.update_deal(
                deal=found,
                changes={key: form.cleaned_data[key] for key in changes},
                actor=request.user,
                membership=request.membership,
            )
        except ValidationError as exc:
            errors = exc.message_dict
            raise ApiProblem(400, next(iter(errors.values()))[0], errors) from None
        # Read again as saved (a member who gave the deal away still sees the answer).
        found = Deal.objects.select_related(*RELATED).get(pk=found.pk)
    return ok(deal_data(found))
