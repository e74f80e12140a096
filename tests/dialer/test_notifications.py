import html
import json

import pytest
from django.test import TestCase

from campaignhub.models import DeliveryStatus, InboundDelivery
from campaigns.models import Lead
from dialer import services
from dialer.models import Contact, DialerEvent, LeadListUpload, PendingAction
from tests.campaigns.factories import make_campaign as make_inbound
from tests.dialer.conftest import API, give_extension, make_agent, make_campaign, notify

pytestmark = pytest.mark.django_db


def _state(campaign):
    campaign.refresh_from_db()
    return campaign.state, campaign.pending_action


def test_start_request_sets_only_start_requested_until_the_notification(campaign, upstream):
    upstream.put(f"{API}/campaigns/{campaign.ref}", status=202)
    services.request_start(campaign=campaign)
    body = json.loads(upstream.calls[0].request.body)
    assert body == {"ref": campaign.ref, "state": "started"}
    assert _state(campaign) == ("stopped", PendingAction.START_REQUESTED)
    notify(campaign.account, "status", status="started", ref=campaign.ref)
    assert _state(campaign) == ("started", "")


def test_starting_a_started_campaign_awaits_nothing(tenant_a, connected, upstream):
    campaign = make_campaign(tenant_a, state="started")
    upstream.put(f"{API}/campaigns/{campaign.ref}", status=202)
    services.request_start(campaign=campaign)
    assert _state(campaign) == ("started", "")


def test_a_duplicate_status_is_ignored_and_logged(tenant_a, connected):
    campaign = make_campaign(tenant_a, state="started")
    response = notify(tenant_a.account, "status", status="started", ref=campaign.ref)
    assert response.status_code == 200
    delivery = InboundDelivery.objects.get()
    assert delivery.status == DeliveryStatus.IGNORED
    assert "Duplicate" in delivery.error
    assert DialerEvent.objects.get().ignored.startswith("Duplicate")


def test_stopping_after_stopped_with_no_start_between_is_stale(tenant_a, connected):
    campaign = make_campaign(tenant_a, state="started")
    for status in ("stopping", "stopped", "stopping"):
        notify(tenant_a.account, "status", status=status, ref=campaign.ref)
    assert _state(campaign) == ("stopped", "")
    last = InboundDelivery.objects.order_by("-pk").first()
    assert last.status == DeliveryStatus.IGNORED and "Stale" in last.error


def test_a_status_for_an_unknown_campaign_is_stored_and_ignored(tenant_a, connected):
    assert notify(tenant_a.account, "status", status="started", ref="ch-unknown").status_code == 200
    assert InboundDelivery.objects.get().status == DeliveryStatus.IGNORED


def test_a_body_that_is_no_notification_is_400_and_kept(tenant_a, connected):
    token = services.receiver_for(tenant_a.account).webhook_token
    from django.test import Client

    response = Client().post(f"/webhooks/dialer/{token}/", "[1]", content_type="application/json")
    assert response.status_code == 400
    assert InboundDelivery.objects.get().status == DeliveryStatus.REJECTED


