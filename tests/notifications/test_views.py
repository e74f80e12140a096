from datetime import UTC, datetime
from html import unescape

import pytest
from django.core import mail
from fcm_django.models import FCMDevice

from campaignhub import services as platform
from notifications import services
from notifications.models import Delivery, Status
from notifications.transports import push
from tests.notifications.factories import make_delivery

pytestmark = pytest.mark.django_db


def test_admin_sees_every_delivery_of_the_account(tenant_a):
    make_delivery(tenant_a, tenant_a.member, subject="for the member")
    make_delivery(tenant_a, tenant_a.admin, subject="for the admin")
    content = tenant_a.admin_client.get("/notifications/").content.decode()
    assert "for the member" in content and "for the admin" in content


def test_a_delivery_without_an_address_still_says_whom_it_was_for(tenant_a):
    """A failed SMS to someone with no phone: the log names the person, not only "—"."""
    delivery = make_delivery(tenant_a, tenant_a.member, channel="sms", status=Status.FAILED)
    Delivery.objects.filter(pk=delivery.pk).update(recipient="")
    name = tenant_a.member.get_full_name()
    row = tenant_a.admin_client.get("/notifications/").content.decode()
    assert f'<small class="muted">{name}</small>' in row
    page = tenant_a.admin_client.get(f"/notifications/{delivery.pk}/").content.decode()
    assert f"SMS to (no address) · {name}</h1>" in page


def test_member_sees_only_their_own_deliveries(tenant_a):
    make_delivery(tenant_a, tenant_a.member, subject="for the member")
    make_delivery(tenant_a, tenant_a.admin, subject="for the admin")
    content = tenant_a.member_client.get("/notifications/").content.decode()
    assert "for the member" in content and "for the admin" not in content


def test_filters_and_htmx_partial(tenant_a):
    make_delivery(
        tenant_a, tenant_a.member, channel="sms", status=Status.FAILED, subject="", body="sms body"
    )
    make_delivery(tenant_a, tenant_a.member, channel="email", subject="an email")
    response = tenant_a.admin_client.get(
        "/notifications/?channel=sms&status=failed", HTTP_HX_REQUEST="true"
    )
    content = response.content.decode()
    assert content.strip().startswith('<section class="card" id="delivery-table">')
    assert "sms body" in content and "an email" not in content


def test_invalid_filter_shows_an_error_and_no_rows(tenant_a):
    make_delivery(tenant_a, tenant_a.member, subject="an email")
    assert "an email" in tenant_a.admin_client.get("/notifications/").content.decode()
    refused = tenant_a.admin_client.get("/notifications/?channel=fax")
    content = refused.content.decode()
    assert refused.status_code == 400
    assert "These filters cannot be used: Channel: Select a valid choice" in content
    assert "an email" not in content


def test_empty_state(tenant_a):
    assert b"No notifications yet." in tenant_a.admin_client.get("/notifications/").content


def test_list_is_paginated(tenant_a):
    for n in range(30):
        make_delivery(tenant_a, tenant_a.member, subject=f"delivery number {n:02}")
    first = tenant_a.admin_client.get("/notifications/").content.decode()
    second = tenant_a.admin_client.get("/notifications/?page=2").content.decode()
    assert "delivery number 29" in first and "delivery number 00" not in first
    assert "delivery number 00" in second
    assert "Page 1 of 2" in first


def test_detail_shows_body_and_error(tenant_a):
    delivery = make_delivery(
        tenant_a, tenant_a.member, status=Status.FAILED, body="Full body text", error="Mailbox full"
    )
    content = tenant_a.member_client.get(f"/notifications/{delivery.pk}/").content.decode()
    assert "Full body text" in content and "Mailbox full" in content
    assert "Retry" in content


def test_member_cannot_open_someone_elses_delivery(tenant_a):
    delivery = make_delivery(tenant_a, tenant_a.admin)
    assert tenant_a.member_client.get(f"/notifications/{delivery.pk}/").status_code == 404


