from types import SimpleNamespace

import pytest

from campaignhub import services
from campaignhub.models import Role
from tests.factories import logged_in_client, make_account, make_member


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    # Browser tests leave an event loop running in the main thread, so they go last.
    items.sort(key=lambda item: "tests/e2e/" in item.nodeid.replace("\\", "/"))
    for item in items:
        if "tests/e2e/" in item.nodeid:
            item.add_marker(pytest.mark.e2e)


def _tenant(name, prefix):
    account = make_account(name, f"admin@{prefix}.test")
    admin = account.memberships.get().user
    admin.name = f"{name} Admin"
    admin.save()
    member = make_member(account, f"member@{prefix}.test", Role.MEMBER, name=f"{name} Member")
    return SimpleNamespace(
        account=account,
        admin=admin,
        member=member,
        admin_client=logged_in_client(admin),
        member_client=logged_in_client(member),
        token=services.issue_token(account=account, user=admin, name=f"{prefix} token"),
    )


@pytest.fixture
def tenant_a(db):
    """Account A: an admin, a member, and an API token of the admin."""
    return _tenant("Acme Agency", "acme")


@pytest.fixture
def tenant_b(db):
    """Account B, whose people are outsiders to account A."""
    return _tenant("Bolt Media", "bolt")


@pytest.fixture
def outsider(tenant_b):
    return tenant_b.admin