@pytest.mark.parametrize(
    "body, message",
    [
        (b"not json", "Malformed JSON: Expecting value: line 1 column 1 (char 0)"),
        (b'{"type": "Jos\xe9"}', "The body is not UTF-8 text: send UTF-8, or name the body's"),
        (b"1" * 5000, "body: Enter a whole number of at most 4300 digits."),
    ],
)
def test_a_body_that_is_not_json_says_so(tenant_a, connected, body, message):
    token = services.receiver_for(tenant_a.account).webhook_token
    from django.test import Client

    response = Client().post(f"/webhooks/dialer/{token}/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["message"].startswith(message)
    assert InboundDelivery.objects.get().status == DeliveryStatus.REJECTED


def test_a_notification_in_the_charset_its_content_type_names_is_read_in_it(tenant_a, connected):
    from django.test import Client

    campaign = make_campaign(tenant_a, state="started")
    token = services.receiver_for(tenant_a.account).webhook_token
    note = {"type": "status", "payload": {"status": "stopped", "ref": campaign.ref, "by": "Zoë"}}
    raw = json.dumps(note, ensure_ascii=False).encode("latin-1")
    # generic(): post() would re-encode the bytes into the charset named.
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = Client().generic(
            "POST", f"/webhooks/dialer/{token}/", raw, "application/json; charset=iso-8859-1"
        )
    assert response.status_code == 200
    delivery = InboundDelivery.objects.get()
    assert bytes(delivery.body) == raw
    assert DialerEvent.objects.get().payload["payload"]["by"] == "Zoë"
    assert _state(campaign) == ("stopped", "")


def test_an_unknown_token_is_404(db):
    from django.test import Client

    assert (
        Client().post("/webhooks/dialer/nope/", "{}", content_type="application/json").status_code
        == 404
    )


def test_agent_status_is_stored_on_the_agent(tenant_a, connected):
    campaign = make_campaign(tenant_a, state="started")
    make_agent(campaign, tenant_a.member, "101")
    notify(tenant_a.account, "status", status="available", campaign_ref=campaign.ref, ref="101")
    assert campaign.agents.get().status == "available"
    assert DialerEvent.objects.get().kind == "agent_status"


def _contact(campaign, number="+14155550100"):
    upload = LeadListUpload.objects.create(
        account=campaign.account, campaign=campaign, original_name="x.csv", file="x.csv"
    )
    return Contact.objects.create(
        account=campaign.account,
        campaign=campaign,
        upload=upload,
        seq=1,
        ref=f"{campaign.ref}-1",
        row=2,
        number=number,
        first_name="Ada",
        last_name="Lovelace",
    )


def _cdr(campaign, call_ref="c1", end_reason="callee_hungup", extension="101"):
    return notify(
        campaign.account,
        "cdr",
        extension=extension,
        call_ref=call_ref,
        contact_ref=f"{campaign.ref}-1",
        dialed_at="2026-11-30T10:00:00Z",
        end_reason=end_reason,
        end_code=16,
        call_time=42,
        call_dir="outbound",
        recording_url=None,
        ref=campaign.ref,
    )


def test_a_connected_call_becomes_one_lead_on_the_linked_campaign(tenant_a, connected):
    inbound = make_inbound(tenant_a, campaign_name="Dialer leads", integration="dialer")
    campaign = make_campaign(tenant_a, state="started", inbound_campaign=inbound)
    _contact(campaign)
    _cdr(campaign)
    _cdr(campaign)
    lead = Lead.objects.get()
    assert (lead.campaign, lead.source, lead.phone, lead.name) == (
        inbound,
        "dialer",
        "+14155550100",
        "Ada Lovelace",
    )
    assert DialerEvent.objects.filter(kind="cdr").count() == 1


def test_the_incoming_deliveries_page_names_and_filters_a_call_by_its_inbound_campaign(
    tenant_a, connected
):
    inbound = make_inbound(tenant_a, campaign_name="Dialer leads", integration="dialer")
    other = make_inbound(tenant_a, campaign_name="Other leads", integration="dialer")
    campaign = make_campaign(tenant_a, state="started", inbound_campaign=inbound)
    _contact(campaign)
    _cdr(campaign)
    notify(tenant_a.account, "status", status="started", ref=campaign.ref)
    call, status = InboundDelivery.objects.order_by("pk")
    assert (call.campaign_id, status.campaign_id) == (inbound.pk, None)
    assert (call.lead_id, status.lead_id) == (Lead.objects.get().pk, None)
    page = tenant_a.admin_client.get("/settings/deliveries/").content.decode()
    row = page.split(f'id="inbound-delivery-{call.pk}"', 1)[1].split("</tr>", 1)[0]
    assert f'<a href="/campaigns/{inbound.pk}/">Dialer leads</a>' in row
    mine = tenant_a.admin_client.get("/settings/deliveries/", {"campaign": inbound.pk})
    assert f'id="inbound-delivery-{call.pk}"' in mine.content.decode()
    assert f'id="inbound-delivery-{status.pk}"' not in mine.content.decode()
    theirs = tenant_a.admin_client.get("/settings/deliveries/", {"campaign": other.pk})
    assert f'id="inbound-delivery-{call.pk}"' not in theirs.content.decode()


def test_a_held_call_names_the_paused_inbound_campaign_holding_it(tenant_a, connected):
    inbound, campaign = _held_campaign(tenant_a)
    _pause(inbound)
    _cdr(campaign)
    held = InboundDelivery.objects.get()
    assert (held.status, held.campaign_id) == (DeliveryStatus.IGNORED, inbound.pk)
    # Its page says it is held, and that activating the campaign captures it: no replay.
    page = tenant_a.admin_client.get(f"/settings/deliveries/{held.pk}/").content.decode()
    assert f'<a href="/campaigns/{inbound.pk}/">Dialer leads</a> is paused.' in page
    assert "captured as soon as" in page
    assert 'id="replay"' not in page


def test_a_conversation_with_a_contact_added_on_the_dialer_itself_is_still_a_lead(
    tenant_a, connected
):
    """An adopted campaign's contacts were never uploaded here: the call still makes a lead,
    which says whom the dialer called, and goes to the agent's campaign as any other."""
    inbound = make_inbound(tenant_a, campaign_name="Dialer leads", integration="dialer")
    campaign = make_campaign(tenant_a, state="started", inbound_campaign=inbound)
    _cdr(campaign)
    lead = Lead.objects.get()
    assert (lead.campaign, lead.name, lead.phone) == (inbound, "", "")
    assert lead.message == (
        f"Contact {campaign.ref}-1 was added on the dialer itself, not uploaded here: its name "
        "and number are on the dialer."
    )
    assert lead.payload["contact_ref"] == f"{campaign.ref}-1"


def test_an_unanswered_call_is_stored_but_makes_no_lead(tenant_a, connected):
    inbound = make_inbound(tenant_a, campaign_name="Dialer leads", integration="dialer")
    campaign = make_campaign(tenant_a, state="started", inbound_campaign=inbound)
    _contact(campaign)
    _cdr(campaign, end_reason="busy")
    assert not Lead.objects.exists()
    assert DialerEvent.objects.get().end_reason == "busy"


def test_a_callee_who_hung_up_waiting_for_an_agent_makes_no_lead(tenant_a, connected):
    inbound = make_inbound(tenant_a, campaign_name="Dialer leads", integration="dialer")
    campaign = make_campaign(tenant_a, state="started", inbound_campaign=inbound)
    _contact(campaign)
    _cdr(campaign, end_reason="callee_hungup", extension=None)
    assert not Lead.objects.exists()
    assert DialerEvent.objects.get().end_reason_label == "Hung up waiting for an agent"


def test_call_outcomes_read_in_words_with_the_contact_called(tenant_a, connected):
    campaign = make_campaign(tenant_a, state="started")
    _contact(campaign)
    _cdr(campaign, call_ref="c1", end_reason="agent_hungup")
    _cdr(campaign, call_ref="c2", end_reason="timeout", extension=None)
    page = tenant_a.admin_client.get(f"/dialer/campaigns/{campaign.ref}/").content.decode()
    assert "Talked, the agent hung up" in page and "No answer" in page
    assert "Ada Lovelace" in page and "(415) 555-0100" in page
    # dialed_at is read as a time and shown in the account's time zone (UTC here).
    assert "30 Nov 2026, 10:00</time>" in page


def _linked_campaign(tenant):
    inbound = make_inbound(tenant, campaign_name="Dialer leads", integration="dialer")
    campaign = make_campaign(tenant, state="started", inbound_campaign=inbound)
    _contact(campaign)
    return campaign


def _call(campaign, **fields):
    payload = {
        "extension": "101",
        "call_ref": "k5",
        "contact_ref": f"{campaign.ref}-1",
        "dialed_at": "2026-11-30T10:00:00Z",
        "end_reason": "callee_hungup",
        "call_time": 42,
        "ref": campaign.ref,
    }
    payload.update(fields)
    return notify(campaign.account, "cdr", **payload)


def test_a_call_record_holding_nan_is_stored_cleaned_and_becomes_a_lead(tenant_a, connected):
    campaign = _linked_campaign(tenant_a)
    _call(campaign, mos=float("nan"), jitter=[float("inf"), -float("inf")])
    delivery = InboundDelivery.objects.get()
    assert (delivery.status, delivery.error) == (DeliveryStatus.PROCESSED, "")
    # The stored delivery keeps what the dialer sent; the event holds what a column can.
    assert b'"mos": NaN' in bytes(delivery.body)
    event = DialerEvent.objects.get()
    assert (event.payload["payload"]["mos"], event.payload["payload"]["jitter"]) == (
        None,
        [None, None],
    )
    assert Lead.objects.get().phone == "+14155550100"


def test_a_call_record_with_a_nul_byte_is_stored_without_it(tenant_a, connected):
    campaign = _linked_campaign(tenant_a)
    _call(campaign, **{"note": "agent\x00 notes", "bad\x00key": 1})
    assert InboundDelivery.objects.get().status == DeliveryStatus.PROCESSED
    # No NUL reaches the JSON column (PostgreSQL's jsonb refuses \u0000 outright).
    payload = DialerEvent.objects.get().payload["payload"]
    assert payload["note"] == "agent notes" and payload["badkey"] == 1
    assert "\x00" not in json.dumps(payload)
    assert Lead.objects.count() == 1


def test_a_status_holding_nan_moves_the_campaign_and_replays_as_a_duplicate(tenant_a, connected):
    from campaignhub.intake import process_delivery, replay_deliveries

    campaign = make_campaign(tenant_a, state="started")
    notify(tenant_a.account, "status", status="stopped", ref=campaign.ref, cost=float("nan"))
    delivery = InboundDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PROCESSED
    assert _state(campaign) == ("stopped", "")
    assert DialerEvent.objects.get().payload["payload"]["cost"] is None
    replay_deliveries(InboundDelivery.objects.all())
    process_delivery(delivery.pk)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.error) == (
        DeliveryStatus.IGNORED,
        "Duplicate: already stopped.",
    )


