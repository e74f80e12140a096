"""JSON API for CallRail under /v1/e/callrail/ (paths, messages and shapes of the reference)."""

from django.core.exceptions import ValidationError

from callrail import client as callrail
from callrail import services
from callrail.access import access, upstream
from callrail.forms import (
    CompanyQuery,
    KeyForm,
    PageQuery,
    TrackerCreateForm,
    TrackerQuery,
    TrackerUpdateForm,
    WebhookCreateForm,
    WebhookUpdateForm,
)
from callrail.schemas import (
    KeyBody,
    TrackerCreateBody,
    TrackerUpdateBody,
    WebhookCreateBody,
    WebhookUpdateBody,
)
from campaignhub.api import ApiProblem, api_view, ok, query_form, validated


def _query(request, form_class):
    """The list's query (`form_class`, paging included), cleaned; any other key is a 400."""
    return query_form(request, form_class).cleaned_data


def key_data(account, *, admin: bool):
    """The key as the API shows it. `webhook_url` holds the receiver's secret token: only an
    account admin gets it (None for members), as on the CallRail page."""
    key = services.live_key(account)
    return {
        "connected": key is not None,
        "last4": key.last4 if key else None,
        "webhook_url": services.receiver_url(account) if admin else None,
        "rejected": bool(key and key.rejected_at),
    }


@api_view("GET", "POST", "DELETE", admin=["POST", "DELETE"], body={"POST": KeyBody})
def key(request):
    if request.method == "POST":
        form = validated(KeyForm, request.data)
        try:
            services.connect_key(account=request.account, api_key=form.cleaned_data["api_key"])
        except ValidationError as exc:
            raise ApiProblem(400, exc.messages[0], {"api_key": exc.messages}) from None
        return ok(key_data(request.account, admin=True), status=201)
    if request.method == "DELETE" and not services.remove_key(account=request.account):
        raise ApiProblem(400, services.NO_KEY)
    return ok(key_data(request.account, admin=request.membership.is_admin))


def _paged(page, key, items):
    return {
        key: items,
        "page": page.page,
        "per_page": page.per_page,
        "total_pages": page.total_pages,
        "total_records": page.total_records,
    }


@api_view("GET")
def accounts(request):
    found = access(request, need_account=False)
    query = _query(request, PageQuery)
    page = upstream(found, lambda: found.client.accounts(**query))
    return ok(_paged(page, "accounts", [callrail.account_out(a) for a in page.items]))


@api_view("GET")
def companies(request):
    found = access(request, account_id=request.GET.get("account_id"))
    query = _query(request, CompanyQuery)
    page = upstream(
        found,
        lambda: found.client.companies(
            found.account_id,
            page=query["page"],
            per_page=query["per_page"],
            sort=query["sort"],
            search=query["search"],
            include_disabled=query["disabled"],
        ),
    )
    return ok(_paged(page, "companies", [callrail.company_out(c) for c in page.items]))


@api_view("POST", "PUT", admin=True, body={"POST": WebhookCreateBody, "PUT": WebhookUpdateBody})
def webhook(request):
    form_class = WebhookCreateForm if request.method == "POST" else WebhookUpdateForm
    found = access(request, account_id=request.data.get("account_id"), need_account=False)
    data = {"account_id": found.account_id, "company_id": found.company_id, **request.data}
    form = validated(form_class, data)
    cleaned = form.cleaned_data
    if request.method == "POST":
        record = upstream(
            found,
            lambda: services.register_webhook(
                account=request.account,
                client=found.client,
                account_id=cleaned["account_id"],
                company_id=cleaned["company_id"],
                url=cleaned["webhook_url"],
            ),
        )
    else:
        record = upstream(
            found,
            lambda: found.client.update_webhook(
                cleaned["account_id"],
                cleaned["company_id"],
                cleaned["webhook_id"],
                url=cleaned["webhook_url"] or None,
                status=cleaned["status"] or None,
            ),
            not_found="Webhook not found",
        )
    return ok(
        callrail.webhook_out(
            record, account_id=cleaned["account_id"], company_id=cleaned["company_id"]
        )
    )


@api_view("GET", "POST", admin=["POST"], body={"POST": TrackerCreateBody})
def trackers(request):
    found = access(request)
    if request.method == "POST":
        if not found.company_id:
            raise ApiProblem(400, services.NO_COMPANY)
        form = validated(TrackerCreateForm, request.data)
        record = services.create_tracker(found=found, spec=form.cleaned_data)
        return ok(callrail.tracker_out(record), status=201)
    query = _query(request, TrackerQuery)
    page = upstream(
        found, lambda: found.client.trackers(found.account_id, company_id=found.company_id, **query)
    )
    return ok(
        {
            "trackers": [callrail.tracker_out(t) for t in page.items],
            "total_records": page.total_records,
            "page": page.page,
            "per_page": page.per_page,
        },
        pagination={
            "current_page": page.page,
            "total_pages": page.total_pages,
            "per_page": page.per_page,
            "total_items": page.total_records,
        },
    )


@api_view("GET", "PUT", "DELETE", admin=["PUT", "DELETE"], body={"PUT": TrackerUpdateBody})
def tracker(request, tracker_id):
    found = access(request)
    if request.method == "GET":
        return ok(callrail.tracker_out(services.get_tracker(found=found, tracker_id=tracker_id)))
    if request.method == "DELETE":
        services.disable_tracker(found=found, tracker_id=tracker_id)
        return ok({})
    form = validated(TrackerUpdateForm, request.data)
    changes = {k: form.cleaned_data[k] for k in request.data}
    record = services.update_tracker(found=found, tracker_id=tracker_id, changes=changes)
    return ok(callrail.tracker_out(record))
