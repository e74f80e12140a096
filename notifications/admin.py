"""Admin for the delivery log (push devices are registered by fcm-django's own admin)."""

from django.contrib import admin

from campaignhub.admin import AccountScopedAdmin
from notifications import services
from notifications.models import Delivery


@admin.register(Delivery)
class DeliveryAdmin(AccountScopedAdmin):
    list_display = [
        "id",
        "created_at",
        "account",
        "event",
        "channel",
        "recipient",
        "status",
        "attempts",
    ]
    list_filter = ["channel", "status", "event"]
    search_fields = ["recipient", "subject", "provider_message_id", "error"]
    readonly_fields = [field.name for field in Delivery._meta.fields]
    list_select_related = ["account"]
    actions = ["retry"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Retry selected failed deliveries")
    def retry(self, request, queryset):
        count = sum(services.retry_delivery(delivery=delivery) for delivery in queryset)
        self.message_user(request, f"{count} delivery(ies) queued again; only failed ones retry.")