@pytest.mark.parametrize("call_time", [10**30, 2**31, float("inf"), -5, "1e400", True])
def test_a_call_time_no_column_holds_is_dropped_and_the_lead_kept(tenant_a, connected, call_time):
    campaign = _linked_campaign(tenant_a)
    response = _call(campaign, call_time=call_time)
    assert response.status_code == 200
    assert InboundDelivery.objects.get().status == DeliveryStatus.PROCESSED
    assert DialerEvent.objects.get().call_time is None
    assert Lead.objects.count() == 1


@pytest.mark.parametrize("call_time, seconds", [(2**31 - 1, 2**31 - 1), (42.9, 42), ("17", 17)])
def test_a_call_time_the_column_holds_is_kept_in_whole_seconds(
    tenant_a, connected, call_time, seconds
):
    campaign = _linked_campaign(tenant_a)
    _call(campaign, call_time=call_time)
    assert DialerEvent.objects.get().call_time == seconds


def test_a_whole_number_call_ref_is_one_call_however_it_is_written(tenant_a, connected):
    campaign = _linked_campaign(tenant_a)
    _call(campaign, call_ref=555)
    _call(campaign, call_ref=555.0)
    _call(campaign, call_ref="555")
    assert DialerEvent.objects.get().call_ref == "555"
    assert Lead.objects.get().external_id == "555"
    statuses = list(InboundDelivery.objects.order_by("pk").values_list("status", "error"))
    assert statuses[1:] == [(DeliveryStatus.IGNORED, "Duplicate call record '555'.")] * 2


