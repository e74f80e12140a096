"""What became of a lead: status and revenue from its page and `PATCH /v1/leads/<id>`, who may
set them, the first response recorded once, the first alert's time, and live updates."""

import json
import re
from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.test import Client
from django.utils import timezone

from campaignhub import services as platform
from campaignhub.models import Membership
from campaignhub.tenancy import account_zone
from campaigns import events, outcomes, services
from campaigns.models import REVENUE_ONLY_WHEN_WON, Lead, LeadSource
from notifications import services as notifications
from notifications.models import Delivery
from tests.campaigns.factories import make_campaign
from tests.factories import bearer
from tests.pages import hidden_values

UNCHANGED_STATUS = object()

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(tenant_a):
    """Owned by the admin; the member represents it."""
    return make_campaign(
        tenant_a,
        campaign_name="Roofing",
        notification_type="only_send_email",
        selected_user=[{"id": tenant_a.member.pk}],
    )


def capture(campaign, ref="one"):
    lead, _ = services.capture_lead(
        campaign=campaign, source=LeadSource.FORM, external_id=ref, name="Ann Lee"
    )
    return lead


@pytest.fixture
def lead(campaign):
    return capture(campaign)


def fresh(lead):
    return Lead.objects.get(pk=lead.pk)


def outcome_of(lead):
    lead = fresh(lead)
    return lead.status, lead.revenue, lead.first_response_at, lead.first_response_s


def token_of(tenant, user):
    return platform.issue_token(account=tenant.account, user=user, name="t").raw


def patch(token, lead, body):
    return Client().patch(
        f"/v1/leads/{lead.pk}",
        body if isinstance(body, str) else json.dumps(body),
        content_type="application/json",
        **bearer(token),
    )


class TestSetOutcome:
    def test_the_first_status_change_records_the_first_response_once(self, lead):
        Lead.objects.filter(pk=lead.pk).update(alerted_at=timezone.now() - timedelta(minutes=2))
        outcomes.set_outcome(lead=lead, status="contacted")
        first = fresh(lead)
        assert 119 <= first.first_response_s <= 125
        outcomes.set_outcome(lead=lead, status="won", revenue="1500")
        outcomes.set_outcome(lead=lead, status="new")
        later = fresh(lead)
        assert (later.first_response_at, later.first_response_s) == (
            first.first_response_at,
            first.first_response_s,
        )
        assert (later.status, later.revenue) == ("new", None)  # only a won lead has a revenue

    def test_without_an_alert_the_response_counts_from_arrival(self, lead):
        earlier = timezone.now() - timedelta(hours=1)
        Lead.objects.filter(pk=lead.pk).update(created_at=earlier, updated_at=earlier)
        outcomes.set_outcome(lead=lead, status="contacted")
        assert 3599 <= fresh(lead).first_response_s <= 3605

    def test_revenue_alone_is_no_response(self, lead):
        Lead.objects.filter(pk=lead.pk).update(status="won")
        outcomes.set_outcome(lead=lead, revenue=Decimal("10.50"))
        assert outcome_of(lead) == ("won", Decimal("10.50"), None, None)

    @pytest.mark.parametrize("status", [UNCHANGED_STATUS, "lost", "qualified"])
    def test_a_revenue_for_a_lead_that_is_not_won_is_refused(self, lead, status):
        changes = {} if status is UNCHANGED_STATUS else {"status": status}
        with pytest.raises(ValueError, match="Revenue is recorded for won leads only"):
            outcomes.set_outcome(lead=lead, revenue=Decimal("10"), **changes)
        assert outcome_of(lead) == ("new", None, None, None)

    @pytest.mark.parametrize("status", ["lost", "contacted", "new"])
    def test_a_lead_leaving_won_loses_its_revenue(self, lead, status):
        outcomes.set_outcome(lead=lead, status="won", revenue=Decimal("1500"))
        outcomes.set_outcome(lead=lead, status=status)
        assert outcome_of(lead)[:2] == (status, None)

    @pytest.mark.parametrize("revenue", [-1, "abc", "1.234", float("nan"), 10**10, True])
    def test_bad_revenue_changes_nothing(self, lead, revenue):
        with pytest.raises(ValueError):
            outcomes.set_outcome(lead=lead, status="won", revenue=revenue)
        assert outcome_of(lead) == ("new", None, None, None)

    def test_an_unknown_status_changes_nothing(self, lead):
        with pytest.raises(ValueError):
            outcomes.set_outcome(lead=lead, status="sold")
        assert outcome_of(lead) == ("new", None, None, None)


