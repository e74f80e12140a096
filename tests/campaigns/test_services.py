import uuid
from unittest import mock

import pytest
from django.core import mail

from campaigns import permissions, services
from campaigns.forms import CampaignForm
from campaigns.models import Campaign, CampaignTally, Lead, LeadSource
from notifications.models import Delivery
from notifications.services import register_device
from notifications.transports import push, sms
from tests.campaigns.factories import campaign_data, make_campaign

pytestmark = pytest.mark.django_db


def membership(user):
    return user.memberships.get()


def clean(tenant, **overrides):
    form = CampaignForm(data=campaign_data(**overrides), account=tenant.account)
    return form


class TestTrackingNumbers:
    def test_stored_in_e164(self, tenant_a):
        campaign = make_campaign(tenant_a, integration="callrail", tracking_number="(415) 555-1234")
        assert campaign.tracking_number == "+14155551234"

    def test_duplicate_in_the_account_is_refused(self, tenant_a):
        make_campaign(tenant_a, integration="callrail", tracking_number="+14155551234")
        with pytest.raises(
            services.DuplicateTrackingNumber, match="Tracking number already added!"
        ):
            make_campaign(tenant_a, integration="callrail", tracking_number="(415) 555-1234")
        assert Campaign.objects.count() == 1

    def test_soft_deleted_campaigns_free_their_number(self, tenant_a):
        first = make_campaign(tenant_a, integration="callrail", tracking_number="+14155551234")
        services.delete_campaign(campaign=first)
        second = make_campaign(tenant_a, integration="callrail", tracking_number="4155551234")
        assert second.tracking_number == first.tracking_number

    def test_other_accounts_may_use_the_same_number(self, tenant_a, tenant_b):
        make_campaign(tenant_a, integration="callrail", tracking_number="+14155551234")
        make_campaign(tenant_b, integration="callrail", tracking_number="+14155551234")
        numbers = Campaign.objects.values_list("account", "tracking_number").order_by("account")
        assert list(numbers) == [
            (tenant_a.account.pk, "+14155551234"),
            (tenant_b.account.pk, "+14155551234"),
        ]

    def test_update_to_a_taken_number_is_refused_and_changes_nothing(self, tenant_a):
        make_campaign(tenant_a, integration="callrail", tracking_number="+14155551234")
        other = make_campaign(tenant_a, integration="callrail", tracking_number="+14155551235")
        with pytest.raises(services.DuplicateTrackingNumber):
            services.update_campaign(campaign=other, changes={"tracking_number": "+14155551234"})
        other.refresh_from_db()
        assert other.tracking_number == "+14155551235"

    def test_callrail_needs_a_number_others_do_not(self, tenant_a):
        form = clean(tenant_a, integration="callrail")
        assert not form.is_valid()
        assert form.errors["tracking_number"] == [
            "A tracking number is required for CallRail campaigns."
        ]
        assert clean(tenant_a, integration="webhook").is_valid()

    def test_unparsable_number_is_a_validation_error(self, tenant_a):
        form = clean(tenant_a, integration="callrail", tracking_number="12")
        assert not form.is_valid()
        assert "Enter a valid phone number" in form.errors["tracking_number"][0]


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("https://example.com/", "https://example.com"),
        ("https://example.com///", "https://example.com"),
        ("https://example.com/page?param=value/", "https://example.com/page?param=value"),
        ("https://example.com/page#section/", "https://example.com/page#section"),
        ("  https://example.com/a/b//  ", "https://example.com/a/b"),
    ],
)
def test_page_url_loses_every_trailing_slash(tenant_a, given, stored):
    assert make_campaign(tenant_a, page_url=given).page_url == stored


def test_page_url_must_be_a_web_address(tenant_a):
    form = clean(tenant_a, page_url="javascript:alert(1)")
    assert not form.is_valid()
    assert "page_url" in form.errors


class TestFormCampaigns:
    def test_get_a_public_uuid4(self, tenant_a):
        campaign = make_campaign(tenant_a)
        assert uuid.UUID(str(campaign.form_secret_id)).version == 4
        assert campaign.webhook_token is None

    def test_name_clashes_become_copies(self, tenant_a):
        names = [make_campaign(tenant_a, campaign_name="Roofing").campaign_name for _ in range(4)]
        assert names == ["Roofing", "Roofing (Copy)", "Roofing (Copy 2)", "Roofing (Copy 3)"]

    def test_deleted_campaigns_do_not_hold_names(self, tenant_a):
        services.delete_campaign(campaign=make_campaign(tenant_a, campaign_name="Roofing"))
        assert make_campaign(tenant_a, campaign_name="Roofing").campaign_name == "Roofing"


