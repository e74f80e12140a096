from django.urls import path

from reports import api, views

urlpatterns = [
    path("reports/", views.report, name="reports"),
    path("v1/reports/leads", api.leads, name="api_report_leads"),
]
