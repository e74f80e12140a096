"""Admin for the CRM: contacts, pipelines with their stages, and deals."""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet

from campaignhub.admin import AccountScopedAdmin
from crm import pipelines
from crm.contacts import EDITABLE_FIELDS
from crm.models import Contact, Deal, Pipeline, Stage


@admin.register(Contact)
class ContactAdmin(AccountScopedAdmin):
    list_display = ["__str__", "account", "kind", "phone", "email", "company", "merged_into"]
    list_filter = ["kind"]
    search_fields = ["name", "company", "phone", "email"]
    list_select_related = ["account"]
    autocomplete_fields = ["account"]
    raw_id_fields = ["merged_into"]
    readonly_fields = ["edited_fields", "created_at", "updated_at"]
    show_full_result_count = False

    def save_model(self, request, obj, form, change):
        # A change made here is a staff edit like one on the contact page: leads never undo it.
        if change:
            edited = set(form.changed_data) & set(EDITABLE_FIELDS)
            obj.edited_fields = sorted(set(obj.edited_fields) | edited)
        super().save_model(request, obj, form, change)


class StageFormSet(BaseInlineFormSet):
    """A pipeline saved here follows the rules of Settings → Pipelines: it keeps an open, a
    won and a lost stage (`pipelines.NEEDED_KINDS`), and a stage holding deals, or where a
    live campaign opens its deals, keeps its kind and is not deleted (`pipelines.
    kind_change_refusal`, `deletion_refusal`), each refused with the same message."""

    def clean(self):
        # Before the inherited checks, whose refusal to delete a stage holding deals would
        # name them in Django's words instead.
        kinds = [
            form.cleaned_data.get("kind")
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        problems = []
        for form in self.initial_forms:
            if not form.cleaned_data or form.instance.pk is None:
                continue
            saved = Stage.objects.select_related("pipeline").get(pk=form.instance.pk)
            if form.cleaned_data.get("DELETE"):
                # A form marked for deletion is not validated on its own: say it for the set.
                refusal = pipelines.deletion_refusal(saved)
                if refusal:
                    problems.append(f"“{saved.name}”: {refusal}")
            elif form.cleaned_data.get("kind") != saved.kind:
                refusal = pipelines.kind_change_refusal(saved)
                if refusal:
                    form.add_error("kind", refusal)
        problems += pipelines.missing_kinds(kinds)
        if problems:
            raise ValidationError(problems)
        super().clean()


class StageInline(admin.TabularInline):
    model = Stage
    formset = StageFormSet
    extra = 0
    fields = ["position", "name", "kind"]
    ordering = ["position", "id"]


@admin.register(Pipeline)
class PipelineAdmin(AccountScopedAdmin):
    list_display = ["name", "account", "position", "created_at"]
    search_fields = ["name"]
    list_select_related = ["account"]
    autocomplete_fields = ["account"]
    inlines = [StageInline]


@admin.register(Stage)
class StageAdmin(AccountScopedAdmin):
    """Stages one by one; their kind is changed and a stage deleted on its pipeline's page
    (or in Settings → Pipelines), where the pipeline's other stages are checked too."""

    account_path = "pipeline__account"
    list_display = ["name", "pipeline", "kind", "position"]
    list_filter = ["kind"]
    search_fields = ["name", "pipeline__name"]
    list_select_related = ["pipeline"]
    autocomplete_fields = ["pipeline"]

    def get_readonly_fields(self, request, obj=None):
        return ["pipeline", "kind"] if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Deal)
class DealAdmin(AccountScopedAdmin):
    list_display = ["title", "account", "pipeline", "stage", "value", "currency", "owner"]
    list_filter = ["stage__kind"]
    search_fields = ["title", "contact__name", "contact__company"]
    list_select_related = ["account", "pipeline", "stage", "owner"]
    autocomplete_fields = ["account", "pipeline", "stage", "contact", "campaign", "owner"]
    raw_id_fields = ["lead"]
    readonly_fields = ["won_at", "closed_at", "created_at", "updated_at"]
    show_full_result_count = False
