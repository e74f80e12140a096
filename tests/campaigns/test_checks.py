"""Setups that cannot work: warned about on the form, the page, the API and the dashboard;
lead sources without an installed integration refused."""

import pytest
from django.test import RequestFactory

from campaigns import checks, panels, services, sources
from campaigns.forms import CampaignForm
from campaigns.models import Campaign, Integration
from tests.campaigns.factories import campaign_data, make_campaign
from tests.factories import bearer

pytestmark = pytest.mark.django_db


def codes(campaign):
    return [warning.code for warning in checks.campaign_warnings(campaign)]


def dashboard_codes(tenant, campaign):
    """The checks the dashboard's query says `campaign` fails ([] when it is not listed)."""
    found = checks.with_failures(Campaign.objects.filter(pk=campaign.pk), tenant.account)
    row = found.first()
    if row is None:
        return []
    return [check.code for check in checks.CHECKS.values() if getattr(row, check.flag)]


def reps(*people):
    return [{"id": person.pk} for person in people]


def legacy_campaign(tenant, integration, **fields):
    """A campaign saved before its lead source was refused (straight through the service)."""
    data = {"campaign_name": "Old", "integration": integration, **fields}
    return services.create_campaign(account=tenant.account, owner=tenant.admin, data=data)


class TestNoRepresentatives:
    def test_is_a_warning(self, tenant_a):
        campaign = make_campaign(tenant_a)
        [warning] = checks.campaign_warnings(campaign)
        assert warning.code == "no_representatives"
        assert "and only the campaign's owner is alerted" in warning.message

    def test_one_representative_is_enough(self, tenant_a):
        assert codes(make_campaign(tenant_a, selected_user=reps(tenant_a.admin))) == []


class TestSmsWithoutPhone:
    def test_sms_only_rule_for_a_rep_without_any_phone_is_a_warning(self, tenant_a):
        campaign = make_campaign(
            tenant_a, notification_type="only_send_sms", selected_user=reps(tenant_a.member)
        )
        [warning] = checks.campaign_warnings(campaign)
        assert warning.code == "sms_without_phone"
        assert warning.message.startswith(
            "No phone number for SMS alerts: Acme Agency Member, so their SMS alerts fail and they "
            "get no alert at all"
        )

    def test_email_and_sms_rule_says_only_the_email_arrives(self, tenant_a):
        campaign = make_campaign(
            tenant_a, notification_type="send_email_sms", selected_user=reps(tenant_a.member)
        )
        [warning] = checks.campaign_warnings(campaign)
        assert "so their SMS alerts fail and they get the email alert only" in warning.message

    def test_a_custom_number_or_a_profile_phone_is_enough(self, tenant_a):
        custom = make_campaign(
            tenant_a,
            notification_type="only_send_sms",
            selected_user=[{"id": tenant_a.member.pk, "custom_number": "(415) 555-0123"}],
        )
        tenant_a.admin.phone = "+14155550100"
        tenant_a.admin.save()
        profile = make_campaign(
            tenant_a, notification_type="only_send_sms", selected_user=reps(tenant_a.admin)
        )
        assert codes(custom) == codes(profile) == []

    def test_email_only_rule_needs_no_phone(self, tenant_a):
        campaign = make_campaign(
            tenant_a, notification_type="only_send_email", selected_user=reps(tenant_a.member)
        )
        assert codes(campaign) == []

    def test_names_only_the_reps_without_a_phone(self, tenant_a):
        tenant_a.admin.phone = "+14155550100"
        tenant_a.admin.save()
        campaign = make_campaign(
            tenant_a,
            notification_type="only_send_sms",
            selected_user=reps(tenant_a.admin, tenant_a.member),
        )
        [warning] = checks.campaign_warnings(campaign)
        assert "Acme Agency Member" in warning.message
        assert "Acme Agency Admin" not in warning.message