def test_webhook_campaigns_get_a_secret_token(tenant_a):
    campaign = make_campaign(tenant_a, integration="webhook")
    assert len(campaign.webhook_token) >= 40
    assert campaign.form_secret_id is None


def test_currency_defaults_to_the_accounts(tenant_a):
    tenant_a.account.currency = "CAD"
    tenant_a.account.save()
    assert make_campaign(tenant_a).currency == "CAD"
    assert make_campaign(tenant_a, currency="EUR").currency == "EUR"


def test_representatives_must_be_members_of_the_account(tenant_a, tenant_b):
    form = clean(tenant_a, selected_user=[{"id": tenant_b.admin.pk}])
    assert not form.is_valid()
    assert form.errors["selected_user"] == [f"Not members of the account: {tenant_b.admin.pk}."]


class TestDisconnectionAlert:
    def disconnected(self):
        return Delivery.objects.filter(event="campaign_disconnected")

    def test_disabling_alerts_the_owner_by_push_and_email(self, tenant_a, committed):
        register_device(user=tenant_a.member, registration_id="owner-phone", type="ios")
        campaign = make_campaign(tenant_a, owner=tenant_a.member, campaign_name="Roofing")
        with committed():
            services.update_campaign(campaign=campaign, changes={"status": False})
        body = (
            "Your Roofing campaign was paused in CampaignHub (Acme Agency): leads that reach it "
            "are held, and nobody is alerted, until it is activated again."
        )
        url = f"http://testserver/campaigns/{campaign.pk}/"
        assert {d.channel for d in self.disconnected()} == {"push", "email"}
        assert mail.outbox[0].subject == "Inbound Campaign Paused."
        assert mail.outbox[0].body == f"{body}\n\nOpen the campaign: {url}"
        assert f'<a href="{url}">Open the campaign</a>' in mail.outbox[0].alternatives[0][0]
        assert "Inbound app" not in mail.outbox[0].alternatives[0][0]
        assert mail.outbox[0].to == ["member@acme.test"]
        tokens, message = push.outbox[0]
        assert tokens == ["owner-phone"]
        assert (message.title, message.body) == ("Inbound Campaign Paused.", body)
        assert message.data == {
            "campaign_id": str(campaign.pk),
            "module": "inbound",
            "type": "campaign_disconnected",
            "url": url,
        }

    def test_says_when_the_owner_paused_it_themselves(self, tenant_a, committed):
        campaign = make_campaign(tenant_a, owner=tenant_a.member, campaign_name="Roofing")
        with committed():
            services.update_campaign(
                campaign=campaign, changes={"status": False}, actor=membership(tenant_a.member)
            )
        assert mail.outbox[0].body.startswith("Your Roofing campaign was paused by you in ")

    def test_says_who_else_paused_it(self, tenant_a, committed):
        campaign = make_campaign(tenant_a, owner=tenant_a.member, campaign_name="Roofing")
        with committed():
            services.update_campaign(
                campaign=campaign, changes={"status": False}, actor=membership(tenant_a.admin)
            )
        assert mail.outbox[0].body.startswith(
            "Your Roofing campaign was paused by Acme Agency Admin in "
        )

    def test_a_delete_says_deleted_not_paused(self, tenant_a, committed):
        campaign = make_campaign(tenant_a, owner=tenant_a.member, campaign_name="Roofing")
        with committed():
            services.delete_campaign(campaign=campaign, actor=membership(tenant_a.member))
        assert mail.outbox[0].subject == "Inbound Campaign Deleted."
        assert mail.outbox[0].body == (
            "Your Roofing campaign was deleted by you in CampaignHub (Acme Agency), so it no "
            "longer receives leads. Its past leads are kept.\n\n"
            f"See its leads: http://testserver/leads/?campaign={campaign.pk}"
        )

    def test_pausing_from_the_page_names_the_person(self, tenant_a, committed):
        campaign = make_campaign(tenant_a, owner=tenant_a.member, campaign_name="Roofing")
        with committed():
            tenant_a.admin_client.post(f"/campaigns/{campaign.pk}/status/", {"status": "off"})
        assert "paused by Acme Agency Admin" in mail.outbox[0].body

    def test_every_disable_alerts_again(self, tenant_a, committed):
        campaign = make_campaign(tenant_a)
        with committed():
            services.update_campaign(campaign=campaign, changes={"status": False})
            services.update_campaign(campaign=campaign, changes={"status": True})
            services.update_campaign(campaign=campaign, changes={"status": False})
            services.update_campaign(campaign=campaign, changes={"status": False})
        assert self.disconnected().filter(channel="email").count() == 3

    def test_pausing_a_paused_campaign_changes_nothing_and_alerts_no_one(self, tenant_a, committed):
        campaign = make_campaign(tenant_a, owner=tenant_a.member)
        admin = membership(tenant_a.admin)
        with committed():
            _, first = services.set_campaign_status(campaign=campaign, active=False, actor=admin)
            stored, again = services.set_campaign_status(
                campaign=campaign, active=False, actor=admin
            )
        assert (first, again, stored.status) == (True, False, False)
        assert self.disconnected().filter(channel="email").count() == 1

    def test_a_representative_may_not_set_the_status_even_to_the_current_one(self, tenant_a):
        campaign = make_campaign(tenant_a, selected_user=[{"id": tenant_a.member.pk}])
        with pytest.raises(permissions.CampaignPermissionDenied):
            services.set_campaign_status(
                campaign=campaign, active=True, actor=membership(tenant_a.member)
            )

    def test_deleting_alerts(self, tenant_a, committed):
        with committed():
            services.delete_campaign(campaign=make_campaign(tenant_a))
        assert self.disconnected().filter(channel="email").count() == 1

    def test_other_updates_do_not_alert(self, tenant_a, committed):
        campaign = make_campaign(tenant_a)
        with committed():
            services.update_campaign(campaign=campaign, changes={"campaign_name": "New name"})
        assert not self.disconnected().exists()

    def test_a_notification_failure_never_fails_the_update(self, tenant_a, committed):
        campaign = make_campaign(tenant_a)
        with mock.patch("campaigns.services.notify", side_effect=RuntimeError("mail is down")):
            services.update_campaign(campaign=campaign, changes={"status": False})
        campaign.refresh_from_db()
        assert campaign.status is False

    def test_a_provider_failure_is_recorded_and_the_update_stands(self, tenant_a, committed):
        campaign = make_campaign(tenant_a)
        with (
            mock.patch(
                "notifications.transports.email.EmailTransport.send",
                side_effect=RuntimeError("provider exploded"),
            ),
            committed(),
        ):
            services.update_campaign(campaign=campaign, changes={"status": False})
        campaign.refresh_from_db()
        assert campaign.status is False
        email = self.disconnected().get(channel="email")
        assert email.status == "failed"
        assert "provider exploded" in email.error


