import json

import pytest
from django.test import Client
from fcm_django.models import FCMDevice

from campaignhub import services as platform
from notifications import services
from notifications.models import Status
from tests.factories import bearer
from tests.notifications.factories import make_delivery

pytestmark = pytest.mark.django_db


@pytest.fixture
def member_token(tenant_a):
    return platform.issue_token(account=tenant_a.account, user=tenant_a.member, name="m").raw


def test_deliveries_list_shape_and_pagination(tenant_a):
    delivery = make_delivery(tenant_a, tenant_a.member, status=Status.FAILED, error="nope")
    for _ in range(11):
        make_delivery(tenant_a, tenant_a.member)
    response = Client().get("/v1/notifications/deliveries?page=2", **bearer(tenant_a.token.raw))
    payload = response.json()
    assert payload["pagination"] == {"page": 2, "per_page": 10, "total": 12, "total_pages": 2}
    item = payload["data"][-1]
    assert item == {
        "id": delivery.pk,
        "event": "test",
        "channel": "email",
        "recipient": "member@acme.test",
        "devices": [],
        "subject": "test for member@acme.test",
        "status": "failed",
        "error": "nope",
        "attempts": 1,
        "created_at": item["created_at"],
        "sent_at": None,
    }


def test_deliveries_filters(tenant_a):
    make_delivery(tenant_a, tenant_a.member, channel="sms", event="lead_arrived")
    make_delivery(tenant_a, tenant_a.member, channel="email", event="lead_arrived")
    make_delivery(tenant_a, tenant_a.member, channel="email", event="test")
    response = Client().get(
        "/v1/notifications/deliveries?event=lead_arrived&channel=email&status=sent",
        **bearer(tenant_a.token.raw),
    )
    data = response.json()["data"]
    assert [(d["event"], d["channel"]) for d in data] == [("lead_arrived", "email")]


def test_bad_filter_is_400(tenant_a):
    response = Client().get(
        "/v1/notifications/deliveries?channel=fax", **bearer(tenant_a.token.raw)
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "channel": ["Select a valid choice. fax is not one of the available choices."]
    }


def test_members_list_only_their_deliveries(tenant_a, member_token):
    make_delivery(tenant_a, tenant_a.member)
    make_delivery(tenant_a, tenant_a.admin)
    data = Client().get("/v1/notifications/deliveries", **bearer(member_token)).json()["data"]
    assert [d["recipient"] for d in data] == ["member@acme.test"]


def test_delivery_detail_and_retry(tenant_a, committed):
    delivery = make_delivery(tenant_a, tenant_a.member, status=Status.FAILED, body="Hello there")
    client = Client()
    detail = client.get(f"/v1/notifications/deliveries/{delivery.pk}", **bearer(tenant_a.token.raw))
    assert detail.json()["data"]["body"] == "Hello there"
    with committed():
        retried = client.post(
            f"/v1/notifications/deliveries/{delivery.pk}/retry",
            content_type="application/json",
            **bearer(tenant_a.token.raw),
        )
    assert retried.status_code == 200
    delivery.refresh_from_db()
    assert delivery.status == Status.SENT
    again = client.post(
        f"/v1/notifications/deliveries/{delivery.pk}/retry",
        content_type="application/json",
        **bearer(tenant_a.token.raw),
    )
    assert again.status_code == 409
    assert again.json()["message"] == "Only failed deliveries can be retried."


def test_retry_for_someone_removed_from_the_account_is_409_and_changes_nothing(tenant_a):
    delivery = make_delivery(tenant_a, tenant_a.member, status=Status.FAILED, error="boom")
    platform.remove_member(
        membership=tenant_a.member.memberships.get(account=tenant_a.account),
        removed_by=tenant_a.admin,
    )
    response = Client().post(
        f"/v1/notifications/deliveries/{delivery.pk}/retry",
        content_type="application/json",
        **bearer(tenant_a.token.raw),
    )
    assert response.status_code == 409
    assert response.json()["message"] == (
        "This notification is not sent again: the person it was for was removed from the account."
    )
    delivery.refresh_from_db()
    assert (delivery.status, delivery.error, delivery.attempts) == (Status.FAILED, "boom", 1)