class TestUnavailableLeadSources:
    @pytest.fixture(autouse=True)
    def _invoca_not_installed(self, monkeypatch):
        """As if Invoca's app were not installed: its lead source and link not registered."""
        monkeypatch.setattr(sources, "AVAILABLE", sources.AVAILABLE - {Integration.INVOCA})
        monkeypatch.setattr(sources, "LINKS", {})

    @pytest.mark.parametrize(("integration", "label"), [("invoca", "Invoca")])
    def test_are_refused_by_the_form(self, tenant_a, integration, label):
        form = CampaignForm(data=campaign_data(integration=integration), account=tenant_a.account)
        assert not form.is_valid()
        assert form.errors["integration"] == [
            f"{label} is not available as a lead source yet. "
            "Choose one of: CallRail, Dialer, Lead form, Webhook."
        ]

    def test_are_refused_by_the_api_and_nothing_is_created(self, tenant_a):
        response = tenant_a.admin_client.post(
            "/v1/campaigns",
            {"campaigndata": {"campaign_name": "Calls", "integration": "invoca"}},
            content_type="application/json",
            **bearer(tenant_a.token.raw),
        )
        assert response.status_code == 400
        assert "Invoca is not available as a lead source yet" in response.content.decode()
        assert not Campaign.objects.exists()

    def test_are_refused_by_the_page_and_never_offered(self, tenant_a):
        page = tenant_a.admin_client.get("/campaigns/new/").content.decode()
        assert '<option value="callrail"' in page and '<option value="webhook"' in page
        assert 'value="invoca"' not in page and '<option value="dialer"' in page
        response = tenant_a.admin_client.post(
            "/campaigns/new/", {"campaign_name": "Calls", "integration": "invoca"}
        )
        assert response.status_code == 400
        assert "Invoca is not available as a lead source yet" in response.content.decode()
        assert not Campaign.objects.exists()

    def test_an_older_campaign_keeps_its_source_with_a_warning(self, tenant_a):
        campaign = legacy_campaign(tenant_a, "invoca", selected_user=reps(tenant_a.admin))
        assert codes(campaign) == ["lead_source_unavailable"]
        form = CampaignForm(
            data=campaign_data(integration="invoca", status=False),
            account=tenant_a.account,
            campaign=campaign,
        )
        assert form.is_valid(), form.errors
        page = tenant_a.admin_client.get(f"/campaigns/{campaign.pk}/edit/").content.decode()
        assert '<option value="invoca" selected>' in page
        assert "This campaign cannot receive leads." in page

    def test_lift_when_their_app_registers_the_source(self, tenant_a, monkeypatch):
        monkeypatch.setattr(sources, "AVAILABLE", {*sources.AVAILABLE, Integration.INVOCA})
        form = CampaignForm(data=campaign_data(integration="invoca"), account=tenant_a.account)
        assert form.is_valid(), form.errors
        assert "lead_source_unavailable" not in codes(legacy_campaign(tenant_a, "invoca"))

    def test_registering_an_unknown_source_is_an_error(self):
        with pytest.raises(ValueError, match="'fax' is not a lead source"):
            sources.register_source("fax")


def test_a_check_code_must_be_an_identifier():
    with pytest.raises(ValueError, match="must be an identifier"):
        checks.register_check("no reps", title="x", evaluate=str, failing=None)


@pytest.mark.parametrize(
    "setup",
    [
        {},
        {"selected_user": "admin"},
        {"selected_user": "member", "notification_type": "only_send_sms"},
        {"selected_user": "member", "notification_type": "send_email_sms"},
        {"selected_user": "member", "notification_type": "only_send_email"},
        {"selected_user": "member+custom", "notification_type": "only_send_sms"},
        {"integration": "dialer", "selected_user": "admin"},
        {"integration": "dialer"},
    ],
)
def test_the_page_and_the_dashboard_agree(tenant_a, setup):
    people = {
        "admin": [{"id": tenant_a.admin.pk}],
        "member": [{"id": tenant_a.member.pk}],
        "member+custom": [{"id": tenant_a.member.pk, "custom_number": "+14155550123"}],
    }
    setup = {**setup, "selected_user": people.get(setup.get("selected_user"), [])}
    campaign = legacy_campaign(tenant_a, setup.pop("integration", "form"), **setup)
    campaign = Campaign.objects.prefetch_related("assignments__user").get(pk=campaign.pk)
    assert dashboard_codes(tenant_a, campaign) == codes(campaign)


