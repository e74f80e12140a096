"""Pages of the platform: dashboard, account settings, members, API tokens, profile, password."""

import copy

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRefresh

from campaignhub import live, selectors, services
from campaignhub.cleaning import id_or_none
from campaignhub.dashboard import panels as dashboard_panels
from campaignhub.forms import AccountForm, AddMemberForm, ProfileForm, RoleForm, TokenForm
from campaignhub.models import Invitation, Membership, Role, invitation_lifetime
from campaignhub.once import creates_once
from campaignhub.pages import notify
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
        form = AccountForm(request.POST, instance=copy.copy(request.account))
        if form.is_valid():
            form.save()
            messages.success(request, "Account saved.")
            return redirect("account_settings")
    status = 400 if form.is_bound else 200
    return render(request, "campaignhub/account_settings.html", {"form": form}, status=status)


def _members_page(request, form, status=200):
    context = {"members": selectors.members(request.account), "form": form}
    if request.membership.is_admin:
        context["invitations"] = selectors.pending_invitations(request.account)
        context["invitation_expiry_days"] = invitation_lifetime().days
    return render(request, "campaignhub/members.html", context, status=status)


def _a_role(role) -> str:
    """A role as a sentence says it: "an admin", "a member"."""
    return f"an {role}" if role[:1] in "aeiou" else f"a {role}"


@account_required
def members(request):
    return _members_page(request, AddMemberForm())


TOO_MANY_INVITATIONS = "Too many people added in a minute. Wait a minute and try again."


@require_POST
@account_required(admin=True)
def member_add(request):
    form = AddMemberForm(request.POST)
    if form.is_valid():
        if services.invitation_rate_exceeded(request, account=request.account):
            form.add_error(None, TOO_MANY_INVITATIONS)
            return _members_page(request, form, status=429)
        try:
            added = services.add_new_member(
                account=request.account, invited_by=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if added.invitation is not None:
                messages.success(
                    request,
                    f"Invitation sent to {added.email}: they become {_a_role(added.role)} "
                    "once they accept it.",
                )
            else:
                messages.success(request, f"{added.email} added as {_a_role(added.role)}.")
            return redirect("members")
    return _members_page(request, form, status=400)


@require_POST
@account_required(admin=True)
def invitation_cancel(request, invitation_id):
    invitation = get_for_account_or_404(Invitation, request.account, pk=invitation_id)
    if services.cancel_invitation(invitation=invitation):
        messages.success(request, f"Invitation to {invitation.email} cancelled.")
    else:
        messages.error(request, f"The invitation to {invitation.email} was no longer pending.")
    return redirect("members")


@require_POST
@account_required(admin=True)
def member_password_link(request, membership_id):
    """Send a member who never chose a password the link to choose one again."""
    membership = get_for_account_or_404(
        Membership.objects.select_related("account", "user"), request.account, pk=membership_id
    )
    try:
        services.resend_password_link(request, membership=membership)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(
            request, f"The link to choose a password was sent again to {membership.user.email}."
        )
    return redirect("members")


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
    problem = change = None
    if form.is_valid():
        try:
            change = services.change_role(membership=membership, role=form.cleaned_data["role"])
        except ValidationError as exc:
            problem = exc.messages[0]
    else:
        problem = "Choose admin or member."
    if problem:
        membership.refresh_from_db()
    if request.htmx:
        # A refusal is said in the row, in place; a change among the page's messages, once.
        membership.row_error = problem
        if problem:
            return _member_row(request, membership, status=400)
        if change.invitations_cancelled:
            # The pending invitations listed below changed too: the whole page is drawn again.
            messages.success(request, _role_message(change))
            return HttpResponseClientRefresh()
        return notify(_member_row(request, membership), _role_message(change))
    if problem:
        messages.error(request, problem)
    else:
        messages.success(request, _role_message(change))
    return redirect("members")


def _invitations_cancelled(count):
    """The words for what a removal or demotion cancelled: "2 invitations they sent were
    cancelled"."""
    if count == 1:
        return "1 invitation they sent was cancelled"
    return f"{count} invitations they sent were cancelled"


def _role_message(change):
    """The message for a role changed: "Dana Admin is now an admin." (the email for a person
    without a name); a demotion that cancelled invitations adds ", and 2 invitations they sent
    were cancelled"."""
    membership = change.membership
    article = "an" if membership.role == Role.ADMIN else "a"
    text = f"{membership.user.get_full_name()} is now {article} {membership.role}"
    if change.invitations_cancelled:
        return f"{text}, and {_invitations_cancelled(change.invitations_cancelled)}."
    return f"{text}."


@require_http_methods(["GET", "POST"])
@account_required(admin=True)
def member_remove(request, membership_id):
    """GET: the confirmation, naming what the removal would do (`services.removal_preview`:
    campaigns it leaves with no representative, leads passed on, campaigns handed over), or,
    when `services.check_removal` refuses it (the rule the removal applies), why not, with no
    button; POST: the removal, and a message saying what it did. A POST for someone already
    removed (two at once, or the confirmation sent again), or the confirmation asked for again
    by the session that drew it (Back or reload after the removal), changes nothing and leads
    to the Members page with "<email> is no longer a member of <account>."; an id this account
    never had is a 404 (`_removed_before`)."""
    membership = (
        Membership.objects.select_related("account", "user")
        .for_account(request.account)
        .filter(pk=membership_id)
        .first()
    )
    if membership is None:
        return _removed_before(request, membership_id)
    if request.method == "GET":
        context = {
            "member": membership,
            "refusal": None,
            "consequences": [],
            "receipt": _removal_receipt(membership),
        }
        _keep_receipt(request, membership.pk, context["receipt"])
        try:
            services.check_removal(membership=membership, removed_by=request.user)
        except ValidationError as exc:
            context["refusal"] = exc.messages[0]
        else:
            context["consequences"] = services.removal_preview(
                membership=membership, removed_by=request.user
            )
        return render(request, "campaignhub/member_remove.html", context)
    try:
        removal = services.remove_member(membership=membership, removed_by=request.user)
    except services.NoLongerAMember as exc:
        messages.info(request, exc.messages[0])
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _removed_message(request, removal))
    return redirect("members")


