"""Campaign writes: terms staged in future_terms, go live promotes them, the status lifecycle
(archive only after live, unarchive leaves it paused), and the connection."""

import json

import pytest
from django.core.exceptions import ValidationError

from campaignhub.api import ApiProblem
from invoca import services
from invoca.forms import clean_campaign
from invoca.models import AdvertiserCampaign, CampaignStatus, InvocaConnection
from tests.invoca.conftest import (
    ADVERTISER,
    BASE,
    CAMPAIGNS,
    NETWORK,
    TOKEN,
    absent,
    affiliate_terms,
    campaign_url,
    connect,
    invoca_record,
    make_campaign,
)

TRANSACTIONS = f"{BASE}/api/2020-10-01/networks/transactions/{NETWORK}.json"


def clean(**overrides):
    return clean_campaign(
        name=overrides.pop("name", "Spring promotion"),
        terms=affiliate_terms(**overrides),
        custom_data={"channel": "Radio"},
    )


# Connection


def test_connect_checks_the_token_with_invoca_then_keeps_it(tenant_a, upstream):
    upstream.get(TRANSACTIONS, json=[])
    connection = services.connect(
        account=tenant_a.account, network_id=NETWORK, api_token=TOKEN, base_url=BASE + "/"
    )
    assert upstream.calls[0].request.headers["Authorization"] == TOKEN
    assert (connection.network_id, connection.base_url, connection.api_version) == (
        NETWORK,
        BASE,
        "2022-08-01",
    )
    assert connection.secret == TOKEN and connection.last4 == TOKEN[-4:]


def test_a_refused_token_is_not_kept(tenant_a, upstream):
    upstream.get(TRANSACTIONS, status=401, json={"errors": {"class": "Unauthorized"}})
    with pytest.raises(ValidationError):
        services.connect(
            account=tenant_a.account, network_id=NETWORK, api_token="bad", base_url=BASE
        )
    assert not InvocaConnection.objects.exists()


def test_an_unreachable_invoca_keeps_the_old_connection(tenant_a, connected, upstream):
    upstream.get(TRANSACTIONS, status=503, json={})
    with pytest.raises(ApiProblem) as caught:
        services.connect(
            account=tenant_a.account, network_id=NETWORK, api_token="new", base_url=BASE
        )
    assert caught.value.status == 502
    assert InvocaConnection.objects.get(deleted_at__isnull=True).pk == connected.pk


def test_reconnecting_the_same_network_keeps_the_transactions_cursor(tenant_a, connected, upstream):
    connected.transactions_cursor = "6751A3B2-0000002A"
    connected.save()
    upstream.get(TRANSACTIONS, json=[])
    fresh = services.connect(
        account=tenant_a.account, network_id=NETWORK, api_token="another-token", base_url=BASE
    )
    assert fresh.pk != connected.pk
    assert InvocaConnection.objects.get(pk=fresh.pk).transactions_cursor == "6751A3B2-0000002A"
    old = InvocaConnection.objects.get(pk=connected.pk)
    assert old.deleted_at is not None and old.secret == ""


def test_disconnect_wipes_the_token(tenant_a, connected):
    assert services.disconnect(account=tenant_a.account) is True
    assert InvocaConnection.objects.get(pk=connected.pk).secret == ""
    assert services.disconnect(account=tenant_a.account) is False


# Creating and staging


def test_create_sends_the_terms_and_keeps_them_as_future_terms(tenant_a, connected, upstream):
    sent = clean()
    absent(upstream)
    upstream.post(f"{CAMPAIGNS}.json", json=invoca_record(future=sent.terms), status=201)
    campaign = services.create_campaign(
        account=tenant_a.account, advertiser_id=ADVERTISER, id_from_network="spring-1", clean=sent
    )
    body = json.loads(upstream.calls[1].request.body)
    assert body["id_from_network"] == "spring-1"
    assert body["name"] == "Spring promotion"
    assert body["custom_data"] == {"channel": "Radio"}
    assert body["ivr_tree"]["root"]["node_type"] == "Menu"
    assert campaign.status == CampaignStatus.ENTRY
    assert campaign.future_terms == sent.terms
    assert campaign.current_terms == {}
    assert campaign.invoca_id == 55001
    assert campaign.has_staged_changes


