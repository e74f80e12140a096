"""Cross-tenant cases for the notification URLs (see tests/test_cross_tenant.py)."""

import json

from django.test import Client
from fcm_django.models import FCMDevice

from notifications import services
from notifications.models import Delivery, Status
from tests.factories import bearer
from tests.notifications.factories import make_delivery


def _page(client, path, status=200):
    response = client.get(path)
    assert response.status_code == status
    return response.content.decode()


def _api(token, path, status=200):
    response = Client().get(path, **bearer(token))
    assert response.status_code == status
    return response.json()


def _a_delivery(a):
    return make_delivery(a, a.member, status=Status.FAILED, subject="secret subject of acme")


def deliveries(a, b):
    _a_delivery(a)
    assert "secret subject of acme" in _page(a.admin_client, "/notifications/")
    assert "secret subject of acme" not in _page(b.admin_client, "/notifications/")


def delivery_detail(a, b):
    delivery = _a_delivery(a)
    assert "secret subject of acme" in _page(a.admin_client, f"/notifications/{delivery.pk}/")
    _page(b.admin_client, f"/notifications/{delivery.pk}/", status=404)


def delivery_retry(a, b):
    delivery = _a_delivery(a)
    assert b.admin_client.post(f"/notifications/{delivery.pk}/retry/").status_code == 404
    assert Delivery.objects.get(pk=delivery.pk).status == Status.FAILED


def devices(a, b):
    services.register_device(user=a.member, registration_id="acme-device-token", type="web")
    services.register_device(user=b.admin, registration_id="bolt-device-token", type="web")
    assert "acme-device" in _page(a.member_client, "/notifications/devices/")
    content = _page(b.admin_client, "/notifications/devices/")
    assert "bolt-device" in content and "acme-device" not in content


def device_remove(a, b):
    device = services.register_device(user=a.member, registration_id="acme-token", type="web")
    remove = f"/notifications/devices/{device.pk}/remove/"
    assert remove in _page(a.member_client, "/notifications/devices/")
    assert b.admin_client.post(remove).status_code == 404
    assert FCMDevice.objects.filter(pk=device.pk).exists()


def device_test(a, b):
    services.register_device(user=a.admin, registration_id="acme-token", type="web")
    services.register_device(user=b.admin, registration_id="bolt-token", type="web")
    response = b.admin_client.post("/notifications/devices/test/")
    assert response.status_code == 302
    sent = Delivery.objects.get(account=b.account)
    assert (sent.event, sent.channel, sent.user_id) == ("test_push", "push", b.admin.pk)
    assert not Delivery.objects.filter(account=a.account).exists()


def api_deliveries(a, b):
    _a_delivery(a)
    listed = _api(a.token.raw, "/v1/notifications/deliveries")["data"]
    assert [row["subject"] for row in listed] == ["secret subject of acme"]
    assert _api(b.token.raw, "/v1/notifications/deliveries")["data"] == []


def api_delivery(a, b):
    delivery = _a_delivery(a)
    path = f"/v1/notifications/deliveries/{delivery.pk}"
    assert _api(a.token.raw, path)["data"]["subject"] == "secret subject of acme"
    assert _api(b.token.raw, path, status=404)["message"] == "Delivery not found"


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
    listed = _api(a.token.raw, "/v1/devices")["data"]
    assert [row["registration_id"] for row in listed] == ["acme-token"]
    assert _api(b.token.raw, "/v1/devices")["data"] == []
    response = Client().post(
        "/v1/devices",
        json.dumps({"registration_id": "bolt-token", "type": "web"}),
        content_type="application/json",
        **bearer(b.token.raw),
    )
    assert response.status_code == 201
    assert FCMDevice.objects.get(registration_id="bolt-token").user == b.admin
    assert FCMDevice.objects.get(registration_id="acme-token").user == a.admin


def api_device(a, b):
    device = services.register_device(user=a.admin, registration_id="acme-token", type="web")
    assert [row["id"] for row in _api(a.token.raw, "/v1/devices")["data"]] == [device.pk]
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
    "twilio_status_unslashed": "twilio_status without its trailing slash: the same view",
    "anymail:*": "provider webhooks, authenticated by anymail's shared secret",
}
