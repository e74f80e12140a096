"""Pages of the platform: dashboard, account settings, members, API tokens, profile."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from campaignhub import selectors, services
from campaignhub.dashboard import panels as dashboard_panels
from campaignhub.forms import AccountForm, AddMemberForm, ProfileForm, RoleForm, TokenForm
from campaignhub.models import Membership
from campaignhub.tenancy import account_required, get_for_account_or_404, memberships_of


@account_required
def dashboard(request):
    return render(
        request,
        "campaignhub/dashboard.html",
        {"members": selectors.members(request.account), "panels": dashboard_panels(request)},
    )


@account_required
def account_settings(request):
    form = AccountForm(instance=request.account)
    if request.method == "POST":
        if not request.membership.is_admin:
            messages.error(request, "Only account admins can change the account.")
            return redirect("account_settings")
        form = AccountForm(request.POST, instance=request.account)
        if form.is_valid():
            form.save()
            messages.success(request, "Account saved.")
            return redirect("account_settings")
    status = 400 if form.is_bound else 200
    return render(request, "campaignhub/account_settings.html", {"form": form}, status=status)


@account_required
def members(request):
    return render(
        request,
        "campaignhub/members.html",
        {"members": selectors.members(request.account), "form": AddMemberForm()},
    )


@require_POST
@account_required(admin=True)
def member_add(request):
    form = AddMemberForm(request.POST)
    if form.is_valid():
        try:
            membership = services.add_new_member(account=request.account, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"{membership.user.email} added as {membership.role}.")
            return redirect("members")
    return render(
        request,
        "campaignhub/members.html",
        {"members": selectors.members(request.account), "form": form},
        status=400,
    )


def _member_row(request, membership, status=200):
    return render(
        request, "campaignhub/members.html#member-row", {"member": membership}, status=status
    )


@require_POST
@account_required(admin=True)
def member_role(request, membership_id):
    membership = get_for_account_or_404(
        Membership.objects.select_related("user"), request.account, pk=membership_id
    )
    form = RoleForm(request.POST)
    problem = None
    if form.is_valid():
        try:
            services.change_role(membership=membership, role=form.cleaned_data["role"])
        except ValidationError as exc:
            problem = exc.messages[0]
    else:
        problem = "Choose admin or member."
    if problem:
        membership.refresh_from_db()
    if request.htmx:
        # The row says it, in place: no page message as well (it would show again later).
        membership.row_error = problem
        return _member_row(request, membership, status=400 if problem else 200)
    if problem:
        messages.error(request, problem)
    else:
        messages.success(request, f"{membership.user.email} is now {membership.role}.")
    return redirect("members")


@require_POST
@account_required(admin=True)
def member_remove(request, membership_id):
    membership = get_for_account_or_404(
        Membership.objects.select_related("user"), request.account, pk=membership_id
    )
    try:
        services.remove_member(membership=membership)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, f"{membership.user.email} removed from {request.account}.")
    return redirect("members")


@account_required
def tokens(request):
    form = TokenForm()
    issued = None
    status = 200
    if request.method == "POST":
        form = TokenForm(request.POST)
        if form.is_valid():
            issued = services.issue_token(
                account=request.account, user=request.user, name=form.cleaned_data["name"]
            )
            form = TokenForm()
        else:
            status = 400
    return render(
        request,
        "campaignhub/tokens.html",
        {
            "tokens": selectors.tokens_visible_to(request.membership),
            "form": form,
            "issued": issued,
        },
        status=status,
    )


@require_POST
@account_required
def token_revoke(request, token_id):
    token = get_for_account_or_404(
        selectors.tokens_visible_to(request.membership), request.account, pk=token_id
    )
    services.revoke_token(token=token)
    if request.htmx:
        return render(request, "campaignhub/tokens.html#token-row", {"token": token})
    messages.success(request, f"Token “{token.name}” revoked.")
    return redirect("tokens")


def profile(request):
    form = ProfileForm(instance=request.user)
    if request.method == "POST":
        form = ProfileForm(request.POST, instance=request.user)
        if form.is_valid():
            services.update_profile(user=request.user, **form.cleaned_data)
            messages.success(request, "Profile saved.")
            return redirect("profile")
    status = 400 if form.is_bound else 200
    return render(request, "campaignhub/profile.html", {"form": form}, status=status)


@require_POST
def switch_account(request):
    chosen = request.POST.get("account", "")
    memberships = memberships_of(request.user)
    membership = memberships.filter(account_id=chosen).first() if chosen.isdigit() else None
    if membership is None:
        messages.error(request, "You are not a member of that account.")
    else:
        services.switch_account(request=request, membership=membership)
        messages.success(request, f"Switched to {membership.account}.")
    return redirect("dashboard")