class TestLiveCounts:
    def test_owner_admins_and_representatives_get_their_counts(
        self, tenant_a, live_events, committed
    ):
        with committed():
            campaign = make_campaign(
                tenant_a, integration="webhook", selected_user=[{"id": tenant_a.member.pk}]
            )
        # The row and the counts travel in frames of their own (a row parses only in table
        # context); the row first, since it is what changed.
        row, counts = live_events.to(tenant_a.account, tenant_a.admin)
        assert {counts["event"], row["event"]} == {"campaigncountupdated"}
        assert counts["html"].strip().startswith('<div id="campaign-counts"')
        assert "<strong>1</strong><span>Total</span>" in counts["html"]
        assert row["html"].startswith('<tbody hx-swap-oob="afterbegin:#campaign-rows-live">')
        assert f'<tr id="campaign-{campaign.pk}" ' in row["html"]
        assert len(live_events.to(tenant_a.account, tenant_a.member)) == 2

        live_events.pushed.clear()
        with committed():
            services.update_campaign(campaign=campaign, changes={"status": False})
        row, counts = live_events.to(tenant_a.account, tenant_a.member, "campaigncountupdated")
        assert "<strong>1</strong><span>Inactive</span>" in counts["html"]
        assert row["html"].startswith(f'<tr id="campaign-{campaign.pk}" ')
        assert "Inactive" in row["html"]

        live_events.pushed.clear()
        with committed():
            services.delete_campaign(campaign=campaign)
        row, counts = live_events.to(tenant_a.account, tenant_a.admin, "campaigncountupdated")
        assert "<strong>0</strong><span>Total</span>" in counts["html"]
        assert row["html"] == f'<tr id="campaign-{campaign.pk}" hx-swap-oob="delete"></tr>'

    def test_a_rename_sends_the_row_alone(self, tenant_a, live_events, committed):
        with committed():
            campaign = make_campaign(tenant_a)
        live_events.pushed.clear()
        with committed():
            services.update_campaign(campaign=campaign, changes={"campaign_name": "Renamed"})
        (row,) = live_events.to(tenant_a.account, tenant_a.admin, "campaigncountupdated")
        assert row["html"].startswith(f'<tr id="campaign-{campaign.pk}" ')
        assert "Renamed" in row["html"]

    def test_members_who_cannot_see_the_campaign_hear_nothing(
        self, tenant_a, live_events, committed
    ):
        with committed():
            make_campaign(tenant_a)
        assert live_events.to(tenant_a.account, tenant_a.admin)
        assert live_events.to(tenant_a.account, tenant_a.member) == []


