"""Demo data for notifications: a push device per demo user and one test notification."""

from notifications import services
from notifications.models import Delivery


def load(*, account, admin, member, stdout):
    for user in (admin, member):
        services.register_device(
            user=user, registration_id=f"demo-device-{user.pk}", type="web", name="Demo browser"
        )
    if not Delivery.objects.for_account(account).exists():
        services.notify(
            account=account,
            event="test",
            recipients=[member],
            context={"account": account, "user": member},
        )
    stdout.write("Notifications: demo devices registered; console backends print what is sent.")
