from django.urls import path

from reports import api, exports, views

urlpatterns = [
    path("reports/", views.report, name="reports"),
    path("reports/export/", exports.report_export, name="report_export"),
    path("v1/reports/leads", api.leads, name="api_report_leads"),
    path("v1/reports/leads/export", exports.api_report_export, name="api_report_export"),
]
