from django.urls import path

from crm import contact_api, contact_views, deal_api, deal_views

urlpatterns = [
    path("contacts/", contact_views.contact_list, name="contact_list"),
    path("contacts/export/", contact_views.contact_export, name="contact_export"),
    path("contacts/<int:contact_id>/", contact_views.contact_detail, name="contact_detail"),
    path("contacts/<int:contact_id>/edit/", contact_views.contact_edit, name="contact_edit"),
    path("contacts/<int:contact_id>/merge/", contact_views.contact_merge, name="contact_merge"),
    path("v1/contacts", contact_api.api_contacts, name="api_contacts"),
    path("v1/contacts/export", contact_api.api_contact_export, name="api_contact_export"),
    path("v1/contacts/<int:contact_id>", contact_api.api_contact, name="api_contact"),
    path("deals/", deal_views.board, name="deal_board"),
    path("deals/stage-options/", deal_views.stage_options, name="deal_stage_options"),
    path("deals/<int:deal_id>/", deal_views.detail, name="deal_detail"),
    path("deals/<int:deal_id>/move/", deal_views.move, name="deal_move"),
    path("settings/pipelines/", deal_views.pipeline_settings, name="pipeline_settings"),
    path(
        "settings/pipelines/<int:pipeline_id>/", deal_views.pipeline_rename, name="pipeline_rename"
    ),
    path(
        "settings/pipelines/<int:pipeline_id>/move/",
        deal_views.pipeline_move,
        name="pipeline_move",
    ),
    path(
        "settings/pipelines/<int:pipeline_id>/delete/",
        deal_views.pipeline_delete,
        name="pipeline_delete",
    ),
    path("settings/pipelines/<int:pipeline_id>/stages/", deal_views.stage_add, name="stage_add"),
    path("settings/stages/<int:stage_id>/", deal_views.stage_edit, name="stage_edit"),
    path("settings/stages/<int:stage_id>/move/", deal_views.stage_move, name="stage_move"),
    path("settings/stages/<int:stage_id>/delete/", deal_views.stage_delete, name="stage_delete"),
    path("v1/pipelines", deal_api.pipeline_list, name="api_pipelines"),
    path("v1/deals", deal_api.deal_list, name="api_deals"),
    path("v1/deals/<int:deal_id>", deal_api.deal, name="api_deal"),
]
