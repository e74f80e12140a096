"""Input validation for deals, the board and the pipeline settings, for pages and API alike."""

from django import forms
from django.db.models import OuterRef, Q

from campaignhub.concurrency import SeenVersionForm
from campaignhub.fields import DigitsIntegerField, IdChoiceField, MoneyField, NameField
from campaignhub.models import User, member_exists
from campaignhub.query import SingleValueFilterForm
from crm.models import Deal, Stage, StageKind

NOT_A_MEMBER = "The owner must be a member of the account."
NOT_AN_OWNER = "Choose a member of this account."
SPOILT_CONFIRMATION = (
    "This move's confirmation to clear the lead's revenue is not one we asked for. "
    "Move the deal again."
)


MAX_ID = 2**63 - 1


class StageChoiceField(IdChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class MemberChoiceField(IdChoiceField):
    def label_from_instance(self, obj):
        return owner_label(obj)


def owner_label(user) -> str:
    """A person as owner choices name them: "<name> (no longer a member)" for someone who
    left the account (`is_member` False, see `owners_of`)."""
    name = user.get_full_name()
    return name if getattr(user, "is_member", True) else f"{name} (no longer a member)"


def _people(account_id):
    return User.objects.annotate(
        is_member=member_exists(account=account_id, user=OuterRef("pk"))
    ).order_by("name", "email")


def owners_of(account_id):
    """Whom the account's deals can be filtered on, by name then email, each with `is_member`:
    its members, and former members who still own one of its deals (a deal keeps its owner
    when they leave, so their deals can be found and given to someone else)."""
    former = Deal.objects.filter(account_id=account_id).values("owner_id")
    return _people(account_id).filter(Q(is_member=True) | Q(pk__in=former))


def owner_choices(deal):
    """Whom `deal` can be given to, each with `is_member`: the account's members, and its
    current owner even if they left the account, so a save that leaves the owner alone keeps
    them; nobody else who left can be chosen."""
    return _people(deal.account_id).filter(Q(is_member=True) | Q(pk=deal.owner_id or 0))


def editable_values(deal) -> dict:
    """What staff change on a deal, as `DealForm` takes it: {"stage": id, "value": Decimal or
    None, "owner": id or None}."""
    return {"stage": deal.stage_id, "value": deal.value, "owner": deal.owner_id}


class DealForm(SeenVersionForm):
    """What staff change on a deal: its stage (one of its own pipeline), value (>= 0, in the
    deal's currency) and owner (a member of the account, its owner as it stands even if they
    left the account, or none). From the deal's page, a save
    drawn before the deal last changed is refused (`SeenVersionForm`, HTTP 409)."""

    what = "deal"

    stage = StageChoiceField(
        queryset=Stage.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": "Choose a stage of this deal's pipeline."},
    )
    value = MoneyField(max_digits=12, decimal_places=2, min_value=0, required=False)
    owner = MemberChoiceField(
        queryset=User.objects.none(),
        required=False,
        empty_label="No owner",
        error_messages={"invalid_choice": NOT_A_MEMBER},
    )
    # Set once the page has asked whether moving the deal out of won may clear its lead's
    # revenue (`crm.deals.RevenueWouldClear`) to the revenue it named ("USD 300.00"): saving
    # again confirms clearing that one, and asks again should the lead's revenue differ by then.
    # A value no page draws (too long, a NUL) is refused with a message the board can show.
    clear_revenue = forms.CharField(
        required=False,
        max_length=40,
        widget=forms.HiddenInput,
        error_messages={
            code: SPOILT_CONFIRMATION for code in ("max_length", "null_characters_not_allowed")
        },
    )

    def __init__(self, *args, deal, **kwargs):
        super().__init__(*args, **kwargs)
        self.deal = deal
        self.fields["stage"].queryset = Stage.objects.filter(pipeline_id=deal.pipeline_id).order_by(
            "position", "id"
        )
        self.fields["owner"].queryset = owner_choices(deal)
        self.track(deal)

    def current_values(self) -> dict:
        return editable_values(self.deal)

    def values(self) -> dict:
        """The deal's changes, without the confirmation (`confirmed_clearing`)."""
        return {key: value for key, value in super().values().items() if key != "clear_revenue"}

    def confirmed_clearing(self) -> str:
        """The revenue the person confirmed clearing ("USD 300.00"), "" before being asked."""
        return self.cleaned_data.get("clear_revenue") or ""

    def ask_to_clear_revenue(self, problem):
        """Show `problem` (a `RevenueWouldClear`) on the stage and make the next save of the
        form as drawn confirm clearing the revenue it names, and only that one."""
        self.add_error(
            "stage", [*problem.messages, "Save again to move the deal and clear the revenue."]
        )
        self.data = self.data.copy()
        self.data["clear_revenue"] = problem.confirmation

    @classmethod
    def for_changes(cls, deal, changes: dict):
        """A form bound to the deal as it stands with `changes` (JSON values, None for empty)
        on top, so a partial change is checked against the rest of the deal."""
        data = {**editable_values(deal), **changes}
        return cls(
            data={key: "" if value is None else value for key, value in data.items()}, deal=deal
        )


class MoveForm(forms.Form):
    """A move on the board (drag-and-drop or a button): the stage the deal goes to, and the
    lead's revenue the person confirmed clearing ("USD 300.00", see `DealForm`), if asked."""

    stage = DealForm.base_fields["stage"]
    clear_revenue = DealForm.base_fields["clear_revenue"]

    def __init__(self, *args, deal, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].queryset = Stage.objects.filter(pipeline_id=deal.pipeline_id)


class DealFilterForm(forms.Form):
    """Filters of the board and of `GET /v1/deals`: ids of a pipeline, a stage, an owner.

    With `account`, an id that is not one of the account's (a pipeline, a stage, a member or a
    former member who still owns one of its deals, `owners_of`) is an error naming it, rather
    than a filter nothing passes.
    """

    pipeline = DigitsIntegerField(required=False, min_value=1, max_value=MAX_ID)
    stage = DigitsIntegerField(required=False, min_value=1, max_value=MAX_ID)
    owner = DigitsIntegerField(required=False, min_value=1, max_value=MAX_ID)

    def __init__(self, *args, account=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.account = account

    def clean_pipeline(self):
        chosen = self.cleaned_data["pipeline"]
        if chosen and self.account and not self.account.pipelines.filter(pk=chosen).exists():
            raise forms.ValidationError("Choose one of this account's pipelines.")
        return chosen

    def clean_stage(self):
        chosen = self.cleaned_data["stage"]
        if chosen and self.account:
            stages = Stage.objects.filter(pipeline__account=self.account, pk=chosen)
            if not stages.exists():
                raise forms.ValidationError("Choose a stage of this account's pipelines.")
        return chosen

    def clean_owner(self):
        chosen = self.cleaned_data["owner"]
        if chosen and self.account and not owners_of(self.account.pk).filter(pk=chosen).exists():
            raise forms.ValidationError(NOT_AN_OWNER)
        return chosen


class BoardFilterForm(SingleValueFilterForm, DealFilterForm):
    """The board's filters (`/deals/?pipeline=&owner=`), checked against `account` as
    `GET /v1/deals` checks them: a pipeline or owner id that is not one of the account's, or
    is not written in digits, is an error naming it; a filter given twice is an error of the
    whole form (`SingleValueFilterForm`). The board has no stage filter (a column is a stage),
    so `stage` is not one of its fields."""

    stage = None


class PipelineForm(forms.Form):
    name = NameField(max_length=100)


class StageForm(forms.Form):
    name = NameField(max_length=100)
    kind = forms.ChoiceField(choices=StageKind.choices, initial=StageKind.OPEN)


class OrderForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", "Up"), ("down", "Down")])