def test_unknown_delivery_is_404(tenant_a):
    response = Client().get("/v1/notifications/deliveries/999999", **bearer(tenant_a.token.raw))
    assert response.status_code == 404
    assert response.json()["message"] == "Delivery not found"


class TestDevices:
    def post(self, token, body):
        return Client().post(
            "/v1/devices", json.dumps(body), content_type="application/json", **bearer(token)
        )

    def test_register_list_and_delete(self, tenant_a, member_token):
        response = self.post(
            member_token, {"registration_id": "fcm-1", "type": "android", "name": "Pixel"}
        )
        assert response.status_code == 201
        device = response.json()["data"]
        assert device["registration_id"] == "fcm-1" and device["type"] == "android"
        assert device["name"] == "Pixel" and device["active"] is True
        listed = Client().get("/v1/devices", **bearer(member_token)).json()["data"]
        assert [d["id"] for d in listed] == [device["id"]]
        deleted = Client().delete(f"/v1/devices/{device['id']}", **bearer(member_token))
        assert deleted.status_code == 200
        assert not FCMDevice.objects.exists()

    def test_registering_someone_elses_token_takes_the_phone_over_as_a_new_device(
        self, tenant_a, member_token
    ):
        theirs = services.register_device(user=tenant_a.admin, registration_id="fcm-1", type="ios")
        FCMDevice.objects.filter(pk=theirs.pk).update(active=False)
        response = self.post(member_token, {"registration_id": "fcm-1", "type": "ios"})
        mine = FCMDevice.objects.get()
        assert response.json()["data"]["id"] == mine.pk != theirs.pk
        assert mine.user == tenant_a.member and mine.active is True
        assert not FCMDevice.objects.filter(user=tenant_a.admin).exists()

    def test_registering_ones_own_token_again_reactivates_it(self, tenant_a, member_token):
        device = services.register_device(user=tenant_a.member, registration_id="fcm-1", type="ios")
        FCMDevice.objects.filter(pk=device.pk).update(active=False)
        self.post(member_token, {"registration_id": "fcm-1", "type": "android", "name": "Pixel"})
        device.refresh_from_db()
        assert (device.active, device.type, device.name) == (True, "android", "Pixel")
        assert FCMDevice.objects.count() == 1

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"registration_id": "x", "type": "pager"}, "type"),
            ({"type": "web"}, "registration_id"),
            ({"registration_id": "x", "type": "web", "colour": "red"}, "colour"),
        ],
    )
    def test_invalid_registration_is_400(self, tenant_a, member_token, body, field):
        response = self.post(member_token, body)
        assert response.status_code == 400
        assert field in response.json()["errors"]
        assert not FCMDevice.objects.exists()

    def test_someone_elses_device_is_404(self, tenant_a, member_token):
        device = services.register_device(user=tenant_a.admin, registration_id="t", type="ios")
        response = Client().delete(f"/v1/devices/{device.pk}", **bearer(member_token))
        assert response.status_code == 404
        assert response.json()["message"] == "Device not found"
        assert FCMDevice.objects.filter(pk=device.pk).exists()


@pytest.mark.parametrize("event", ["nope", "../../base", "Lead_Arrived"])
def test_an_event_no_notification_is_sent_for_is_400(tenant_a, event):
    response = Client().get(
        "/v1/notifications/deliveries", {"event": event}, **bearer(tenant_a.token.raw)
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "event": ["No notification is sent for this event; choose one of those listed."]
    }
    page = tenant_a.admin_client.get("/notifications/", {"event": event})
    assert page.status_code == 400 and "These filters cannot be used: Event:" in (
        page.content.decode()
    )


def test_a_known_event_filters(tenant_a):
    response = Client().get(
        "/v1/notifications/deliveries", {"event": "lead_arrived"}, **bearer(tenant_a.token.raw)
    )
    assert response.status_code == 200
