"""Invoca pages: the overview of advertisers, an advertiser's campaigns, a campaign's terms
(current beside future), its form with the IVR editor, lifecycle buttons and quick stats; the
connection with its call data (webhook URL, Transactions API poll, held calls)."""

from celery.result import EagerResult
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from campaignhub.api import ApiProblem
from campaignhub.once import creates_once
from campaignhub.pages import page_or_partial
from campaignhub.tenancy import account_required
from invoca import ivr, leads, selectors, services, tasks
from invoca.forms import AdvertiserForm, CampaignForm, ConnectionForm, GoLiveForm
from invoca.models import DEFAULT_API_VERSION
from invoca.upstream import INVOCA
from invoca.webhooks import webhook_url

CONNECTION_REFUSAL = "Only account admins can change the Invoca connection."
# What goes to the network (terms, payouts, budgets, going live) is an admin's call; members
# read the campaigns, their terms and stats.
CAMPAIGN_REFUSAL = "Only account admins can create, change, put live or archive Invoca campaigns."


def _admin(request, refusal=CONNECTION_REFUSAL):
    """Raises PermissionDenied (the "Not allowed" page, with `refusal`) unless the requester
    is an admin of the account."""
    if not request.membership.is_admin:
        raise PermissionDenied(refusal)


def _advertiser_or_404(advertiser_id):
    form = AdvertiserForm({"advertiser_id": advertiser_id})
    if not form.is_valid():
        raise Http404("No such advertiser.")
    return form.cleaned_data["advertiser_id"]


@account_required
def home(request):
    """The overview: the connection and every advertiser with campaigns here."""
    context = {
        "connection": INVOCA.live_credential(request.account),
        "advertisers": selectors.advertisers(request.account),
        "advertiser_form": AdvertiserForm(request.GET or None),
    }
    return render(request, "invoca/home.html", context)


@account_required
def advertiser_open(request):
    """Open an advertiser by the network's id for it (the overview's small form)."""
    form = AdvertiserForm(request.GET)
    if not form.is_valid():
        context = {
            "connection": INVOCA.live_credential(request.account),
            "advertisers": selectors.advertisers(request.account),
            "advertiser_form": form,
        }
        return render(request, "invoca/home.html", context, status=400)
    return redirect("invoca_advertiser", advertiser_id=form.cleaned_data["advertiser_id"])


def _connection_page(request, form=None, status=200):
    connection = INVOCA.live_credential(request.account)
    initial = {"base_url": settings.INVOCA_API_BASE, "api_version": DEFAULT_API_VERSION}
    if connection is not None:
        initial.update(
            network_id=connection.network_id,
            base_url=connection.base_url,
            api_version=connection.api_version,
        )
    context = {
        "connection": connection,
        "form": form or ConnectionForm(initial=initial),
        # It holds the endpoint's secret token: for admins only.
        "webhook_url": webhook_url(request.account) if request.membership.is_admin else None,
        "poll_running": selectors.poll_running(connection),
        "held": selectors.held_calls(request.account),
    }
    return render(request, "invoca/connection.html", context, status=status)


