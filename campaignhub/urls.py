"""URL wiring: the platform's pages and API, then each app's."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from campaignhub import api_views, views
from campaignhub.errors import handler_404, handler_500

handler404 = handler_404
handler500 = handler_500

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password-reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path(
        "password-change/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "password-change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("account/switch/", views.switch_account, name="switch_account"),
    path("settings/", views.account_settings, name="account_settings"),
    path("settings/members/", views.members, name="members"),
    path("settings/members/add/", views.member_add, name="member_add"),
    path("settings/members/<int:membership_id>/role/", views.member_role, name="member_role"),
    path("settings/members/<int:membership_id>/remove/", views.member_remove, name="member_remove"),
    path("settings/tokens/", views.tokens, name="tokens"),
    path("settings/tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("settings/profile/", views.profile, name="profile"),
    path("v1/me", api_views.me, name="api_me"),
    path("", include("notifications.urls")),
    path("", include("campaigns.urls")),
    path("", include("callrail.urls")),
    path("anymail/", include("anymail.urls")),
    path("admin/", admin.site.urls),
]
