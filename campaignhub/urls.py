"""URL wiring: the platform's pages and API, then each app's."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path

from campaignhub import api_views, inbound_views, throttling, views
from campaignhub.errors import api_not_found, handler_400, handler_404, handler_500

handler400 = handler_400
handler404 = handler_404
handler500 = handler_500

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password-reset/", throttling.PasswordResetView.as_view(), name="password_reset"),
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
        views.PasswordChangeView.as_view(),
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
    path(
        "settings/members/<int:membership_id>/password-link/",
        views.member_password_link,
        name="member_password_link",
    ),
    path(
        "settings/members/invitations/<int:invitation_id>/cancel/",
        views.invitation_cancel,
        name="invitation_cancel",
    ),
    path("invitations/", views.invitations, name="invitations"),
    path(
        "invitations/<int:invitation_id>/accept/",
        views.invitation_accept,
        name="invitation_accept",
    ),
    path(
        "invitations/<int:invitation_id>/decline/",
        views.invitation_decline,
        name="invitation_decline",
    ),
    path("settings/tokens/", views.tokens, name="tokens"),
    path("settings/tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("settings/profile/", views.profile, name="profile"),
    path("settings/deliveries/", inbound_views.inbound_deliveries, name="inbound_deliveries"),
    path(
        "settings/deliveries/<int:delivery_id>/",
        inbound_views.inbound_delivery,
        name="inbound_delivery",
    ),
    path(
        "settings/deliveries/<int:delivery_id>/replay/",
        inbound_views.inbound_delivery_replay,
        name="inbound_delivery_replay",
    ),
    path("v1/me", api_views.me, name="api_me"),
    path("v1/members", api_views.members, name="api_members"),
    path("v1/members/<int:membership_id>", api_views.member, name="api_member"),
    path("", include("notifications.urls")),
    path("", include("campaigns.urls")),
    path("", include("callrail.urls")),
    path("", include("dialer.urls")),
    path("", include("crm.urls")),
    path("", include("invoca.urls")),
    path("", include("reports.urls")),
    path("admin/", admin.site.urls),
    # Last: what no API route above matched.
    re_path(r"^v1/(?P<rest>.*)$", api_not_found, name="api_not_found"),
]
