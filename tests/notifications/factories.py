from notifications.models import Delivery, Status


def make_delivery(tenant, user, *, channel="email", status=Status.SENT, event="test", **fields):
    return Delivery.objects.create(
        account=tenant.account,
        event=event,
        channel=channel,
        user=user,
        recipient=user.email if channel != "sms" else "+14155550100",
        subject=fields.pop("subject", f"{event} for {user.email}"),
        body=fields.pop("body", "Body"),
        status=status,
        attempts=1,
        **fields,
    )
