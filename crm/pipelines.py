"""Pipelines and their ordered stages: the default "Sales" pipeline every account starts with,
the admin's changes to them in Settings, and where a campaign's deals may start."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Prefetch
from django.urls import reverse

from campaignhub.cleaning import id_or_none
from campaigns.models import Campaign
from crm.models import Pipeline, Stage, StageKind

DEFAULT_PIPELINE = "Sales"
# The default pipeline's stages, in order (the New → Contacted → Qualified → Won / Lost).
DEFAULT_STAGES = [
    ("New", StageKind.OPEN),
    ("Contacted", StageKind.OPEN),
    ("Qualified", StageKind.OPEN),
    ("Won", StageKind.WON),
    ("Lost", StageKind.LOST),
]


# Reads


def pipelines_of(account):
    """The account's pipelines in order, each with `stages` prefetched in order."""
    return (
        Pipeline.objects.for_account(account)
        .order_by("position", "id")
        .prefetch_related(Prefetch("stages", queryset=Stage.objects.order_by("position", "id")))
    )


def pipeline_of(account, pipeline_id):
    """The account's pipeline with this id (an int or digit string), else None."""
    pk = as_id(pipeline_id)
    return Pipeline.objects.for_account(account).filter(pk=pk).first() if pk else None


def first_pipeline(account):
    return Pipeline.objects.for_account(account).order_by("position", "id").first()


def first_stage(pipeline, kind):
    """The pipeline's first stage of `kind` (a `StageKind`), or None."""
    return pipeline.stages.filter(kind=kind).order_by("position", "id").first()


def as_id(value):
    """A primary key from an id as campaigns store it (a string) or as JSON sends it (an int);
    None for anything else (blank, letters, an id of the old service)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 < value < 2**63 else None
    return id_or_none(value) or None


# The default pipeline


def create_default_pipeline(account) -> Pipeline:
    """Give `account` the default "Sales" pipeline (`DEFAULT_STAGES`) unless it has a pipeline
    already; returns the account's first pipeline either way."""
    with transaction.atomic():
        existing = first_pipeline(account)
        if existing is not None:
            return existing
        pipeline = Pipeline.objects.create(account=account, name=DEFAULT_PIPELINE, position=0)
        Stage.objects.bulk_create(
            Stage(pipeline=pipeline, name=name, kind=kind, position=position)
            for position, (name, kind) in enumerate(DEFAULT_STAGES)
        )
    return pipeline


def on_account_saved(*, instance, created, raw=False, **signal):
    """`post_save` of `Account`: every new account starts with the default pipeline, however
    it was made (sign-up service, demo, admin, tests). Accounts that existed before pipelines
    got theirs from migration crm 0002."""
    if created and not raw:
        create_default_pipeline(instance)


# Changes made by the account's admins (Settings → Pipelines)

LAST_PIPELINE = "An account keeps at least one pipeline."
NEEDS_OPEN_STAGE = "A pipeline needs at least one open stage."
NEEDS_WON_STAGE = (
    "A pipeline needs at least one won stage: a lead won from its page moves its deal there. "
    "Add another won stage first."
)
NEEDS_LOST_STAGE = (
    "A pipeline needs at least one lost stage: a lead lost from its page moves its deal there. "
    "Add another lost stage first."
)
# Each kind a pipeline always keeps a stage of, and what refusing to lose its last one says.
NEEDED_KINDS = {
    StageKind.OPEN: NEEDS_OPEN_STAGE,
    StageKind.WON: NEEDS_WON_STAGE,
    StageKind.LOST: NEEDS_LOST_STAGE,
}
KIND_LOCKED = (
    "This stage holds {deals}: its kind cannot change while they are there. "
    "Move them to another stage first."
)
STAGE_HOLDS_DEALS = (
    "This stage holds {deals} and cannot be deleted. Move them to another stage first."
)
PIPELINE_HOLDS_DEALS = (
    "This pipeline holds {deals} and cannot be deleted: a deal, open or closed, stays on the "
    "pipeline it was opened on. Rename the pipeline instead if it is no longer used as it is."
)
USED_BY_CAMPAIGN = "Campaign “{name}” opens its deals here: choose another {what} on it first."
NAME_TAKEN_PIPELINE = "Another pipeline of this account already has this name."
NAME_TAKEN_STAGE = "Another stage of this pipeline already has this name."


