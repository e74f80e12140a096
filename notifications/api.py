"""JSON API for notifications: the delivery log and the caller's push devices."""

from campaignhub.api import (
    PAGE_KEYS,
    ApiProblem,
    api_view,
    ok,
    paginate,
    refuse_unknown_query,
    validated,
)
from campaignhub.tenancy import get_for_account_or_404
from notifications import selectors, services
from notifications.forms import DeliveryFilterForm, DeviceForm
from notifications.schemas import DeviceBody


def delivery_data(delivery):
    return {
        "id": delivery.pk,
        "event": delivery.event,
        "channel": delivery.channel,
        "recipient": delivery.recipient,
        "devices": [
            {"name": device["name"], "type": device["type"], "registered": device["registered"]}
            for device in delivery.pushed_to
        ],
        "subject": delivery.subject,
        "status": delivery.status,
        "error": delivery.error,
        "attempts": delivery.attempts,
        "created_at": delivery.created_at,
        "sent_at": delivery.sent_at,
    }


def device_data(device):
    return {
        "id": device.pk,
        "registration_id": device.registration_id,
        "type": device.type,
        "name": device.name or "",
        "active": device.active,
        "created_at": device.date_created,
    }


@api_view("GET")
def deliveries(request):
    refuse_unknown_query(request, [*DeliveryFilterForm.base_fields, *PAGE_KEYS])
    query = {key: request.GET.get(key, "") for key in DeliveryFilterForm.base_fields}
    form = validated(DeliveryFilterForm, query)
    rows = selectors.filter_deliveries(
        selectors.deliveries_visible_to(request.membership), **form.cleaned_data
    )
    rows, pagination = paginate(request, rows)
    return ok([delivery_data(row) for row in rows], pagination=pagination)


def _visible_delivery(request, delivery_id):
    return get_for_account_or_404(
        selectors.deliveries_visible_to(request.membership),
        request.account,
        "Delivery not found",
        pk=delivery_id,
    )


@api_view("GET")
def delivery(request, delivery_id):
    found = _visible_delivery(request, delivery_id)
    return ok({**delivery_data(found), "body": found.body, "sender": found.sender})


@api_view("POST")
def delivery_retry(request, delivery_id):
    found = _visible_delivery(request, delivery_id)
    try:
        retried = services.retry_delivery(delivery=found)
    except services.RetryRefused as exc:
        raise ApiProblem(409, str(exc)) from None
    if not retried:
        raise ApiProblem(409, "Only failed deliveries can be retried.")
    return ok(delivery_data(found))


@api_view("GET", "POST", body={"POST": DeviceBody})
def devices(request):
    if request.method == "POST":
        form = validated(DeviceForm, request.data)
        device = services.register_device(user=request.user, **form.cleaned_data)
        return ok(device_data(device), status=201)
    refuse_unknown_query(request, ())
    return ok([device_data(device) for device in selectors.devices_of(request.user)])


@api_view("DELETE")
def device(request, device_id):
    found = selectors.devices_of(request.user).filter(pk=device_id).first()
    if found is None:
        raise ApiProblem(404, "Device not found")
    services.remove_device(device=found)
    return ok(None)
