"""Deal pages: the board (columns per stage, moves by drag-and-drop or buttons), a deal's page,
the pipeline settings of the account's admins, and the campaign form's stage options."""

from functools import wraps

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from campaignhub.pages import gone, notify, page_or_partial, wants_partial
from campaignhub.tenancy import account_required
from crm import deals, pipelines
from crm.deal_forms import (
    BoardFilterForm,
    DealFilterForm,
    DealForm,
    MoveForm,
    OrderForm,
    PipelineForm,
    StageForm,
    owners_of,
)
from crm.models import Deal, Pipeline, Stage, StageKind


def _visible_deal(request, deal_id):
    try:
        return deals.deal_detail(request.membership, deal_id)
    except Deal.DoesNotExist:
        raise Http404("Deal not found") from None


def _board_filters(request, data):
    """(pipeline, owner id or None) a move posted from the board redraws it with (the filters
    it sends along): an unknown pipeline falls back to the account's first, an owner who is
    neither a member nor a former member owning some of its deals (`owners_of`) to anyone.
    The board itself refuses such filters (`board`)."""
    form = DealFilterForm(data)
    filters = form.cleaned_data if form.is_valid() else {}
    pipeline = pipelines.pipeline_of(request.account, filters.get("pipeline"))
    pipeline = pipeline or pipelines.first_pipeline(request.account)
    owner = filters.get("owner")
    if owner and not owners_of(request.account.pk).filter(pk=owner).exists():
        owner = None
    return pipeline, owner


def _board_context(request, pipeline, owner, *, problem="", form=None):
    owners = owners_of(request.account.pk)
    refused = form is not None and bool(form.errors)
    columns = (
        deals.board(request.membership, pipeline, owner=owner) if pipeline and not refused else []
    )
    return {
        "form": form,
        "pipelines": pipelines.pipelines_of(request.account),
        "pipeline": pipeline,
        "owners": owners,
        "owner": owner,
        "owner_name": next((p.get_full_name() for p in owners if p.pk == owner), ""),
        "columns": columns,
        "deal_count": sum(column.count for column in columns),
        "problem": problem,
    }


def _board_url(pipeline_id, owner=None):
    query = f"?pipeline={pipeline_id}" + (f"&owner={owner}" if owner else "")
    return reverse("deal_board") + query


@require_GET
@account_required
def board(request):
    """`/deals/?pipeline=&owner=`: one column per stage, each with its cards and totals.

    Filters it cannot use (`BoardFilterForm`: another account's or no pipeline or owner, text
    that is no id, a filter given twice) answer 400 naming them, as every list does, with no
    deals and a link back to the board unfiltered; they never show everyone's deals unsaid.
    A whole page is always served at the address of what it shows: `/deals/` (no pipeline
    given) redirects to `?pipeline=<first>[&owner=<asked>]`, since the page's filters are
    restored from the address (Back, Forward) and would otherwise show blank."""
    form = BoardFilterForm(request.GET, account=request.account)
    if not form.is_valid():
        pipeline = pipelines.pipeline_of(request.account, form.cleaned_data.get("pipeline"))
        context = _board_context(request, pipeline, form.cleaned_data.get("owner"), form=form)
        return page_or_partial(request, "crm/board.html", context, partial="board", status=400)
    pipeline = pipelines.pipeline_of(request.account, form.cleaned_data["pipeline"])
    pipeline = pipeline or pipelines.first_pipeline(request.account)
    owner = form.cleaned_data["owner"]
    shown = (str(pipeline.pk) if pipeline else "", str(owner) if owner else "")
    asked = (request.GET.get("pipeline", ""), request.GET.get("owner", ""))
    if pipeline and not wants_partial(request) and asked != shown:
        return redirect(_board_url(pipeline.pk, owner))
    context = _board_context(request, pipeline, owner)
    return page_or_partial(request, "crm/board.html", context, partial="board")


@require_POST
@account_required
def move(request, deal_id):
    """Move a deal to `stage` of its pipeline: the board's buttons and drag-and-drop. An htmx
    request gets the board again (with the page's filters, sent along); a plain form post is
    sent back to the board."""
    deal = _visible_deal(request, deal_id)
    deals.require_change(request.membership, deal)
    form = MoveForm(request.POST, deal=deal)
    problem = ""
    confirm = None
    if form.is_valid():
        try:
            deals.move_deal(
                deal=deal,
                stage=form.cleaned_data["stage"],
                actor=request.user,
                membership=request.membership,
                clear_revenue=False,
                confirmed_revenue=form.cleaned_data["clear_revenue"],
            )
        except deals.RevenueWouldClear as exc:
            problem = exc.messages[0]
            confirm = {"deal": deal, "stage": form.cleaned_data["stage"], "revenue": exc}
        except ValidationError as exc:
            problem = exc.messages[0]
    else:
        problem = next(iter(form.errors.values()))[0]
    status = 409 if confirm else 400 if problem else 200
    if wants_partial(request) or confirm:
        _, owner = _board_filters(request, request.POST)
        context = _board_context(request, deal.pipeline, owner, problem=problem)
        context["confirm"] = confirm
        if wants_partial(request):
            response = render(request, "crm/board.html#board", context, status=status)
            if problem:
                return response
            # Said in the page's live region: the card leaving its column is not seen by all.
            stage = form.cleaned_data["stage"].name
            return notify(response, f"Moved {deal.title} to {stage}.")
        return render(request, "crm/board.html", context, status=status)
    if problem:
        messages.error(request, problem)
    else:
        messages.success(request, f"“{deal.title}” moved to {form.cleaned_data['stage'].name}.")
    return redirect(_board_url(deal.pipeline_id, request.POST.get("owner", "")))