def _deals(count) -> str:
    return f"{count} deal" if count == 1 else f"{count} deals"


def _campaign_using(account, **ids):
    """A live campaign that opens its deals on this pipeline or stage (ids as it stores them)."""
    return (
        Campaign.objects.for_account(account)
        .filter(is_deleted=False, **{key: str(value) for key, value in ids.items()})
        .only("campaign_name")
        .first()
    )


def _save_named(instance, message):
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError:
        raise ValidationError({"name": message}) from None
    return instance


@transaction.atomic
def create_pipeline(*, account, name: str) -> Pipeline:
    """A new pipeline at the end of the account's list, with the default stages to rename or
    delete. Raises ValidationError (`name`) when the account already has a pipeline so named."""
    last = Pipeline.objects.for_account(account).order_by("-position").first()
    pipeline = _save_named(
        Pipeline(account=account, name=name, position=(last.position + 1) if last else 0),
        NAME_TAKEN_PIPELINE,
    )
    Stage.objects.bulk_create(
        Stage(pipeline=pipeline, name=stage_name, kind=kind, position=position)
        for position, (stage_name, kind) in enumerate(DEFAULT_STAGES)
    )
    return pipeline


def rename_pipeline(*, pipeline: Pipeline, name: str) -> Pipeline:
    """Raises ValidationError (`name`) when another pipeline of the account has that name."""
    pipeline.name = name
    return _save_named(pipeline, NAME_TAKEN_PIPELINE)


def _reorder(rows, moved, direction):
    """Swap `moved` with its neighbour in `direction` ("up"/"down") and renumber 0…n-1."""
    rows = list(rows)
    index = next(i for i, row in enumerate(rows) if row.pk == moved.pk)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(rows):
        rows[index], rows[other] = rows[other], rows[index]
    for position, row in enumerate(rows):
        if row.position != position:
            row.position = position
            row.save(update_fields=["position"])


@transaction.atomic
def move_pipeline(*, pipeline: Pipeline, direction: str) -> None:
    """Move the pipeline one place "up" or "down" in the account's list (first is default)."""
    siblings = Pipeline.objects.for_account(pipeline.account_id).select_for_update()
    _reorder(siblings.order_by("position", "id"), pipeline, direction)


@transaction.atomic
def delete_pipeline(*, pipeline: Pipeline) -> None:
    """Delete a pipeline and its stages. Raises ValidationError when it holds deals, when a
    live campaign opens its deals there, or when it is the account's last pipeline."""
    if Pipeline.objects.for_account(pipeline.account_id).count() <= 1:
        raise ValidationError(LAST_PIPELINE)
    count = pipeline.deals.count()
    if count:
        raise ValidationError(PIPELINE_HOLDS_DEALS.format(deals=_deals(count)))
    campaign = _campaign_using(pipeline.account_id, pipeline_id=pipeline.pk)
    if campaign is not None:
        raise ValidationError(USED_BY_CAMPAIGN.format(name=campaign.campaign_name, what="pipeline"))
    pipeline.delete()


def _open_stages(pipeline):
    return pipeline.stages.filter(kind=StageKind.OPEN)


def _last_of_its_kind(stage) -> str:
    """Why `stage` (as saved) may not leave its pipeline or change kind: the message of
    `NEEDED_KINDS` when it is the pipeline's only stage of its kind, else ""."""
    others = Stage.objects.filter(pipeline_id=stage.pipeline_id, kind=stage.kind)
    return NEEDED_KINDS[stage.kind] if not others.exclude(pk=stage.pk).exists() else ""


