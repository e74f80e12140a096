"""Dialer pages: the overview correlated with the dialer's list, a campaign's page (settings,
agents, lead lists, agent board, outcomes), the members' extensions and the connection.

Who may do what follows `dialer.permissions`: a campaign a member is no agent of is a 404, a
change a member may not make a 403 ("Not allowed"); pages show only the buttons one may use.
"""

from urllib.parse import urlsplit

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from campaignhub.api import ApiProblem
from campaignhub.cleaning import id_or_none
from campaignhub.csv_export import stored_csv_response
from campaignhub.once import creates_once
from campaignhub.pages import page_or_partial
from campaignhub.tenancy import account_required, get_for_account_or_404
from dialer import live_updates, permissions, selectors, services, uploads
from dialer.forms import (
    AdoptForm,
    AgentForm,
    CampaignForm,
    ConnectionForm,
    ExtensionForm,
    UploadForm,
)
from dialer.models import PendingAction
from dialer.permissions import Action


def _visible(request, ref, action=None):
    """The campaign `ref` as the person may see it (404 otherwise), checked for `action`."""
    campaign = selectors.campaign_for(request.account, ref, membership=request.membership)
    if action is not None:
        permissions.require(request.membership, action, campaign)
    return campaign


@account_required
def home(request):
    """The overview: the campaigns one may see beside the dialer's list (both / only there /
    only here); members see those they are an agent of."""
    lines, problem = [], None
    connection = services.DIALER.live_credential(request.account)
    membership = request.membership
    if connection is not None:
        try:
            lines = services.list_correlated(account=request.account, membership=membership)
        except ApiProblem as exc:
            problem = exc.message
            lines = services.correlate(
                account=request.account, upstream_records=[], membership=membership
            )
            for line in lines:
                line.presence = "unknown"
    counts = {
        c.pk: c.agent_count
        for c in selectors.with_agent_counts(selectors.campaigns_visible_to(membership))
    }
    for line in lines:
        if line.campaign:
            line.campaign.agent_count = counts.get(line.campaign.pk, 0)
    context = {
        "connection": connection,
        "lines": lines,
        "problem": problem,
        "can": permissions.can(membership),
        "own_extension": selectors.extension_of(request.account, request.user),
    }
    return page_or_partial(request, "dialer/home.html", context, partial="overview")


def _connection_page(request, form=None, status=200):
    context = {
        "connection": services.DIALER.live_credential(request.account),
        "form": form or ConnectionForm(initial={"base_url": services.settings.DIALER_API_BASE}),
        "receiver_url": services.receiver_url(request.account),
    }
    return render(request, "dialer/connection.html", context, status=status)


@account_required
def connection(request):
    permissions.require(request.membership, Action.CONNECT)
    if request.method != "POST":
        return _connection_page(request)
    form = ConnectionForm(request.POST)
    if form.is_valid():
        try:
            services.connect(
                account=request.account,
                base_url=form.cleaned_data["base_url"],
                api_key=form.cleaned_data["api_key"],
            )
        except ValidationError as exc:
            form.add_error("api_key", exc.messages[0])
        except ApiProblem as problem:
            form.add_error("base_url", problem.message)
        else:
            messages.success(request, "The dialer is connected.")
            return redirect("dialer_home")
    return _connection_page(request, form, status=400)


@require_POST
@account_required
def disconnect(request):
    permissions.require(request.membership, Action.CONNECT)
    services.disconnect(account=request.account)
    messages.success(request, "The dialer connection was removed.")
    return redirect("dialer_connection")


