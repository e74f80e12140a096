"""Calls CallRail sends that do not become leads at once: held for a paused campaign, to a
number no campaign uses, or rejected for a signing key pasted wrong; and how they are shown
and recovered."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.contrib.messages import get_messages
from django.db import transaction
from django.utils import timezone

from callrail import services as callrail_services
from callrail.models import CallRailSettings
from campaignhub.models import DeliveryStatus, InboundDelivery
from campaigns import services as campaign_services
from campaigns.models import Lead
from tests.callrail.conftest import fixture, post
from tests.campaigns.factories import make_campaign

pytestmark = pytest.mark.django_db(transaction=True)

OTHER_CALL = {**fixture("pre_call__inbound"), "resource_id": "CALother"}


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


class TestCallsToAPausedCampaign:
    @pytest.fixture
    def paused(self, campaign):
        campaign_services.update_campaign(campaign=campaign, changes={"status": False})
        return campaign

    def test_a_call_and_a_text_are_held_for_the_campaign_not_lost(self, receiver, paused):
        post(receiver, fixture("pre_call__inbound"))
        post(receiver, fixture("text_message_received__sms"))
        held = InboundDelivery.objects.order_by("pk")
        assert [d.status for d in held] == [DeliveryStatus.IGNORED] * 2
        assert all(d.error.startswith(f"Held for paused campaign #{paused.pk}:") for d in held)
        assert [d.campaign_id for d in held] == [paused.pk] * 2
        assert not Lead.objects.exists()

    def test_the_campaign_page_counts_each_held_call_once_and_asks_to_activate(
        self, tenant_a, receiver, paused
    ):
        for event in ("pre_call__inbound", "post_call__answered", "call_modified__tagged"):
            post(receiver, fixture(event))
        post(receiver, OTHER_CALL)
        page = tenant_a.admin_client.get(f"/campaigns/{paused.pk}/").content.decode()
        assert "2 calls</strong> reached this campaign while it was paused" in page
        assert "Activate the campaign, then capture them here with “Capture them now”." in page
        assert f"/campaigns/{paused.pk}/held-leads/" not in page

    def test_an_open_campaign_page_counts_a_held_call_as_it_comes(
        self, tenant_a, receiver, paused, live_events
    ):
        from campaigns import events

        post(receiver, fixture("pre_call__inbound"))
        [frame] = live_events.to(tenant_a.account, tenant_a.admin, events.PAGE_EVENT)
        assert f'<div id="campaign-{paused.pk}-held" hx-swap-oob="true">' in frame["html"]
        assert "1 call</strong> reached this campaign while it was paused" in frame["html"]
        # A later event of the same call is the same call: the count stays.
        post(receiver, fixture("post_call__answered"))
        *_, again = live_events.to(tenant_a.account, tenant_a.admin, events.PAGE_EVENT)
        assert "1 call</strong> reached this campaign while it was paused" in again["html"]

    def test_once_active_capturing_them_makes_their_leads_in_order(
        self, tenant_a, receiver, paused
    ):
        for event in ("pre_call__inbound", "post_call__answered", "call_modified__tagged"):
            post(receiver, fixture(event))
        post(receiver, fixture("text_message_received__sms"))
        campaign_services.update_campaign(campaign=paused, changes={"status": True})
        page = tenant_a.admin_client.get(f"/campaigns/{paused.pk}/").content.decode()
        assert (
            "1 call and 1 text message</strong> reached this campaign while it was paused" in page
        )
        assert f"/campaigns/{paused.pk}/held-leads/" in page

        response = tenant_a.admin_client.post(f"/campaigns/{paused.pk}/held-leads/")

        assert response.status_code == 302
        assert _messages(response) == [
            "Capturing 1 held call and 1 held text message; their leads appear below as they "
            "are captured."
        ]
        assert sorted(Lead.objects.values_list("source", flat=True)) == ["call", "text"]
        call = Lead.objects.get(source="call")
        assert call.campaign == paused
        # The modification came last and is applied last.
        assert call.payload["tags"] == ["qualified"]
        page = tenant_a.admin_client.get(f"/campaigns/{paused.pk}/").content.decode()
        assert "reached this campaign" not in page

    def test_held_text_messages_are_counted_as_text_messages_not_calls(
        self, tenant_a, receiver, paused, live_events
    ):
        from campaigns import events

        text = fixture("text_message_received__sms")
        post(receiver, text)
        post(receiver, {**text, "id": 88124, "resource_id": "SCIother"})
        page = tenant_a.admin_client.get(f"/campaigns/{paused.pk}/").content.decode()
        assert "<strong>2 text messages</strong> reached this campaign while it was paused" in page
        assert "call" not in page[page.index(f'id="campaign-{paused.pk}-held"') :].split("</p>")[0]
        api = tenant_a.admin_client.get(f"/v1/campaigns/{paused.pk}").json()["data"]
        assert api["held"] == {"count": 2, "noun": "text message"}

        # A call joins them: each kind is named, live too.
        post(receiver, fixture("pre_call__inbound"))
        *_, frame = live_events.to(tenant_a.account, tenant_a.admin, events.PAGE_EVENT)
        assert "<strong>1 call and 2 text messages</strong> reached this campaign" in frame["html"]
        api = tenant_a.admin_client.get(f"/v1/campaigns/{paused.pk}").json()["data"]
        assert api["held"] == {"count": 3, "noun": "call or text message"}

    def test_a_call_to_a_deleted_campaigns_number_is_not_held(self, receiver, paused):
        campaign_services.delete_campaign(campaign=paused)
        post(receiver, fixture("pre_call__inbound"))
        assert InboundDelivery.objects.get().error.startswith(
            "No active CallRail campaign uses +14155550134"
        )


class TestCallsToNumbersNoCampaignUses:
    def test_the_callrail_page_counts_them_by_number(self, tenant_a, receiver):
        post(receiver, fixture("pre_call__inbound"))
        post(receiver, fixture("post_call__answered"))  # the same call
        post(receiver, OTHER_CALL)
        page = tenant_a.member_client.get("/callrail/").content.decode()
        assert "2 calls to numbers no campaign uses" in page
        assert "(415) 555-0134" in page

    def test_calls_a_campaign_takes_or_holds_are_not_counted(self, tenant_a, receiver, campaign):
        post(receiver, fixture("pre_call__inbound"))
        campaign_services.update_campaign(campaign=campaign, changes={"status": False})
        post(receiver, OTHER_CALL)
        page = tenant_a.admin_client.get("/callrail/").content.decode()
        assert "no campaign uses" not in page

    def test_a_number_a_campaign_takes_since_leaves_the_list_at_once(self, tenant_a, receiver):
        post(receiver, fixture("pre_call__inbound"))
        post(receiver, {**OTHER_CALL, "tracking_phone_number": "+14155550199"})
        make_campaign(
            tenant_a,
            campaign_name="Roof calls",
            integration="callrail",
            tracking_number="+14155550134",
        )
        page = tenant_a.admin_client.get("/callrail/").content.decode()
        assert "1 call to numbers no campaign uses" in page
        assert "(415) 555-0199" in page
        assert "(415) 555-0134" not in page


class TestSignatureRejections:
    @pytest.fixture
    def wrong_key(self, tenant_a, receiver):
        callrail_services.set_signing_key(account=tenant_a.account, signing_key="pasted-wrong")
        return CallRailSettings.objects.get(pk=receiver.pk)

    def test_the_page_warns_while_the_key_rejects_deliveries(self, tenant_a, wrong_key, campaign):
        assert (
            post(wrong_key, fixture("pre_call__inbound"), sign_with="company-secret").status_code
            == 400
        )
        page = tenant_a.admin_client.get("/callrail/").content.decode()
        assert "signed deliveries checked" not in page
        assert "signatures do not match the signing key" in page
        assert "1 delivery</strong> since the signing key was saved" in page
        assert "Process it again" not in page

    def test_rejections_before_the_key_was_saved_no_longer_warn(self, tenant_a, wrong_key):
        post(wrong_key, fixture("pre_call__inbound"), sign_with="company-secret")
        InboundDelivery.objects.update(received_at=timezone.now() - timedelta(minutes=5))
        callrail_services.set_signing_key(account=tenant_a.account, signing_key="company-secret")
        page = tenant_a.admin_client.get("/callrail/").content.decode()
        assert "signed deliveries checked" in page
        assert "since the signing key was saved" not in page
        assert "1 delivery</strong> was rejected for its signature before" in page

    def test_saving_the_right_key_offers_to_process_them_and_doing_so_makes_the_lead(
        self, tenant_a, wrong_key, campaign
    ):
        post(wrong_key, fixture("pre_call__inbound"), sign_with="company-secret")
        post(wrong_key, OTHER_CALL, sign_with="some-other-secret")
        InboundDelivery.objects.update(received_at=timezone.now() - timedelta(minutes=5))

        saved = tenant_a.admin_client.post(
            "/callrail/signing-key/", {"signing_key": "company-secret"}
        )
        assert _messages(saved) == [
            "Signing key saved. 2 deliveries were rejected for a signature that did not match "
            "the key before; process them again below."
        ]
        page = tenant_a.admin_client.get("/callrail/").content.decode()
        assert "/callrail/rejected/" in page
        assert "Process them again" in page

        response = tenant_a.admin_client.post("/callrail/rejected/")

        assert _messages(response) == [
            "Processing 1 of 2 rejected deliveries again; the signing key does not match the "
            "other 1, which stay rejected."
        ]
        lead = Lead.objects.get()
        assert (lead.campaign, lead.external_id) == (
            campaign,
            "CALb1489f2c9d574c6a9b2e1f4a7d3c8e51",
        )
        assert InboundDelivery.objects.filter(status=DeliveryStatus.REJECTED).count() == 1

    def test_members_may_not_process_them_again(self, tenant_a, wrong_key, campaign):
        post(wrong_key, fixture("pre_call__inbound"), sign_with="company-secret")
        InboundDelivery.objects.update(received_at=timezone.now() - timedelta(minutes=5))
        callrail_services.set_signing_key(account=tenant_a.account, signing_key="company-secret")
        assert "Process it again" not in tenant_a.member_client.get("/callrail/").content.decode()
        assert tenant_a.member_client.post("/callrail/rejected/").status_code == 403
        assert not Lead.objects.exists()


class TestTheCallRailPageLive:
    def test_a_call_to_an_unused_number_redraws_the_card(self, tenant_a, receiver, live_events):
        from callrail import live_updates

        post(receiver, fixture("pre_call__inbound"))
        [frame] = live_events.to(tenant_a.account, tenant_a.member, live_updates.PAGE_EVENT)
        assert '<div id="callrail-unused" class="grid-region" hx-swap-oob="true">' in frame["html"]
        assert "1 call to numbers no campaign uses" in frame["html"]
        assert "(415) 555-0134" in frame["html"]

    def test_only_people_with_a_page_open_get_it_drawn(
        self, tenant_a, receiver, live_events, monkeypatch
    ):
        from callrail import live_updates
        from campaignhub import live

        admin = tenant_a.admin.pk
        monkeypatch.setattr(
            live, "watching_members", lambda account_id, users: {admin} & set(users)
        )
        post(receiver, fixture("pre_call__inbound"))
        assert live_events.to(tenant_a.account, tenant_a.admin, live_updates.PAGE_EVENT)
        assert not live_events.to(tenant_a.account, tenant_a.member, live_updates.PAGE_EVENT)

    def test_a_campaign_taking_the_number_drops_it_from_the_card(
        self, tenant_a, receiver, live_events
    ):
        from callrail import live_updates

        post(receiver, fixture("pre_call__inbound"))
        make_campaign(
            tenant_a,
            campaign_name="Roof calls",
            integration="callrail",
            tracking_number="+14155550134",
        )
        frame = live_events.to(tenant_a.account, tenant_a.admin, live_updates.PAGE_EVENT)[-1]
        assert '<div id="callrail-unused"' in frame["html"]
        assert "(415) 555-0134" not in frame["html"]

    def test_a_rejected_signature_redraws_the_badge(self, tenant_a, receiver, live_events):
        from callrail import live_updates

        callrail_services.set_signing_key(account=tenant_a.account, signing_key="pasted-wrong")
        post(receiver, fixture("pre_call__inbound"), sign_with="company-secret")
        frame = live_events.to(tenant_a.account, tenant_a.admin, live_updates.PAGE_EVENT)[-1]
        assert '<div id="callrail-signatures" hx-swap-oob="true">' in frame["html"]
        assert "signatures do not match the signing key" in frame["html"]
        assert "1 delivery</strong> since the signing key was saved" in frame["html"]

    def test_each_signing_key_change_redraws_the_badge_for_everyone_after_commit(
        self, tenant_a, receiver, live_events
    ):
        from callrail import live_updates

        def frames(user):
            return live_events.to(tenant_a.account, user, live_updates.PAGE_EVENT)

        def changed_by_hand(**data):
            with transaction.atomic():
                response = tenant_a.admin_client.post("/callrail/signing-key/", data)
                assert response.status_code == 302
                assert not frames(tenant_a.admin), "pushed before the change was committed"
            admins, members = frames(tenant_a.admin), frames(tenant_a.member)
            live_events.pushed.clear()
            assert len(admins) == len(members) == 1
            return admins[0]["html"], members[0]["html"]

        # Saved: the badge reads "checked", no rejection counted yet.
        admin, member = changed_by_hand(signing_key="pasted-wrong")
        for html in (admin, member):
            assert '<div id="callrail-signatures" hx-swap-oob="true">' in html
            assert "signed deliveries checked" in html

        post(receiver, fixture("pre_call__inbound"), sign_with="company-secret")
        InboundDelivery.objects.update(received_at=timezone.now() - timedelta(minutes=5))
        live_events.pushed.clear()

        # Replaced with the right key: the red badge goes, the offer comes (admins' button).
        admin, member = changed_by_hand(signing_key="company-secret")
        for html in (admin, member):
            assert "signatures do not match the signing key" not in html
            assert "signed deliveries checked" in html
            assert "rejected for its signature before the signing key in use" in html
        assert "Process it again" in admin
        assert "Process it again" not in member
        assert "An account admin can process it again." in member

        # Removed: nothing is verified any more.
        admin, member = changed_by_hand(signing_key="", remove="1")
        for html in (admin, member):
            assert "no signing key: deliveries are not verified" in html

    def test_an_unchanged_key_pushes_nothing(self, tenant_a, receiver, live_events):
        response = tenant_a.admin_client.post("/callrail/signing-key/", {"signing_key": ""})
        assert response.status_code == 302
        assert not live_events.pushed

    def test_a_key_callrail_hands_over_or_a_new_company_redraws_the_badge(
        self, tenant_a, receiver, live_events
    ):
        from callrail import live_updates

        client = SimpleNamespace(
            create_webhook=lambda *args: {"id": "WHK9", "status": "enabled", "signing_key": "k"}
        )
        callrail_services.register_webhook(
            account=tenant_a.account,
            client=client,
            account_id=receiver.callrail_account_id,
            company_id=receiver.company_id,
            url=callrail_services.receiver_url(tenant_a.account),
        )
        (frame,) = live_events.to(tenant_a.account, tenant_a.admin, live_updates.PAGE_EVENT)
        assert "signed deliveries checked" in frame["html"]

        callrail_services.choose(
            account=tenant_a.account,
            account_id=receiver.callrail_account_id,
            company_id="COMother",
            company_name="Other company",
        )
        frame = live_events.to(tenant_a.account, tenant_a.admin, live_updates.PAGE_EVENT)[-1]
        assert "no signing key: deliveries are not verified" in frame["html"]

    def test_the_page_fetches_its_live_fragments_when_it_connects(self, tenant_a, receiver):
        post(receiver, fixture("pre_call__inbound"))
        page = tenant_a.member_client.get("/callrail/").content.decode()
        assert 'hx-get="/callrail/live/" hx-trigger="htmx:wsOpen from:body"' in page
        live = tenant_a.member_client.get("/callrail/live/").content.decode()
        assert 'id="callrail-signatures" hx-swap-oob="true"' in live
        assert "1 call to numbers no campaign uses" in live
