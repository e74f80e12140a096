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
    services.remove_member(
        membership=Membership.objects.get(account=tenant_a.account, user=person),
        removed_by=tenant_a.admin,
    )
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
        membership=Membership.objects.get(account=tenant_a.account, user=tenant_a.member),
        removed_by=tenant_a.admin,
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


def test_a_form_from_a_page_of_the_account_left_is_refused_after_another_page(
    in_both, tenant_a, tenant_b
):
    """Another tab's page moved the session on first: the form still says whose it was."""
    in_both.get("/leads/")
    before = Campaign.objects.count()

    response = in_both.post(
        "/campaigns/new/",
        {"campaign_name": "Sneaky", "integration": "form", "_account": tenant_a.account.pk},
    )

    assert response.status_code == 302 and response.url == "/"
    assert Campaign.objects.count() == before
    assert _messages(response) == [
        "This page was for an account you are no longer a member of.",
        "Nothing was changed.",
    ]


def test_htmx_and_api_changes_carry_their_pages_account_in_a_header(in_both, tenant_a):
    in_both.get("/")
    header = {"HTTP_X_ACCOUNT": str(tenant_a.account.pk)}

    htmx = in_both.post("/campaigns/new/", {"campaign_name": "S"}, HTTP_HX_REQUEST="true", **header)
    api = in_both.post(
        "/v1/campaigns", {"campaign_name": "S"}, content_type="application/json", **header
    )

    assert (htmx.status_code, htmx["HX-Redirect"]) == (204, "/")
    assert api.status_code == 403
    assert api.json()["message"] == (
        "This page was for an account you are no longer a member of. Nothing was changed."
    )


def test_a_page_of_the_account_switched_from_in_another_tab_changes_nothing(tenant_a, tenant_b):
    person = tenant_a.member
    Membership.objects.create(account=tenant_b.account, user=person, role=Role.MEMBER)
    client = logged_in_client(person)
    client.post("/account/switch/", {"account": tenant_b.account.pk})
    before = Campaign.objects.count()

    response = client.post(
        "/campaigns/new/", {"campaign_name": "Sneaky", "_account": tenant_a.account.pk}
    )

    assert response.status_code == 302
    assert Campaign.objects.count() == before
    assert _messages(response)[-2:] == [
        'This page was for "Acme Agency", and you have since switched to "Bolt Media".',
        "Nothing was changed.",
    ]


def test_a_page_of_the_current_account_goes_through(tenant_a):
    response = tenant_a.admin_client.post(
        "/settings/tokens/", {"name": "ci", "_account": tenant_a.account.pk}
    )

    assert response.status_code in (200, 302)
    assert "Nothing was changed." not in _messages(response)


def test_another_tenants_account_named_in_the_header_is_not_revealed(tenant_a, tenant_b):
    response = tenant_a.member_client.post(
        "/v1/campaigns",
        {"campaign_name": "S"},
        content_type="application/json",
        HTTP_X_ACCOUNT=str(tenant_b.account.pk),
    )

    assert response.status_code == 403
    assert "Bolt Media" not in response.text


def test_signing_out_right_after_removal_signs_out(in_both):
    response = in_both.post("/logout/", {"_account": "1"})

    assert response.status_code == 302
    assert "_auth_user_id" not in in_both.session


def test_an_api_token_acts_in_its_account_whatever_the_session_says(in_both, tenant_b):
    token = services.issue_token(account=tenant_b.account, user=tenant_b.admin, name="bolt").raw

    changed = in_both.post(
        "/v1/campaigns",
        {"campaigndata": {"campaign_name": "By token"}},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )

    # The first request after the removal: without a token it would be refused (403).
    assert changed.status_code != 403, changed.content
