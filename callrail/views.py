"""CallRail pages: connect a key, walk accounts → companies → trackers, the webhook, the picker."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from callrail import client as callrail
from callrail import selectors, services
from callrail.access import access, upstream
from callrail.checks import remember_trackers
from callrail.forms import (
    ChoiceForm,
    CompanyQuery,
    KeyForm,
    PageQuery,
    SigningKeyForm,
    TrackerCreateForm,
    TrackerQuery,
    TrackerUpdateForm,
)
from campaignhub import phones
from campaignhub.api import ApiProblem
from campaignhub.once import creates_once
from campaignhub.tenancy import account_required
from campaigns.selectors import tracking_numbers_in_use


def _admin(request):
    if not request.membership.is_admin:
        raise PermissionDenied("Only account admins can change the CallRail connection.")


def _home(request, key_form=None, status=200):
    chosen = services.settings_for(request.account)
    context = {
        "key": services.live_key(request.account),
        "chosen": chosen,
        "rejections": selectors.rejections(request.account, chosen),
        "unused": selectors.unused_number_calls(request.account),
        "key_form": key_form or KeyForm(),
        "signing_form": SigningKeyForm(),
        # It holds the receiver's secret token: for admins only.
        "receiver_url": (
            services.receiver_url(request.account) if request.membership.is_admin else None
        ),
    }
    return render(request, "callrail/home.html", context, status=status)


@account_required
def home(request):
    return _home(request)


@account_required
def home_live(request):
    """The CallRail page's live fragments as they stand now (signature rejections, calls to
    unused numbers), fetched when the page's live connection opens: a delivery that came
    between the page's rendering and the connection shows too. Out-of-band swaps only."""
    from callrail import live_updates

    context = live_updates.page_context(
        request.account, is_account_admin=request.membership.is_admin
    )
    return render(request, "callrail/live.html", context)


@require_POST
@account_required
def connect_key(request):
    _admin(request)
    form = KeyForm(request.POST)
    if form.is_valid():
        try:
            services.connect_key(account=request.account, api_key=form.cleaned_data["api_key"])
        except ValidationError as exc:
            form.add_error("api_key", exc.messages[0])
        except ApiProblem as problem:
            form.add_error("api_key", f"Could not check the key with CallRail: {problem.message}")
        else:
            messages.success(request, "CallRail connected. Now choose the account to work in.")
            return redirect("callrail_accounts")
    return _home(request, key_form=form, status=400)


@require_POST
@account_required
def remove_key(request):
    _admin(request)
    services.remove_key(account=request.account)
    messages.success(request, "The CallRail key was removed.")
    return redirect("callrail_home")


def _listing(request, template, query_class, key, shape, call, *, need_account=True, current=""):
    """A page of a CallRail collection; CallRail's failures become a message on the page.

    Each shaped record gets `current`: whether its `id` is `current` (the chosen account's or
    company's CallRail id, "" when none is chosen)."""
    query = query_class(request.GET)
    query.is_valid()
    cleaned = {**query.cleaned_data, "page": query.cleaned_data.get("page") or 1}
    context = {"query": query}
    try:
        found = access(request, need_account=need_account)
        page = upstream(found, lambda: call(found, cleaned))
    except ApiProblem as problem:
        context["problem"] = problem.message
        response = render(request, template, context, status=problem.status)
        for name, value in problem.headers.items():
            response[name] = value
        return response
    records = [shape(record) for record in page.items]
    for record in records:
        record["current"] = bool(current) and str(record.get("id")) == current
    context.update({"page": page, key: records})
    return render(request, template, context)


@account_required
def accounts(request):
    return _listing(
        request,
        "callrail/accounts.html",
        PageQuery,
        "accounts",
        callrail.account_out,
        lambda found, q: found.client.accounts(page=q["page"], per_page=25),
        need_account=False,
        current=services.settings_for(request.account).callrail_account_id,
    )


@account_required
def companies(request):
    return _listing(
        request,
        "callrail/companies.html",
        CompanyQuery,
        "companies",
        callrail.company_out,
        lambda found, q: found.client.companies(
            found.account_id,
            page=q["page"],
            per_page=25,
            search=q.get("search") or None,
            include_disabled=q.get("disabled") or False,
        ),
        current=services.settings_for(request.account).company_id,
    )


