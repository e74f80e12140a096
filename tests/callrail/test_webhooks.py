import json

import pytest
from django.test import Client

from callrail.client import signature
from callrail.models import CallRailSettings
from callrail.webhooks import EVENT_HANDLERS, IGNORED_EVENTS
from campaignhub.intake import replay_deliveries
from campaignhub.models import DeliveryStatus, InboundDelivery
from campaigns import services as campaign_services
from campaigns.models import Lead
from notifications.models import Delivery
from tests.callrail.conftest import FIXTURES, fixture, post
from tests.campaigns.factories import make_campaign

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.json")), ids=lambda p: p.stem)
def test_every_fixture_event_is_handled_or_declared_ignored(path):
    event = path.stem.split("__")[0]
    assert event in EVENT_HANDLERS or event in IGNORED_EVENTS, (
        f"{event} is neither handled nor ignored"
    )


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.json")), ids=lambda p: p.stem)
def test_each_fixture_is_stored_answered_200_and_processed(receiver, campaign, path):
    event = path.stem.split("__")[0]
    response = post(receiver, json.loads(path.read_text()))
    assert response.status_code == 200
    delivery = InboundDelivery.objects.get()
    assert delivery.event == event
    expected = DeliveryStatus.IGNORED if event in IGNORED_EVENTS else DeliveryStatus.PROCESSED
    assert delivery.status == expected, delivery.error
    assert Lead.objects.count() == (0 if event in IGNORED_EVENTS else 1)


def test_a_call_becomes_a_lead_on_the_campaign_with_that_number(tenant_a, receiver, campaign):
    post(receiver, fixture("pre_call__inbound"))
    assert InboundDelivery.objects.get().campaign_id == campaign.pk
    lead = Lead.objects.get()
    assert InboundDelivery.objects.get().lead_id == lead.pk
    assert (lead.campaign, lead.source, lead.external_id) == (
        campaign,
        "call",
        "CALb1489f2c9d574c6a9b2e1f4a7d3c8e51",
    )
    assert (lead.name, lead.phone) == ("Jordan Miles", "+14125550161")
    assert lead.representative == tenant_a.member
    assert Delivery.objects.filter(event="lead_arrived").count() == 1


def test_post_call_updates_the_pre_call_lead_and_tells_nobody_twice(receiver, campaign):
    post(receiver, fixture("pre_call__inbound"))
    post(receiver, fixture("post_call__answered"))
    post(receiver, fixture("call_modified__tagged"))
    lead = Lead.objects.get()
    assert lead.payload["recording_duration"] == 94
    assert lead.payload["note"] == "Wants a quote for a full roof"
    assert Delivery.objects.filter(event="lead_arrived").count() == 1
    assert InboundDelivery.objects.filter(status=DeliveryStatus.PROCESSED).count() == 3


def test_the_same_delivery_posted_twice_makes_one_lead(receiver, campaign):
    post(receiver, fixture("pre_call__inbound"))
    post(receiver, fixture("pre_call__inbound"))
    assert Lead.objects.count() == 1
    assert InboundDelivery.objects.count() == 2


def test_withheld_caller_id_still_makes_a_lead(receiver, campaign):
    post(receiver, fixture("pre_call__anonymous_caller"))
    assert Lead.objects.get().phone == ""


def test_text_message_becomes_a_lead(receiver, campaign):
    post(receiver, fixture("text_message_received__sms"))
    lead = Lead.objects.get()
    # Each message is its own lead: the message's id, not the conversation's.
    assert (lead.source, lead.phone, lead.external_id) == (
        "text",
        "+14125550177",
        "SCIa1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6",
    )
    assert lead.message.startswith("Hi, can someone call me")


def test_form_submission_matches_the_campaign_by_page(receiver, campaign):
    post(receiver, fixture("form_submission__contact"))
    lead = Lead.objects.get()
    assert (lead.source, lead.name, lead.email, lead.phone) == (
        "form",
        "Priya Shah",
        "priya@example.com",
        "+14125550188",
    )
    assert lead.message == "Gutter repair quote, please."


def test_calls_to_numbers_no_campaign_uses_are_stored_and_ignored(receiver, campaign):
    campaign_services.delete_campaign(campaign=campaign)
    post(receiver, fixture("pre_call__inbound"))
    delivery = InboundDelivery.objects.get()
    assert delivery.status == DeliveryStatus.IGNORED
    assert delivery.error == (
        "No active CallRail campaign uses +14155550134 (call CALb1489f2c9d574c6a9b2e1f4a7d3c8e51)."
    )
    assert not Lead.objects.exists()


