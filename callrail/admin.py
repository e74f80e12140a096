"""Admin for CallRail connections (secrets are never shown)."""

from django.contrib import admin

from callrail.models import CallRailKey, CallRailSettings


@admin.register(CallRailKey)
class CallRailKeyAdmin(admin.ModelAdmin):
    list_display = ["account", "last4", "created_at", "rejected_at", "deleted_at"]
    list_filter = ["deleted_at", "rejected_at"]
    search_fields = ["account__name", "last4"]
    exclude = ["secret"]
    readonly_fields = ["account", "last4", "created_at", "rejected_at", "deleted_at"]

    def has_add_permission(self, request):
        return False


@admin.register(CallRailSettings)
class CallRailSettingsAdmin(admin.ModelAdmin):
    list_display = ["account", "callrail_account_name", "company_name", "webhook_id", "updated_at"]
    search_fields = ["account__name", "company_name", "company_id"]
    exclude = ["signing_key"]
    readonly_fields = ["webhook_token"]
