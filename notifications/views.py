"""Pages for notifications: the delivery log, one delivery, my push devices."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from campaignhub.pages import gone, notify, page_or_partial
from campaignhub.paging import page_of
from campaignhub.tenancy import account_required, get_for_account_or_404
from notifications import selectors, services
from notifications.forms import DeliveryFilterForm, DeviceForm


@account_required
def deliveries(request):
    visible = selectors.deliveries_visible_to(request.membership)
    form = DeliveryFilterForm(request.GET)
    rows = (
        selectors.filter_deliveries(visible, **form.cleaned_data)
        if form.is_valid()
        else visible.none()
    )
    context = {
        "form": form,
        "page_obj": page_of(request, rows),
        "events": selectors.event_names(visible),
        "filtered": any(request.GET.get(key) for key in ("event", "channel", "status")),
    }
    return page_or_partial(
        request,
        "notifications/deliveries.html",
        context,
        partial="delivery-table",
        status=400 if form.errors else 200,
    )


@account_required
def delivery_detail(request, delivery_id):
    delivery = get_for_account_or_404(
        selectors.deliveries_visible_to(request.membership), request.account, pk=delivery_id
    )
    subject = selectors.subject_of(delivery, request.membership)
    context = {"delivery": delivery, "subject": subject}
    return render(request, "notifications/delivery_detail.html", context)


@require_POST
@account_required
def delivery_retry(request, delivery_id):
    """Send a failed delivery again; a refusal (not failed, or its person was removed from the
    account) says why and changes nothing. htmx gets the row as stored now."""
    delivery = get_for_account_or_404(
        selectors.deliveries_visible_to(request.membership), request.account, pk=delivery_id
    )
    try:
        retried = services.retry_delivery(delivery=delivery)
    except services.RetryRefused as exc:
        message, level = str(exc), messages.ERROR
    else:
        if retried:
            message, level = "Sending again.", messages.INFO
        else:
            message, level = "Only failed deliveries can be retried.", messages.INFO
    if request.htmx:
        # The row as stored now (the retry may already have been sent); pages keep the newest.
        context = {"delivery": delivery}
        response = render(request, "notifications/deliveries.html#delivery-row", context)
        if level == messages.ERROR:
            return notify(response, message, level="error")
        return response
    messages.add_message(request, level, message)
    return redirect("delivery_detail", delivery_id=delivery.pk)


def devices(request):
    form = DeviceForm()
    status = 200
    if request.method == "POST":
        form = DeviceForm(request.POST)
        if form.is_valid():
            services.register_device(user=request.user, **form.cleaned_data)
            messages.success(request, "Device registered.")
            return redirect("devices")
        status = 400
    return render(
        request,
        "notifications/devices.html",
        {"form": form, "devices": selectors.devices_of(request.user)},
        status=status,
    )


DEVICE_KINDS = {"android": "Android", "ios": "iOS", "web": "web"}


def device_label(device) -> str:
    """A push device as its owner knows it: `The device “Pixel 8”` or `The unnamed Android
    device` (never the registration's class name)."""
    if device.name:
        return f"The device “{device.name}”"
    return f"The unnamed {DEVICE_KINDS.get(device.type, device.type)} device"


DEVICE_GONE = "This device is no longer registered to you: it was removed already."


@require_POST
def device_remove(request, device_id):
    """Remove one of one's own push devices. One no longer among them (removed twice, from
    another tab; or never one's own) is a 404 saying so, linking back to the devices."""
    device = selectors.devices_of(request.user).filter(pk=device_id).first()
    if device is None:
        return gone(
            request, message=DEVICE_GONE, back_url=reverse("devices"), back_label="My devices"
        )
    services.remove_device(device=device)
    messages.success(request, f"{device_label(device)} removed.")
    return redirect("devices")


@require_POST
@account_required
def device_test(request):
    services.send_test_push(account=request.account, user=request.user)
    messages.info(request, "Test push queued: see its delivery below.")
    return redirect(reverse("deliveries") + "?event=test_push")