@account_required
def detail(request, deal_id):
    """A deal's page: its facts and lead, and the form to change stage, value and owner."""
    deal = _visible_deal(request, deal_id)
    form = DealForm(deal=deal)
    status = 200
    asked = False
    can_change = deals.may_change(request.membership, deal)
    if request.method == "POST":
        deals.require_change(request.membership, deal)
        form = DealForm(request.POST, deal=deal)
        if form.is_valid():
            try:
                deals.update_deal(
                    deal=deal,
                    changes=form.values(),
                    actor=request.user,
                    membership=request.membership,
                    clear_revenue=False,
                    confirmed_revenue=form.confirmed_clearing(),
                )
            except deals.RevenueWouldClear as exc:
                form.ask_to_clear_revenue(exc)
                asked = True
            except ValidationError as exc:
                for field, problems in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, problems)
            else:
                messages.success(request, "Deal saved.")
                if deals.deals_visible_to(request.membership).filter(pk=deal.pk).exists():
                    return redirect("deal_detail", deal_id=deal.pk)
                return redirect(_board_url(deal.pipeline_id))
        status = 409 if form.stale or asked else 400
    context = {
        "deal": deal,
        "form": form,
        "can_change": can_change,
        "opens": deals.opens(request.membership, deal),
    }
    return render(request, "crm/board_deal.html", context, status=status)


@require_GET
@account_required
def stage_options(request):
    """The `<option>`s of the open stages of `?pipeline_id=` (the account's), for the campaign
    form's stage select; none for a pipeline that is not the account's."""
    pipeline = pipelines.pipeline_of(request.account, request.GET.get("pipeline_id"))
    context = {"pipeline": pipeline, "stages": pipelines.stage_options(pipeline)}
    return render(request, "crm/pipelines_stage_options.html", context)


# Settings → Pipelines (account admins)


def _settings_page(request, *, problem=None, status=200):
    """The page; `problem` is (key, messages, on_name) shown where it happened: key "new" for
    the new-pipeline form, `pipeline-<id>`, `new-stage-<id>` (its add-stage form) or
    `stage-<id>`; `on_name` when the refused form was the one holding that name input (a
    rename, an add), whose input is then aria-invalid and names the messages (`*_name_problems`)."""
    key, errors, on_name = problem or ("", [], False)
    named = errors if on_name else []
    rows = list(pipelines.settings_rows(request.account))
    for pipeline in rows:
        pipeline.name_id = f"pipeline-{pipeline.pk}-name"
        pipeline.new_stage_name_id = f"new-stage-{pipeline.pk}-name"
        pipeline.problems = errors if key == f"pipeline-{pipeline.pk}" else []
        pipeline.name_problems = named if key == f"pipeline-{pipeline.pk}" else []
        pipeline.new_stage_problems = errors if key == f"new-stage-{pipeline.pk}" else []
        for stage in pipeline.stages.all():
            stage.name_id = f"stage-{stage.pk}-name"
            stage.problems = errors if key == f"stage-{stage.pk}" else []
            stage.name_problems = named if key == f"stage-{stage.pk}" else []
    context = {
        "pipelines": rows,
        "kinds": StageKind.choices,
        "new_pipeline_problems": errors if key == "new" else [],
        "posted": request.POST if problem else {},
    }
    return render(request, "crm/pipelines.html", context, status=status)


def _errors(form_or_exc):
    if isinstance(form_or_exc, ValidationError):
        return form_or_exc.messages
    return [message for messages_ in form_or_exc.errors.values() for message in messages_]


def _done(request, message):
    messages.success(request, message)
    return redirect("pipeline_settings")


def _refused(request, key, form_or_exc, *, on_name=False):
    return _settings_page(request, problem=(key, _errors(form_or_exc), on_name), status=400)


@account_required(admin=True)
def pipeline_settings(request):
    """GET: the account's pipelines and stages; POST: add a pipeline (with the default stages)."""
    if request.method != "POST":
        return _settings_page(request)
    form = PipelineForm(request.POST)
    if not form.is_valid():
        return _refused(request, "new", form, on_name=True)
    try:
        pipeline = pipelines.create_pipeline(
            account=request.account, name=form.cleaned_data["name"]
        )
    except ValidationError as exc:
        return _refused(request, "new", exc, on_name=True)
    return _done(request, f"Pipeline “{pipeline.name}” added.")


PIPELINE_GONE = "This pipeline is no longer in the account: it was deleted, perhaps in another tab."
STAGE_GONE = (
    "This stage is no longer in the account: it or its pipeline was deleted, perhaps in another "
    "tab."
)