def test_a_nan_call_ref_counts_as_no_id(tenant_a, connected):
    campaign = _linked_campaign(tenant_a)
    _call(campaign, call_ref=float("nan"))
    _call(campaign, call_ref=float("nan"), call_time=43)
    # Two different deliveries without an id: two calls, two leads (ids from their digests).
    assert list(DialerEvent.objects.values_list("call_ref", flat=True)) == ["", ""]
    assert Lead.objects.count() == 2
    assert all(lead.external_id.startswith("sha256:") for lead in Lead.objects.all())


def test_a_fractional_call_ref_keeps_its_fraction(tenant_a, connected):
    campaign = _linked_campaign(tenant_a)
    _call(campaign, call_ref=555.5)
    assert DialerEvent.objects.get().call_ref == "555.5"


def _held_campaign(tenant, **inbound_fields):
    inbound = make_inbound(
        tenant, campaign_name="Dialer leads", integration="dialer", **inbound_fields
    )
    campaign = make_campaign(tenant, state="started", inbound_campaign=inbound)
    _contact(campaign)
    return inbound, campaign


def _pause(campaign, status=False):
    from django.test import TestCase

    from campaigns import services as campaign_services

    with TestCase.captureOnCommitCallbacks(execute=True):
        campaign_services.update_campaign(campaign=campaign, changes={"status": status})


