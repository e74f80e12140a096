"""Cross-tenant cases for the notification URLs (see tests/test_cross_tenant.py)."""

import json

from django.test import Client
from fcm_django.models import FCMDevice

from notifications import services
from notifications.models import Delivery, Status
from tests.factories import bearer
from tests.notifications.factories import make_delivery


def _a_delivery(a):
    return make_delivery(a, a.member, status=Status.FAILED, subject="secret subject of acme")


def deliveries(a, b):
    _a_delivery(a)
    assert "secret subject of acme" not in b.admin_client.get("/notifications/").content.decode()


def delivery_detail(a, b):
    delivery = _a_delivery(a)
    assert b.admin_client.get(f"/notifications/{delivery.pk}/").status_code == 404


def delivery_retry(a, b):
    delivery = _a_delivery(a)
    assert b.admin_client.post(f"/notifications/{delivery.pk}/retry/").status_code == 404
    assert Delivery.objects.get(pk=delivery.pk).status == Status.FAILED


def devices(a, b):
    services.register_device(user=a.member, registration_id="acme-device-token", type="web")
    assert "acme-device" not in b.admin_client.get("/notifications/devices/").content.decode()


def device_remove(a, b):
    device = services.register_device(user=a.member, registration_id="acme-token", type="web")
    assert b.admin_client.post(f"/notifications/devices/{device.pk}/remove/").status_code == 404
    assert FCMDevice.objects.filter(pk=device.pk).exists()


def device_test(a, b):
    services.register_device(user=b.admin, registration_id="bolt-token", type="web")
    b.admin_client.post("/notifications/devices/test/")
    assert not Delivery.objects.filter(account=a.account).exists()


def api_deliveries(a, b):
    _a_delivery(a)
    assert Client().get("/v1/notifications/deliveries", **bearer(b.token.raw)).json()["data"] == []


def api_delivery(a, b):
    delivery = _a_delivery(a)
    response = Client().get(f"/v1/notifications/deliveries/{delivery.pk}", **bearer(b.token.raw))
    assert response.status_code == 404


def api_delivery_retry(a, b):
    delivery = _a_delivery(a)
    response = Client().post(
        f"/v1/notifications/deliveries/{delivery.pk}/retry",
        content_type="application/json",
        **bearer(b.token.raw),
    )
    assert response.status_code == 404
    assert Delivery.objects.get(pk=delivery.pk).status == Status.FAILED


def api_devices(a, b):
    services.register_device(user=a.admin, registration_id="acme-token", type="web")
    assert Client().get("/v1/devices", **bearer(b.token.raw)).json()["data"] == []
    Client().post(
        "/v1/devices",
        json.dumps({"registration_id": "bolt-token", "type": "web"}),
        content_type="application/json",
        **bearer(b.token.raw),
    )
    assert FCMDevice.objects.get(registration_id="acme-token").user == a.admin


def api_device(a, b):
    device = services.register_device(user=a.admin, registration_id="acme-token", type="web")
    assert Client().delete(f"/v1/devices/{device.pk}", **bearer(b.token.raw)).status_code == 404
    assert FCMDevice.objects.filter(pk=device.pk).exists()


CASES = {
    "deliveries": deliveries,
    "delivery_detail": delivery_detail,
    "delivery_retry": delivery_retry,
    "devices": devices,
    "device_remove": device_remove,
    "device_test": device_test,
    "api_deliveries": api_deliveries,
    "api_delivery": api_delivery,
    "api_delivery_retry": api_delivery_retry,
    "api_devices": api_devices,
    "api_device": api_device,
}

EXEMPT = {
    "twilio_status": "provider webhook, authenticated by Twilio's signature; carries no account",
    "anymail:*": "provider webhooks, authenticated by anymail's shared secret",
}