# The confirmation carries who it was drawn for, signed, so the page sent again after the
# removal can name them; the membership row, and with it the email, is gone by then. The
# session that drew it keeps its receipt too (the latest `KEPT_RECEIPTS`, by membership id),
# for the page asked for again, which sends no form (Back, reload).
RECEIPT_FIELD = "removing"
RECEIPT_SALT = "campaignhub.member_remove"
SESSION_RECEIPTS = "member_remove_receipts"
KEPT_RECEIPTS = 20


def _removal_receipt(membership) -> str:
    """The confirmation's signed `[account id, membership id, email]`."""
    return signing.dumps(
        [membership.account_id, membership.pk, membership.user.email], salt=RECEIPT_SALT
    )


def _keep_receipt(request, membership_id, receipt) -> None:
    """Remember in the session the receipt of the confirmation it was just shown."""
    kept = request.session.get(SESSION_RECEIPTS, {})
    kept.pop(str(membership_id), None)
    kept[str(membership_id)] = receipt
    request.session[SESSION_RECEIPTS] = dict(list(kept.items())[-KEPT_RECEIPTS:])


def _receipt_email(request, membership_id) -> str | None:
    """The email a removal receipt names, when it is this account's receipt for
    `membership_id`: the form's for a POST (the confirmation sent again), the session's for a
    GET (the confirmation drawn again); None for none, one altered, another account's or
    another id's."""
    if request.method == "POST":
        receipt = request.POST.get(RECEIPT_FIELD, "")
    else:
        receipt = request.session.get(SESSION_RECEIPTS, {}).get(str(membership_id), "")
    try:
        account_id, receipt_id, email = signing.loads(receipt, salt=RECEIPT_SALT)
    except (signing.BadSignature, TypeError, ValueError):
        return None
    if account_id == request.account.pk and receipt_id == membership_id:
        return email
    return None


def _removed_before(request, membership_id):
    """A removal's page for a membership the account no longer has: its confirmation sent
    again (a POST carrying this account's receipt for that very membership) or drawn again by
    the session that was shown it (a GET: Back or reload after the removal) leads to the
    Members page saying "<email> is no longer a member of <account>."; anything else (another
    account's member, an unknown id, a receipt altered or for another id, a session never
    shown that confirmation) is a 404, so no other account's ids are confirmed."""
    email = _receipt_email(request, membership_id)
    if email is None:
        raise Http404("Not found")
    messages.info(request, services.no_longer_a_member(email=email, account=request.account))
    return redirect("members")


