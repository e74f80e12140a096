"""Admin for accounts, users, memberships, API tokens and raw inbound deliveries."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import ngettext

from campaignhub import intake, services
from campaignhub.forms import checked_time_zone
from campaignhub.models import (
    Account,
    ApiToken,
    InboundDelivery,
    Invitation,
    Membership,
    Role,
    User,
)


def administered_account_ids(request) -> list[int]:
    """Ids of the accounts the signed-in person is an admin of (read once per request)."""
    if not hasattr(request, "_administered_account_ids"):
        request._administered_account_ids = list(
            Membership.objects.filter(user=request.user, role=Role.ADMIN).values_list(
                "account_id", flat=True
            )
        )
    return request._administered_account_ids


class AccountScopedAdmin(admin.ModelAdmin):
    """Superusers see every row. Other staff see, read-only, the rows of the accounts they are
    admins of (`account_path` leads from a row to its account), and nothing else."""

    account_path = "account"

    def _account_admin(self, request):
        return (
            request.user.is_active and request.user.is_staff and administered_account_ids(request)
        )

    def get_queryset(self, request):
        rows = super().get_queryset(request)
        if request.user.is_superuser:
            return rows
        return rows.filter(**{f"{self.account_path}__in": administered_account_ids(request)})

    def has_module_permission(self, request):
        return super().has_module_permission(request) or bool(self._account_admin(request))

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or bool(self._account_admin(request))


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    # A removal is more than deleting the row (services.remove_member): it is done from the
    # Memberships list, or the account's Members page, never by a row deleted here.
    can_delete = False
    autocomplete_fields = ["user"]


class AccountAdminForm(forms.ModelForm):
    """The admin's account form: the time zone is checked as on the Settings page."""

    def clean_timezone(self):
        return checked_time_zone(self.cleaned_data["timezone"])


@admin.register(Account)
class AccountAdmin(AccountScopedAdmin):
    account_path = "pk"
    form = AccountAdminForm
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
class MembershipAdmin(AccountScopedAdmin):
    list_display = ["user", "account", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__email", "account__name"]
    autocomplete_fields = ["user", "account"]

    def delete_model(self, request, obj):
        # The same removal as the members page: tokens revoked, deliveries cancelled, sockets
        # closed, their campaigns passed to whoever removes them; the last admin stays.
        try:
            services.remove_member(membership=obj, removed_by=request.user)
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), level=messages.ERROR)

    def delete_queryset(self, request, queryset):
        for membership in queryset.select_related("account", "user"):
            self.delete_model(request, membership)


@admin.register(Invitation)
class InvitationAdmin(AccountScopedAdmin):
    list_display = ["email", "account", "role", "status", "invited_by", "created_at", "expires_at"]
    list_filter = ["status", "role"]
    search_fields = ["email", "account__name"]
    readonly_fields = ["account", "user", "email", "invited_by", "created_at", "responded_at"]

    def has_add_permission(self, request):
        # Invitations are made from the members page, which emails the person.
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(AccountScopedAdmin):
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
        self.message_user(
            request, ngettext("%d token revoked.", "%d tokens revoked.", count) % count
        )


@admin.register(InboundDelivery)
class InboundDeliveryAdmin(AccountScopedAdmin):
    list_display = [
        "id",
        "source",
        "event",
        "account",
        "status",
        "signature_valid",
        "attempts",
        "received_at",
        "error",
    ]
    list_filter = ["source", "status", "signature_valid"]
    search_fields = ["event", "target_id", "error"]
    readonly_fields = [
        "account",
        "source",
        "event",
        "target_id",
        "headers",
        "body_text",
        "path",
        "remote_addr",
        "received_at",
        "signature_valid",
        "status",
        "attempts",
        "claimed_at",
        "next_attempt_at",
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
        count, refused = services.replay_deliveries(queryset)
        skipped = queryset.count() - count - refused.total()
        self.message_user(request, intake.queued_message(count))
        for reason, held in sorted(refused.items()):
            self.message_user(request, f"{reason} ({held} selected)", level=messages.WARNING)
        if skipped:
            self.message_user(request, intake.skipped_message(skipped), level=messages.WARNING)