def test_retry_a_failed_delivery_from_the_list(tenant_a, committed):
    delivery = make_delivery(tenant_a, tenant_a.member, status=Status.FAILED, error="boom")
    with committed():
        response = tenant_a.admin_client.post(
            f"/notifications/{delivery.pk}/retry/", HTTP_HX_REQUEST="true"
        )
    assert response.status_code == 200
    # Answered before the commit sends it: queued, one version up from the failed row.
    assert f'<tr id="delivery-{delivery.pk}" data-version="1">' in response.content.decode()
    delivery.refresh_from_db()
    assert delivery.status == Status.SENT
    assert delivery.version == 3
    assert len(mail.outbox) == 1


def test_retry_of_a_sent_delivery_changes_nothing(tenant_a):
    delivery = make_delivery(tenant_a, tenant_a.member, status=Status.SENT)
    response = tenant_a.admin_client.post(f"/notifications/{delivery.pk}/retry/", follow=True)
    assert b"Only failed deliveries can be retried." in response.content
    delivery.refresh_from_db()
    assert delivery.status == Status.SENT


def _removed(tenant, user):
    platform.remove_member(
        membership=user.memberships.get(account=tenant.account), removed_by=tenant.admin
    )


def test_a_failed_delivery_for_someone_removed_is_not_offered_for_retry(tenant_a):
    delivery = make_delivery(tenant_a, tenant_a.member, status=Status.FAILED, error="boom")
    kept = make_delivery(tenant_a, tenant_a.admin, status=Status.FAILED, error="boom")
    _removed(tenant_a, tenant_a.member)

    log = tenant_a.admin_client.get("/notifications/").content.decode()
    assert f'action="/notifications/{delivery.pk}/retry/"' not in log
    assert f'action="/notifications/{kept.pk}/retry/"' in log
    detail = tenant_a.admin_client.get(f"/notifications/{delivery.pk}/").content.decode()
    assert ">Retry</button>" not in detail
    assert "Not sent again: the person it was for was removed from the account." in detail


def test_retrying_a_delivery_for_someone_removed_is_refused_and_changes_nothing(tenant_a):
    delivery = make_delivery(tenant_a, tenant_a.member, status=Status.FAILED, error="boom")
    _removed(tenant_a, tenant_a.member)
    url = f"/notifications/{delivery.pk}/retry/"

    response = tenant_a.admin_client.post(url, follow=True)
    content = unescape(response.content.decode())
    assert services.RECIPIENT_LEFT_RETRY in content
    assert "Sending again." not in content
    htmx = tenant_a.admin_client.post(url, HTTP_HX_REQUEST="true")
    assert "removed from the account" in htmx["HX-Trigger-After-Swap"]
    assert ">Retry</button>" not in htmx.content.decode()

    delivery.refresh_from_db()
    assert (delivery.status, delivery.error, delivery.attempts) == (Status.FAILED, "boom", 1)


def test_a_retried_delivery_says_so_in_the_log(tenant_a, committed):
    delivery = make_delivery(tenant_a, tenant_a.member, status=Status.FAILED, error="boom")
    with committed():
        tenant_a.admin_client.post(f"/notifications/{delivery.pk}/retry/")
    row = tenant_a.admin_client.get("/notifications/").content.decode()
    assert '<td data-label="Tries">2 <small class="muted">retried</small></td>' in row
    detail = tenant_a.admin_client.get(f"/notifications/{delivery.pk}/").content.decode()
    assert "<dd>2 · retried after 1" in detail


