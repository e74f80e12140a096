"""Revoking a token that is already revoked (another tab, a page drawn before) changes nothing
and says so, naming the token as it was named."""

import json
from html import unescape

from campaignhub.models import ApiToken


def test_revoking_a_token_twice_says_it_was_already_revoked(tenant_a):
    token = tenant_a.token.token
    revoke = f"/settings/tokens/{token.pk}/revoke/"
    first = unescape(tenant_a.admin_client.post(revoke, follow=True).content.decode())
    assert f"Token “{token.name}” revoked." in first
    revoked_at = ApiToken.objects.get(pk=token.pk).revoked_at
    second = unescape(tenant_a.admin_client.post(revoke, follow=True).content.decode())
    assert f"Token “{token.name}” was already revoked." in second
    assert f"Token “{token.name}” revoked." not in second
    assert ApiToken.objects.get(pk=token.pk).revoked_at == revoked_at


def test_revoking_a_token_twice_with_htmx_says_so_too(tenant_a):
    token = tenant_a.token.token
    revoke = f"/settings/tokens/{token.pk}/revoke/"
    tenant_a.admin_client.post(revoke, HTTP_HX_REQUEST="true")
    again = tenant_a.admin_client.post(revoke, HTTP_HX_REQUEST="true")
    events = json.loads(again["HX-Trigger-After-Swap"])
    assert events["notice"] == {
        "level": "info",
        "text": f"Token “{token.name}” was already revoked.",
    }


def test_a_token_named_nan_is_named_as_typed(tenant_a):
    """ "NaN" is a name like any other, never a number formatted."""
    tenant_a.admin_client.post("/settings/tokens/", {"name": "NaN"})
    token = ApiToken.objects.get(name="NaN")
    page = unescape(
        tenant_a.admin_client.post(
            f"/settings/tokens/{token.pk}/revoke/", follow=True
        ).content.decode()
    )
    assert "Token “NaN” revoked." in page
