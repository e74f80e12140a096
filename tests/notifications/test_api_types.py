"""Notification bodies take only the JSON types they declare; a wrong type changes nothing."""

import json

import pytest
from django.test import Client
from fcm_django.models import FCMDevice

from notifications import services
from notifications.forms import DeviceForm
from notifications.models import Status
from notifications.schemas import DeviceBody
from tests.factories import bearer
from tests.notifications.factories import make_delivery

pytestmark = pytest.mark.django_db


def send(token, method, path, body):
    return getattr(Client(), method)(
        path, json.dumps(body), content_type="application/json", **bearer(token)
    )


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"registration_id": ["fcm-1"], "type": "web"}, "registration_id", "Must be a string."),
        ({"registration_id": 12345, "type": "web"}, "registration_id", "Must be a string."),
        ({"registration_id": "fcm-1", "type": ["web"]}, "type", "Must be a string."),
        (
            {"registration_id": "fcm-1", "type": "web", "name": {"n": 1}},
            "name",
            "Must be a string.",
        ),
        ({"registration_id": "fcm-1", "type": "web", "name": None}, "name", "Must be a string."),
    ],
)
def test_device_with_a_wrong_json_type_is_400_naming_the_field(tenant_a, body, field, message):
    response = send(tenant_a.token.raw, "post", "/v1/devices", body)
    assert response.status_code == 400
    assert response.json()["errors"] == {field: [message]}
    assert response.json()["message"].startswith(field)
    assert not FCMDevice.objects.exists()


def test_device_of_declared_types_registers(tenant_a):
    body = {"registration_id": "fcm-1", "type": "web", "name": "Laptop"}
    response = send(tenant_a.token.raw, "post", "/v1/devices", body)
    assert response.status_code == 201
    assert FCMDevice.objects.get().name == "Laptop"


def test_device_schema_declares_exactly_the_form_fields():
    assert set(DeviceBody.model_fields) == set(DeviceForm.base_fields)


def test_retry_and_device_delete_take_no_fields(tenant_a):
    delivery = make_delivery(tenant_a, tenant_a.admin, status=Status.FAILED, error="nope")
    retry = send(
        tenant_a.token.raw,
        "post",
        f"/v1/notifications/deliveries/{delivery.pk}/retry",
        {"channel": "sms"},
    )
    assert retry.status_code == 400
    assert retry.json()["errors"] == {"channel": ["Unknown field."]}
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.channel) == (Status.FAILED, 1, "email")
    device = services.register_device(user=tenant_a.admin, registration_id="t", type="ios")
    removed = send(tenant_a.token.raw, "delete", f"/v1/devices/{device.pk}", {"force": True})
    assert removed.status_code == 400
    assert FCMDevice.objects.filter(pk=device.pk).exists()