class TestDevicesPage:
    def test_register_list_test_and_remove(self, tenant_a, committed):
        client = tenant_a.member_client
        response = client.post(
            "/notifications/devices/",
            {"registration_id": " fcm-token-1 ", "type": "web", "name": "Laptop"},
        )
        assert response.status_code == 302
        device = FCMDevice.objects.get(user=tenant_a.member)
        assert (device.registration_id, device.type, device.name) == (
            "fcm-token-1",
            "web",
            "Laptop",
        )
        assert "Laptop" in client.get("/notifications/devices/").content.decode()

        with committed():
            response = client.post("/notifications/devices/test/")
        assert response["Location"] == "/notifications/?event=test_push"
        delivery = Delivery.objects.get(event="test_push")
        assert (delivery.status, delivery.user) == (Status.SENT, tenant_a.member)
        assert push.outbox[0][0] == ["fcm-token-1"]

        client.post(f"/notifications/devices/{device.pk}/remove/")
        assert not FCMDevice.objects.filter(pk=device.pk).exists()

    def test_invalid_device_is_a_form_error(self, tenant_a):
        response = tenant_a.member_client.post(
            "/notifications/devices/", {"registration_id": "", "type": "pager"}
        )
        assert response.status_code == 400
        assert b"This field is required." in response.content
        assert not FCMDevice.objects.exists()

    @pytest.mark.parametrize(
        ("name", "message"),
        [
            ("Work phone", "The device “Work phone” removed."),
            ("", "The unnamed Android device removed."),
        ],
    )
    def test_removing_a_device_names_it_in_product_words(self, tenant_a, name, message):
        device = services.register_device(
            user=tenant_a.member, registration_id="tok-9", type="android", name=name
        )
        response = tenant_a.member_client.post(
            f"/notifications/devices/{device.pk}/remove/", follow=True
        )
        content = unescape(response.content.decode())
        assert message in content
        assert "FCMDevice" not in content
        assert not FCMDevice.objects.filter(pk=device.pk).exists()

    def test_someone_elses_device_cannot_be_removed(self, tenant_a):
        device = services.register_device(user=tenant_a.admin, registration_id="t", type="ios")
        assert (
            tenant_a.member_client.post(f"/notifications/devices/{device.pk}/remove/").status_code
            == 404
        )
        assert FCMDevice.objects.filter(pk=device.pk).exists()

    def test_device_types_are_named_as_their_platforms_are(self, tenant_a):
        for token, kind in (("t-1", "ios"), ("t-2", "android"), ("t-3", "web")):
            services.register_device(user=tenant_a.member, registration_id=token, type=kind)
        page = tenant_a.member_client.get("/notifications/devices/").content.decode()
        for label in ("iOS", "Android", "Web"):
            assert f'<td data-label="Type">{label}</td>' in page
        assert ">ios</td>" not in page and ">android</td>" not in page
        assert '<option value="ios">iOS</option>' in page

    def test_empty_state(self, tenant_a):
        assert b"No devices yet." in tenant_a.member_client.get("/notifications/devices/").content


class TestPushDevicesInTheLog:
    def send_test_push(self, tenant, committed):
        with committed():
            tenant.member_client.post("/notifications/devices/test/")
        return Delivery.objects.get(event="test_push")

    def test_the_log_names_the_devices_a_push_went_to_after_one_is_removed(
        self, tenant_a, committed
    ):
        member = tenant_a.member
        laptop = services.register_device(
            user=member, registration_id="fcm-laptop", type="web", name="Work laptop"
        )
        phone = services.register_device(user=member, registration_id="fcm-phone", type="android")
        FCMDevice.objects.filter(pk=phone.pk).update(
            date_created=datetime(2026, 3, 4, 12, 0, tzinfo=UTC)
        )
        services.register_device(user=member, registration_id="fcm-old", type="ios", name="Old")
        FCMDevice.objects.filter(registration_id="fcm-old").update(active=False)
        delivery = self.send_test_push(tenant_a, committed)
        assert push.outbox[0][0] == ["fcm-laptop", "fcm-phone"]
        # Removed since: the log still says where the push went.
        services.remove_device(device=laptop)
        expected = (
            '<span class="push-device">Work laptop</span><br>'
            '<span class="push-device">Android device, registered '
            '<time datetime="2026-03-04" title="Wednesday, 4 March 2026">4 Mar 2026</time></span>'
        )
        row = tenant_a.admin_client.get("/notifications/").content.decode()
        assert f'<td data-label="To">{expected}<br><small class="muted">' in row
        assert "Old" not in row and "Their registered devices" not in row
        detail = tenant_a.member_client.get(f"/notifications/{delivery.pk}/").content.decode()
        assert f"<dt>Devices</dt><dd>{expected}</dd>" in detail
        api = tenant_a.member_client.get(f"/v1/notifications/deliveries/{delivery.pk}").json()
        assert [(d["name"], d["type"]) for d in api["data"]["devices"]] == [
            ("Work laptop", "web"),
            ("", "android"),
        ]
        assert api["data"]["devices"][1]["registered"] == "2026-03-04T12:00:00Z"

    def test_a_push_not_yet_tried_is_to_their_registered_devices(self, tenant_a):
        make_delivery(tenant_a, tenant_a.member, channel="push", status=Status.QUEUED)
        row = tenant_a.admin_client.get("/notifications/").content.decode()
        assert "Their registered devices</span>" in row