def missing_kinds(kinds) -> list[str]:
    """The messages of `NEEDED_KINDS` whose kind is not among `kinds` (a pipeline's stage
    kinds, as strings), in open, won, lost order."""
    kinds = set(kinds)
    return [message for kind, message in NEEDED_KINDS.items() if kind not in kinds]


@transaction.atomic
def closing_stage(pipeline: Pipeline, kind: str) -> Stage:
    """The pipeline's first stage of `kind` (won or lost), added at its end (named "Won" or
    "Lost", or "Won 2"… when taken) should it have none: a deal always has a stage that stands
    for its lead's won or lost outcome. Pipelines keep one (`update_stage`, `delete_stage`,
    migration crm 0004), so adding one here only mends a pipeline changed around those rules
    (the database by hand)."""
    Pipeline.objects.select_for_update().get(pk=pipeline.pk)
    found = first_stage(pipeline, kind)
    if found is not None:
        return found
    label = StageKind(kind).label
    taken = set(pipeline.stages.values_list("name", flat=True))
    name = next(
        candidate
        for candidate in (label, *(f"{label} {n}" for n in range(2, 1000)))
        if candidate not in taken
    )
    last = pipeline.stages.order_by("-position").first()
    return Stage.objects.create(
        pipeline=pipeline, name=name, kind=kind, position=(last.position + 1) if last else 0
    )


@transaction.atomic
def add_stage(*, pipeline: Pipeline, name: str, kind: str) -> Stage:
    """A new stage at the end of the pipeline. Raises ValidationError (`name`) on a name the
    pipeline already has."""
    last = pipeline.stages.order_by("-position").first()
    stage = Stage(
        pipeline=pipeline, name=name, kind=kind, position=(last.position + 1) if last else 0
    )
    return _save_named(stage, NAME_TAKEN_STAGE)


@transaction.atomic
def update_stage(*, stage: Stage, name: str, kind: str) -> Stage:
    """Rename a stage and set its kind (`StageKind`). Raises ValidationError when the name is
    taken in the pipeline, or when its kind would change while it holds deals (their won/closed
    times and their leads' outcomes were recorded for the old kind), while a live campaign
    opens its deals there (deals start in an open stage), or when it is the pipeline's last
    open, won or lost stage (`NEEDED_KINDS`: a lead won or lost from its page moves its deal to
    such a stage)."""
    Pipeline.objects.select_for_update().get(pk=stage.pipeline_id)
    current = Stage.objects.get(pk=stage.pk)
    if kind != current.kind:
        refusal = (
            _holds_deals(current, KIND_LOCKED)
            or _last_of_its_kind(current)
            or _used_by_campaign(current)
        )
        if refusal:
            raise ValidationError({"kind": refusal})
    stage.name = name
    stage.kind = kind
    return _save_named(stage, NAME_TAKEN_STAGE)


@transaction.atomic
def move_stage(*, stage: Stage, direction: str) -> None:
    """Move the stage one place "up" or "down" in its pipeline (columns go left to right)."""
    Pipeline.objects.select_for_update().get(pk=stage.pipeline_id)
    _reorder(
        Stage.objects.filter(pipeline_id=stage.pipeline_id).order_by("position", "id"),
        stage,
        direction,
    )


@transaction.atomic
def delete_stage(*, stage: Stage) -> None:
    """Delete a stage. Raises ValidationError when it holds deals, when a live campaign opens
    its deals there, or when it is the pipeline's last open, won or lost stage."""
    Pipeline.objects.select_for_update().get(pk=stage.pipeline_id)
    refusal = (
        _holds_deals(stage, STAGE_HOLDS_DEALS)
        or _last_of_its_kind(stage)
        or _used_by_campaign(stage)
    )
    if refusal:
        raise ValidationError(refusal)
    stage.delete()


def kind_change_refusal(stage) -> str:
    """Why the kind of `stage` (as saved) may not change now, "" when it may: it holds deals
    (`KIND_LOCKED`), or a live campaign opens its deals there (`USED_BY_CAMPAIGN`). For an
    edit of several stages at once (the admin's pipeline page), where whether the pipeline
    keeps a stage of each kind is checked over all of them (`missing_kinds`)."""
    return _holds_deals(stage, KIND_LOCKED) or _used_by_campaign(stage)


