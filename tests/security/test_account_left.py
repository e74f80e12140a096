"""A person removed from the account their session is in is told, moved on, and changes nothing
there or anywhere else with the request that found out."""

import pytest
from django.contrib.messages import get_messages

from campaignhub import services
from campaignhub.models import Membership, Role
from campaignhub.tenancy import SESSION_ACCOUNT_KEY
from campaigns.models import Campaign
from tests.factories import logged_in_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_both(tenant_a, tenant_b):
    """Account A's member, also a member of B, signed in (so in A, their first account), then
    removed from A by its admin."""
    person = tenant_a.member
    Membership.objects.create(account=tenant_b.account, user=person, role=Role.MEMBER)
    client = logged_in_client(person)
    assert client.session[SESSION_ACCOUNT_KEY] == tenant_a.account.pk
    services.remove_member(membership=Membership.objects.get(account=tenant_a.account, user=person))
    return client


def _messages(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_a_page_says_the_account_was_left_and_shows_the_next_one(in_both, tenant_b):
    response = in_both.get("/")

    assert response.status_code == 200
    assert response.wsgi_request.account == tenant_b.account
    assert "You are no longer a member of &quot;Acme Agency&quot;" in response.text
    assert "You are now in &quot;Bolt Media&quot;." in response.text
    assert in_both.session[SESSION_ACCOUNT_KEY] == tenant_b.account.pk
    # Said once: the next page is plain account B.
    assert "no longer a member" not in in_both.get("/").text


def test_a_form_sent_after_removal_changes_nothing(in_both, tenant_a, tenant_b):
    before = Campaign.objects.count()

    response = in_both.post("/campaigns/new/", {"campaign_name": "Sneaky", "integration": "form"})

    assert response.status_code == 302
    assert response.url == "/"
    assert Campaign.objects.count() == before
    assert _messages(response) == [
        'You are no longer a member of "Acme Agency". You are now in "Bolt Media".',
        "Nothing was changed.",
    ]


def test_an_htmx_change_after_removal_sends_the_page_to_the_dashboard(in_both):
    response = in_both.post("/campaigns/new/", {"campaign_name": "Sneaky"}, HTTP_HX_REQUEST="true")

    assert response.status_code == 204
    assert response["HX-Redirect"] == "/"


def test_an_api_change_in_the_session_after_removal_is_refused_in_the_envelope(in_both):
    before = Campaign.objects.count()

    response = in_both.post(
        "/v1/campaigns", {"campaign_name": "Sneaky"}, content_type="application/json"
    )

    assert response.status_code == 403
    assert response.json() == {
        "success": False,
        "errno": 403,
        "message": 'You are no longer a member of "Acme Agency". Nothing was changed.',
    }
    assert Campaign.objects.count() == before


def test_someone_left_with_no_account_is_told_so(tenant_a):
    client = tenant_a.member_client
    services.remove_member(
        membership=Membership.objects.get(account=tenant_a.account, user=tenant_a.member)
    )

    response = client.get("/")

    assert response.status_code == 403
    assert "You are not a member of any account" in response.text
    assert (
        "You are no longer a member of &quot;Acme Agency&quot;. You are not in any account now."
    ) in response.text
    assert SESSION_ACCOUNT_KEY not in client.session


def test_switching_accounts_is_not_mistaken_for_a_removal(tenant_a, tenant_b):
    person = tenant_a.member
    Membership.objects.create(account=tenant_b.account, user=person, role=Role.MEMBER)
    client = logged_in_client(person)

    client.post("/account/switch/", {"account": tenant_b.account.pk})
    response = client.get("/")

    assert response.wsgi_request.account == tenant_b.account
    assert "no longer a member" not in response.text
