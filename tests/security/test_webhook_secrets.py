"""An endpoint's secret token (the Invoca and CallRail receiver addresses) reaches account
admins only: a member who had it could post forged calls that become leads."""

import pytest

from campaignhub import services as platform
from invoca.webhooks import receiver_for
from tests.callrail.conftest import connect
from tests.factories import bearer

pytestmark = pytest.mark.django_db


def _member_token(tenant):
    return platform.issue_token(account=tenant.account, user=tenant.member, name="member").raw


def test_the_invoca_webhook_address_is_for_admins_in_the_api_and_the_page(tenant_a):
    secret = receiver_for(tenant_a.account).webhook_token

    admin = tenant_a.admin_client.get("/v1/invoca/connection", **bearer(tenant_a.token.raw))
    member = tenant_a.member_client.get("/v1/invoca/connection", **bearer(_member_token(tenant_a)))
    page = tenant_a.member_client.get("/invoca/connection/")

    assert secret in admin.json()["data"]["webhook_url"]
    assert member.status_code == 200 and member.json()["data"]["webhook_url"] is None
    assert secret not in member.content.decode()
    assert page.status_code == 200 and secret not in page.content.decode()


def test_the_callrail_webhook_address_is_for_admins_in_the_api_and_the_page(tenant_a):
    secret = connect(tenant_a).webhook_token  # a key and a company: the page's webhook section

    admin = tenant_a.admin_client.get("/v1/e/callrail/key", **bearer(tenant_a.token.raw))
    member = tenant_a.member_client.get("/v1/e/callrail/key", **bearer(_member_token(tenant_a)))
    member_page = tenant_a.member_client.get("/callrail/").content.decode()
    admin_page = tenant_a.admin_client.get("/callrail/").content.decode()

    assert secret in admin.json()["data"]["webhook_url"]
    assert member.status_code == 200 and member.json()["data"]["webhook_url"] is None
    assert secret not in member.content.decode()
    assert secret not in member_page
    assert "an account admin has" in member_page
    assert secret in admin_page
