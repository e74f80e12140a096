"""The post-call webhook: stored first, JSON or form bodies, one lead per transaction_id."""

import json

import pytest
from django.test import Client

from campaignhub.cleaning import NOT_UTF8
from campaignhub.models import DeliveryStatus, InboundDelivery
from campaigns import services as campaign_services
from campaigns.models import Lead
from invoca.leads import (
    HELD,
    NO_TRANSACTION_ID,
    NOT_UTF8_FORM,
    XML_BODY,
    held_calls,
    read_body,
)
from notifications.models import Delivery
from tests.invoca_calls.conftest import (
    advertiser_campaign,
    fixture,
    invoca_campaign,
    post_form,
    post_json,
    raw_fixture,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_json_post_call_webhook_becomes_a_lead_on_the_linked_campaign(
    tenant_a, receiver, campaign
):
    response = post_json(receiver, fixture("post_call__json"))
    assert response.status_code == 200
    assert response.json()["received"] is True
    delivery = InboundDelivery.objects.get()
    assert (delivery.source, delivery.event, delivery.status) == (
        "invoca",
        "call",
        DeliveryStatus.PROCESSED,
    )
    assert delivery.campaign_id == campaign.pk
    lead = Lead.objects.get()
    assert delivery.lead_id == lead.pk
    assert (lead.campaign, lead.source, lead.external_id) == (campaign, "call", "6A1F0C2B-00000011")
    assert (lead.name, lead.phone) == ("Jordan Miles", "+14155550161")
    assert lead.payload["recording"].endswith("6A1F0C2B-00000011.mp3")
    assert lead.representative == tenant_a.member
    assert Delivery.objects.filter(event="lead_arrived").count() == 1


def test_a_form_post_call_webhook_becomes_a_lead(receiver, campaign):
    response = post_form(receiver, raw_fixture("post_call__form.txt"))
    assert response.status_code == 200
    lead = Lead.objects.get()
    assert (lead.external_id, lead.name, lead.phone) == (
        "6A1F0C2B-00000012",
        "Sam O'Neil",
        "+14125550177",
    )
    assert lead.payload["city"] == "Pittsburgh"
    assert lead.payload["duration"] == "41"


def test_a_form_body_without_its_content_type_is_still_read(receiver, campaign):
    post_json(receiver, raw_fixture("post_call__form.txt"), content_type="text/plain")
    assert Lead.objects.get().external_id == "6A1F0C2B-00000012"


def test_a_one_object_json_array_is_read_as_that_object(receiver, campaign):
    post_json(receiver, [fixture("post_call__json")])
    assert Lead.objects.get().external_id == "6A1F0C2B-00000011"


def test_the_same_webhook_twice_is_one_lead_and_one_alert(receiver, campaign):
    post_json(receiver, fixture("post_call__json"))
    post_json(receiver, fixture("post_call__json"))
    assert Lead.objects.count() == 1
    assert InboundDelivery.objects.filter(status=DeliveryStatus.PROCESSED).count() == 2
    assert Delivery.objects.filter(event="lead_arrived").count() == 1


def test_two_calls_whose_long_transaction_ids_share_64_characters_are_two_leads(receiver, campaign):
    long_id = "TXN-" + "7" * 60
    for suffix, phone in (("-A", "+14155550161"), ("-B", "+14155550162")):
        call = {**fixture("post_call__json"), "transaction_id": long_id + suffix}
        post_json(receiver, {**call, "calling_phone_number": phone})
    leads = Lead.objects.order_by("pk")
    assert [lead.phone for lead in leads] == ["+14155550161", "+14155550162"]
    ids = [lead.external_id for lead in leads]
    assert ids[0] != ids[1] and all(i.startswith("sha256:") and len(i) == 64 for i in ids)
    # The same long id again is the same lead.
    post_json(receiver, {**fixture("post_call__json"), "transaction_id": long_id + "-A"})
    assert Lead.objects.count() == 2


def test_an_unknown_token_is_404_and_stores_nothing(receiver, campaign):
    response = Client().post(
        "/webhooks/invoca/not-a-token/",
        json.dumps(fixture("post_call__json")),
        content_type="application/json",
    )
    assert response.status_code == 404
    assert response.json()["success"] is False
    assert InboundDelivery.objects.count() == 0
    assert Lead.objects.count() == 0


def test_get_is_not_allowed(receiver):
    assert Client().get(f"/webhooks/invoca/{receiver.webhook_token}/").status_code == 405


@pytest.mark.parametrize(
    ("body", "content_type", "reason"),
    [
        (b'{"transaction_id": "6A1F', "application/json", "Malformed JSON"),
        (b"<call><transaction_id>1</transaction_id></call>", "application/xml", XML_BODY),
        (b"", "application/json", "The body is empty."),
        (b'"just a string"', "application/json", "one JSON object"),
        (b"\xff\xfe\x00", "application/x-www-form-urlencoded", "not UTF-8"),
        (b'{"transaction_id": "Jos\xe9"}', "application/json", NOT_UTF8),
        (b"transaction_id=1&city=Jos%E9", "application/x-www-form-urlencoded", NOT_UTF8_FORM),
        (b"transaction_id=1", "application/json; charset=klingon", "charset that is not known"),
        (b"no equals sign here", "text/plain", "not a form"),
        (b"junk", "application/json", "Malformed JSON"),
        (b"junk", "text/plain", "not a form"),
        (b"[1,2]", "application/json", "one JSON object"),
        (b"{}", "application/json", NO_TRANSACTION_ID),
        (b"city=Pittsburgh", "application/x-www-form-urlencoded", NO_TRANSACTION_ID),
    ],
    ids=[
        "truncated-json",
        "xml",
        "empty",
        "json-string",
        "not-utf8",
        "latin1-json",
        "latin1-form",
        "unknown-charset",
        "not-a-form",
        "junk-json",
        "junk-text",
        "json-array",
        "empty-object",
        "form-without-transaction-id",
    ],
)
def test_a_body_that_cannot_be_a_post_call_webhook_is_stored_rejected_and_answered_400(
    receiver, campaign, body, content_type, reason
):
    # generic(): post() would re-encode the bytes into a charset named.
    response = Client().generic(
        "POST", f"/webhooks/invoca/{receiver.webhook_token}/", body, content_type
    )
    assert response.status_code == 400
    answer = response.json()
    assert answer["success"] is False
    assert reason in answer["message"]
    delivery = InboundDelivery.objects.get()
    assert bytes(delivery.body) == body
    assert delivery.status == DeliveryStatus.REJECTED
    assert reason in delivery.error
    assert delivery.processed_at is None
    assert Lead.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (
            json.dumps({**fixture("post_call__json"), "display_name_data_append": "José Peña"}),
            "application/json; charset=iso-8859-1",
        ),
        (
            raw_fixture("post_call__form.txt").decode().replace("Sam+O%27Neil", "Jos%E9+Pe%F1a"),
            "application/x-www-form-urlencoded; charset=iso-8859-1",
        ),
    ],
    ids=["json", "form"],
)
def test_a_body_in_the_charset_its_content_type_names_is_read_in_it(
    receiver, campaign, body, content_type
):
    raw = json.dumps(json.loads(body), ensure_ascii=False) if body.startswith("{") else body
    raw = raw.encode("latin-1")
    # generic(): post() would re-encode the bytes into the charset named.
    response = Client().generic(
        "POST", f"/webhooks/invoca/{receiver.webhook_token}/", raw, content_type
    )
    assert response.status_code == 200
    assert bytes(InboundDelivery.objects.get().body) == raw
    assert Lead.objects.get().name == "José Peña"