class TestOnThePages:
    def test_campaign_page_shows_the_warnings(self, tenant_a):
        campaign = make_campaign(tenant_a)
        page = tenant_a.admin_client.get(f"/campaigns/{campaign.pk}/").content.decode()
        assert "This campaign is not set up to work fully" in page
        assert 'data-code="no_representatives"' in page

    def test_a_campaign_that_can_work_shows_none(self, tenant_a):
        campaign = make_campaign(tenant_a, selected_user=reps(tenant_a.admin))
        page = tenant_a.admin_client.get(f"/campaigns/{campaign.pk}/").content.decode()
        assert "This campaign is not set up to work fully" not in page

    def test_edit_form_shows_the_saved_setups_warnings(self, tenant_a):
        campaign = make_campaign(
            tenant_a, notification_type="only_send_sms", selected_user=reps(tenant_a.member)
        )
        page = tenant_a.admin_client.get(f"/campaigns/{campaign.pk}/edit/").content.decode()
        assert 'data-code="sms_without_phone"' in page

    def test_form_rechecks_the_setup_as_it_stands_unsaved(self, tenant_a):
        post = {
            "campaign_name": "Calls",
            "integration": "form",
            "representatives": [str(tenant_a.member.pk)],
            "notification_type": "only_send_sms",
        }
        response = tenant_a.admin_client.post("/campaigns/checks/", post)
        assert response.status_code == 200
        content = response.content.decode()
        assert content.lstrip().startswith('<div id="setup-warnings"')
        assert 'data-code="sms_without_phone"' in content
        post[f"custom_number_{tenant_a.member.pk}"] = "(415) 555-0123"
        fixed = tenant_a.admin_client.post("/campaigns/checks/", post).content.decode()
        assert "data-code" not in fixed
        assert not Campaign.objects.exists()

    def test_form_recheck_of_someone_elses_campaign_is_404(self, tenant_a, tenant_b):
        theirs = make_campaign(tenant_b)
        mine = make_campaign(tenant_a)
        post = {"campaign_name": "x", "integration": "form"}
        assert (
            tenant_a.admin_client.post(f"/campaigns/checks/?campaign={mine.pk}", post).status_code
            == 200
        )
        assert (
            tenant_a.admin_client.post(f"/campaigns/checks/?campaign={theirs.pk}", post).status_code
            == 404
        )

    def test_api_answers_with_the_warnings(self, tenant_a):
        response = tenant_a.admin_client.post(
            "/v1/campaigns",
            {"campaigndata": {"campaign_name": "Calls", "integration": "webhook"}},
            content_type="application/json",
            **bearer(tenant_a.token.raw),
        )
        assert response.status_code == 201
        [warning] = response.json()["data"]["warnings"]
        assert warning["code"] == "no_representatives"
        campaign_id = response.json()["data"]["id"]
        again = tenant_a.admin_client.get(f"/v1/campaigns/{campaign_id}").json()["data"]
        assert [w["code"] for w in again["warnings"]] == ["no_representatives"]


class TestDashboard:
    def test_lists_active_campaigns_that_need_attention(self, tenant_a):
        broken = make_campaign(tenant_a, campaign_name="No reps")
        paused = make_campaign(tenant_a, campaign_name="Paused no reps", status=False)
        make_campaign(tenant_a, campaign_name="Fine", selected_user=reps(tenant_a.admin))
        page = tenant_a.admin_client.get("/").content.decode()
        assert "Campaigns that need attention" in page
        assert f'href="/campaigns/{broken.pk}/">No reps</a>: No representatives' in page
        assert f'href="/campaigns/{paused.pk}/"' not in page.split("attention-panel")[1]
        assert ">Fine</a>" not in page

    def test_shows_nothing_when_every_campaign_can_work(self, tenant_a):
        make_campaign(tenant_a, selected_user=reps(tenant_a.admin))
        assert (
            "Campaigns that need attention" not in tenant_a.admin_client.get("/").content.decode()
        )

    def test_members_see_only_their_campaigns(self, tenant_a):
        make_campaign(tenant_a, campaign_name="Admins")
        make_campaign(tenant_a, campaign_name="Members", owner=tenant_a.member)
        page = tenant_a.member_client.get("/").content.decode()
        assert ">Members</a>" in page and ">Admins</a>" not in page
        admin_page = tenant_a.admin_client.get("/").content.decode()
        assert ">Members</a>" in admin_page and ">Admins</a>" in admin_page

    def test_is_bounded_and_links_to_the_paginated_list(
        self, tenant_a, django_assert_max_num_queries
    ):
        for n in range(8):
            make_campaign(tenant_a, campaign_name=f"Broken {n}")
        request = RequestFactory().get("/")
        request.membership = tenant_a.account.memberships.get(user=tenant_a.admin)
        with django_assert_max_num_queries(2):
            panel = panels.attention(request)
        assert panel["total"] == 8
        assert [c.campaign_name for c, _titles in panel["campaigns"]] == [
            f"Broken {n}" for n in (7, 6, 5, 4, 3)
        ]
        page = tenant_a.admin_client.get("/").content.decode()
        assert 'href="/campaigns/attention/">All 8 campaigns that need attention' in page
        listing = tenant_a.admin_client.get("/campaigns/attention/").content.decode()
        assert all(f">Broken {n}</a>" in listing for n in range(8))

    def test_attention_page_pages_through_many(self, tenant_a):
        for n in range(30):
            legacy_campaign(tenant_a, "form", campaign_name=f"Broken {n}")
        first = tenant_a.admin_client.get("/campaigns/attention/").content.decode()
        second = tenant_a.admin_client.get("/campaigns/attention/?page=2").content.decode()
        assert first.count("No representatives</td>") == 25
        assert second.count("No representatives</td>") == 5
        assert "30 in all" in first
