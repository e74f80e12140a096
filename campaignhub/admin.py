"""Admin for accounts, users, memberships, API tokens and raw inbound deliveries."""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils import timezone

from campaignhub import webhooks
from campaignhub.models import Account, ApiToken, InboundDelivery, Membership, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ["name", "currency", "timezone", "created_at"]
    search_fields = ["name"]
    inlines = [MembershipInline]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "name", "phone", "is_active", "is_staff", "date_joined"]
    list_filter = ["is_active", "is_staff", "is_superuser"]
    search_fields = ["email", "name", "phone"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Profile", {"fields": ["name", "phone"]}),
        (
            "Permissions",
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "name", "password1", "password2"]}),
    ]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "account", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__email", "account__name"]
    autocomplete_fields = ["user", "account"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "prefix", "user", "account", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "prefix", "user__email", "account__name"]
    readonly_fields = ["prefix", "token_hash", "created_at", "last_used_at"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        # A token is shown once when issued; the admin could never show it, so it cannot issue one.
        return False

    @admin.action(description="Revoke selected tokens")
    def revoke(self, request, queryset):
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(request, f"{count} token(s) revoked.")


@admin.register(InboundDelivery)
class InboundDeliveryAdmin(admin.ModelAdmin):
    list_display = ["id", "source", "event", "account", "status", "signature_valid", "received_at"]
    list_filter = ["source", "status", "signature_valid"]
    search_fields = ["event", "target_id", "error"]
    readonly_fields = [
        "account",
        "source",
        "event",
        "target_id",
        "headers",
        "body_text",
        "remote_addr",
        "received_at",
        "signature_valid",
        "status",
        "attempts",
        "processed_at",
        "error",
        "traceback",
    ]
    exclude = ["body"]
    actions = ["replay"]

    def has_add_permission(self, request):
        return False

    @admin.display(description="Body")
    def body_text(self, obj):
        return obj.text

    @admin.action(description="Replay selected deliveries")
    def replay(self, request, queryset):
        count = webhooks.replay_deliveries(queryset)
        skipped = queryset.count() - count
        self.message_user(request, f"{count} delivery(ies) queued for processing again.")
        if skipped:
            self.message_user(
                request,
                f"{skipped} skipped: rejected or still being processed.",
                level=messages.WARNING,
            )