def test_a_call_without_transaction_id_is_rejected_with_the_reason(receiver, campaign):
    payload = fixture("post_call__json")
    del payload["transaction_id"]
    response = post_json(receiver, payload)
    assert response.status_code == 400
    assert response.json()["message"] == NO_TRANSACTION_ID
    delivery = InboundDelivery.objects.get()
    assert delivery.status == DeliveryStatus.REJECTED
    assert delivery.error == NO_TRANSACTION_ID
    assert Lead.objects.count() == 0


def test_a_transaction_that_is_not_a_call_is_ignored(receiver, campaign):
    post_json(receiver, {**fixture("post_call__json"), "transaction_type": "Signal"})
    delivery = InboundDelivery.objects.get()
    assert (delivery.status, delivery.event) == (DeliveryStatus.IGNORED, "signal")
    assert Lead.objects.count() == 0


def test_a_call_for_an_unlinked_advertiser_campaign_is_held_then_captured_when_linked(
    tenant_a, receiver
):
    roofing = advertiser_campaign(tenant_a)
    post_json(receiver, fixture("post_call__json"))
    delivery = InboundDelivery.objects.get()
    assert delivery.status == DeliveryStatus.IGNORED
    assert delivery.error.startswith(HELD)
    assert "no inbound campaign is linked to advertiser campaign ADV7/roof-2026" in delivery.error
    assert list(held_calls(tenant_a.account)) == [delivery]

    campaign = invoca_campaign(tenant_a, roofing)

    lead = Lead.objects.get()
    assert (lead.campaign, lead.external_id) == (campaign, "6A1F0C2B-00000011")
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PROCESSED
    assert not held_calls(tenant_a.account).exists()


