from django.urls import path

from callrail import api, views, webhooks
from campaignhub.webhooks import webhook_path

urlpatterns = [
    path("callrail/", views.home, name="callrail_home"),
    path("callrail/live/", views.home_live, name="callrail_live"),
    path("callrail/key/", views.connect_key, name="callrail_connect_key"),
    path("callrail/key/remove/", views.remove_key, name="callrail_remove_key"),
    path("callrail/accounts/", views.accounts, name="callrail_accounts"),
    path("callrail/companies/", views.companies, name="callrail_companies"),
    path("callrail/choose/", views.choose, name="callrail_choose"),
    path("callrail/webhook/", views.connect_webhook, name="callrail_connect_webhook"),
    path("callrail/signing-key/", views.signing_key, name="callrail_signing_key"),
    path("callrail/rejected/", views.process_rejected, name="callrail_process_rejected"),
    path("callrail/trackers/", views.trackers, name="callrail_trackers"),
    path("callrail/trackers/new/", views.tracker_new, name="callrail_tracker_new"),
    path(
        "callrail/trackers/<str:tracker_id>/edit/", views.tracker_edit, name="callrail_tracker_edit"
    ),
    path(
        "callrail/trackers/<str:tracker_id>/disable/",
        views.tracker_disable,
        name="callrail_tracker_disable",
    ),
    path("callrail/tracker-picker/", views.tracker_picker, name="callrail_tracker_picker"),
    path("v1/e/callrail/key", api.key, name="api_callrail_key"),
    path("v1/e/callrail/accounts", api.accounts, name="api_callrail_accounts"),
    path("v1/e/callrail/companies", api.companies, name="api_callrail_companies"),
    path("v1/e/callrail/companies/webhook", api.webhook, name="api_callrail_webhook"),
    path("v1/e/callrail/trackers", api.trackers, name="api_callrail_trackers"),
    path("v1/e/callrail/trackers/<str:tracker_id>", api.tracker, name="api_callrail_tracker"),
    *webhook_path("webhooks/callrail/<str:token>/", webhooks.CallRailWebhook, "callrail_webhook"),
]
