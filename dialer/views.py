"""Dialer pages: the overview correlated with the dialer's list, a campaign's page (settings,
agents, lead lists, agent board, outcomes) and the connection."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from campaignhub.api import ApiProblem
from campaignhub.models import User
from campaignhub.pages import page_or_partial
from campaignhub.tenancy import account_required
from dialer import selectors, services, uploads
from dialer.forms import AdoptForm, AgentForm, CampaignForm, ConnectionForm, UploadForm


def _admin(request):
    if not request.membership.is_admin:
        raise PermissionDenied("Only account admins can change the dialer connection.")


@account_required
def home(request):
    """The overview: our campaigns beside the dialer's list (both / only there / only here)."""
    lines, problem = [], None
    connection = services.DIALER.live_credential(request.account)
    if connection is not None:
        try:
            lines = services.list_correlated(account=request.account)
        except ApiProblem as exc:
            problem = exc.message
            lines = services.correlate(account=request.account, upstream_records=[])
            for line in lines:
                line.presence = "unknown"
    counts = {
        c.pk: c.agent_count
        for c in selectors.with_agent_counts(
            selectors.DialerCampaign.objects.for_account(request.account).live()
        )
    }
    for line in lines:
        if line.campaign:
            line.campaign.agent_count = counts.get(line.campaign.pk, 0)
    context = {"connection": connection, "lines": lines, "problem": problem}
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
    if request.method != "POST":
        return _connection_page(request)
    _admin(request)
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
    _admin(request)
    services.disconnect(account=request.account)
    messages.success(request, "The dialer connection was removed.")
    return redirect("dialer_connection")


@account_required
def campaign_new(request):
    form = CampaignForm(request.POST or None, account=request.account)
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
    form = AdoptForm(request.POST)
    if not form.is_valid():
        messages.error(request, "That is not a dialer campaign reference.")
        return redirect("dialer_home")
    try:
        campaign = services.adopt(account=request.account, ref=form.cleaned_data["ref"])
    except ApiProblem as problem:
        messages.error(request, problem.message)
        return redirect("dialer_home")
    messages.success(request, f"Campaign {campaign.ref} is now managed here.")
    return redirect("dialer_campaign", ref=campaign.ref)


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
    # Who can still be added: members with an extension who are not agents of it yet.
    members = (
        User.objects.filter(memberships__account=request.account, dialer_extension__isnull=False)
        .exclude(pk__in=campaign.agents.values("user_id"))
        .order_by("dialer_extension")
    )
    context = {
        "campaign": campaign,
        "settings_form": settings_form or CampaignForm(instance=campaign, account=request.account),
        "agent_form": agent_form or AgentForm(),
        "upload_form": upload_form or UploadForm(),
        "agents": selectors.agents_of(campaign),
        "members": members,
        "uploads": selectors.recent_uploads(campaign),
        "outcomes": selectors.recent_outcomes(campaign),
        "upload": upload,
        "warnings": warnings,
    }
    return page_or_partial(request, "dialer/campaign.html", context, partial=partial, status=status)


@account_required
def campaign_detail(request, ref):
    """The campaign page; `?upload=<id>` shows that upload's result (after an upload)."""
    campaign = selectors.campaign_for(request.account, ref)
    upload_id = request.GET.get("upload", "")
    wanted = upload_id.isdigit() and len(upload_id) <= 18
    shown = selectors.upload_for(request.account, int(upload_id)) if wanted else None
    if shown is not None and shown.campaign_id != campaign.pk:
        raise Http404("No such upload for this campaign.")
    return _campaign_page(request, campaign, upload=shown)


def _problem_to_message(request, problem):
    messages.error(request, problem.message)


@require_POST
@account_required
def settings(request, ref):
    campaign = selectors.campaign_for(request.account, ref)
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


def _action(request, ref, action, done):
    campaign = selectors.campaign_for(request.account, ref)
    try:
        action(campaign=campaign)
    except ApiProblem as problem:
        _problem_to_message(request, problem)
    else:
        messages.success(request, done)
    # The overview's buttons come back to the overview; the campaign page's to the page.
    if request.POST.get("back") == "overview":
        return redirect("dialer_home")
    return redirect("dialer_campaign", ref=ref)


@require_POST
@account_required
def start(request, ref):
    return _action(
        request,
        ref,
        services.request_start,
        "Start requested; the dialer will report when it has started.",
    )


@require_POST
@account_required
def stop(request, ref):
    return _action(
        request,
        ref,
        services.request_stop,
        "Stop requested; the dialer will report when it has stopped.",
    )


@require_POST
@account_required
def remove(request, ref):
    campaign = selectors.campaign_for(request.account, ref)
    try:
        campaign = services.remove_campaign(campaign=campaign)
    except ApiProblem as problem:
        _problem_to_message(request, problem)
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
    campaign = selectors.campaign_for(request.account, ref)
    form = AgentForm(request.POST)
    if form.is_valid():
        extension = form.cleaned_data["extension"]
        user = User.objects.filter(
            dialer_extension=extension, memberships__account=request.account
        ).first()
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
    campaign = selectors.campaign_for(request.account, ref)
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
    campaign = selectors.campaign_for(request.account, ref)
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
            # Post/redirect/get: a reload does not upload again, and the page reads the
            # upload as it stands (sending may already be over).
            return redirect(f"{reverse('dialer_campaign', args=[ref])}?upload={done.pk}")
    return _campaign_page(request, campaign, upload_form=form, status=400)


@account_required
def upload_progress(request, upload_id):
    found = selectors.upload_for(request.account, upload_id)
    return render(request, "dialer/partials/_upload.html", {"upload": found})


@account_required
def error_report(request, upload_id):
    found = selectors.upload_for(request.account, upload_id)
    if not found.error_report:
        raise Http404("This upload has no errors.")
    return FileResponse(
        found.error_report.open("rb"),
        as_attachment=True,
        filename=f"{found.campaign.ref}-upload-{found.pk}-errors.csv",
        content_type="text/csv",
    )


@require_POST
@account_required
def upload_resume(request, upload_id):
    found = selectors.upload_for(request.account, upload_id)
    try:
        uploads.resume(upload=found)
    except ApiProblem as problem:
        _problem_to_message(request, problem)
    return redirect("dialer_campaign", ref=found.campaign.ref)