class TestAlertedAt:
    def test_the_first_alert_sent_records_alerted_at(self, tenant_a, committed):
        both = make_campaign(
            tenant_a,
            campaign_name="Solar",
            notification_type="send_email_sms",
            selected_user=[{"id": tenant_a.member.pk, "custom_number": "+14155550123"}],
        )
        with committed():
            lead = capture(both)
        deliveries = Delivery.objects.filter(event="lead_arrived")
        assert {d.status for d in deliveries} == {"sent"}
        assert deliveries.count() == 2
        assert fresh(lead).alerted_at == min(d.sent_at for d in deliveries)

    def test_a_later_alert_leaves_it(self, lead):
        first = timezone.now() - timedelta(minutes=5)
        assert outcomes.record_alert_sent(
            lead_id=lead.pk, account_id=lead.account_id, sent_at=first
        )
        assert not outcomes.record_alert_sent(
            lead_id=lead.pk, account_id=lead.account_id, sent_at=timezone.now()
        )
        assert fresh(lead).alerted_at == first

    def test_a_failed_alert_records_nothing_until_one_is_sent(self, tenant_a, committed):
        # The member has no phone, so the SMS alert fails.
        sms_only = make_campaign(
            tenant_a,
            campaign_name="Texts",
            notification_type="only_send_sms",
            selected_user=[{"id": tenant_a.member.pk}],
        )
        with committed():
            lead = capture(sms_only)
        delivery = Delivery.objects.get(event="lead_arrived")
        assert delivery.status == "failed"
        assert fresh(lead).alerted_at is None
        tenant_a.member.phone = "+14155550199"
        tenant_a.member.save()
        with committed():
            notifications.retry_delivery(delivery=delivery)
        delivery.refresh_from_db()
        assert delivery.status == "sent"
        assert fresh(lead).alerted_at == delivery.sent_at

    def test_a_retried_sms_alert_goes_to_the_custom_number_added_since(self, tenant_a, committed):
        # The campaign's warning says: add a custom SMS number, then retry the failed alerts.
        sms_only = make_campaign(
            tenant_a,
            campaign_name="Texts",
            notification_type="only_send_sms",
            selected_user=[{"id": tenant_a.member.pk}],
        )
        with committed():
            lead = capture(sms_only)
        delivery = Delivery.objects.get(event="lead_arrived")
        assert (delivery.status, delivery.recipient) == ("failed", "")
        added = [{"id": tenant_a.member.pk, "custom_number": "+14155550123"}]
        services.update_campaign(campaign=sms_only, changes={"selected_user": added})
        with committed():
            notifications.retry_delivery(delivery=delivery)
        delivery.refresh_from_db()
        assert (delivery.status, delivery.recipient) == ("sent", "+14155550123")
        assert fresh(lead).alerted_at == delivery.sent_at
        # Once the person no longer represents the campaign, the retry keeps the usual rule.
        delivery.status = "failed"
        delivery.save()
        services.update_campaign(campaign=sms_only, changes={"selected_user": []})
        with committed():
            notifications.retry_delivery(delivery=delivery)
        delivery.refresh_from_db()
        assert (delivery.status, delivery.recipient) == ("failed", "")

    def test_a_queued_sms_alert_goes_to_the_number_the_person_has_when_it_is_sent(self, tenant_a):
        """Queued (a backlog), then the representative changes their phone: the text goes to
        the new number, never the one they gave up."""
        sms_only = make_campaign(
            tenant_a,
            campaign_name="Texts",
            notification_type="only_send_sms",
            selected_user=[{"id": tenant_a.member.pk}],
        )
        tenant_a.member.phone = "+14155550102"
        tenant_a.member.save()
        capture(sms_only)  # not committed: the alert waits, queued
        delivery = Delivery.objects.get(event="lead_arrived")
        assert (delivery.status, delivery.recipient) == ("queued", "+14155550102")
        tenant_a.member.phone = "+14155550199"
        tenant_a.member.save()
        notifications.attempt_delivery(delivery.pk)
        delivery.refresh_from_db()
        assert (delivery.status, delivery.recipient) == ("sent", "+14155550199")

    def test_other_notifications_leave_leads_alone(self, tenant_a, campaign, lead, committed):
        with committed():
            services.send_test_alert(campaign=campaign, user=tenant_a.admin)
            # Not a lead alert, even with a lead id in its data.
            notifications.notify(
                account=tenant_a.account,
                event="campaign_disconnected",
                recipients=[tenant_a.admin],
                context={"campaign_name": "Roofing", "reason": "paused", "actor": ""},
                channels=["email"],
                data={"lead_id": str(lead.pk)},
            )
        assert Delivery.objects.filter(status="sent").count() == 2
        assert fresh(lead).alerted_at is None

    def test_an_alert_never_reaches_another_accounts_lead(self, tenant_b, lead):
        assert not outcomes.record_alert_sent(
            lead_id=lead.pk, account_id=tenant_b.account.pk, sent_at=timezone.now()
        )
        assert fresh(lead).alerted_at is None

    def test_a_lead_recorded_without_alert_sends_none(self, campaign, committed):
        with committed():
            lead, _ = services.capture_lead(
                campaign=campaign, source="form", external_id="old", name="Old", alert=False
            )
        assert not Delivery.objects.exists()
        assert fresh(lead).representative_id is not None


