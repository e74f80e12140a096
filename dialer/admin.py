"""Admin for the dialer's records (the API key is never shown; state is the dialer's to set)."""

from django.contrib import admin

from dialer.models import (
    AgentExtension,
    Contact,
    DialerAgent,
    DialerCampaign,
    DialerConnection,
    DialerEvent,
    DialerReceiver,
    LeadListUpload,
    UploadBatch,
)


@admin.register(DialerConnection)
class DialerConnectionAdmin(admin.ModelAdmin):
    list_display = ["account", "base_url", "last4", "created_at", "rejected_at", "deleted_at"]
    list_filter = ["deleted_at", "rejected_at"]
    search_fields = ["account__name", "base_url", "last4"]
    exclude = ["secret"]
    readonly_fields = ["account", "base_url", "last4", "created_at", "rejected_at", "deleted_at"]

    def has_add_permission(self, request):
        return False


@admin.register(DialerReceiver)
class DialerReceiverAdmin(admin.ModelAdmin):
    list_display = ["account"]
    search_fields = ["account__name"]
    readonly_fields = ["account", "webhook_token"]


@admin.register(AgentExtension)
class AgentExtensionAdmin(admin.ModelAdmin):
    """Change extensions on the Dialer → Extensions page: it moves the agents on the dialer."""

    list_display = ["extension", "membership", "account", "updated_at"]
    search_fields = ["extension", "membership__user__email", "account__name"]
    readonly_fields = ["account", "membership", "extension", "updated_at"]

    def has_add_permission(self, request):
        return False


class DialerAgentInline(admin.TabularInline):
    model = DialerAgent
    extra = 0
    fields = ["extension", "user", "default_state", "status", "status_at"]
    readonly_fields = fields
    can_delete = False


@admin.register(DialerCampaign)
class DialerCampaignAdmin(admin.ModelAdmin):
    list_display = ["ref", "name", "account", "state", "pending_action", "contacts_total"]
    list_filter = ["state", "pending_action", "deleted_at"]
    search_fields = ["ref", "name", "account__name"]
    readonly_fields = [
        "account",
        "ref",
        "state",
        "state_changed_at",
        "pending_action",
        "next_contact_number",
        "contacts_total",
        "contacts_sent",
        "created_at",
        "updated_at",
        "deleted_at",
    ]
    inlines = [DialerAgentInline]


class UploadBatchInline(admin.TabularInline):
    model = UploadBatch
    extra = 0
    fields = ["index", "first_seq", "last_seq", "size", "status", "attempts", "sent_at"]
    readonly_fields = fields
    can_delete = False


@admin.register(LeadListUpload)
class LeadListUploadAdmin(admin.ModelAdmin):
    list_display = [
        "original_name",
        "campaign",
        "status",
        "rows_valid",
        "contacts_sent",
        "retry_at",
        "auto_retries",
        "created_at",
    ]
    list_filter = ["status"]
    search_fields = ["original_name", "campaign__ref", "account__name"]
    readonly_fields = [
        "account",
        "campaign",
        "uploaded_by",
        "file",
        "error_report",
        "rows_total",
        "rows_valid",
        "rows_invalid",
        "errors",
        "batches_total",
        "batches_sent",
        "contacts_sent",
        "created_at",
        "finished_at",
    ]
    inlines = [UploadBatchInline]


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    """Contacts are read-only once uploaded (the dialer has them)."""

    list_display = ["ref", "number", "first_name", "last_name", "campaign"]
    search_fields = ["ref", "number", "email"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(DialerEvent)
class DialerEventAdmin(admin.ModelAdmin):
    list_display = ["received_at", "kind", "campaign_ref", "status", "end_reason", "ignored"]
    list_filter = ["kind"]
    search_fields = ["campaign_ref", "call_ref", "contact_ref", "extension"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