def _removed_message(request, removal):
    """The message for a removal: "Dana Rep removed from Acme; their 3 campaigns are now owned
    by you, and 2 invitations they sent were cancelled." (the campaigns only when something
    passed to the admin who removed them, the invitations only when some were cancelled),
    followed by the notes the domain apps added (campaigns left with no representative)."""
    text = f"{removal.user.get_full_name()} removed from {request.account}"
    if removal.handed_over:
        handed = " and ".join(str(part) for part in removal.handed_over)
        verb = "is" if sum(part.count for part in removal.handed_over) == 1 else "are"
        text = f"{text}; their {handed} {verb} now owned by you"
    if removal.invitations_cancelled:
        text = f"{text}, and {_invitations_cancelled(removal.invitations_cancelled)}"
    return " ".join([f"{text}.", *removal.notes])


TOKEN_SENT_BEFORE = (
    "This page was already sent: its token is listed below, and its secret, shown once, cannot "
    "be shown again. Revoke it if it was not copied."
)


@account_required
@creates_once(already=TOKEN_SENT_BEFORE)
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
    response = render(
        request,
        "campaignhub/tokens.html",
        {
            "tokens": selectors.tokens_visible_to(request.membership),
            "form": form,
            "issued": issued,
        },
        status=status,
    )
    if issued is not None:
        # The page shows the secret once; sent again, it leads to the list, never a second one.
        response.created_at = reverse("tokens")
        # Nor is it kept for Back to show again: no copy in the browser's cache or history.
        add_never_cache_headers(response)
    return response


@require_POST
@account_required
def token_revoke(request, token_id):
    token = get_for_account_or_404(
        selectors.tokens_visible_to(request.membership), request.account, pk=token_id
    )
    # A second revoke (another tab, a page drawn before the first) changes nothing and says so.
    already = token.revoked_at is not None
    services.revoke_token(token=token)
    said = (
        f"Token “{token.name}” was already revoked."
        if already
        else f"Token “{token.name}” revoked."
    )
    if request.htmx:
        response = render(request, "campaignhub/tokens.html#token-row", {"token": token})
        return notify(response, said, "info" if already else "success")
    (messages.info if already else messages.success)(request, said)
    return redirect("tokens")


def profile(request):
    form = ProfileForm(instance=request.user)
    if request.method == "POST":
        # Bound to a copy: a refused save must not show its values as the person's (the header).
        form = ProfileForm(request.POST, instance=copy.copy(request.user))
        if form.is_valid():
            services.update_profile(user=request.user, **form.cleaned_data)
            messages.success(request, "Profile saved.")
            return redirect("profile")
    status = 400 if form.is_bound else 200
    return render(request, "campaignhub/profile.html", {"form": form}, status=status)


def invitations(request):
    """The signed-in person's open invitations to accounts, to accept or decline."""
    return render(
        request,
        "campaignhub/invitations.html",
        {"invitations": selectors.invitations_for(request.user)},
    )


@require_POST
def invitation_accept(request, invitation_id):
    try:
        membership = services.accept_invitation(user=request.user, invitation_id=invitation_id)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect("invitations")
    services.switch_account(request=request, membership=membership)
    messages.success(request, f"You joined {membership.account}.")
    return redirect("dashboard")


@require_POST
def invitation_decline(request, invitation_id):
    try:
        invitation = services.decline_invitation(user=request.user, invitation_id=invitation_id)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, f"Invitation to {invitation.account} declined.")
    return redirect("invitations")


@require_POST
def switch_account(request):
    chosen = id_or_none(request.POST.get("account"))
    memberships = memberships_of(request.user)
    membership = memberships.filter(account_id=chosen).first() if chosen else None
    if membership is None:
        messages.error(request, "You are not a member of that account.")
    else:
        services.switch_account(request=request, membership=membership)
        messages.success(request, f"Switched to {membership.account}.")
    return redirect("dashboard")


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change page. The person's other sessions end with the old password
    (their live sockets close); this one stays signed in under a renewed key
    (`update_session_auth_hash`), and its live sockets, in every tab, follow it there."""

    def form_valid(self, form):
        session = self.request.session
        old_key = session.session_key
        with transaction.atomic():
            # Registered before the password is saved, so this session's sockets hear where it
            # moved before the save's own recheck (`campaignhub.sessions`) reaches them.
            transaction.on_commit(
                lambda: live.recheck_sessions(form.user.pk, moved=(old_key, session.session_key)),
                robust=True,
            )
            response = super().form_valid(form)
            # Stored now rather than with the response, so the sockets find it under its new key.
            session.save()
        return response
