"""The Incoming deliveries pages (Settings, admins only): what upstreams sent, and its replay."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from campaignhub import inbound, intake, selectors, services
from campaignhub.forms import InboundDeliveryFilterForm
from campaignhub.models import InboundDelivery
from campaignhub.pages import page_or_partial
from campaignhub.paging import deep_page_of
from campaignhub.tenancy import account_required


@account_required(admin=True)
def inbound_deliveries(request):
    """Every delivery stored for the account, newest first, filtered by `source`, `status` and
    `campaign` (`InboundDeliveryFilterForm`); filters that cannot be used list nothing (400)."""
    form = InboundDeliveryFilterForm(request.GET, account=request.account)
    valid = form.is_valid()
    filters = form.cleaned_data if valid else {"source": "", "status": "", "campaign": None}
    rows = selectors.inbound_deliveries(
        request.account,
        source=filters["source"],
        status=filters["status"],
        campaign=filters.get("campaign"),
    )
    if not valid:
        rows = rows.none()
    page_obj = deep_page_of(request, rows, count=0 if not valid else None)
    selectors.describe_deliveries(request.account, page_obj.object_list)
    context = {
        "form": form,
        "page_obj": page_obj,
        "filtered": any(value not in ("", None) for value in filters.values()),
    }
    return page_or_partial(
        request,
        "campaignhub/inbound_deliveries.html",
        context,
        partial="delivery-table",
        status=200 if valid else 400,
    )


def _delivery(request, delivery_id):
    try:
        return selectors.inbound_delivery(request.account, delivery_id)
    except InboundDelivery.DoesNotExist:
        raise Http404("Delivery not found") from None


@account_required(admin=True)
def inbound_delivery(request, delivery_id):
    """One delivery: what it was, its headers (credentials hidden, `inbound.shown_headers`),
    its body as text (cut past `inbound.BODY_SHOWN` characters), its error and traceback."""
    delivery = _delivery(request, delivery_id)
    body, cut = inbound.shown_body(delivery.text)
    context = {
        "delivery": delivery,
        "headers": inbound.shown_headers(delivery.headers),
        "body": body,
        "body_cut": cut,
    }
    return render(request, "campaignhub/inbound_delivery.html", context)


@require_POST
@account_required(admin=True)
def inbound_delivery_replay(request, delivery_id):
    """Replay one delivery (`services.replay_delivery`), saying what replay did as the admin's
    action says it; back to the delivery's page. One whose campaign is paused or deleted is
    not replayed, and nothing changes: the page says why (`inbound.replay_refusal`)."""
    delivery = _delivery(request, delivery_id)
    if delivery.replay_refusal:
        messages.warning(request, delivery.replay_refusal)
    elif services.replay_delivery(delivery=delivery):
        messages.success(request, intake.queued_message(1))
    else:
        messages.warning(request, intake.skipped_message(1))
    return redirect("inbound_delivery", delivery_id=delivery.pk)
