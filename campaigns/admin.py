"""Admin for campaigns (with their representatives) and leads."""

from django.contrib import admin

from campaignhub.admin import AccountScopedAdmin
from campaigns.models import Campaign, Lead, Representative


class RepresentativeInline(admin.TabularInline):
    model = Representative
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Campaign)
class CampaignAdmin(AccountScopedAdmin):
    list_display = [
        "campaign_name",
        "account",
        "integration",
        "tracking_number",
        "owner",
        "status",
        "is_deleted",
        "created_at",
    ]
    list_filter = ["integration", "status", "is_deleted"]
    search_fields = ["campaign_name", "tracking_number"]
    list_select_related = ["account", "owner"]
    readonly_fields = ["form_secret_id", "webhook_token", "created_at", "updated_at"]
    autocomplete_fields = ["account", "owner"]
    inlines = [RepresentativeInline]
    show_full_result_count = False


@admin.register(Lead)
class LeadAdmin(AccountScopedAdmin):
    list_display = [
        "__str__",
        "campaign",
        "source",
        "phone",
        "email",
        "representative",
        "created_at",
    ]
    list_filter = ["source"]
    search_fields = ["name", "phone", "email", "external_id", "campaign__campaign_name"]
    list_select_related = ["campaign", "representative"]
    readonly_fields = [
        "account",
        "campaign",
        "source",
        "external_id",
        "payload",
        "created_at",
        "updated_at",
    ]
    show_full_result_count = False