def test_a_connected_call_while_the_inbound_campaign_is_paused_is_held_not_lost(
    tenant_a, connected
):
    inbound, campaign = _held_campaign(tenant_a)
    _pause(inbound)
    _cdr(campaign, call_ref="c1")
    _cdr(campaign, call_ref="c2", end_reason="busy")
    assert not Lead.objects.exists()
    held, busy = InboundDelivery.objects.order_by("pk")
    assert held.status == DeliveryStatus.IGNORED
    assert held.error == (
        "Held: “Dialer leads” is paused (activate it to capture the calls held for it)."
    )
    assert busy.status == DeliveryStatus.PROCESSED
    assert [event.is_held for event in DialerEvent.objects.order_by("pk")] == [True, False]
    # Sent again while still paused: still one call, still held.
    _cdr(campaign, call_ref="c1")
    assert DialerEvent.objects.filter(kind="cdr").count() == 2
    assert InboundDelivery.objects.order_by("pk").last().error.startswith("Held: ")
    page = tenant_a.admin_client.get(f"/dialer/campaigns/{campaign.ref}/").content.decode()
    assert "1 connected call held</strong>, not lost: “Dialer leads” is paused" in page
    assert "connected calls are held: “Dialer leads” is paused" in page
    assert "connected calls become leads of" not in page
    assert '<span class="badge warn"' in page
    # The inbound campaign's own page says so beside the dialer campaign that feeds it.
    page = tenant_a.admin_client.get(f"/campaigns/{inbound.pk}/").content.decode()
    feeders = page.split('id="feeders">', 1)[1].split("</dd>", 1)[0]
    assert '<span class="badge warn">1 call held</span>' in feeders
    assert "captured as leads, and alerted, when this campaign is activated" in feeders


def test_an_open_inbound_campaign_page_counts_a_held_call_as_it_comes(
    tenant_a, connected, live_events
):
    from campaigns import events

    inbound, campaign = _held_campaign(tenant_a)
    _pause(inbound)
    live_events.pushed.clear()
    _cdr(campaign, call_ref="c1")
    [frame] = live_events.to(tenant_a.account, tenant_a.admin, events.PAGE_EVENT)
    feeders = frame["html"].split('id="feeders">', 1)[1].split("</dd>", 1)[0]
    assert '<span class="badge warn">1 call held</span>' in feeders