@account_required
@creates_once
def campaign_new(request):
    permissions.require(request.membership, Action.CREATE)
    # An inbound campaign's page links here with itself proposed under "Leads go to"; only
    # preselected (among the account's Dialer campaigns), and checked when the form is sent.
    initial = {"inbound_campaign": request.GET.get("inbound_campaign", "")[:20]}
    form = CampaignForm(request.POST or None, account=request.account, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.create_campaign(account=request.account, **form.cleaned_data)
        except ApiProblem as problem:
            form.add_error(None, problem.message)
        else:
            messages.success(request, f"Campaign {campaign.name} created as {campaign.ref}.")
            return redirect("dialer_campaign", ref=campaign.ref)
    status = 400 if request.method == "POST" else 200
    return render(request, "dialer/campaign_new.html", {"form": form}, status=status)


@require_POST
@account_required
def adopt(request):
    permissions.require(request.membership, Action.ADOPT)
    form = AdoptForm(request.POST)
    if not form.is_valid():
        messages.error(request, "That is not a dialer campaign reference.")
        return redirect("dialer_home")
    try:
        adopted = services.adopt(account=request.account, ref=form.cleaned_data["ref"])
    except ApiProblem as problem:
        messages.error(request, problem.message)
        return redirect("dialer_home")
    messages.success(request, f"Campaign {adopted.campaign.ref} is now managed here.")
    for warning in adopted.warnings:
        messages.warning(request, warning)
    return redirect("dialer_campaign", ref=adopted.campaign.ref)


def _campaign_page(
    request,
    campaign,
    *,
    settings_form=None,
    agent_form=None,
    upload_form=None,
    upload=None,
    warnings=(),
    status=200,
    partial="campaign",
):
    can = permissions.can(request.membership, campaign)
    agents = selectors.agents_of(campaign)
    context = {
        "can": can,
        "campaign": campaign,
        "settings_form": settings_form or CampaignForm(instance=campaign, account=request.account),
        "agent_form": agent_form or AgentForm(),
        "upload_form": upload_form or UploadForm(),
        "agents": agents,
        # Started (or asked to start) with no agent available: the page says nothing is dialled.
        "nothing_dialled": selectors.why_nothing_is_dialled(campaign, agents),
        # Who can still be added: members with an extension who are not agents of it yet.
        "addable": selectors.addable_agents(campaign) if can["manage_agents"] else [],
        # The upload just made shows apart, with its refused rows.
        "uploads": [
            past
            for past in selectors.recent_uploads(campaign)
            if upload is None or past.pk != upload.pk
        ],
        "outcomes": selectors.recent_outcomes(campaign),
        "held_calls": selectors.held_calls(campaign).count(),
        "upload": upload,
        "warnings": warnings,
    }
    return page_or_partial(request, "dialer/campaign.html", context, partial=partial, status=status)


@account_required
def overview_live(request):
    """The overview's live fragments as they stand now (each visible campaign's state and
    buttons), fetched when the page's live connection opens: a notification that arrived
    between the page's rendering and the connection shows too. Out-of-band swaps only."""
    context = {"oob": True}
    can = permissions.can(request.membership)
    html = []
    for campaign in selectors.with_agent_counts(selectors.campaigns_visible_to(request.membership)):
        fragment = {**context, "campaign": campaign, "can": can}
        html += [
            render_to_string(template, fragment, request=request)
            for template in live_updates.campaign_templates(can, overview=True)
        ]
    return HttpResponse("".join(html))


@account_required
def campaign_live(request, ref):
    """The campaign page's live fragments as they stand now (state, buttons, agent board,
    outcomes, and its uploads' progress, `?upload=<id>` included), fetched when the page's
    live connection opens, like `overview_live`."""
    campaign = _visible(request, ref)
    can = permissions.can(request.membership, campaign)
    context = {**live_updates.campaign_context(campaign), "can": can}
    html = [
        render_to_string(template, context, request=request)
        for template in live_updates.campaign_templates(can)
    ]
    shown = list(selectors.recent_uploads(campaign))
    upload_id = id_or_none(request.GET.get("upload"))
    if upload_id is not None:
        shown += list(campaign.uploads.filter(pk=upload_id))
    for upload in {upload.pk: upload for upload in shown}.values():
        html.append(
            render_to_string(
                "dialer/partials/_upload.html",
                {"upload": upload, "can": can, "oob": True},
                request=request,
            )
        )
    return HttpResponse("".join(html))


@account_required
def campaign_detail(request, ref):
    """The campaign page; `?upload=<id>` shows that upload's result (after an upload)."""
    campaign = _visible(request, ref)
    upload_id = id_or_none(request.GET.get("upload"))
    shown = (
        selectors.upload_for(request.account, upload_id, membership=request.membership)
        if upload_id is not None
        else None
    )
    if shown is not None and shown.campaign_id != campaign.pk:
        raise Http404("No such upload for this campaign.")
    return _campaign_page(request, campaign, upload=shown)


def _problem_to_message(request, problem):
    messages.error(request, problem.message)


@require_POST
@account_required
def settings(request, ref):
    campaign = _visible(request, ref, Action.EDIT_SETTINGS)
    form = CampaignForm(
        request.POST,
        instance=selectors.DialerCampaign.objects.get(pk=campaign.pk),
        account=request.account,
    )
    if form.is_valid():
        try:
            services.apply_settings(campaign=campaign, **form.cleaned_data)
        except ApiProblem as problem:
            form.add_error(None, problem.message)
        else:
            messages.success(request, "Settings applied on the dialer.")
            return redirect("dialer_campaign", ref=ref)
    campaign.refresh_from_db()
    return _campaign_page(request, campaign, settings_form=form, status=400)


def _from_overview(request) -> bool:
    """Whether a button was pressed on the overview (its buttons are the same fragment as the
    campaign page's, redrawn live on both, so the page they came from tells them apart)."""
    referer = request.headers.get("Referer", "")
    if not url_has_allowed_host_and_scheme(referer, {request.get_host()}):
        return False
    return urlsplit(referer).path == reverse("dialer_home")


def _action(request, ref, action):
    """Start or stop. The request awaiting the dialer's report is part of the campaign's live
    state (`pending_action`): the campaign page's notice and the state badge say so until the
    dialer reports, so no message is flashed for it. Asked for the state it is in already
    (stopping a stopped campaign, say), nothing is awaited and the message says so; a state
    that allows no such request (starting a completed campaign with nothing left to call) is
    refused with why, and nothing is sent."""
    campaign = _visible(request, ref, Action.START_STOP)
    try:
        campaign = action(campaign=campaign)
    except ApiProblem as problem:
        _problem_to_message(request, problem)
    else:
        if campaign.pending_action == PendingAction.NONE:
            state = campaign.get_state_display().lower()
            messages.info(request, f"{campaign.name} is {state} already; nothing changes.")
    # The overview's buttons come back to the overview; the campaign page's to the page.
    if _from_overview(request):
        return redirect("dialer_home")
    return redirect("dialer_campaign", ref=ref)


@require_POST
@account_required
def start(request, ref):
    return _action(request, ref, services.request_start)


@require_POST
@account_required
def stop(request, ref):
    return _action(request, ref, services.request_stop)


@require_POST
@account_required
def remove(request, ref):
    campaign = _visible(request, ref, Action.REMOVE)
    try:
        campaign = services.remove_campaign(campaign=campaign)
    except ApiProblem as problem:
        _problem_to_message(request, problem)
        if _from_overview(request):
            return redirect("dialer_home")
        return redirect("dialer_campaign", ref=ref)
    if campaign.deleted_at:
        messages.success(request, f"Campaign {campaign.name} was deleted on the dialer.")
    else:
        messages.success(
            request, f"Stopping {campaign.name}; it is deleted once the dialer reports it stopped."
        )
    return redirect("dialer_home")


@require_POST
@account_required
def agent_add(request, ref):
    campaign = _visible(request, ref, Action.MANAGE_AGENTS)
    form = AgentForm(request.POST)
    if form.is_valid():
        extension = form.cleaned_data["extension"]
        user = selectors.member_with_extension(request.account, extension)
        if user is None:
            form.add_error("extension", f"No member of this account has extension {extension}.")
        else:
            try:
                added = services.add_agent(campaign=campaign, user=user)
            except ApiProblem as problem:
                form.add_error("extension", problem.message)
            else:
                messages.success(request, f"{user.get_full_name()} ({extension}) added.")
                for warning in added.warnings:
                    messages.warning(request, warning)
                return redirect("dialer_campaign", ref=ref)
    return _campaign_page(request, campaign, agent_form=form, status=400)


@require_POST
@account_required
def agent_remove(request, ref, extension):
    campaign = _visible(request, ref, Action.MANAGE_AGENTS)
    try:
        services.remove_agent(campaign=campaign, extension=extension)
    except ApiProblem as problem:
        _problem_to_message(request, problem)
    else:
        messages.success(request, f"Extension {extension} removed from the campaign.")
    return redirect("dialer_campaign", ref=ref)


@require_POST
@account_required
def upload(request, ref):
    campaign = _visible(request, ref, Action.UPLOAD)
    form = UploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            done = uploads.upload_lead_list(
                campaign=campaign,
                file=form.cleaned_data["file"],
                user=request.user,
                region=request.account.country or "US",
            )
        except ApiProblem as problem:
            form.add_error("file", problem.message)
        else:
            refused = (
                f"; {done.rows_invalid} row{pluralize(done.rows_invalid)} refused (see below)"
                if done.rows_invalid
                else ""
            )
            sent = (
                f"{done.rows_valid} contact{pluralize(done.rows_valid)} going to the dialer"
                if done.rows_valid
                else "no valid rows"
            )
            messages.success(request, f"{done.original_name}: {sent}{refused}.")
            # Post/redirect/get: a reload does not upload again, and the page reads the
            # upload as it stands (sending may already be over).
            return redirect(f"{reverse('dialer_campaign', args=[ref])}?upload={done.pk}")
    return _campaign_page(request, campaign, upload_form=form, status=400)


@account_required
def upload_progress(request, upload_id):
    found = selectors.upload_for(request.account, upload_id, membership=request.membership)
    can = permissions.can(request.membership, found.campaign)
    return render(request, "dialer/partials/_upload.html", {"upload": found, "can": can})


@account_required
def error_report(request, upload_id):
    found = selectors.upload_for(request.account, upload_id, membership=request.membership)
    if not found.error_report:
        raise Http404("This upload has no errors.")
    return stored_csv_response(
        request,
        found.error_report.open("rb"),
        f"{found.campaign.ref}-upload-{found.pk}-errors.csv",
    )


@require_POST
@account_required
def upload_resume(request, upload_id):
    found = selectors.upload_for(request.account, upload_id, membership=request.membership)
    permissions.require(request.membership, Action.UPLOAD, found.campaign)
    try:
        uploads.resume(upload=found)
    except ApiProblem as problem:
        _problem_to_message(request, problem)
    return redirect("dialer_campaign", ref=found.campaign.ref)


def _extensions_page(request, *, form=None, editing=None, status=200):
    rows = list(selectors.extensions_for(request.membership))
    for row in rows:
        record = getattr(row, "agent_extension", None)
        row.extension_form = (
            form
            if editing is not None and row.pk == editing.pk
            else ExtensionForm(
                initial={"extension": record.extension if record else ""}, prefix=f"m{row.pk}"
            )
        )
    return render(request, "dialer/extensions.html", {"rows": rows}, status=status)


@account_required
def extensions(request):
    """The members' dialer extensions in this account: an admin sets anyone's, a member
    their own (the only row they see)."""
    return _extensions_page(request)


@require_POST
@account_required
def extension_set(request, member_id):
    """Set one member's extension; their agent rows move to it on the dialer (warnings name
    campaigns the dialer did not take it for)."""
    found = get_for_account_or_404(
        selectors.extensions_for(request.membership),
        request.account,
        "Member not found",
        pk=member_id,
    )
    permissions.require_extension_change(request.membership, found)
    form = ExtensionForm(request.POST, prefix=f"m{found.pk}")
    if form.is_valid():
        try:
            done = services.set_extension(
                membership=found, extension=form.cleaned_data["extension"]
            )
        except ApiProblem as problem:
            form.add_error("extension", problem.message)
        else:
            name = found.user.get_full_name()
            if done.extension:
                moved = (
                    f"; moved in {len(done.moved)} campaign{pluralize(len(done.moved))}"
                    if done.moved
                    else ""
                )
                messages.success(request, f"{name}'s extension is {done.extension}{moved}.")
            else:
                messages.success(request, f"{name} has no extension any more.")
            for warning in done.warnings:
                messages.warning(request, warning)
            return redirect("dialer_extensions")
    return _extensions_page(request, form=form, editing=found, status=400)
