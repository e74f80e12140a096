import pytest

from notifications.transports import push, sms
from tests.notifications.conftest import committed  # noqa: F401  (shared fixture)


@pytest.fixture(autouse=True)
def _empty_outboxes():
    sms.outbox.clear()
    push.outbox.clear()
