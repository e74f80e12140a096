"""Admin for Invoca connections (tokens are never shown), receivers, advertiser campaigns and
the sale signals sent back."""

from django.contrib import admin

from invoca.models import AdvertiserCampaign, InvocaConnection, InvocaReceiver, SaleSignal


@admin.register(InvocaConnection)
class InvocaConnectionAdmin(admin.ModelAdmin):
    list_display = [
        "account",
        "network_id",
        "last4",
        "api_version",
        "base_url",
        "transactions_polled_at",
        "rejected_at",
        "deleted_at",
    ]
    list_filter = ["deleted_at", "rejected_at"]
    search_fields = ["account__name", "network_id", "last4"]
    exclude = ["secret"]
    readonly_fields = [
        "account",
        "network_id",
        "last4",
        "api_version",
        "base_url",
        "created_at",
        "rejected_at",
        "deleted_at",
    ]

    def has_add_permission(self, request):
        return False


@admin.register(InvocaReceiver)
class InvocaReceiverAdmin(admin.ModelAdmin):
    list_display = ["account"]
    search_fields = ["account__name"]
    readonly_fields = ["webhook_token"]


@admin.register(AdvertiserCampaign)
class AdvertiserCampaignAdmin(admin.ModelAdmin):
    """Campaigns change through Invoca (terms, go live), so their Invoca side is read-only here;
    only the inbound campaign link is ours to set."""

    list_display = [
        "name",
        "account",
        "advertiser_id_from_network",
        "id_from_network",
        "status",
        "inbound_campaign",
        "updated_at",
    ]
    list_filter = ["status"]
    search_fields = ["name", "id_from_network", "advertiser_id_from_network", "account__name"]
    raw_id_fields = ["inbound_campaign"]
    readonly_fields = [
        "account",
        "advertiser_id_from_network",
        "id_from_network",
        "invoca_id",
        "name",
        "status",
        "object_url",
        "current_terms",
        "future_terms",
        "custom_data",
        "went_live_at",
        "synced_at",
        "created_at",
        "updated_at",
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SaleSignal)
class SaleSignalAdmin(admin.ModelAdmin):
    list_display = ["lead", "account", "transaction_id", "revenue", "value", "status", "sent_at"]
    list_filter = ["status", "value"]
    search_fields = ["transaction_id", "signal_transaction_id", "account__name"]
    raw_id_fields = ["lead"]
    readonly_fields = ["account", "created_at", "updated_at"]
