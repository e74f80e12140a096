from django.urls import path

from campaignhub.webhooks import webhook_path
from invoca import api, ivr_api, ivr_views, views, webhooks

CAMPAIGN = "invoca/advertisers/<str:advertiser_id>/campaigns/<str:campaign_id>/"
API_CAMPAIGN = "v1/invoca/advertisers/<str:advertiser_id>/campaigns/<str:campaign_id>"

urlpatterns = [
    path("invoca/", views.home, name="invoca_home"),
    path("invoca/connection/", views.connection, name="invoca_connection"),
    path("invoca/connection/remove/", views.disconnect, name="invoca_disconnect"),
    path("invoca/connection/poll/", views.poll_now, name="invoca_poll_now"),
    path("invoca/connection/held-calls/", views.capture_held, name="invoca_capture_held"),
    path("invoca/advertisers/open/", views.advertiser_open, name="invoca_advertiser_open"),
    path("invoca/advertisers/<str:advertiser_id>/", views.advertiser, name="invoca_advertiser"),
    path(
        "invoca/advertisers/<str:advertiser_id>/refresh/",
        views.advertiser_refresh,
        name="invoca_advertiser_refresh",
    ),
    path(
        "invoca/advertisers/<str:advertiser_id>/campaigns/new/",
        views.campaign_new,
        name="invoca_campaign_new",
    ),
    path(CAMPAIGN, views.campaign_detail, name="invoca_campaign"),
    path(CAMPAIGN + "edit/", views.campaign_edit, name="invoca_campaign_edit"),
    path(CAMPAIGN + "stats/", views.campaign_stats, name="invoca_campaign_stats"),
    path(CAMPAIGN + "go-live/", views.go_live, name="invoca_go_live"),
    path(CAMPAIGN + "archive/", views.archive, name="invoca_archive"),
    path(CAMPAIGN + "unarchive/", views.unarchive, name="invoca_unarchive"),
    path(CAMPAIGN + "refresh/", views.campaign_refresh, name="invoca_campaign_refresh"),
    path("v1/invoca/connection", api.connection, name="api_invoca_connection"),
    path(
        "v1/invoca/advertisers/<str:advertiser_id>/campaigns",
        api.campaigns,
        name="api_invoca_campaigns",
    ),
    path(API_CAMPAIGN, api.campaign, name="api_invoca_campaign"),
    path(API_CAMPAIGN + "/go_live", api.go_live, name="api_invoca_go_live"),
    path(API_CAMPAIGN + "/archive", api.archive, name="api_invoca_archive"),
    path(API_CAMPAIGN + "/unarchive", api.unarchive, name="api_invoca_unarchive"),
    path(API_CAMPAIGN + "/quick_stats", api.quick_stats, name="api_invoca_quick_stats"),
    path("invoca/ivr/", ivr_views.ivr_checker, name="invoca_ivr_checker"),
    path("v1/invoca/ivr/validate", ivr_api.ivr_validate, name="api_invoca_ivr_validate"),
    path(
        "v1/invoca/conditions/parse",
        ivr_api.condition_parse,
        name="api_invoca_conditions_parse",
    ),
    *webhook_path("webhooks/invoca/<str:token>/", webhooks.InvocaWebhook, "invoca_webhook"),
]
