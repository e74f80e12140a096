"""CallRail payloads as CallRail really sends them, posted to the webhook URL."""

import json
import logging
from datetime import timedelta
from unittest import mock

import pytest
from django.core.cache import cache
from django.utils import timezone

from callrail import webhooks
from callrail.client import call_fields, classify, form_values
from callrail.models import CallRailSettings
from campaignhub.intake import replay_deliveries, requeue_due
from campaignhub.models import DeliveryStatus, InboundDelivery
from campaigns.models import Lead
from tests.callrail.conftest import fixture, post

pytestmark = pytest.mark.django_db(transaction=True)
SIGNING_KEY = "whsec-shapes"


def only_lead():
    delivery = InboundDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PROCESSED, delivery.error
    return Lead.objects.get()


def test_numbers_sent_as_strings_are_read_as_numbers(receiver, campaign):
    assert post(receiver, fixture("post_call__string_numbers")).status_code == 200
    assert InboundDelivery.objects.get().event == "post_call"
    lead = only_lead()
    assert (lead.name, lead.phone) == ("Dana Whitfield", "+14125550142")


def test_a_string_zero_duration_and_null_caller_is_a_pre_call_lead_without_phone(
    receiver, campaign
):
    post(receiver, fixture("pre_call__string_zero_duration"))
    assert InboundDelivery.objects.get().event == "pre_call"
    lead = only_lead()
    assert (lead.name, lead.phone) == ("", "")


def test_a_withheld_caller_is_a_lead_and_the_alert_says_unknown_caller(receiver, campaign):
    from notifications.models import Delivery

    post(receiver, fixture("pre_call__anonymous_caller"))
    assert only_lead().phone == ""
    alert = Delivery.objects.get(channel="email")
    assert "Unknown caller" in alert.subject + alert.body
    assert "()" not in alert.subject + alert.body


@pytest.mark.parametrize(
    "number", ["", None, "Anonymous", "+266696687", "not a number", 12345, ["+14125550142"]]
)
def test_any_caller_number_still_makes_a_lead(receiver, campaign, number):
    post(receiver, {**fixture("pre_call__inbound"), "customer_phone_number": number})
    assert only_lead().campaign == campaign


def test_a_text_without_message_type_is_recognised_by_content_and_source_number(receiver, campaign):
    payload = fixture("text_message_received__no_message_type")
    assert classify(payload) == "text_message_received"
    post(receiver, payload)
    lead = only_lead()
    assert (lead.source, lead.phone, lead.message) == (
        "text",
        "+14125550199",
        "Are you open on Saturdays?",
    )


def test_texts_without_ids_are_two_leads_and_the_same_text_twice_is_one(receiver, campaign):
    first = fixture("text_message_received__no_id")
    second = {**first, "content": "Also, do you do gutters?", "timestamp": "2026-11-21T10:06"}
    post(receiver, first)
    post(receiver, second)
    post(receiver, first)
    assert InboundDelivery.objects.count() == 3
    messages = sorted(Lead.objects.values_list("message", flat=True))
    assert messages == ["Also, do you do gutters?", "Please call me back about the leak."]
    assert all(
        external_id.startswith("sha256:")
        for external_id in Lead.objects.values_list("external_id", flat=True)
    )


def test_a_forms_own_field_names_are_mapped_and_every_field_is_kept(receiver, campaign):
    post(receiver, fixture("form_submission__site_field_names"))
    lead = only_lead()
    assert (lead.campaign, lead.name, lead.phone, lead.email, lead.message) == (
        campaign,
        "Marta Kowalski",
        "+14125550167",
        "marta@example.com",
        "Need a roof inspection before winter.",
    )
    assert lead.payload["form_data"]["hear-about-us"] == "Neighbour"


def test_unnamed_form_fields_are_recognised_by_their_values(receiver, campaign):
    post(receiver, fixture("form_submission__unnamed_fields"))
    lead = only_lead()
    assert (lead.name, lead.phone, lead.email) == (
        "Theo Okafor",
        "+14125550175",
        "theo@example.org",
    )


@pytest.mark.parametrize(
    ("form_data", "expected"),
    [
        ({"Your Name": "A", "EMAIL_ADDRESS": "a@b.co"}, ("A", "a@b.co", "", "")),
        ({"full-name": "B", "Telephone": "4125550100"}, ("B", "", "4125550100", "")),
        ({"Comments": "hi", "mobile_phone": "4125550101"}, ("", "", "4125550101", "hi")),
        ({"field_7": "c@d.co", "field_8": "(412) 555-0102"}, ("", "c@d.co", "(412) 555-0102", "")),
        ({"interests": ["roof", "gutters"], "E-Mail": "e@f.co"}, ("", "e@f.co", "", "")),
        ({}, ("", "", "", "")),
        (None, ("", "", "", "")),
    ],
)
def test_form_values_by_normalised_name_then_by_value(form_data, expected):
    found = form_values(form_data)
    assert (found["name"], found["email"], found["phone"], found["message"]) == expected