@require_POST
@account_required
def choose(request):
    _admin(request)
    form = ChoiceForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a CallRail account first.")
        return redirect("callrail_accounts")
    data = form.cleaned_data
    script_url = ""
    if data["company_id"]:
        try:
            found = access(request, account_id=data["account_id"])
            company = upstream(
                found, lambda: found.client.company(data["account_id"], data["company_id"])
            )
            script_url = callrail.company_out(company)["script_url"] or ""
        except ApiProblem as problem:
            messages.error(request, problem.message)
            return redirect("callrail_companies")
    services.choose(account=request.account, **data, script_url=script_url)
    if not data["company_id"]:
        messages.success(request, f"Working in {data['account_name'] or data['account_id']}.")
        return redirect("callrail_companies")
    messages.success(request, f"Working in {data['company_name'] or data['company_id']}.")
    return redirect("callrail_home")


@require_POST
@account_required
def connect_webhook(request):
    _admin(request)
    try:
        found = access(request)
        if not found.company_id:
            raise ApiProblem(400, "Choose a CallRail company first.")
        upstream(
            found,
            lambda: services.register_webhook(
                account=request.account,
                client=found.client,
                account_id=found.account_id,
                company_id=found.company_id,
                url=services.receiver_url(request.account),
            ),
        )
    except ApiProblem as problem:
        messages.error(request, problem.message)
    else:
        messages.success(request, "Webhook connected: calls to your trackers now become leads.")
    return redirect("callrail_home")


KEY_NOT_CHANGED = (
    "The signing key was not changed: paste the key from CallRail → Integrations → Webhooks to "
    "save it."
)


@require_POST
@account_required
def signing_key(request):
    _admin(request)
    form = SigningKeyForm(request.POST)
    if not form.is_valid():
        problems = " ".join(form.errors["signing_key"])
        messages.error(request, f"The signing key was not saved: {problems}")
        return redirect("callrail_home")
    key, remove = form.cleaned_data["signing_key"], request.POST.get("remove") == "1"
    if not key and not remove:
        # An empty field is not a removal: that takes its own button, with a confirmation.
        messages.error(request, KEY_NOT_CHANGED)
        return redirect("callrail_home")
    services.set_signing_key(account=request.account, signing_key="" if remove else key)
    if remove:
        messages.success(request, "Signing key removed: deliveries are no longer verified.")
        return redirect("callrail_home")
    chosen = services.settings_for(request.account)
    earlier = selectors.rejected_before_key(request.account, chosen).count()
    offer = (
        f" {earlier} deliver{'y was' if earlier == 1 else 'ies were'} rejected for a signature "
        "that did not match the key before; process them again below."
        if earlier
        else ""
    )
    messages.success(request, f"Signing key saved.{offer}")
    return redirect("callrail_home")


@require_POST
@account_required
def process_rejected(request):
    """Process again the deliveries rejected for their signature before the signing key was
    saved: those the key now verifies become leads, the others stay rejected."""
    _admin(request)
    chosen = services.settings_for(request.account)
    earlier = selectors.rejected_before_key(request.account, chosen).count()
    queued = services.process_rejected_again(account=request.account)
    if not earlier:
        messages.info(request, "No rejected deliveries to process.")
    elif queued == earlier:
        messages.success(
            request, f"Processing {queued} rejected deliver{'y' if queued == 1 else 'ies'} again."
        )
    else:
        messages.warning(
            request,
            f"Processing {queued} of {earlier} rejected deliveries again; the signing key does "
            f"not match the other {earlier - queued}, which stay rejected.",
        )
    return redirect("callrail_home")


@account_required
def trackers(request):
    return _listing(
        request,
        "callrail/trackers.html",
        TrackerQuery,
        "trackers",
        callrail.tracker_out,
        lambda found, q: found.client.trackers(
            found.account_id,
            company_id=found.company_id,
            page=q["page"],
            per_page=25,
            search=q.get("search") or None,
        ),
    )


TRACKER_TEXT_FIELDS = (
    "type",
    "name",
    "destination_number",
    "whisper_message",
    "pool_size",
    "swap_targets",
    "source",
    "area_code",
    "status",
)


def _tracker_data(post):
    """The API shape from the tracker page's HTML form: the fields it sent (fields that do not
    apply are disabled in the page and not sent) and its checkboxes."""
    data = {key: post[key] for key in TRACKER_TEXT_FIELDS if key in post}
    for flag in ("record_calls", "sms_enabled", "toll_free"):
        data[flag] = post.get(flag) == "on"
    return data


def _shown(data):
    """Posted tracker values as the form shows them again (swap targets one per line)."""
    if isinstance(data.get("swap_targets"), str):
        lines = data["swap_targets"].replace(",", "\n").splitlines()
        data = {**data, "swap_targets": [line.strip() for line in lines if line.strip()]}
    return data


