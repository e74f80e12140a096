from django.urls import path

from campaignhub.webhooks import webhook_path
from dialer import api, views, webhooks

urlpatterns = [
    path("dialer/", views.home, name="dialer_home"),
    path("dialer/live/", views.overview_live, name="dialer_live"),
    path("dialer/connection/", views.connection, name="dialer_connection"),
    path("dialer/connection/remove/", views.disconnect, name="dialer_disconnect"),
    path("dialer/extensions/", views.extensions, name="dialer_extensions"),
    path("dialer/extensions/<int:member_id>/", views.extension_set, name="dialer_extension_set"),
    path("dialer/campaigns/new/", views.campaign_new, name="dialer_campaign_new"),
    path("dialer/campaigns/adopt/", views.adopt, name="dialer_adopt"),
    path("dialer/campaigns/<str:ref>/", views.campaign_detail, name="dialer_campaign"),
    path("dialer/campaigns/<str:ref>/live/", views.campaign_live, name="dialer_campaign_live"),
    path("dialer/campaigns/<str:ref>/settings/", views.settings, name="dialer_settings"),
    path("dialer/campaigns/<str:ref>/start/", views.start, name="dialer_start"),
    path("dialer/campaigns/<str:ref>/stop/", views.stop, name="dialer_stop"),
    path("dialer/campaigns/<str:ref>/remove/", views.remove, name="dialer_remove"),
    path("dialer/campaigns/<str:ref>/agents/", views.agent_add, name="dialer_agent_add"),
    path(
        "dialer/campaigns/<str:ref>/agents/<str:extension>/remove/",
        views.agent_remove,
        name="dialer_agent_remove",
    ),
    path("dialer/campaigns/<str:ref>/leads/", views.upload, name="dialer_upload"),
    path("dialer/uploads/<int:upload_id>/", views.upload_progress, name="dialer_upload_progress"),
    path(
        "dialer/uploads/<int:upload_id>/errors.csv", views.error_report, name="dialer_error_report"
    ),
    path(
        "dialer/uploads/<int:upload_id>/resume/", views.upload_resume, name="dialer_upload_resume"
    ),
    path("v1/dialer/connection", api.connection, name="api_dialer_connection"),
    path("v1/dialer/campaigns", api.campaigns, name="api_dialer_campaigns"),
    path("v1/dialer/campaigns/<str:ref>", api.campaign, name="api_dialer_campaign"),
    path(
        "v1/dialer/campaigns/<str:ref>/settings",
        api.campaign_settings,
        name="api_dialer_campaign_settings",
    ),
    path("v1/dialer/campaigns/<str:ref>/start", api.campaign_start, name="api_dialer_start"),
    path("v1/dialer/campaigns/<str:ref>/stop", api.campaign_stop, name="api_dialer_stop"),
    path("v1/dialer/campaigns/<str:ref>/leads", api.campaign_leads, name="api_dialer_leads"),
    path("v1/dialer/campaigns/<str:ref>/agents", api.campaign_agents, name="api_dialer_agents"),
    path(
        "v1/dialer/campaigns/<str:ref>/agents/<str:extension>",
        api.campaign_agent,
        name="api_dialer_agent",
    ),
    path("v1/dialer/uploads/<int:upload_id>", api.upload, name="api_dialer_upload"),
    path("v1/dialer/extensions", api.extensions, name="api_dialer_extensions"),
    path("v1/dialer/extensions/<int:member_id>", api.extension, name="api_dialer_extension"),
    *webhook_path("webhooks/dialer/<str:token>/", webhooks.DialerWebhook, "dialer_webhook"),
]
