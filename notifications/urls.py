from django.urls import include, path

from campaignhub.webhooks import webhook_path
from notifications import api, views, webhooks

urlpatterns = [
    path("notifications/", views.deliveries, name="deliveries"),
    path("notifications/<int:delivery_id>/", views.delivery_detail, name="delivery_detail"),
    path("notifications/<int:delivery_id>/retry/", views.delivery_retry, name="delivery_retry"),
    path("notifications/devices/", views.devices, name="devices"),
    path(
        "notifications/devices/<int:device_id>/remove/", views.device_remove, name="device_remove"
    ),
    path("notifications/devices/test/", views.device_test, name="device_test"),
    path("v1/notifications/deliveries", api.deliveries, name="api_deliveries"),
    path("v1/notifications/deliveries/<int:delivery_id>", api.delivery, name="api_delivery"),
    path(
        "v1/notifications/deliveries/<int:delivery_id>/retry",
        api.delivery_retry,
        name="api_delivery_retry",
    ),
    path("v1/devices", api.devices, name="api_devices"),
    path("v1/devices/<int:device_id>", api.device, name="api_device"),
    *webhook_path("webhooks/twilio/status/", webhooks.TwilioStatusWebhook, "twilio_status"),
    path("anymail/", include(webhooks.email_webhook_urls())),
]