@pytest.mark.parametrize(
    "form_url",
    [
        "https://example.com/roofing",
        "http://example.com/roofing/",
        "HTTPS://Example.COM/roofing//?gclid=abc#form",
        "example.com/roofing",
    ],
)
def test_the_form_page_matches_on_host_and_path_only(receiver, campaign, form_url):
    post(receiver, {**fixture("form_submission__contact"), "form_url": form_url})
    assert only_lead().campaign == campaign


@pytest.mark.parametrize(
    "form_url", ["https://example.com/roofing/extra", "https://other.example/roofing"]
)
def test_another_page_is_not_matched(receiver, campaign, form_url):
    post(receiver, {**fixture("form_submission__contact"), "form_url": form_url})
    assert InboundDelivery.objects.get().status == DeliveryStatus.IGNORED
    assert not Lead.objects.exists()


def test_values_a_column_cannot_hold_are_cleaned_and_still_make_a_lead(receiver, campaign):
    long_id = "CAL" + "x" * 997
    payload = {
        **fixture("pre_call__inbound"),
        "resource_id": long_id,
        "customer_name": "Ann\x00 " + "Lee" * 3400,
        "duration": float("nan"),
        "note": "null\x00byte",
    }
    body = json.dumps(payload).encode()
    assert b"NaN" in body
    post(receiver, body)
    lead = only_lead()
    assert lead.name.startswith("Ann LeeLee") and len(lead.name) == 255
    assert lead.external_id.startswith("sha256:")
    assert lead.payload["duration"] is None
    assert lead.payload["note"] == "nullbyte"
    # The stored delivery keeps every byte that was sent.
    assert bytes(InboundDelivery.objects.get().body) == body
    # Replay does not fail again, nor make a second lead.
    assert replay_deliveries(InboundDelivery.objects.all()) == 1
    assert InboundDelivery.objects.get().status == DeliveryStatus.PROCESSED
    assert Lead.objects.count() == 1


def test_an_id_sent_as_a_list_is_no_id():
    assert call_fields({"resource_id": [1], "id": ["2"]})["external_id"] == ""
    assert call_fields({"resource_id": [1], "id": 777.0})["external_id"] == "777"


def test_an_event_without_a_handler_is_logged_and_stored(receiver, campaign, caplog):
    handlers = {k: v for k, v in webhooks.EVENT_HANDLERS.items() if k != "pre_call"}
    with (
        mock.patch.object(webhooks, "EVENT_HANDLERS", handlers),
        caplog.at_level(logging.WARNING, logger="callrail.webhooks"),
    ):
        post(receiver, fixture("pre_call__inbound"))
    delivery = InboundDelivery.objects.get()
    assert delivery.status == DeliveryStatus.IGNORED
    assert "Unknown CallRail event 'pre_call'" in caplog.text


class TestSignedIntake:
    @pytest.fixture
    def signed(self, receiver):
        receiver.signing_key = SIGNING_KEY
        receiver.save()
        return receiver

    @pytest.mark.parametrize("sent", ["sïgnätüre", "abc\u2603", "=" * 400])
    def test_an_undecodable_signature_is_400_and_never_a_lead(self, signed, campaign, sent):
        response = post(signed, fixture("pre_call__inbound"), signature_header=sent)
        assert response.status_code == 400
        delivery = InboundDelivery.objects.get()
        assert (delivery.status, delivery.signature_valid) == (DeliveryStatus.REJECTED, False)
        assert replay_deliveries(InboundDelivery.objects.all()) == 0
        assert not Lead.objects.exists()

    def test_a_burst_of_valid_signed_posts_is_all_stored_and_made_leads(
        self, signed, campaign, settings
    ):
        settings.WEBHOOK_RATE_LIMIT_PER_MINUTE = 10
        cache.clear()
        # Alerts are tested elsewhere; without a representative the burst runs faster.
        campaign.assignments.all().delete()
        base = fixture("pre_call__inbound")
        codes = {
            post(
                signed, {**base, "resource_id": f"CALburst{n:04d}"}, sign_with=SIGNING_KEY
            ).status_code
            for n in range(1000)
        }
        assert codes == {200}
        assert InboundDelivery.objects.filter(status=DeliveryStatus.PROCESSED).count() == 1000
        assert Lead.objects.count() == 1000

    def test_with_the_cache_down_signed_posts_are_all_stored_and_made_leads(self, signed, campaign):
        base = fixture("pre_call__inbound")
        with mock.patch("django_ratelimit.core.caches") as caches:
            caches.__getitem__.return_value.add.side_effect = ConnectionError("cache down")
            codes = {
                post(
                    signed, {**base, "resource_id": f"CALdown{n:03d}"}, sign_with=SIGNING_KEY
                ).status_code
                for n in range(100)
            }
        assert codes == {200}
        assert Lead.objects.count() == 100


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("customer_name", "Ann \ud800"),
        ("resource_id", "CAL\ud800x"),
        ("customer_number", "+1412555\ud8000161"),
        ("extra", {"\udc00": "\ud800"}),
    ],
)
def test_lone_surrogates_are_cleaned_and_still_make_a_lead(receiver, campaign, field, value):
    post(receiver, {**fixture("pre_call__inbound"), field: value})
    assert only_lead().campaign == campaign