def test_create_keeps_what_was_sent_when_invoca_answers_without_terms(
    tenant_a, connected, upstream
):
    sent = clean()
    absent(upstream)
    upstream.post(f"{CAMPAIGNS}.json", json={"id_from_network": "spring-1"}, status=201)
    campaign = services.create_campaign(
        account=tenant_a.account, advertiser_id=ADVERTISER, id_from_network="spring-1", clean=sent
    )
    assert campaign.future_terms == sent.terms


def test_an_existing_id_is_409_and_nothing_is_sent(tenant_a, connected, upstream):
    make_campaign(tenant_a)
    with pytest.raises(ApiProblem) as caught:
        services.create_campaign(
            account=tenant_a.account,
            advertiser_id=ADVERTISER,
            id_from_network="spring-1",
            clean=clean(),
        )
    assert caught.value.status == 409
    assert len(upstream.calls) == 0


def test_an_id_invoca_already_has_is_409_and_nothing_is_sent(tenant_a, connected, upstream):
    # A colleague made it live in Invoca's own UI; it was never read in here.
    made_elsewhere = invoca_record(
        "made-elsewhere", status="Live", name="Colleague's campaign", current={"x": 1}
    )
    upstream.get(campaign_url("made-elsewhere"), json=made_elsewhere)
    with pytest.raises(ApiProblem) as caught:
        services.create_campaign(
            account=tenant_a.account,
            advertiser_id=ADVERTISER,
            id_from_network="made-elsewhere",
            clean=clean(name="Dup id test"),
        )
    assert caught.value.status == 409
    assert caught.value.errors == {"id_from_network": [services.EXISTS_IN_INVOCA]}
    assert "Refresh from Invoca" in caught.value.message
    assert [call.request.method for call in upstream.calls] == ["GET"]
    assert not AdvertiserCampaign.objects.exists()


def test_an_unanswered_existence_check_sends_nothing(tenant_a, connected, upstream):
    upstream.get(campaign_url("spring-1"), status=503, json={})
    with pytest.raises(ApiProblem) as caught:
        services.create_campaign(
            account=tenant_a.account,
            advertiser_id=ADVERTISER,
            id_from_network="spring-1",
            clean=clean(),
        )
    assert caught.value.status == 502
    assert [call.request.method for call in upstream.calls] == ["GET"]
    assert not AdvertiserCampaign.objects.exists()


def test_a_create_of_an_id_being_created_is_409_and_nothing_is_sent(tenant_a, connected, upstream):
    # The first create still waits on Invoca: it holds the claim on the id.
    first = services._claim_create(tenant_a.account, ADVERTISER, "spring-1")
    with pytest.raises(ApiProblem) as caught:
        services.create_campaign(
            account=tenant_a.account,
            advertiser_id=ADVERTISER,
            id_from_network="spring-1",
            clean=clean(),
        )
    assert (caught.value.status, caught.value.errors) == (
        409,
        {"id_from_network": [services.CREATE_PENDING]},
    )
    assert len(upstream.calls) == 0
    services._release_create(first)
    absent(upstream)
    upstream.post(f"{CAMPAIGNS}.json", json=invoca_record(), status=201)
    services.create_campaign(
        account=tenant_a.account,
        advertiser_id=ADVERTISER,
        id_from_network="spring-1",
        clean=clean(),
    )
    assert AdvertiserCampaign.objects.count() == 1


def test_a_refused_create_releases_its_claim_on_the_id(tenant_a, connected, upstream):
    upstream.get(campaign_url("spring-1"), json=invoca_record())
    with pytest.raises(ApiProblem):
        services.create_campaign(
            account=tenant_a.account,
            advertiser_id=ADVERTISER,
            id_from_network="spring-1",
            clean=clean(),
        )
    claim = services._claim_create(tenant_a.account, ADVERTISER, "spring-1")
    assert claim is not None


