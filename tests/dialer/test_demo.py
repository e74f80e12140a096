"""The dialer's demo data: connected to the sandbox dialer, extensions in the demo account."""

import io

import pytest

from dialer import demo
from dialer.models import AgentExtension, DialerCampaign, DialerConnection

pytestmark = pytest.mark.django_db


def test_the_demo_connects_gives_extensions_and_makes_a_campaign(
    tenant_a, sandbox, settings, monkeypatch
):
    settings.DIALER_API_BASE = f"{sandbox.url}/dialer"
    monkeypatch.setenv("DEMO_DIALER_API_KEY", "sandbox-dialer-key")
    out = io.StringIO()
    for _ in range(2):  # loading twice changes nothing more
        demo.load(
            account=tenant_a.account, admin=tenant_a.admin, member=tenant_a.member, stdout=out
        )
    assert "connected to" in out.getvalue()
    assert DialerConnection.objects.filter(account=tenant_a.account).count() == 2
    assert dict(AgentExtension.objects.values_list("membership__user__email", "extension")) == {
        "member@acme.test": "101",
        "admin@acme.test": "100",
    }
    assert DialerCampaign.objects.filter(account=tenant_a.account).count() == 1