class TestLeadPage:
    def test_shows_the_outcome_and_the_form(self, tenant_a, lead):
        content = tenant_a.admin_client.get(f"/leads/{lead.pk}/").content.decode()
        assert f'id="lead-{lead.pk}-outcome"' in content
        assert 'data-status="new"' in content
        assert f'action="/leads/{lead.pk}/outcome/"' in content
        assert "Revenue (USD)" in content

    def test_the_form_sets_status_and_revenue(self, tenant_a, lead):
        response = tenant_a.admin_client.post(
            f"/leads/{lead.pk}/outcome/", {"status": "won", "revenue": "1500.00"}
        )
        assert response.status_code == 302
        assert outcome_of(lead)[:2] == ("won", Decimal("1500.00"))
        assert fresh(lead).first_response_s is not None
        page = tenant_a.admin_client.get(f"/leads/{lead.pk}/").content.decode()
        assert 'data-status="won"' in page and "USD 1,500.00" in page
        assert "after it arrived" in page

    @pytest.mark.parametrize(
        ("typed", "stored"),
        [("1,500.00", Decimal("1500.00")), (" 12,345 ", Decimal("12345.00")), ("1,5", None)],
    )
    def test_revenue_may_be_typed_with_thousands_separators(self, tenant_a, lead, typed, stored):
        response = tenant_a.admin_client.post(
            f"/leads/{lead.pk}/outcome/", {"status": "won", "revenue": typed}
        )
        if stored is None:
            assert response.status_code == 400
            assert "Enter an amount, such as 1500 or 1,500.00." in response.content.decode()
            assert outcome_of(lead)[:2] == ("new", None)
        else:
            assert response.status_code == 302
            assert outcome_of(lead)[:2] == ("won", stored)

    def test_a_revenue_sent_with_another_status_is_a_form_error(self, tenant_a, lead):
        # What a browser without scripts sends: the revenue field is not hidden for it.
        outcomes.set_outcome(lead=lead, status="won", revenue="1500")
        response = tenant_a.admin_client.post(
            f"/leads/{lead.pk}/outcome/", {"status": "lost", "revenue": "1500.00"}
        )
        assert response.status_code == 400
        assert "Revenue is recorded for won leads only" in response.content.decode()
        assert outcome_of(lead)[:2] == ("won", Decimal("1500.00"))

    def test_a_save_from_a_page_older_than_the_lead_is_refused_then_taken(self, tenant_a, lead):
        page = tenant_a.admin_client.get(f"/leads/{lead.pk}/").content.decode()
        seen = re.search(r'name="seen" value="(\d+)"', page).group(1)
        outcomes.set_outcome(lead=lead, status="contacted")  # someone else, meanwhile
        mine = {"status": "won", "revenue": "700", "seen": seen}
        refused = tenant_a.admin_client.post(
            f"/leads/{lead.pk}/outcome/", mine, HTTP_HX_REQUEST="true"
        )
        assert refused.status_code == 409
        html = refused.content.decode()
        assert "Someone else changed this lead after you opened this page" in html
        assert 'data-status="contacted"' in html and 'value="700"' in html
        assert outcome_of(lead)[:2] == ("contacted", None)
        current = re.search(r'name="seen" value="(\d+)"', html).group(1)
        assert current != seen
        saved = tenant_a.admin_client.post(
            f"/leads/{lead.pk}/outcome/", {**mine, "seen": current}, HTTP_HX_REQUEST="true"
        )
        assert saved.status_code == 200
        assert outcome_of(lead)[:2] == ("won", Decimal("700.00"))

    def _drawn(self, tenant, lead):
        """What the lead page's outcome form sends back untouched: `seen`, the drawn values."""
        page = tenant.admin_client.get(f"/leads/{lead.pk}/").content.decode()
        return {k: v for k, v in hidden_values(page).items() if k != "csrfmiddlewaretoken"}

    def test_a_stale_save_keeps_the_other_change_to_a_field_left_alone(self, tenant_a, lead):
        outcomes.set_outcome(lead=lead, status="won", revenue="1000")
        drawn = self._drawn(tenant_a, lead)
        assert (drawn["initial-status"], drawn["initial-revenue"]) == ("won", "1000.00")
        outcomes.set_outcome(lead=lead, revenue="1200")  # someone else, meanwhile
        mine = {**drawn, "status": "lost"}  # the revenue field is hidden, so not sent
        refused = tenant_a.admin_client.post(f"/leads/{lead.pk}/outcome/", mine)
        assert refused.status_code == 409
        html = refused.content.decode()
        assert "(now Revenue: 1,200.00)" in html
        assert '<option value="lost" selected>' in html
        assert outcome_of(lead)[:2] == ("won", Decimal("1200.00"))
        again = {**hidden_values(html), "status": "lost"}
        assert tenant_a.admin_client.post(f"/leads/{lead.pk}/outcome/", again).status_code == 302
        assert outcome_of(lead)[:2] == ("lost", None)

    def test_a_revenue_typed_keeps_its_won_status_against_another_change(self, tenant_a, lead):
        outcomes.set_outcome(lead=lead, status="won", revenue="1000")
        drawn = self._drawn(tenant_a, lead)
        outcomes.set_outcome(lead=lead, status="lost")  # someone else, meanwhile
        mine = {**drawn, "status": "won", "revenue": "1100"}
        refused = tenant_a.admin_client.post(f"/leads/{lead.pk}/outcome/", mine)
        assert refused.status_code == 409
        html = refused.content.decode()
        assert "(now Status: Lost; Revenue: none)" in html
        assert '<option value="won" selected>' in html and 'value="1100"' in html
        assert outcome_of(lead)[:2] == ("lost", None)

    def test_a_save_after_an_alert_was_recorded_goes_through(self, tenant_a, lead):
        drawn = self._drawn(tenant_a, lead)
        Lead.objects.filter(pk=lead.pk).update(
            alerted_at=timezone.now(), updated_at=timezone.now() + timedelta(seconds=1)
        )
        response = tenant_a.admin_client.post(
            f"/leads/{lead.pk}/outcome/", {**drawn, "status": "contacted"}
        )
        assert response.status_code == 302
        assert outcome_of(lead)[0] == "contacted"

    def test_htmx_gets_the_outcome_block_back(self, tenant_a, lead):
        earlier = timezone.now() - timedelta(hours=1)
        Lead.objects.filter(pk=lead.pk).update(created_at=earlier, updated_at=earlier)
        response = tenant_a.admin_client.post(
            f"/leads/{lead.pk}/outcome/",
            {"status": "qualified", "revenue": ""},
            HTTP_HX_REQUEST="true",
        )
        assert response.status_code == 200
        content = response.content.decode()
        assert content.strip().startswith(f'<section class="card" id="lead-{lead.pk}-outcome"')
        assert 'data-status="qualified"' in content
        # The page's "Updated" time comes along out of band: the save moved it.
        times = content[
            content.index(f'<div class="facts-group" id="lead-{lead.pk}-changing-facts"') :
        ]
        assert times.startswith(
            f'<div class="facts-group" id="lead-{lead.pk}-changing-facts" hx-swap-oob="true">'
        )
        zone = account_zone(tenant_a.account)
        updated = timezone.localtime(fresh(lead).updated_at, zone)
        assert "<dt>Updated</dt><dd data-updated><time" in times
        assert f">{updated.day} {updated:%b %Y, %H:%M}</time></dd>" in times

    def test_a_live_page_gets_the_facts_from_the_frame_not_the_answer(self, tenant_a, lead):
        with mock.patch("campaignhub.live.watching", return_value=True):
            response = tenant_a.admin_client.post(
                f"/leads/{lead.pk}/outcome/", {"status": "won"}, HTTP_HX_REQUEST="true"
            )

        assert response.status_code == 200
        assert f'id="lead-{lead.pk}-outcome"' in response.text
        assert "changing-facts" not in response.text

    @pytest.mark.parametrize(
        "posted, message",
        [
            ({"status": "won", "revenue": "-5"}, "Ensure this value is greater than or equal to 0"),
            ({"status": "won", "revenue": "lots"}, "Enter an amount, such as 1500 or 1,500.00."),
            ({"status": "won", "revenue": "1.999"}, "no more than 2 decimal places"),
            ({"status": "sold", "revenue": ""}, "Select a valid choice."),
        ],
    )
    def test_bad_input_shows_the_error_and_changes_nothing(self, tenant_a, lead, posted, message):
        response = tenant_a.admin_client.post(
            f"/leads/{lead.pk}/outcome/", posted, HTTP_HX_REQUEST="true"
        )
        assert response.status_code == 400
        assert message in response.content.decode()
        assert outcome_of(lead) == ("new", None, None, None)

    def test_a_revenue_of_spaces_alone_is_none_as_an_empty_one_is(self, tenant_a, lead):
        """ "   " was refused with "Enter an amount, such as 1500 or 1,500.00."."""
        Lead.objects.filter(pk=lead.pk).update(status="won", revenue=Decimal("300"))
        response = tenant_a.admin_client.post(
            f"/leads/{lead.pk}/outcome/", {"status": "won", "revenue": "   "}
        )
        assert response.status_code == 302
        assert outcome_of(lead)[:2] == ("won", None)

    def test_the_leads_representative_may_set_it(self, tenant_a, lead):
        assert lead.representative == tenant_a.member
        response = tenant_a.member_client.post(f"/leads/{lead.pk}/outcome/", {"status": "lost"})
        assert response.status_code == 302
        assert fresh(lead).status == "lost"

    def test_another_representative_of_the_campaign_may_not(self, tenant_a, campaign, lead):
        Lead.objects.filter(pk=lead.pk).update(representative=tenant_a.admin)
        page = tenant_a.member_client.get(f"/leads/{lead.pk}/").content.decode()
        assert 'data-status="new"' in page
        assert f'action="/leads/{lead.pk}/outcome/"' not in page
        response = tenant_a.member_client.post(f"/leads/{lead.pk}/outcome/", {"status": "won"})
        # Refused in the outcome block, saying who works the lead (test_refused_after_handover).
        assert response.status_code == 409
        assert "your change was not saved" in response.content.decode()
        assert fresh(lead).status == "new"

    def test_status_badges_and_filter_on_the_lead_list(self, tenant_a, campaign, lead):
        won = capture(campaign, "two")
        outcomes.set_outcome(lead=won, status="won")
        content = tenant_a.admin_client.get("/leads/?status=won").content.decode()
        assert f'id="lead-{won.pk}"' in content and f'id="lead-{lead.pk}"' not in content
        assert 'data-status="won"' in content
        assert '<option value="won" selected>' in content