def test_invocas_refusal_keeps_nothing(tenant_a, connected, upstream):
    absent(upstream)
    upstream.post(f"{CAMPAIGNS}.json", status=403, json={"errors": {"url": ["is invalid"]}})
    with pytest.raises(ApiProblem) as caught:
        services.create_campaign(
            account=tenant_a.account,
            advertiser_id=ADVERTISER,
            id_from_network="spring-1",
            clean=clean(),
        )
    assert (caught.value.status, caught.value.errors) == (400, {"url": ["is invalid"]})
    assert not AdvertiserCampaign.objects.exists()


def test_without_a_connection_nothing_is_sent(tenant_a, upstream):
    with pytest.raises(ApiProblem) as caught:
        services.create_campaign(
            account=tenant_a.account, advertiser_id=ADVERTISER, id_from_network="x", clean=clean()
        )
    assert caught.value.status == 400
    assert "not connected" in caught.value.message


def test_an_update_of_a_live_campaign_is_staged_not_live(tenant_a, connected, upstream):
    live_terms = clean().terms
    campaign = make_campaign(
        tenant_a, status="live", current_terms=live_terms, future_terms=live_terms
    )
    changed = clean(description="Summer promotion")
    upstream.put(
        campaign_url("spring-1"),
        json=invoca_record(status="Live", current=live_terms, future=changed.terms),
    )
    services.update_campaign(campaign=campaign, clean=changed)
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.LIVE
    assert campaign.current_terms["description"] == "Spring promotion"
    assert campaign.future_terms["description"] == "Summer promotion"
    assert campaign.has_staged_changes


# Lifecycle


def test_go_live_promotes_the_future_terms(tenant_a, connected, upstream):
    staged = clean().terms
    campaign = make_campaign(tenant_a, future_terms=staged)
    upstream.post(
        campaign_url("spring-1", "go_live"),
        json=invoca_record(status="Live", current=staged, future=staged),
    )
    services.go_live(campaign=campaign, timeout=15)
    assert json.loads(upstream.calls[0].request.body) == {"timeout": 15}
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.LIVE
    assert campaign.current_terms == staged
    assert not campaign.has_staged_changes
    assert campaign.went_live_at is not None


def test_go_live_reads_the_campaign_back_when_invoca_answers_empty(tenant_a, connected, upstream):
    staged = clean().terms
    campaign = make_campaign(tenant_a, future_terms=staged)
    upstream.post(campaign_url("spring-1", "go_live"), json={})
    upstream.get(
        campaign_url("spring-1"), json=invoca_record(status="Live", current=staged, future=staged)
    )
    services.go_live(campaign=campaign)
    campaign.refresh_from_db()
    assert (campaign.status, campaign.current_terms) == (CampaignStatus.LIVE, staged)


@pytest.mark.parametrize("status", ["entry", "paused"])
def test_go_live_from_entry_or_paused(tenant_a, connected, upstream, status):
    campaign = make_campaign(tenant_a, status=status, future_terms=clean().terms)
    upstream.post(
        campaign_url("spring-1", "go_live"),
        json=invoca_record(status="Live", current=clean().terms),
    )
    assert services.go_live(campaign=campaign).status == CampaignStatus.LIVE


@pytest.mark.parametrize(
    ("status", "message"),
    [("archived", services.CANNOT_GO_LIVE_ARCHIVED), ("live", services.NOTHING_TO_PROMOTE)],
)
def test_go_live_is_refused_without_sending(tenant_a, connected, upstream, status, message):
    terms = clean().terms
    campaign = make_campaign(tenant_a, status=status, current_terms=terms, future_terms=terms)
    with pytest.raises(ApiProblem) as caught:
        services.go_live(campaign=campaign)
    assert (caught.value.status, caught.value.message) == (409, message)
    assert len(upstream.calls) == 0


@pytest.mark.parametrize("status", ["entry", "archived"])
def test_archive_only_after_live(tenant_a, connected, upstream, status):
    campaign = make_campaign(tenant_a, status=status)
    with pytest.raises(ApiProblem) as caught:
        services.archive(campaign=campaign)
    assert caught.value.status == 409
    assert len(upstream.calls) == 0
    assert AdvertiserCampaign.objects.get(pk=campaign.pk).status == status