def test_a_call_for_an_advertiser_campaign_the_account_does_not_have_is_held(receiver, campaign):
    post_json(receiver, {**fixture("post_call__json"), "advertiser_campaign_id_from_network": "x"})
    delivery = InboundDelivery.objects.get()
    assert delivery.status == DeliveryStatus.IGNORED
    assert "advertiser campaign ADV7/x is not one of this account's" in delivery.error
    assert Lead.objects.count() == 0


def test_a_call_for_a_paused_campaign_is_held_and_captured_when_it_is_switched_on(
    tenant_a, receiver, campaign
):
    campaign_services.update_campaign(campaign=campaign, changes={"status": False})
    post_json(receiver, fixture("post_call__json"))
    delivery = InboundDelivery.objects.get()
    assert delivery.status == DeliveryStatus.IGNORED
    assert "is paused" in delivery.error
    # The Incoming deliveries page names the campaign holding it.
    assert delivery.campaign_id == campaign.pk

    campaign_services.update_campaign(campaign=campaign, changes={"status": True})

    assert Lead.objects.get().campaign == campaign
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PROCESSED
    assert delivery.campaign_id == campaign.pk


def test_the_webhook_without_the_advertiser_id_still_finds_the_campaign(receiver, campaign):
    payload = fixture("post_call__json")
    del payload["advertiser_id_from_network"]
    post_json(receiver, payload)
    assert Lead.objects.get().campaign == campaign


def test_keys_in_other_cases_and_null_values_are_read(receiver, campaign):
    post_json(
        receiver,
        {
            "Transaction_ID": "6A1F0C2B-00000099",
            "ADVERTISER_CAMPAIGN_ID_FROM_NETWORK": "roof-2026",
            "calling_phone_number": None,
            "display_name_data_append": "null",
            "first_name_data_append": "Ana",
            "last_name_data_append": "Lima",
        },
    )
    lead = Lead.objects.get()
    assert (lead.external_id, lead.name, lead.phone) == ("6A1F0C2B-00000099", "Ana Lima", "")


def test_read_body_keeps_the_last_of_a_repeated_form_key():
    assert read_body(b"a=1&a=2&b=", "application/x-www-form-urlencoded") == {"a": "2", "b": ""}