class TestApi:
    def test_patch_sets_status_and_revenue(self, tenant_a, lead):
        response = patch(tenant_a.token.raw, lead, {"status": "won", "revenue": 1999.99})
        assert response.status_code == 200
        data = response.json()["data"]
        assert (data["status"], data["revenue"]) == ("won", 1999.99)
        assert data["first_response_s"] is not None
        assert outcome_of(lead)[:2] == ("won", Decimal("1999.99"))

    def test_patch_one_field_keeps_the_other(self, tenant_a, lead):
        patch(tenant_a.token.raw, lead, {"status": "won"})
        patch(tenant_a.token.raw, lead, {"revenue": 250})
        assert outcome_of(lead)[:2] == ("won", Decimal("250.00"))
        patch(tenant_a.token.raw, lead, {"revenue": None})
        assert outcome_of(lead)[:2] == ("won", None)

    @pytest.mark.parametrize(
        "body",
        [
            {"revenue": 250},
            {"status": "lost", "revenue": 250},
            {"status": "qualified", "revenue": 1},
        ],
    )
    def test_a_revenue_for_a_lead_that_is_not_won_is_400(self, tenant_a, lead, body):
        response = patch(tenant_a.token.raw, lead, body)
        assert response.status_code == 400
        assert response.json()["errors"] == {"revenue": [REVENUE_ONLY_WHEN_WON]}
        assert outcome_of(lead)[:2] == ("new", None)

    @pytest.mark.parametrize(
        "body, field",
        [
            ({"status": "sold"}, "status"),
            ({"status": ""}, "status"),
            ({"status": None}, "status"),
            ({"revenue": -1}, "revenue"),
            ({"revenue": "100"}, "revenue"),
            ({"revenue": True}, "revenue"),
            ({"revenue": 1.005}, "revenue"),
            ({"status": "won", "value": 3}, "value"),
            ({}, "non_field_errors"),
        ],
    )
    def test_bad_bodies_are_400_and_change_nothing(self, tenant_a, lead, body, field):
        response = patch(tenant_a.token.raw, lead, body)
        assert response.status_code == 400
        assert field in response.json()["errors"]
        assert outcome_of(lead) == ("new", None, None, None)

    @pytest.mark.parametrize(
        "written, message",
        [
            ("12.3400000000000001", "Ensure that there are no more than 2 decimal places."),
            ("-1e-400", "Ensure this value is greater than or equal to 0."),
            ("-0.00", "Ensure this value is greater than or equal to 0."),
        ],
    )
    def test_a_revenue_is_read_as_written_never_rounded_to_a_float(
        self, tenant_a, lead, written, message
    ):
        response = patch(tenant_a.token.raw, lead, f'{{"status": "won", "revenue": {written}}}')
        assert response.status_code == 400
        assert response.json()["errors"] == {"revenue": [message]}
        assert outcome_of(lead) == ("new", None, None, None)

    def test_a_revenue_with_trailing_zeros_is_taken_as_its_value(self, tenant_a, lead):
        response = patch(tenant_a.token.raw, lead, '{"status": "won", "revenue": 1999.990}')
        assert response.status_code == 200
        assert response.json()["data"]["revenue"] == 1999.99
        assert outcome_of(lead)[:2] == ("won", Decimal("1999.99"))

    def test_the_leads_representative_may_patch(self, tenant_a, lead):
        response = patch(token_of(tenant_a, tenant_a.member), lead, {"status": "contacted"})
        assert response.status_code == 200

    def test_the_campaign_owner_may_patch(self, tenant_a, lead):
        owned = make_campaign(tenant_a, owner=tenant_a.member, campaign_name="Mine")
        mine = capture(owned, "mine")
        assert mine.representative is None
        response = patch(token_of(tenant_a, tenant_a.member), mine, {"status": "won"})
        assert response.status_code == 200

    def test_others_get_403_and_nothing_changes(self, tenant_a, lead):
        Lead.objects.filter(pk=lead.pk).update(representative=tenant_a.admin)
        response = patch(token_of(tenant_a, tenant_a.member), lead, {"status": "won"})
        assert response.status_code == 403
        assert "representative" in response.json()["message"]
        assert fresh(lead).status == "new"

    def test_lead_data_carries_the_outcome(self, tenant_a, lead):
        outcomes.set_outcome(lead=lead, status="won", revenue="20")
        data = Client().get(f"/v1/leads/{lead.pk}", **bearer(tenant_a.token.raw)).json()["data"]
        assert (data["status"], data["revenue"]) == ("won", 20.0)
        assert isinstance(data["first_response_s"], int)

    def test_the_list_filters_by_status(self, tenant_a, campaign, lead):
        won = capture(campaign, "two")
        outcomes.set_outcome(lead=won, status="won")
        rows = Client().get("/v1/leads?status=won", **bearer(tenant_a.token.raw)).json()["data"]
        assert [row["id"] for row in rows] == [won.pk]
        bad = Client().get("/v1/leads?status=sold", **bearer(tenant_a.token.raw))
        assert bad.status_code == 400 and "status" in bad.json()["errors"]