def test_held_calls_become_leads_once_the_inbound_campaign_is_active_again(tenant_a, connected):
    inbound, campaign = _held_campaign(tenant_a)
    _pause(inbound)
    _cdr(campaign, call_ref="c1")
    _pause(inbound, status=True)
    lead = Lead.objects.get()
    assert (lead.campaign, lead.external_id, lead.name) == (inbound, "c1", "Ada Lovelace")
    held = InboundDelivery.objects.get()
    assert (held.status, held.error) == (DeliveryStatus.PROCESSED, "")
    assert not DialerEvent.objects.get().is_held
    page = tenant_a.admin_client.get(f"/dialer/campaigns/{campaign.ref}/").content.decode()
    assert "connected call held" not in page and "connected calls become leads of" in page
    assert (
        "call held" not in tenant_a.admin_client.get(f"/campaigns/{inbound.pk}/").content.decode()
    )
    # Calls held later become leads after it, in the order they were answered.
    _pause(inbound)
    for call_ref in ("c2", "c3", "c4"):
        _cdr(campaign, call_ref=call_ref)
    _pause(inbound, status=True)
    assert list(Lead.objects.order_by("pk").values_list("external_id", flat=True)) == [
        "c1",
        "c2",
        "c3",
        "c4",
    ]
    # Captured once: saving the campaign again or replaying the delivery adds nothing.
    _pause(inbound, status=True)
    _cdr(campaign, call_ref="c1")
    assert Lead.objects.count() == 4


def test_calls_of_a_campaign_linked_to_none_are_held_until_one_is_chosen(
    tenant_a, connected, upstream
):
    from django.test import TestCase

    campaign = make_campaign(tenant_a, state="started")
    _contact(campaign)
    _cdr(campaign, call_ref="c1")
    delivery = InboundDelivery.objects.get()
    assert delivery.status == DeliveryStatus.IGNORED
    assert delivery.error.startswith("Held: no inbound campaign takes its calls")
    inbound = make_inbound(tenant_a, campaign_name="Dialer leads", integration="dialer")
    upstream.put(f"{API}/campaigns/{campaign.ref}", status=202)
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.apply_settings(campaign=campaign, inbound_campaign=inbound)
    assert Lead.objects.get().campaign == inbound


def _team(tenant):
    """Dana (extension 100) and Riley (extension 101), both representatives of the inbound
    campaign, and a dialer campaign feeding it where both are agents."""
    from tests.factories import make_member

    dana = make_member(tenant.account, "dana@acme.test", name="Dana")
    riley = make_member(tenant.account, "riley@acme.test", name="Riley")
    inbound = make_inbound(
        tenant,
        campaign_name="Dialer leads",
        integration="dialer",
        selected_user=[{"id": dana.pk}, {"id": riley.pk}],
    )
    campaign = make_campaign(tenant, state="started", inbound_campaign=inbound)
    make_agent(campaign, dana, "100")
    make_agent(campaign, riley, "101")
    for seq in range(1, 5):
        Contact.objects.create(
            account=campaign.account,
            campaign=campaign,
            upload=LeadListUpload.objects.create(
                account=campaign.account, campaign=campaign, original_name="x.csv", file="x.csv"
            ),
            seq=seq,
            ref=f"{campaign.ref}-{seq}",
            row=seq + 1,
            number=f"+1415555010{seq}",
        )
    return dana, riley, campaign