def test_another_accounts_campaign_with_the_same_number_is_not_matched(receiver, tenant_b):
    make_campaign(tenant_b, integration="callrail", tracking_number="+14155550134")
    post(receiver, fixture("pre_call__inbound"))
    assert not Lead.objects.exists()


class TestSignatures:
    @pytest.fixture
    def signed(self, receiver):
        CallRailSettings.objects.filter(pk=receiver.pk).update(signing_key="")
        receiver.signing_key = "company-secret"
        receiver.save()
        return receiver

    def test_good_signature_is_processed(self, signed, campaign):
        assert (
            post(signed, fixture("pre_call__inbound"), sign_with="company-secret").status_code
            == 200
        )
        assert InboundDelivery.objects.get().signature_valid is True
        assert Lead.objects.count() == 1

    @pytest.mark.parametrize("header", ["", "bm90IHRoZSBzaWduYXR1cmU=", None])
    def test_bad_or_missing_signature_is_stored_but_refused(self, signed, campaign, header):
        kwargs = (
            {"signature_header": header} if header is not None else {"sign_with": "wrong-secret"}
        )
        response = post(signed, fixture("pre_call__inbound"), **kwargs)
        assert response.status_code == 400
        delivery = InboundDelivery.objects.get()
        assert (delivery.status, delivery.signature_valid) == (DeliveryStatus.REJECTED, False)
        assert not Lead.objects.exists()

    def test_signature_is_base64_hmac_sha1_of_the_raw_body(self):
        # Cross-checked with: printf '%s' '{"a": 1}' | openssl dgst -sha1 -hmac key -binary | base64
        assert signature("key", b'{"a": 1}') == "tVnWuD3j/W7C6pHjAJtGd5o91H4="


def test_unknown_token_is_404(db):
    assert (
        Client().post("/webhooks/callrail/nope/", "{}", content_type="application/json").status_code
        == 404
    )


def test_a_failed_run_can_be_replayed(receiver, campaign):
    post(receiver, b"[1, 2]")
    delivery = InboundDelivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED
    assert "JSON object" in delivery.error
    InboundDelivery.objects.filter(pk=delivery.pk).update(
        body=json.dumps(fixture("pre_call__inbound")).encode()
    )
    replay_deliveries(InboundDelivery.objects.all())
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PROCESSED
    assert Lead.objects.count() == 1


def test_body_that_is_not_an_object_fails_visibly(receiver):
    post(receiver, b"[1, 2]")
    assert InboundDelivery.objects.get().status == DeliveryStatus.FAILED


def test_a_call_modified_after_its_number_moved_updates_its_lead_and_alerts_nobody_again(
    tenant_a, receiver, campaign
):
    post(receiver, fixture("post_call__answered"))
    lead = Lead.objects.get()
    campaign_services.delete_campaign(campaign=campaign)
    successor = make_campaign(
        tenant_a,
        campaign_name="Roof calls, new",
        integration="callrail",
        tracking_number="+14155550134",
        selected_user=[{"id": tenant_a.member.pk}],
    )

    post(receiver, fixture("call_modified__tagged"))

    delivery = InboundDelivery.objects.latest("pk")
    assert delivery.status == DeliveryStatus.PROCESSED, delivery.error
    assert list(Lead.objects.all()) == [lead]
    lead.refresh_from_db()
    assert lead.campaign == campaign
    assert lead.payload["tags"] == ["qualified"]
    assert Delivery.objects.filter(event="lead_arrived").count() == 1
    # A new call on the number is the new campaign's.
    post(receiver, {**fixture("pre_call__inbound"), "resource_id": "CALnew"})
    assert Lead.objects.get(external_id="CALnew").campaign == successor


def test_a_call_modified_after_its_campaign_was_paused_still_updates_its_lead(receiver, campaign):
    post(receiver, fixture("post_call__answered"))
    campaign_services.update_campaign(campaign=campaign, changes={"status": False})
    post(receiver, fixture("call_modified__tagged"))
    assert InboundDelivery.objects.latest("pk").status == DeliveryStatus.PROCESSED
    assert Lead.objects.get().payload["note"] == "Wants a quote for a full roof"