class TestLive:
    def test_an_outcome_pushes_the_row_and_the_outcome_block(
        self, tenant_a, lead, live_events, committed
    ):
        with committed():
            outcomes.set_outcome(lead=lead, status="won", revenue="75")
        admin = "".join(f["html"] for f in live_events.to(tenant_a.account, tenant_a.admin))
        assert f'<tr id="lead-{lead.pk}" data-announce=' in admin and 'data-status="won"' in admin
        assert f'id="lead-{lead.pk}-outcome"' in admin and "USD 75.00" in admin
        assert (
            f'<div class="facts-group" id="lead-{lead.pk}-changing-facts" hx-swap-oob="true">'
            in admin
        )
        # The representative may set it: their block has the form.
        member = "".join(f["html"] for f in live_events.to(tenant_a.account, tenant_a.member))
        assert f'action="/leads/{lead.pk}/outcome/"' in member

    def test_who_may_not_set_it_gets_the_block_without_the_form(
        self, tenant_a, lead, live_events, committed
    ):
        Lead.objects.filter(pk=lead.pk).update(representative=tenant_a.admin)
        with committed():
            outcomes.set_outcome(lead=lead, status="lost")
        frames = live_events.to(tenant_a.account, tenant_a.member, events.OUTCOME_EVENT)
        blocks = [f["html"] for f in frames if f'id="lead-{lead.pk}-outcome"' in f["html"]]
        assert len(blocks) == 1
        assert 'data-status="lost"' in blocks[0]
        assert "<form" not in blocks[0]

    def test_the_alert_time_is_pushed(self, tenant_a, lead, live_events, committed):
        with committed():
            outcomes.record_alert_sent(
                lead_id=lead.pk, account_id=tenant_a.account.pk, sent_at=timezone.now()
            )
        frames = live_events.to(tenant_a.account, tenant_a.admin)
        assert [f["event"] for f in frames] == [events.OUTCOME_EVENT]
        assert f'id="lead-{lead.pk}-outcome"' in frames[0]["html"]
        assert "Alert sent" in frames[0]["html"]

    def test_nothing_is_pushed_when_nothing_changes(self, lead, live_events, committed):
        with committed():
            outcomes.set_outcome(lead=lead, status="new")
        assert live_events.pushed == []


def test_may_set_outcome_follows_the_rule(tenant_a, tenant_b, campaign, lead):
    from campaigns.permissions import may_set_outcome

    def of(tenant, user):
        return Membership.objects.get(account=tenant.account, user=user)

    assert may_set_outcome(of(tenant_a, tenant_a.admin), lead)
    assert may_set_outcome(of(tenant_a, tenant_a.member), lead)
    assert not may_set_outcome(of(tenant_b, tenant_b.admin), lead)