def test_tallies_always_match_the_campaigns(tenant_a):
    # Straight through the service: the form refuses lead sources that are not installed.
    campaigns = [
        services.create_campaign(
            account=tenant_a.account,
            owner=tenant_a.admin,
            data={"campaign_name": "Roofing", "integration": integration},
        )
        for integration in ("form", "webhook", "webhook", "invoca")
    ]
    services.update_campaign(campaign=campaigns[0], changes={"status": False})
    services.update_campaign(campaign=campaigns[1], changes={"integration": "dialer"})
    services.delete_campaign(campaign=campaigns[2])
    services.update_campaign(campaign=campaigns[3], changes={"status": False})
    services.update_campaign(campaign=campaigns[3], changes={"status": True})
    kept = {(t.integration, t.status): t.count for t in CampaignTally.objects.all() if t.count}
    services.recount_tallies(tenant_a.account)
    rebuilt = {(t.integration, t.status): t.count for t in CampaignTally.objects.all()}
    assert kept == rebuilt == {("form", False): 1, ("dialer", True): 1, ("invoca", True): 1}


class TestLeads:
    @pytest.fixture
    def campaign(self, tenant_a):
        tenant_a.member.phone = "+14155550100"
        tenant_a.member.save()
        return make_campaign(
            tenant_a,
            campaign_name="Roofing",
            notification_type="send_email_sms",
            selected_user=[
                {"id": tenant_a.member.pk},
                {"id": tenant_a.admin.pk, "custom_number": "+14155550199"},
            ],
            email_details={
                "subject": "Lead {{lead_name}} for {{campaign_name}}",
                "message": "Hi {{representative_name}}: {{lead_name}} {{lead_phone}} {{unknown}}",
                "from": "leads@acme.test",
                "reply_to": {"email": "desk@acme.test", "name": "Front Desk"},
            },
            sms_details={
                "message": "{{lead_name}} {{lead_phone}} via {{lead_source}}",
                "from": "+15005550006",
            },
        )

    def capture(self, campaign, external_id, **details):
        return services.capture_lead(
            campaign=campaign,
            source=LeadSource.FORM,
            external_id=external_id,
            **{"name": "Ann Lee", "phone": "+14155550111", **details},
        )

    def test_round_robin_over_representatives(self, tenant_a, campaign):
        reps = [self.capture(campaign, f"e{n}")[0].representative for n in range(5)]
        assert reps == [
            tenant_a.member,
            tenant_a.admin,
            tenant_a.member,
            tenant_a.admin,
            tenant_a.member,
        ]

    def test_no_representatives_means_unassigned_and_the_owner_is_told(self, tenant_a, committed):
        campaign = make_campaign(
            tenant_a, owner=tenant_a.member, notification_type="send_email_sms"
        )
        tenant_a.member.phone = "+14155550142"
        tenant_a.member.save()
        with committed():
            lead, created = self.capture(campaign, "x")
        assert created and lead.representative is None
        sent = Delivery.objects.filter(event=services.LEAD_EVENT)
        assert sorted(sent.values_list("channel", "user_id", "recipient")) == [
            ("email", tenant_a.member.pk, "member@acme.test"),
            ("sms", tenant_a.member.pk, "+14155550142"),
        ]
        assert {delivery.data["lead_id"] for delivery in sent} == {str(lead.pk)}
        lead.refresh_from_db()
        assert lead.alerted_at is not None

    def test_an_owner_who_left_is_not_told_of_an_unassigned_lead(self, tenant_a, committed):
        campaign = make_campaign(tenant_a, owner=tenant_a.member)
        tenant_a.account.memberships.filter(user=tenant_a.member).delete()
        with committed():
            lead, created = self.capture(campaign, "x")
        assert created and lead.representative is None
        assert not Delivery.objects.exists()

    def test_a_lead_sent_again_does_not_alert_the_owner_twice(self, tenant_a, committed):
        campaign = make_campaign(tenant_a)
        with committed():
            self.capture(campaign, "x")
            self.capture(campaign, "x")
        assert Delivery.objects.filter(user=tenant_a.admin).count() == 1

    def test_the_same_event_never_makes_two_leads(self, campaign, committed):
        with committed():
            first, created = self.capture(campaign, "call-1")
            second, again = self.capture(
                campaign, "call-1", name="Ann B. Lee", email="ann@example.com"
            )
        assert created is True and again is False
        assert first.pk == second.pk
        assert Lead.objects.count() == 1
        second.refresh_from_db()
        assert (second.name, second.email) == ("Ann B. Lee", "ann@example.com")
        assert Delivery.objects.count() == 2

    def test_the_assigned_representative_is_told_by_the_rule(self, tenant_a, campaign, committed):
        with committed():
            lead, _ = self.capture(campaign, "e1")
        assert lead.representative == tenant_a.member
        [email] = mail.outbox
        assert email.subject == "Lead Ann Lee for Roofing"
        assert email.body.startswith("Hi Acme Agency Member: Ann Lee (415) 555-0111 {{unknown}}")
        assert f"/leads/{lead.pk}/" in email.body
        assert email.from_email == "leads@acme.test"
        assert email.reply_to == ["Front Desk <desk@acme.test>"]
        [text] = sms.outbox
        assert (text.to, text.sender, text.body) == (
            "+14155550100",
            "+15005550006",
            "Ann Lee (415) 555-0111 via Form",
        )

    def test_sms_goes_to_the_custom_number_when_given(self, tenant_a, campaign, committed):
        with committed():
            self.capture(campaign, "e1")
            self.capture(campaign, "e2")
        assert [text.to for text in sms.outbox] == ["+14155550100", "+14155550199"]

    @pytest.mark.parametrize(
        ("rule", "channels"),
        [
            ("only_send_email", {"email"}),
            ("only_send_sms", {"sms"}),
            ("send_email_sms", {"email", "sms"}),
        ],
    )
    def test_notification_type_picks_the_channels(
        self, tenant_a, campaign, committed, rule, channels
    ):
        services.update_campaign(campaign=campaign, changes={"notification_type": rule})
        with committed():
            self.capture(campaign, "e1")
        assert {d.channel for d in Delivery.objects.filter(event="lead_arrived")} == channels

    def test_user_text_is_never_run_as_a_template(self, tenant_a, committed):
        campaign = make_campaign(
            tenant_a,
            selected_user=[{"id": tenant_a.admin.pk}],
            email_details={
                "subject": "{% debug %}{{lead_name}}",
                "message": "{{ lead.payload }}{{settings.SECRET_KEY}}",
            },
        )
        with committed():
            self.capture(campaign, "e1")
        assert mail.outbox[0].subject == "{% debug %}Ann Lee"
        assert mail.outbox[0].body.startswith("{{ lead.payload }}{{settings.SECRET_KEY}}")

    def test_a_new_lead_is_pushed_live_to_those_who_see_the_campaign(
        self, tenant_a, tenant_b, campaign, live_events, committed
    ):
        with committed():
            lead, _ = self.capture(campaign, "e1")
        [event] = live_events.to(tenant_a.account, tenant_a.admin, "leadarrived")
        assert f'<tr id="lead-{lead.pk}" data-announce=' in event["html"]
        assert f"afterbegin:#campaign-{campaign.pk}-leads" in event["html"]
        assert "afterbegin:#lead-feed" in event["html"]
        assert live_events.to(tenant_b.account, tenant_b.admin) == []


def test_recount_command_repairs_drifted_tallies(tenant_a):
    from io import StringIO

    from django.core.management import call_command

    make_campaign(tenant_a)
    CampaignTally.objects.update(count=99)
    out = StringIO()
    call_command("recount_campaign_tallies", "--account", str(tenant_a.account.pk), stdout=out)
    assert list(CampaignTally.objects.values_list("count", flat=True)) == [1]
    assert "Recounted 1 account." in out.getvalue()