@account_required
def connection(request):
    if request.method != "POST":
        return _connection_page(request)
    _admin(request)
    form = ConnectionForm(request.POST)
    if form.is_valid():
        try:
            services.connect(account=request.account, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error("api_token", exc.messages[0])
        except ApiProblem as problem:
            form.add_error("base_url", problem.message)
        else:
            messages.success(request, "Invoca is connected.")
            return redirect("invoca_home")
    return _connection_page(request, form, status=400)


@require_POST
@account_required
def disconnect(request):
    _admin(request)
    services.disconnect(account=request.account)
    messages.success(request, "The Invoca connection was removed.")
    return redirect("invoca_connection")


@require_POST
@account_required
def poll_now(request):
    """Read the connection's new calls from Invoca's Transactions API now (the beat's task, run
    through Celery; a run already going makes this one a no-op). Where tasks run in the web
    process (`make run`) the outcome is known at once and said; otherwise it is queued."""
    _admin(request)
    connection = INVOCA.live_credential(request.account)
    if connection is None:
        messages.error(request, "Connect Invoca first.")
        return redirect("invoca_connection")
    if connection.rejected_at:
        messages.error(request, "Invoca refused the token: reconnect before reading calls.")
        return redirect("invoca_connection")
    before = connection.transactions_polled_at
    result = tasks.poll_transactions.delay(connection.pk)
    if not isinstance(result, EagerResult):
        messages.success(request, "Reading calls from Invoca; this page shows when it is done.")
        return redirect("invoca_connection")
    connection.refresh_from_db()
    if connection.transactions_error:
        messages.error(
            request, f"Reading calls from Invoca failed: {connection.transactions_error}"
        )
    elif connection.transactions_polled_at != before:
        messages.success(request, "Calls read from Invoca; new ones are leads now.")
    else:
        messages.info(request, "Calls are being read from Invoca already; try again shortly.")
    return redirect("invoca_connection")


@require_POST
@account_required
def capture_held(request):
    """Process the account's held Invoca calls again: those whose advertiser campaign now feeds
    an active inbound campaign become leads, the others stay held. Says how many calls this
    press made leads of (`selectors.calls_captured`), never those a capture sent at once
    (another admin's, an activation's) took first, whose turn came before it."""
    _admin(request)
    queued = leads.capture_held_calls(request.account)
    if not queued:
        messages.info(request, "No held calls to capture.")
        return redirect("invoca_connection")
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        messages.success(request, "Held calls sent again; those a campaign takes become leads.")
        return redirect("invoca_connection")
    captured = selectors.calls_captured(request.account, queued)
    still = selectors.held_calls(request.account).total
    choose = "choose their advertiser campaign on an active inbound campaign first."
    held = ngettext("%d call still held: ", "%d calls still held: ", still) % still + choose
    if not captured:
        messages.warning(request, held if still else "No held calls captured.")
    elif still:
        messages.warning(
            request,
            ngettext("%d held call captured; ", "%d held calls captured; ", captured) % captured
            + f"{still} still held: {choose}",
        )
    else:
        messages.success(
            request,
            ngettext(
                "%d held call captured as a lead.", "%d held calls captured as leads.", captured
            )
            % captured,
        )
    return redirect("invoca_connection")


NOT_CONNECTED = "Invoca is not connected: connect your Invoca network to open its advertisers."
NOT_CONNECTED_MEMBER = (
    "Invoca is not connected: ask an account admin to connect your Invoca network to open its "
    "advertisers."
)


@account_required
def advertiser(request, advertiser_id):
    """An advertiser's campaigns here. With no Invoca connection and none of its campaigns
    kept here, there is nothing to show or make: the connection page, saying Invoca is not
    connected. Campaigns kept from a connection since removed are still listed, with no New
    campaign (Invoca makes it)."""
    advertiser_id = _advertiser_or_404(advertiser_id)
    campaigns = list(selectors.campaigns_of(request.account, advertiser_id))
    connection = INVOCA.live_credential(request.account)
    if connection is None and not campaigns:
        admin = request.membership.is_admin
        messages.info(request, NOT_CONNECTED if admin else NOT_CONNECTED_MEMBER)
        return redirect("invoca_connection")
    context = {
        "advertiser_id": advertiser_id,
        "campaigns": campaigns,
        "visible_inbound": selectors.visible_inbound_ids(request.membership, campaigns),
        "connection": connection,
        "can_manage": request.membership.is_admin and connection is not None,
    }
    return page_or_partial(request, "invoca/advertiser.html", context, partial="campaigns")


@require_POST
@account_required
def advertiser_refresh(request, advertiser_id):
    """Read the advertiser's campaigns from Invoca, adding ones made elsewhere."""
    advertiser_id = _advertiser_or_404(advertiser_id)
    try:
        found = services.sync_advertiser(account=request.account, advertiser_id=advertiser_id)
    except ApiProblem as problem:
        messages.error(request, problem.message)
    else:
        messages.success(
            request,
            ngettext("%d campaign read from Invoca.", "%d campaigns read from Invoca.", len(found))
            % len(found),
        )
    return redirect("invoca_advertiser", advertiser_id=advertiser_id)


def _form_page(request, form, *, advertiser_id, campaign=None, status=200):
    context = {
        "form": form,
        "advertiser_id": advertiser_id,
        "campaign": campaign,
        "ivr_errors": ivr.ivr_errors(form),
    }
    return render(request, "invoca/campaign_form.html", context, status=status)


def _refused(form, problem):
    """Invoca's refusal on the form: its field errors where they belong, else its message."""
    if isinstance(problem.errors, dict) and problem.errors:
        form.add_invoca_errors(problem.errors)
    else:
        form.add_error(None, problem.message)


@account_required
@creates_once
def campaign_new(request, advertiser_id):
    _admin(request, CAMPAIGN_REFUSAL)
    advertiser_id = _advertiser_or_404(advertiser_id)
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.create_campaign(
                account=request.account,
                advertiser_id=advertiser_id,
                id_from_network=form.cleaned_data["id_from_network"],
                clean=form.clean_campaign_result,
            )
        except ApiProblem as problem:
            _refused(form, problem)
        else:
            messages.success(
                request, f"Campaign {campaign.name} created; its terms are staged until go live."
            )
            return redirect(services.campaign_url(campaign))
    status = 400 if request.method == "POST" else 200
    return _form_page(request, form, advertiser_id=advertiser_id, status=status)


@account_required
def campaign_edit(request, advertiser_id, campaign_id):
    _admin(request, CAMPAIGN_REFUSAL)
    campaign = selectors.campaign_for(request.account, advertiser_id, campaign_id)
    form = CampaignForm(
        request.POST or None,
        campaign=campaign,
        initial_terms=campaign.future_terms or campaign.current_terms,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_campaign(campaign=campaign, clean=form.clean_campaign_result)
        except ApiProblem as problem:
            _refused(form, problem)
        else:
            messages.success(request, "Changes staged in the future terms; go live to apply them.")
            return redirect(services.campaign_url(campaign))
    status = 400 if request.method == "POST" else 200
    return _form_page(
        request,
        form,
        advertiser_id=campaign.advertiser_id_from_network,
        campaign=campaign,
        status=status,
    )


@account_required
def campaign_detail(request, advertiser_id, campaign_id):
    campaign = selectors.campaign_for(request.account, advertiser_id, campaign_id)
    context = {
        "campaign": campaign,
        "rows": selectors.terms_comparison(campaign),
        "visible_inbound": selectors.visible_inbound_ids(request.membership, [campaign]),
        "can_manage": request.membership.is_admin,
        "can_go_live": request.membership.is_admin and services.can_go_live(campaign),
        "can_archive": request.membership.is_admin and services.can_archive(campaign),
        "can_unarchive": request.membership.is_admin and services.can_unarchive(campaign),
    }
    return page_or_partial(request, "invoca/campaign.html", context, partial="terms")


@account_required
def campaign_stats(request, advertiser_id, campaign_id):
    """The quick stats fragment (today, 7 and 30 days), read from Invoca now."""
    campaign = selectors.campaign_for(request.account, advertiser_id, campaign_id)
    stats, problem = None, None
    try:
        stats = services.quick_stats(campaign=campaign)
    except ApiProblem as exc:
        problem = exc.message
    context = {"campaign": campaign, "stats": stats, "problem": problem}
    return render(request, "invoca/partials/_stats.html", context)


def _lifecycle(request, advertiser_id, campaign_id, action, done, **kwargs):
    campaign = selectors.campaign_for(request.account, advertiser_id, campaign_id)
    try:
        action(campaign=campaign, **kwargs)
    except ApiProblem as problem:
        messages.error(request, problem.message)
    else:
        messages.success(request, done)
    return redirect(services.campaign_url(campaign))


@require_POST
@account_required
def go_live(request, advertiser_id, campaign_id):
    _admin(request, CAMPAIGN_REFUSAL)
    form = GoLiveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The go live timeout is 2 to 60 seconds.")
        campaign = selectors.campaign_for(request.account, advertiser_id, campaign_id)
        return redirect(services.campaign_url(campaign))
    return _lifecycle(
        request,
        advertiser_id,
        campaign_id,
        services.go_live,
        "The campaign is live: its future terms are now the current ones.",
        timeout=form.cleaned_data["timeout"],
    )


@require_POST
@account_required
def archive(request, advertiser_id, campaign_id):
    _admin(request, CAMPAIGN_REFUSAL)
    return _lifecycle(
        request, advertiser_id, campaign_id, services.archive, "The campaign is archived."
    )


@require_POST
@account_required
def unarchive(request, advertiser_id, campaign_id):
    _admin(request, CAMPAIGN_REFUSAL)
    return _lifecycle(
        request,
        advertiser_id,
        campaign_id,
        services.unarchive,
        "The campaign is unarchived and paused; go live to take calls again.",
    )


@require_POST
@account_required
def campaign_refresh(request, advertiser_id, campaign_id):
    return _lifecycle(
        request, advertiser_id, campaign_id, services.refresh, "Read back from Invoca."
    )
