"""Account scoping: the one queryset method every view uses, and `request.account`."""

import zoneinfo
from datetime import UTC as dt_utc
from functools import wraps

from django.contrib import messages
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import PermissionDenied
from django.db import models
from django.dispatch import receiver
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from campaignhub.phones import DEFAULT_REGION

SESSION_ACCOUNT_KEY = "account_id"


class AccountQuerySet(models.QuerySet):
    def for_account(self, account):
        if account is None:
            return self.none()
        return self.filter(account=account)


def get_for_account_or_404(queryset, account, message="Not found", **lookup):
    """Fetch one row of `account`; another account's row is a 404, never a 403."""
    if isinstance(queryset, type) and issubclass(queryset, models.Model):
        queryset = queryset.objects.all()
    try:
        return queryset.for_account(account).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404(message) from exc


def memberships_of(user):
    from campaignhub.models import Membership

    return Membership.objects.filter(user=user).select_related("account").order_by("created_at")


def current_membership(user, session):
    """The membership of the account chosen in this session, else the user's first one."""
    if not user.is_authenticated:
        return None
    memberships = memberships_of(user)
    chosen = session.get(SESSION_ACCOUNT_KEY)
    if chosen is not None:
        membership = memberships.filter(account_id=chosen).first()
        if membership is not None:
            return membership
    return memberships.first()


def account_zone(account):
    """The account's time zone (IANA name, e.g. America/New_York) as a ZoneInfo; UTC when the
    account has none or an unknown one."""
    try:
        return zoneinfo.ZoneInfo(account.timezone) if account and account.timezone else dt_utc
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return dt_utc


@receiver(user_logged_in, dispatch_uid="remember_account_at_login")
def remember_account(sender, request, user, **kwargs):
    """Keep the account a sign-in lands in with the session, so that losing it later is seen
    (`AccountMiddleware`) rather than silently replaced by another account."""
    membership = current_membership(user, request.session)
    if membership is not None:
        request.session[SESSION_ACCOUNT_KEY] = membership.account_id


class AccountMiddleware:
    """Sets `request.account` and `request.membership` for signed-in users (None otherwise),
    and shows times in the account's time zone for the rest of the request.

    When the account a session was in is one its person is no longer a member of (an admin
    removed them), the session moves to their next account, or to none, and they are told. A
    change they were sending (any method but GET, HEAD, OPTIONS) is not carried out at all, since
    it was meant for the account they left: 403 in the JSON envelope for the API, else back to
    the dashboard with the message.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        membership = current_membership(request.user, request.session)
        request.membership = membership
        request.account = membership.account if membership else None
        with timezone.override(account_zone(request.account)):
            left = _account_left(request, membership)
            if left is not None and request.method not in ("GET", "HEAD", "OPTIONS"):
                return _refuse_change(request, left)
            return self.get_response(request)


def _account_left(request, membership):
    """The name of the account this session was in when its person is no longer a member of
    it (the session then moves on to `membership`, and a message says so); else None."""
    if not request.user.is_authenticated:
        return None
    chosen = request.session.get(SESSION_ACCOUNT_KEY)
    if chosen is None or (membership is not None and membership.account_id == chosen):
        return None
    from campaignhub.models import Account

    name = Account.objects.filter(pk=chosen).values_list("name", flat=True).first() or "an account"
    if membership is None:
        del request.session[SESSION_ACCOUNT_KEY]
        now = "You are not in any account now."
    else:
        request.session[SESSION_ACCOUNT_KEY] = membership.account_id
        now = f'You are now in "{membership.account.name}".'
    messages.warning(request, f'You are no longer a member of "{name}". {now}')
    return name


def _refuse_change(request, name):
    from campaignhub.api import error
    from campaignhub.errors import is_api

    if is_api(request):
        return error(403, f'You are no longer a member of "{name}". Nothing was changed.')
    messages.warning(request, "Nothing was changed.")
    dashboard = reverse("dashboard")
    if request.headers.get("HX-Request"):
        return HttpResponse(status=204, headers={"HX-Redirect": dashboard})
    return redirect(dashboard)


def account_required(view=None, *, admin=False):
    """Page views that need an account; `admin=True` also needs the admin role."""

    def decorator(view_func):
        @wraps(view_func)
        def wrapper(request, *args, **kwargs):
            if request.account is None:
                return render(request, "campaignhub/no_account.html", status=403)
            if admin and not request.membership.is_admin:
                raise PermissionDenied("Only account admins can do this.")
            return view_func(request, *args, **kwargs)

        return wrapper

    return decorator(view) if view is not None else decorator


def _pending_invitation_count(user):
    from campaignhub.selectors import invitations_for

    return invitations_for(user).count() if user is not None and user.is_authenticated else 0


def account_context(request):
    membership = getattr(request, "membership", None)
    account = getattr(request, "account", None)
    return {
        "account": account,
        # The country whose format phone numbers are shown in (`|phone:phone_region`).
        "phone_region": account.country if account else DEFAULT_REGION,
        "membership": membership,
        "is_account_admin": bool(membership and membership.is_admin),
        # Called by the template only where the account switcher renders.
        "account_choices": lambda: list(memberships_of(request.user)) if membership else [],
        # Called by the template only for signed-in people: their open invitations.
        "pending_invitation_count": lambda: _pending_invitation_count(
            getattr(request, "user", None)
        ),
    }
