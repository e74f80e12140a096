"""Admin for the delivery log (push devices are registered by fcm-django's own admin)."""

from django.contrib import admin
from django.utils.translation import ngettext

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
        self.message_user(
            request,
            ngettext("%d delivery queued again", "%d deliveries queued again", count) % count
            + "; only failed ones retry.",
        )
