import json

import pytest
import responses
from django.test import Client, TestCase

from dialer import services
from dialer.models import AgentExtension, DialerCampaign, DialerConnection

API = "https://dialer.test/api"
KEY = "dialer-test-key-1234"


def connect(tenant, *, api_key=KEY, base_url=API):
    services.receiver_for(tenant.account)
    return DialerConnection.objects.create(
        account=tenant.account, secret=api_key, last4=api_key[-4:], base_url=base_url
    )


def give_extension(account, user, extension):
    """`user`'s dialer extension in `account` (set directly, without the dialer)."""
    membership = account.memberships.get(user=user)
    AgentExtension.objects.update_or_create(
        membership=membership, defaults={"account": account, "extension": extension}
    )
    return extension


def make_agent(campaign, user, extension, **fields):
    """`user` as an agent of `campaign` under `extension` (given to them in its account)."""
    give_extension(campaign.account, user, extension)
    fields.setdefault("default_state", "offline")
    return campaign.agents.create(
        account=campaign.account, user=user, extension=extension, **fields
    )


def make_campaign(tenant, **fields):
    fields.setdefault("name", "Spring renewals")
    return DialerCampaign.objects.create(account=tenant.account, **fields)


def notify(account, notification_type, **payload):
    """POST one notification to the account's receiver, as the dialer does."""
    token = services.receiver_for(account).webhook_token
    with TestCase.captureOnCommitCallbacks(execute=True):
        return Client().post(
            f"/webhooks/dialer/{token}/",
            json.dumps({"type": notification_type, "payload": payload}),
            content_type="application/json",
        )


def csv_file(rows, name="leads.csv", header="phone,first_name,last_name,email"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    text = header + "\n" + "\n".join(rows) + "\n"
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def numbers(count, start=0):
    """`count` distinct valid US numbers."""
    return [f"+1415555{start + i:04d}" for i in range(count)]


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded lead lists and error reports go to the test's own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def upstream():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def connected(tenant_a):
    return connect(tenant_a)


@pytest.fixture
def campaign(tenant_a, connected):
    return make_campaign(tenant_a)
