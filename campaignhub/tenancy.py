"""Account scoping: the one queryset method every view uses, and `request.account`."""

import zoneinfo
from datetime import UTC as dt_utc
from functools import cache, wraps

from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import PermissionDenied
from django.db import models
from django.dispatch import receiver
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from campaignhub import page_account
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


# Files of the host's zone directory that `zoneinfo.available_timezones()` lists but that are
# no IANA time zone: the host's own setting (`localtime`), a rules template (`posixrules`) and
# tzdata's placeholder for "no zone set" (`Factory`).
NOT_TIME_ZONES = frozenset({"localtime", "posixrules", "Factory"})


@cache
def time_zone_names() -> frozenset[str]:
    """The IANA time zone names an account may choose (e.g. America/New_York, UTC), read once
    per process from the host's zone data."""
    return frozenset(zoneinfo.available_timezones() - NOT_TIME_ZONES)


def account_zone(account):
    """The account's time zone (IANA name, e.g. America/New_York) as a ZoneInfo; UTC when the
    account has none or one that is not in `time_zone_names()`."""
    if not account or account.timezone not in time_zone_names():
        return dt_utc
    return zoneinfo.ZoneInfo(account.timezone)


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

    A person no longer a member of the account their session was in is moved to their next
    account (or none) and told; a change is refused when it was meant for another account than
    the session's (`campaignhub.page_account`).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        membership = current_membership(request.user, request.session)
        request.membership = membership
        request.account = membership.account if membership else None
        request.account_left = page_account.left_account(request, membership)
        with timezone.override(account_zone(request.account)):
            return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        return page_account.refusal(request, request.account_left, view_func)


def account_required(view=None, *, admin=False):
    """Page views that need an account; `admin=True` also needs the admin role."""

    def decorator(view_func):
        @wraps(view_func)
        def wrapper(request, *args, **kwargs):
            if request.account is None:
                return render(
                    request, "campaignhub/no_account.html", {"says_invitations": True}, status=403
                )
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