def test_read_body_reads_a_form_with_empty_fields_and_bare_keys_as_browsers_do():
    body = b"transaction_id=F9&&city=Pittsburgh&flag&"
    assert read_body(body, "application/x-www-form-urlencoded") == {
        "transaction_id": "F9",
        "city": "Pittsburgh",
        "flag": "",
    }


def test_a_form_webhook_with_a_trailing_ampersand_becomes_a_lead(receiver, campaign):
    post_form(receiver, raw_fixture("post_call__form.txt").rstrip() + b"&")
    assert Lead.objects.get().external_id == "6A1F0C2B-00000012"


def test_a_transaction_id_sent_as_12345_or_12345_0_is_one_call(receiver, campaign):
    post_json(receiver, {**fixture("post_call__json"), "transaction_id": 12345})
    post_json(receiver, {**fixture("post_call__json"), "transaction_id": 12345.0})
    post_json(
        receiver,
        {
            **fixture("post_call__json"),
            "transaction_id": 12346,
            "corrects_transaction_id": 12345.0,
            "calling_phone_number": "+14155550199",
        },
    )
    lead = Lead.objects.get()
    assert (lead.external_id, lead.phone) == ("12345", "+14155550199")
    assert Delivery.objects.filter(event="lead_arrived").count() == 1


@pytest.mark.parametrize("missing", [float("nan"), float("inf")])
def test_a_transaction_id_that_is_no_number_is_no_id(receiver, campaign, missing):
    response = post_json(receiver, {**fixture("post_call__json"), "transaction_id": missing})
    assert response.status_code == 400
    delivery = InboundDelivery.objects.get()
    assert delivery.status == DeliveryStatus.REJECTED
    assert NO_TRANSACTION_ID in delivery.error
    assert Lead.objects.count() == 0


def test_a_paused_campaign_counts_its_held_calls_under_calls_from_live_too(
    tenant_a, receiver, campaign, live_events
):
    """Like a dialer campaign's, the advertiser campaign feeding a paused Invoca campaign says
    how many of its calls are held: each call once (sent again, it is the same call), and not
    the calls of another advertiser campaign."""
    from campaigns import events

    advertiser_campaign(tenant_a, campaign_id="gutters")
    campaign_services.update_campaign(campaign=campaign, changes={"status": False})
    call = fixture("post_call__json")
    post_json(receiver, call)
    *_, frame = live_events.to(tenant_a.account, tenant_a.admin, events.PAGE_EVENT)
    assert "1 call held</span>" in frame["html"]
    post_json(receiver, call)
    post_json(receiver, {**call, "transaction_id": "6A1F0C2B-00000099"})
    post_json(receiver, {**call, "transaction_id": "6A1F0C2B-00000098", **GUTTERS})
    assert held_calls(tenant_a.account).count() == 4

    page = tenant_a.admin_client.get(f"/campaigns/{campaign.pk}/").content.decode()
    feeders = page[page.index('id="feeders"') :].split("</dd>")[0]
    assert "Roofing Q4" in feeders
    assert '<span class="badge warn">2 calls held</span>' in feeders
    assert "captured as leads, and alerted, when this campaign is activated" in feeders
    assert "Capture" not in page
    # Its representative reads the same: activating it captures them, nothing else is needed.
    page = tenant_a.member_client.get(f"/campaigns/{campaign.pk}/").content.decode()
    feeders = page[page.index('id="feeders"') :].split("</dd>")[0]
    assert '<span class="badge warn">2 calls held</span>' in feeders
    assert "captured as leads, and alerted, when this campaign is activated" in feeders
    assert "Capture" not in page

    campaign_services.update_campaign(campaign=campaign, changes={"status": True})
    for client in (tenant_a.admin_client, tenant_a.member_client):
        page = client.get(f"/campaigns/{campaign.pk}/").content.decode()
        assert "calls held" not in page and "when this campaign is activated" not in page
    assert Lead.objects.filter(campaign=campaign).count() == 2


GUTTERS = {"advertiser_campaign_id_from_network": "gutters"}