def deletion_refusal(stage) -> str:
    """Why `stage` may not be deleted now, "" when it may: it holds deals
    (`STAGE_HOLDS_DEALS`), or a live campaign opens its deals there (`USED_BY_CAMPAIGN`). For
    an edit of several stages at once, like `kind_change_refusal`."""
    return _holds_deals(stage, STAGE_HOLDS_DEALS) or _used_by_campaign(stage)


def _holds_deals(stage, message) -> str:
    count = stage.deals.count()
    return message.format(deals=_deals(count)) if count else ""


def _used_by_campaign(stage) -> str:
    campaign = _campaign_using(stage.pipeline.account_id, stage_id=stage.pk)
    if campaign is None:
        return ""
    return USED_BY_CAMPAIGN.format(name=campaign.campaign_name, what="stage")


def settings_rows(account):
    """The Settings page's pipelines, each stage carrying `deal_count`."""
    stages = Stage.objects.order_by("position", "id").annotate(deal_count=Count("deals"))
    return (
        Pipeline.objects.for_account(account)
        .order_by("position", "id")
        .prefetch_related(Prefetch("stages", queryset=stages))
    )


# Where a campaign's deals start: checked and offered for the campaign form (campaigns.forms)

NOT_OURS_PIPELINE = "Choose one of this account's pipelines."
NOT_OURS_STAGE = "Choose an open stage of the chosen pipeline."
STAGE_WITHOUT_PIPELINE = "Choose the pipeline of this stage too."


class CampaignDealTargets:
    """The pipeline and stage a campaign's deals start in (`Campaign.pipeline_id`/`stage_id`,
    strings holding our ids), registered with `campaigns.forms.register_deal_targets`."""

    def problems(self, account, pipeline_id, stage_id) -> dict[str, str]:
        """`{field: message}` for ids that are not the account's: a pipeline of another account
        (or no such id), a stage outside the chosen pipeline or not open (deals start open).
        Blank ids are not checked here (the form asks for them when `create_deal` is on)."""
        problems = {}
        pipeline = None
        if pipeline_id:
            pipeline = pipeline_of(account, pipeline_id)
            if pipeline is None:
                problems["pipeline_id"] = NOT_OURS_PIPELINE
        if stage_id:
            stage_pk = as_id(stage_id)
            if not pipeline_id:
                problems["stage_id"] = STAGE_WITHOUT_PIPELINE
            elif pipeline is not None and not (
                stage_pk and _open_stages(pipeline).filter(pk=stage_pk).exists()
            ):
                problems["stage_id"] = NOT_OURS_STAGE
        return problems

    def choices(self, account, pipeline_id) -> dict:
        """What the campaign page offers: `pipelines` `[(id, name)]` (ids as strings), the
        `selected` pipeline (`pipeline_id` when it is the account's; "" for none, which the
        page offers as "No pipeline"; the first when `pipeline_id` is None, a new campaign's
        proposal), the open `stages` `[(id, name)]` of that pipeline, and `stages_url`,
        answering the stage options of `?pipeline_id=`."""
        pipelines = list(pipelines_of(account))
        chosen = next((p for p in pipelines if p.pk == as_id(pipeline_id)), None)
        if pipeline_id is None and pipelines:
            chosen = pipelines[0]
        return {
            "pipelines": [(str(p.pk), p.name) for p in pipelines],
            "selected": str(chosen.pk) if chosen else "",
            "stages": stage_options(chosen),
            "stages_url": reverse("deal_stage_options"),
        }


def stage_options(pipeline) -> list[tuple[str, str]]:
    """`[(id, name)]` of the open stages a campaign's deals may start in, in order."""
    if pipeline is None:
        return []
    return [
        (str(stage.pk), stage.name)
        for stage in pipeline.stages.all()
        if stage.kind == StageKind.OPEN
    ]