def test_a_call_s_lead_goes_to_the_agent_who_talked_to_the_callee(tenant_a, connected):
    from notifications.models import Delivery

    dana, _, campaign = _team(tenant_a)
    for seq in range(1, 5):
        _call(campaign, call_ref=f"c{seq}", contact_ref=f"{campaign.ref}-{seq}", extension="100")
    leads = Lead.objects.order_by("pk")
    assert [lead.representative for lead in leads] == [dana] * 4
    alerted = set(Delivery.objects.filter(event="lead_arrived").values_list("user", flat=True))
    assert alerted == {dana.pk}
    # The lead keeps what the call record said, the agent's extension included.
    assert leads[0].payload["call"]["extension"] == "100"
    page = tenant_a.admin_client.get(f"/leads/{leads[0].pk}/").content.decode()
    assert '"extension": "100"' in html.unescape(page.split("What we received")[1])


def test_a_call_taken_by_someone_who_is_no_representative_goes_round_robin(tenant_a, connected):
    *_, campaign = _team(tenant_a)
    give_extension(tenant_a.account, tenant_a.member, "555")
    for seq in range(1, 5):
        _call(campaign, call_ref=f"c{seq}", contact_ref=f"{campaign.ref}-{seq}", extension="555")
    names = [lead.representative.name for lead in Lead.objects.order_by("pk")]
    assert sorted(names) == ["Dana", "Dana", "Riley", "Riley"]
    assert names[0] != names[1]


def test_the_leads_go_to_choice_marks_a_paused_campaign(tenant_a, connected):
    inbound, campaign = _held_campaign(tenant_a)
    _pause(inbound)
    page = tenant_a.admin_client.get(f"/dialer/campaigns/{campaign.ref}/").content.decode()
    assert "Dialer leads (paused: calls are held until it is active)" in page


def _swap_extensions(campaign, moves):
    """Give each user their new extension, in the account and as an agent of `campaign` (as
    `services.set_extension` leaves it once the dialer took the change)."""
    from dialer.models import AgentExtension

    AgentExtension.objects.filter(
        account=campaign.account, membership__user__in=list(moves)
    ).delete()
    for user, extension in moves.items():
        give_extension(campaign.account, user, extension)
        campaign.agents.filter(user=user).update(extension=extension)


def test_a_held_call_goes_to_who_took_it_though_extensions_changed_hands(tenant_a, connected):
    dana, riley, campaign = _team(tenant_a)
    _pause(campaign.inbound_campaign)
    # Riley takes two calls under 101 while the inbound campaign is paused.
    for seq in (1, 2):
        _call(campaign, call_ref=f"c{seq}", contact_ref=f"{campaign.ref}-{seq}", extension="101")
    assert not Lead.objects.exists()
    assert set(DialerEvent.objects.values_list("taken_by", flat=True)) == {riley.pk}
    # Then Riley moves to 102 and Dana takes 101; a redelivery meanwhile changes nothing.
    _swap_extensions(campaign, {riley: "102", dana: "101"})
    _call(campaign, call_ref="c1", contact_ref=f"{campaign.ref}-1", extension="101")
    _pause(campaign.inbound_campaign, status=True)
    assert [lead.representative for lead in Lead.objects.order_by("pk")] == [riley, riley]


def test_a_held_call_whose_extension_is_gone_still_goes_to_who_took_it(tenant_a, connected):
    _, riley, campaign = _team(tenant_a)
    _pause(campaign.inbound_campaign)
    _call(campaign, call_ref="c1", extension="101")
    _swap_extensions(campaign, {riley: "102"})
    _pause(campaign.inbound_campaign, status=True)
    assert Lead.objects.get().representative == riley


def test_a_held_call_of_someone_no_longer_a_representative_goes_round_robin(tenant_a, connected):
    dana, riley, campaign = _team(tenant_a)
    inbound = campaign.inbound_campaign
    _pause(inbound)
    for seq in (1, 2):
        _call(campaign, call_ref=f"c{seq}", contact_ref=f"{campaign.ref}-{seq}", extension="101")
    inbound.assignments.filter(user=riley).delete()
    _pause(inbound, status=True)
    assert [lead.representative for lead in Lead.objects.order_by("pk")] == [dana, dana]