class _NoLongerThere(Exception):
    """A pipeline or stage a settings form was posted for that is not (or no longer) in the
    account; its text says so."""


def _pipeline(request, pipeline_id):
    try:
        return Pipeline.objects.for_account(request.account).get(pk=pipeline_id)
    except Pipeline.DoesNotExist:
        raise _NoLongerThere(PIPELINE_GONE) from None


def _stage(request, stage_id):
    try:
        return Stage.objects.select_related("pipeline").get(
            pk=stage_id, pipeline__account=request.account
        )
    except Stage.DoesNotExist:
        raise _NoLongerThere(STAGE_GONE) from None


def _unless_gone(unsaved: str):
    """A pipeline settings view that, posted for a pipeline or stage deleted meanwhile (or
    never in the account), answers 404 on a page saying so and `unsaved` ("Your changes were
    not saved."), showing the name that was typed and linking back to the pipelines."""

    def decorate(view):
        @wraps(view)
        def answer(request, *args, **kwargs):
            try:
                return view(request, *args, **kwargs)
            except _NoLongerThere as exc:
                return gone(
                    request,
                    message=f"{exc} {unsaved}",
                    typed=[("Name", request.POST.get("name", ""))],
                    back_url=reverse("pipeline_settings"),
                    back_label="Pipelines",
                )

        return answer

    return decorate


UNSAVED = "Your changes were not saved."
UNCHANGED = "Nothing was changed."


@require_POST
@account_required(admin=True)
@_unless_gone(UNSAVED)
def pipeline_rename(request, pipeline_id):
    pipeline = _pipeline(request, pipeline_id)
    form = PipelineForm(request.POST)
    key = f"pipeline-{pipeline.pk}"
    if not form.is_valid():
        return _refused(request, key, form, on_name=True)
    try:
        pipelines.rename_pipeline(pipeline=pipeline, name=form.cleaned_data["name"])
    except ValidationError as exc:
        return _refused(request, key, exc, on_name=True)
    return _done(request, f"Pipeline renamed “{pipeline.name}”.")


@require_POST
@account_required(admin=True)
@_unless_gone(UNCHANGED)
def pipeline_move(request, pipeline_id):
    pipeline = _pipeline(request, pipeline_id)
    form = OrderForm(request.POST)
    if not form.is_valid():
        return _refused(request, f"pipeline-{pipeline.pk}", form)
    pipelines.move_pipeline(pipeline=pipeline, direction=form.cleaned_data["direction"])
    return _done(request, f"Pipeline “{pipeline.name}” moved {form.cleaned_data['direction']}.")


@require_POST
@account_required(admin=True)
@_unless_gone(UNCHANGED)
def pipeline_delete(request, pipeline_id):
    pipeline = _pipeline(request, pipeline_id)
    try:
        pipelines.delete_pipeline(pipeline=pipeline)
    except ValidationError as exc:
        return _refused(request, f"pipeline-{pipeline.pk}", exc)
    return _done(request, f"Pipeline “{pipeline.name}” deleted.")


@require_POST
@account_required(admin=True)
@_unless_gone("The stage was not added.")
def stage_add(request, pipeline_id):
    pipeline = _pipeline(request, pipeline_id)
    form = StageForm(request.POST)
    key = f"new-stage-{pipeline.pk}"
    if not form.is_valid():
        return _refused(request, key, form, on_name=True)
    try:
        stage = pipelines.add_stage(pipeline=pipeline, **form.cleaned_data)
    except ValidationError as exc:
        return _refused(request, key, exc, on_name=True)
    return _done(request, f"Stage “{stage.name}” added to {pipeline.name}.")


@require_POST
@account_required(admin=True)
@_unless_gone(UNSAVED)
def stage_edit(request, stage_id):
    stage = _stage(request, stage_id)
    form = StageForm(request.POST)
    key = f"stage-{stage.pk}"
    if not form.is_valid():
        return _refused(request, key, form, on_name=True)
    try:
        pipelines.update_stage(stage=stage, **form.cleaned_data)
    except ValidationError as exc:
        return _refused(request, key, exc, on_name=True)
    return _done(request, f"Stage “{stage.name}” saved.")


@require_POST
@account_required(admin=True)
@_unless_gone(UNCHANGED)
def stage_move(request, stage_id):
    stage = _stage(request, stage_id)
    form = OrderForm(request.POST)
    if not form.is_valid():
        return _refused(request, f"stage-{stage.pk}", form)
    pipelines.move_stage(stage=stage, direction=form.cleaned_data["direction"])
    return _done(request, f"Stage “{stage.name}” moved {form.cleaned_data['direction']}.")


@require_POST
@account_required(admin=True)
@_unless_gone(UNCHANGED)
def stage_delete(request, stage_id):
    stage = _stage(request, stage_id)
    try:
        pipelines.delete_stage(stage=stage)
    except ValidationError as exc:
        return _refused(request, f"stage-{stage.pk}", exc)
    return _done(request, f"Stage “{stage.name}” deleted.")