@account_required
@creates_once
def tracker_new(request):
    _admin(request)
    form = TrackerCreateForm()
    problem = None
    if request.method == "POST":
        form = TrackerCreateForm(data=_tracker_data(request.POST))
        if form.is_valid():
            try:
                record = services.create_tracker(found=access(request), spec=form.cleaned_data)
            except ApiProblem as exc:
                problem = exc.message
            else:
                tracker = callrail.tracker_out(record)
                messages.success(
                    request,
                    f"Tracker “{tracker['name']}” created: "
                    f"{phones.for_display(tracker['tracking_number'], request.account.country)}.",
                )
                response = redirect("callrail_trackers")
                # The page sent again leads to the tracker it bought, named there.
                response.created_at = reverse("callrail_tracker_edit", args=[tracker["id"]])
                return response
    context = {
        "form": form,
        "problem": problem,
        "values": _shown(form.data) if form.is_bound else {"type": "source", "record_calls": True},
    }
    return render(
        request, "callrail/tracker_form.html", context, status=400 if form.is_bound else 200
    )


@account_required
def tracker_edit(request, tracker_id):
    _admin(request)
    try:
        found = access(request)
        current = services.get_tracker(found=found, tracker_id=tracker_id)
    except ApiProblem as problem:
        messages.error(request, problem.message)
        return redirect("callrail_trackers")
    tracker = callrail.tracker_out(current)
    problem = None
    values = tracker
    form = TrackerUpdateForm()
    if request.method == "POST":
        posted = _tracker_data(request.POST)
        values = {**tracker, **_shown(posted)}
        sent = {k: v for k, v in posted.items() if k in TrackerUpdateForm.base_fields}
        form = TrackerUpdateForm(data=sent, kind=tracker["type"])
        if form.is_valid():
            try:
                services.update_tracker(
                    found=found,
                    tracker_id=tracker_id,
                    changes={k: form.cleaned_data[k] for k in sent},
                )
            except ApiProblem as exc:
                # A rule of the tracker as it is goes under its field when the page shows it
                # (a source tracker's page has no pool fields); anything else above the form.
                shown = set(form.fields)
                if tracker["type"] != "session":
                    shown -= {"pool_size", "swap_targets"}
                fields = [key for key in (exc.errors or {}) if key in shown]
                for key in fields:
                    form.add_error(key, exc.errors[key])
                problem = None if fields else exc.message
            else:
                messages.success(request, "Tracker saved.")
                return redirect("callrail_trackers")
    context = {
        "tracker": tracker,
        "values": values,
        "form": form,
        "problem": problem,
        "editing": True,
    }
    refused = problem or form.errors
    return render(request, "callrail/tracker_form.html", context, status=400 if refused else 200)


@require_POST
@account_required
def tracker_disable(request, tracker_id):
    _admin(request)
    try:
        services.disable_tracker(found=access(request), tracker_id=tracker_id)
    except ApiProblem as problem:
        messages.error(request, problem.message)
    else:
        messages.success(request, "Tracker disabled; its number is released.")
    return redirect("callrail_trackers")


@account_required
def tracker_picker(request):
    """The campaign form's CallRail number picker: the company's trackers, used ones greyed.

    `?tracking_number=` is the number the form holds (any dialable format): the tracker with
    that number among its numbers is marked `current`. `?campaign=` is the campaign edited,
    whose own number is not "used"."""
    in_use = tracking_numbers_in_use(request.membership, exclude=request.GET.get("campaign"))
    chosen = phones.e164_or_blank(request.GET.get("tracking_number", ""))
    context = {"in_use": in_use}
    try:
        found = access(request)
        if not found.company_id:
            raise ApiProblem(400, "Choose a CallRail company to pick its numbers.")
        records = upstream(
            found,
            lambda: list(found.client.all_trackers(found.account_id, company_id=found.company_id)),
        )
    except ApiProblem as problem:
        context["problem"] = problem.message
        return render(request, "callrail/picker.html", context)
    remember_trackers(
        request.account,
        company_id=found.company_id,
        company_name=services.settings_for(request.account).company_name,
        tracking_numbers=[
            number
            for record in records
            for number in callrail.tracker_out(record)["tracking_numbers"]
        ],
    )
    context["trackers"] = [
        {
            **tracker,
            "used_by": in_use.get(tracker["tracking_number"]),
            "current": bool(chosen)
            and chosen in {phones.e164_or_blank(n) for n in tracker["tracking_numbers"]},
        }
        for tracker in map(callrail.tracker_out, records)
        if tracker["tracking_number"]
    ]
    return render(request, "callrail/picker.html", context)
