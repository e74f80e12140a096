"""A change is applied to the account the page it came from showed, or not at all.

A session acts in one account at a time (`tenancy.current_membership`). A page stays open while
that can change under it: an admin removes its person from the account (the session moves to
their next one), or they switch accounts in another tab. A form sent from that page would then
be applied in an account it was never meant for. So every page says whose it is: htmx requests
carry an `X-Account` header (base.html), and a plain form gets an `_account` field as it is
submitted (app.js). `AccountMiddleware` refuses a change (any method but GET, HEAD, OPTIONS)
whose page named another account than the session's, and one sent on the very request that
found its person removed. The person is told; nothing is changed.

Not guarded: requests authenticated by an API token (the token names its account), and the
pages that act on the person rather than an account (`ACCOUNT_INDEPENDENT`).
"""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from campaignhub.cleaning import id_or_none

HEADER = "X-Account"
FIELD = "_account"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
# URL names of the pages that act on the signed-in person, whatever account they are in.
ACCOUNT_INDEPENDENT = {
    "login",
    "logout",
    "password_change",
    "password_reset",
    "password_reset_confirm",
    "switch_account",
    "invitation_accept",
    "invitation_decline",
    "profile",
}


def left_account(request, membership):
    """The name of the account this session was in when its person is no longer a member of
    it, after moving the session on to `membership` (their next account, or none) with a
    message saying so; else None."""
    from campaignhub.models import Account
    from campaignhub.tenancy import SESSION_ACCOUNT_KEY

    if not request.user.is_authenticated:
        return None
    chosen = request.session.get(SESSION_ACCOUNT_KEY)
    if chosen is None or (membership is not None and membership.account_id == chosen):
        return None
    name = Account.objects.filter(pk=chosen).values_list("name", flat=True).first() or "an account"
    if membership is None:
        del request.session[SESSION_ACCOUNT_KEY]
        now = "You are not in any account now."
    else:
        request.session[SESSION_ACCOUNT_KEY] = membership.account_id
        now = f'You are now in "{membership.account.name}".'
    messages.warning(request, f'You are no longer a member of "{name}". {now}')
    return name


def refusal(request, left, view_func):
    """The answer refusing this request's change to `view_func`, or None to let it through.

    `left` is what `left_account` said for this request. Raises nothing. Views exempt from
    CSRF outside the API (webhooks, public lead forms) take no page's changes and are not
    concerned. The `_account` field is read only for a plain form to a CSRF-checked view, whose
    POST data CSRF has parsed already: an API view (it takes the header) or a webhook can still
    read the raw body."""
    from campaignhub.errors import is_api

    if request.method in SAFE_METHODS or not request.user.is_authenticated:
        return None
    if request.headers.get("Authorization", "").startswith("Bearer "):
        return None
    match = request.resolver_match
    if match is not None and match.url_name in ACCOUNT_INDEPENDENT:
        return None
    csrf_exempt = getattr(view_func, "csrf_exempt", False)
    if csrf_exempt and not is_api(request):
        return None
    if left is not None:
        # `left_account` has told them already.
        return _refuse(request, f'You are no longer a member of "{left}".', told=True)
    declared = request.headers.get(HEADER)
    if declared is None and not csrf_exempt and request.content_type in FORM_TYPES:
        declared = request.POST.get(FIELD)
    current = str(request.account.pk) if request.account else ""
    if not declared or declared == current:
        return None
    return _refuse(request, _page_was_for(request, declared))


def _page_was_for(request, declared) -> str:
    from campaignhub.tenancy import memberships_of

    # Named only when the person is a member of it: the header is theirs to write.
    account_id = id_or_none(declared)
    page = (
        memberships_of(request.user).filter(account_id=account_id).first() if account_id else None
    )
    if page is None or request.account is None:
        return "This page was for an account you are no longer a member of."
    now = request.account.name
    return f'This page was for "{page.account.name}", and you have since switched to "{now}".'


def _refuse(request, reason, *, told=False):
    from campaignhub.api import error
    from campaignhub.errors import is_api

    if is_api(request):
        return error(403, f"{reason} Nothing was changed.")
    if not told:
        messages.warning(request, reason)
    messages.warning(request, "Nothing was changed.")
    dashboard = reverse("dashboard")
    if request.headers.get("HX-Request"):
        return HttpResponse(status=204, headers={"HX-Redirect": dashboard})
    return redirect(dashboard)