@pytest.mark.parametrize("field", ["tracking_phone_number", "form_url"])
def test_a_surrogate_in_the_matching_field_is_ignored_with_a_reason_never_stuck(
    receiver, campaign, field
):
    base = "form_submission__contact" if field == "form_url" else "pre_call__inbound"
    post(receiver, {**fixture(base), field: "\udc00"})
    delivery = InboundDelivery.objects.get()
    assert delivery.status == DeliveryStatus.IGNORED
    assert "\ufffd" in delivery.error


def test_a_row_stored_without_a_verdict_is_verified_before_processing(receiver, campaign):
    # Stored before verdicts were kept, with a signature that does not match today's key.
    receiver.signing_key = SIGNING_KEY
    receiver.save()
    body = json.dumps(fixture("pre_call__inbound")).encode()
    delivery = InboundDelivery.objects.create(
        account=receiver.account,
        source="callrail",
        headers={"Signature": "sïg"},
        body=body,
        status=DeliveryStatus.RECEIVED,
        signature_valid=None,
        received_at=timezone.now() - timedelta(minutes=10),
    )
    requeue_due()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.signature_valid) == (DeliveryStatus.REJECTED, False)
    assert not Lead.objects.exists()


class TestCachedEndpoint:
    def test_a_new_signing_key_applies_at_once_even_where_the_old_one_is_cached(
        self, receiver, campaign
    ):
        receiver.signing_key = SIGNING_KEY
        receiver.save()
        post(receiver, fixture("pre_call__inbound"), sign_with=SIGNING_KEY)
        # Changed behind this process's back (another web process saved it).
        CallRailSettings.objects.filter(pk=receiver.pk).update(signing_key="new-key")
        body = {**fixture("pre_call__inbound"), "resource_id": "CALnewkey"}
        assert post(receiver, body, sign_with="new-key").status_code == 200
        assert Lead.objects.filter(external_id="CALnewkey").exists()

    def test_an_unsigned_delivery_accepted_from_a_stale_entry_is_verified_before_processing(
        self, receiver, campaign
    ):
        from campaignhub.webhooks import TARGETS

        post(receiver, fixture("pre_call__inbound"))  # cached: no signing key
        CallRailSettings.objects.filter(pk=receiver.pk).update(signing_key=SIGNING_KEY)
        assert TARGETS
        body = {**fixture("pre_call__inbound"), "resource_id": "CALforged"}
        assert post(receiver, body).status_code == 200
        delivery = InboundDelivery.objects.latest("id")
        assert (delivery.status, delivery.signature_valid) == (DeliveryStatus.REJECTED, False)
        assert not Lead.objects.filter(external_id="CALforged").exists()


def test_a_numeric_id_sent_as_777_or_777_0_is_one_call(receiver, campaign):
    call = {
        key: value for key, value in fixture("pre_call__inbound").items() if key != "resource_id"
    }
    post(receiver, {**call, "id": 777})
    post(receiver, {**fixture("post_call__answered"), "resource_id": 777.0})
    lead = Lead.objects.get()
    assert lead.external_id == "777"
    assert lead.payload["recording_duration"] == 94


@pytest.mark.parametrize("missing", [float("nan"), float("inf"), float("-inf")])
def test_an_id_that_is_no_number_is_no_id_and_two_calls_stay_two_leads(receiver, campaign, missing):
    first = {**fixture("pre_call__inbound"), "resource_id": missing}
    second = {**first, "customer_phone_number": "+14125550199", "customer_name": "Lee Park"}
    post(receiver, first)
    post(receiver, second)
    leads = Lead.objects.order_by("pk")
    assert [lead.phone for lead in leads] == ["+14125550161", "+14125550199"]
    assert all(lead.external_id.startswith("sha256:") for lead in leads)