@pytest.mark.parametrize("status", ["live", "paused"])
def test_archive_a_campaign_that_has_been_live(tenant_a, connected, upstream, status):
    campaign = make_campaign(tenant_a, status=status)
    upstream.post(campaign_url("spring-1", "archive"), json={})
    services.archive(campaign=campaign)
    assert AdvertiserCampaign.objects.get(pk=campaign.pk).status == CampaignStatus.ARCHIVED


def test_unarchive_leaves_the_campaign_paused(tenant_a, connected, upstream):
    campaign = make_campaign(tenant_a, status="archived")
    upstream.post(campaign_url("spring-1", "unarchive"), json={})
    services.unarchive(campaign=campaign)
    assert AdvertiserCampaign.objects.get(pk=campaign.pk).status == CampaignStatus.PAUSED


@pytest.mark.parametrize("status", ["entry", "live", "paused"])
def test_only_an_archived_campaign_is_unarchived(tenant_a, connected, upstream, status):
    campaign = make_campaign(tenant_a, status=status)
    with pytest.raises(ApiProblem) as caught:
        services.unarchive(campaign=campaign)
    assert caught.value.status == 409
    assert len(upstream.calls) == 0


def test_the_buttons_follow_the_status():
    def allowed(status, staged=False):
        campaign = AdvertiserCampaign(
            status=status, future_terms={"a": 1} if staged else {}, current_terms={}
        )
        return (
            services.can_go_live(campaign),
            services.can_archive(campaign),
            services.can_unarchive(campaign),
        )

    assert allowed("entry") == (True, False, False)
    assert allowed("live") == (False, True, False)
    assert allowed("live", staged=True) == (True, True, False)
    assert allowed("paused") == (True, True, False)
    assert allowed("archived") == (False, False, True)


def test_quick_stats_are_read_now(tenant_a, connected, upstream):
    campaign = make_campaign(tenant_a, status="live")
    upstream.get(
        campaign_url("spring-1", "quick_stats"),
        json={"stats": {"today": {"call_count": 3, "call_avg_total_duration": 61.5}}},
    )
    stats = services.quick_stats(campaign=campaign)
    assert stats["today"] == {"call_count": 3, "call_avg_total_duration": 61.5}
    assert stats["last_30days"]["call_count"] == 0


def test_a_rejected_token_is_marked_and_asks_to_reconnect(tenant_a, connected, upstream):
    campaign = make_campaign(tenant_a, status="live")
    upstream.get(campaign_url("spring-1", "quick_stats"), status=401, json={})
    with pytest.raises(ApiProblem) as caught:
        services.quick_stats(campaign=campaign)
    assert "reconnect" in caught.value.message
    assert InvocaConnection.objects.get(pk=connected.pk).rejected_at is not None


def test_sync_adds_campaigns_made_elsewhere_and_updates_ours(tenant_a, connected, upstream):
    ours = make_campaign(tenant_a, status="entry")
    upstream.get(
        f"{CAMPAIGNS}.json",
        json=[
            invoca_record("spring-1", status="Live", current={"campaign_type": "DirectOnly"}),
            invoca_record("made-in-invoca", status="Paused", name="Made in Invoca"),
        ],
    )
    found = services.sync_advertiser(account=tenant_a.account, advertiser_id=ADVERTISER)
    assert [c.id_from_network for c in found] == ["made-in-invoca", "spring-1"]
    ours.refresh_from_db()
    assert ours.status == CampaignStatus.LIVE
    assert AdvertiserCampaign.objects.get(id_from_network="made-in-invoca").status == "paused"


def test_refresh_reads_back_status_and_terms(tenant_a, connected, upstream):
    campaign = make_campaign(tenant_a, status="live")
    upstream.get(
        campaign_url("spring-1"),
        json=invoca_record(
            status="Archived", current={"campaign_type": "DirectOnly"}, custom_data={"a": "b"}
        ),
    )
    services.refresh(campaign=campaign)
    campaign.refresh_from_db()
    assert campaign.status == "archived"
    assert campaign.current_terms == {"campaign_type": "DirectOnly"}
    assert campaign.custom_data == {"a": "b"}


def test_two_accounts_keep_their_own_connection(tenant_a, tenant_b):
    connect(tenant_a)
    connect(tenant_b, token="bolt-token-0000", network_id="999")
    assert InvocaConnection.objects.for_account(tenant_b.account).get().network_id == "999"
