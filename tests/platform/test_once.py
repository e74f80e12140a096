"""A create page sent twice creates once (`campaignhub.once`), shown on the campaign page."""

from unittest import mock

import pytest
from django.contrib.messages import get_messages
from django.core.cache import cache

from campaignhub import once
from campaigns.models import Campaign
from tests.campaigns.test_views import form_post
from tests.pages import hidden_values

pytestmark = pytest.mark.django_db


def drawn_id(client):
    """The submission id of the new-campaign page as drawn for `client`."""
    return hidden_values(client.get("/campaigns/new/").content.decode())[once.FIELD]


def test_each_drawing_of_the_page_carries_a_new_id(tenant_a):
    first, second = drawn_id(tenant_a.admin_client), drawn_id(tenant_a.admin_client)
    assert first and second and first != second


def test_sending_the_same_page_again_leads_to_what_it_created(tenant_a):
    sent = form_post(**{once.FIELD: drawn_id(tenant_a.admin_client)})
    first = tenant_a.admin_client.post("/campaigns/new/", sent)
    again = tenant_a.admin_client.post("/campaigns/new/", sent)
    campaign = Campaign.objects.get()
    assert first.status_code == again.status_code == 302
    assert again["Location"] == first["Location"] == f"/campaigns/{campaign.pk}/"
    assert [str(m) for m in get_messages(again.wsgi_request)][-1] == once.ALREADY_SENT


def test_two_pages_drawn_apart_create_two(tenant_a):
    for _ in range(2):
        sent = form_post(**{once.FIELD: drawn_id(tenant_a.admin_client)})
        assert tenant_a.admin_client.post("/campaigns/new/", sent).status_code == 302
    assert Campaign.objects.count() == 2


def test_a_refused_page_can_be_corrected_and_sent_with_the_same_id(tenant_a):
    submission = drawn_id(tenant_a.admin_client)
    refused = tenant_a.admin_client.post(
        "/campaigns/new/", form_post(campaign_name="", **{once.FIELD: submission})
    )
    assert refused.status_code == 400 and not Campaign.objects.exists()
    fixed = tenant_a.admin_client.post("/campaigns/new/", form_post(**{once.FIELD: submission}))
    assert fixed.status_code == 302 and Campaign.objects.count() == 1


def test_the_id_is_per_person(tenant_a):
    submission = drawn_id(tenant_a.admin_client)
    sent = form_post(**{once.FIELD: submission})
    assert tenant_a.admin_client.post("/campaigns/new/", sent).status_code == 302
    # The same id from someone else is their own page, not a resend of the admin's.
    assert tenant_a.member_client.post("/campaigns/new/", sent).status_code == 302
    assert Campaign.objects.count() == 2


def test_a_resend_while_the_first_still_runs_creates_nothing(tenant_a, monkeypatch):
    monkeypatch.setattr(once, "PENDING_WAIT_SECONDS", 0.2)
    submission = drawn_id(tenant_a.admin_client)
    cache.set(f"submission:{tenant_a.admin.pk}:{submission}", once.PENDING)
    response = tenant_a.admin_client.post("/campaigns/new/", form_post(**{once.FIELD: submission}))
    assert response.status_code == 302 and response["Location"] == "/campaigns/new/"
    assert [str(m) for m in get_messages(response.wsgi_request)] == [once.STILL_SAVING]
    assert not Campaign.objects.exists()


@pytest.mark.parametrize("sent", [None, "", "not-a-uuid"])
def test_a_page_without_a_readable_id_runs_as_always(tenant_a, sent):
    data = form_post() if sent is None else form_post(**{once.FIELD: sent})
    for _ in range(2):
        assert tenant_a.admin_client.post("/campaigns/new/", data).status_code == 302
    assert Campaign.objects.count() == 2


def test_a_cache_outage_creates_rather_than_refuses(tenant_a):
    sent = form_post(**{once.FIELD: drawn_id(tenant_a.admin_client)})
    with mock.patch.object(cache, "add", side_effect=ConnectionError("down")):
        response = tenant_a.admin_client.post("/campaigns/new/", sent)
    assert response.status_code == 302 and Campaign.objects.count() == 1


def test_a_failing_page_releases_its_id(tenant_a):
    submission = drawn_id(tenant_a.admin_client)
    sent = form_post(**{once.FIELD: submission})
    failing = mock.patch("campaigns.services.create_campaign", side_effect=RuntimeError("boom"))
    with failing, pytest.raises(RuntimeError):
        tenant_a.admin_client.post("/campaigns/new/", sent)
    assert tenant_a.admin_client.post("/campaigns/new/", sent).status_code == 302
    assert Campaign.objects.count() == 1


def test_the_page_is_kept_for_back_and_posts_beside_its_address(tenant_a):
    response = tenant_a.admin_client.get("/campaigns/new/")
    assert response["Cache-Control"] == "private, max-age=0"
    assert f'action="{once.SEND_ACTION}"' in response.content.decode()


def test_a_refused_page_is_drawn_again_with_its_id(tenant_a):
    submission = drawn_id(tenant_a.admin_client)
    refused = tenant_a.admin_client.post(
        f"/campaigns/new/{once.SEND_ACTION}",
        form_post(campaign_name="", **{once.FIELD: submission}),
    )
    assert hidden_values(refused.content.decode())[once.FIELD] == submission


def test_a_double_click_waits_for_the_first_send_and_leads_to_what_it_made(tenant_a):
    """The browser shows the answer to the second click: it leads to the first one's campaign."""
    import threading

    submission = drawn_id(tenant_a.admin_client)
    key = f"submission:{tenant_a.admin.pk}:{submission}"
    cache.set(key, once.PENDING)
    threading.Timer(0.2, lambda: cache.set(key, "/campaigns/77/")).start()
    response = tenant_a.admin_client.post("/campaigns/new/", form_post(**{once.FIELD: submission}))
    assert response.status_code == 302 and response["Location"] == "/campaigns/77/"
    assert [str(m) for m in get_messages(response.wsgi_request)] == [once.ALREADY_SENT]
    assert not Campaign.objects.exists()


def test_an_api_token_page_sent_again_makes_no_second_token(tenant_a):
    """Reload then resend of the page showing a new token: the secret is not shown again, and
    no second working token exists that nobody has."""
    from campaignhub.models import ApiToken

    page = tenant_a.admin_client.get("/settings/tokens/").content.decode()
    sent = {"name": "Zapier", once.FIELD: hidden_values(page)[once.FIELD]}
    before = ApiToken.objects.count()
    first = tenant_a.admin_client.post(f"/settings/tokens/{once.SEND_ACTION}", sent)
    assert first.status_code == 200 and 'id="new-token-value"' in first.content.decode()
    again = tenant_a.admin_client.post(f"/settings/tokens/{once.SEND_ACTION}", sent)
    assert again.status_code == 302 and again["Location"] == "/settings/tokens/"
    assert ApiToken.objects.count() == before + 1
