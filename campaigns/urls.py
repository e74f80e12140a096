from django.urls import path

from campaignhub.webhooks import webhook_path
from campaigns import api, exports, public, views, webhooks

urlpatterns = [
    path("campaigns/", views.campaign_list, name="campaign_list"),
    path("campaigns/new/", views.campaign_create, name="campaign_create"),
    path("campaigns/preview/", views.campaign_preview, name="campaign_preview"),
    path("campaigns/test-alert/", views.campaign_test_alert, name="campaign_test_alert"),
    path("campaigns/checks/", views.campaign_checks, name="campaign_checks"),
    path("campaigns/attention/", views.campaign_attention, name="campaign_attention"),
    path("campaigns/<int:campaign_id>/", views.campaign_detail, name="campaign_detail"),
    path("campaigns/<int:campaign_id>/edit/", views.campaign_edit, name="campaign_edit"),
    path("campaigns/<int:campaign_id>/status/", views.campaign_status, name="campaign_status"),
    path("campaigns/<int:campaign_id>/delete/", views.campaign_delete, name="campaign_delete"),
    path(
        "campaigns/<int:campaign_id>/held-leads/",
        views.campaign_held_leads,
        name="campaign_held_leads",
    ),
    path("leads/", views.lead_list, name="lead_list"),
    path("leads/export/", exports.lead_export, name="lead_export"),
    path("leads/<int:lead_id>/", views.lead_detail, name="lead_detail"),
    path("leads/<int:lead_id>/outcome/", views.lead_outcome, name="lead_outcome"),
    path("leads/<int:lead_id>/representative/", views.lead_assign, name="lead_assign"),
    path("f/<uuid:form_secret_id>/", public.public_form, name="public_form"),
    # Where the page's own form posts: a POST to the page's address would drop the browser's
    # copy of the page that Back shows (see public.public_form).
    path("f/<uuid:form_secret_id>/send/", public.public_form, name="public_form_send"),
    *webhook_path("webhooks/leads/<str:token>/", webhooks.LeadWebhook, "lead_webhook"),
    path("v1/campaigns", api.campaigns, name="api_campaigns"),
    path("v1/campaigns/filters", api.filters, name="api_campaign_filters"),
    path("v1/campaigns/tracking-numbers", api.tracking_numbers, name="api_tracking_numbers"),
    path("v1/campaigns/<int:campaign_id>", api.campaign, name="api_campaign"),
    path(
        "v1/campaigns/<int:campaign_id>/held-leads",
        api.held_leads,
        name="api_campaign_held_leads",
    ),
    path("v1/leads", api.leads, name="api_leads"),
    path("v1/leads/export", exports.api_lead_export, name="api_lead_export"),
    path("v1/leads/<int:lead_id>", api.lead, name="api_lead"),
]
