"""Throttling of the sign-in pages: login lockouts (django-axes) and password reset emails.

Logins: `AXES_FAILURE_LIMIT` failures for one account, or from one client address, lock that
account or address for `AXES_COOLOFF_TIME` (settings.py); an admin unlocks sooner. Password reset
emails: `over_limit` windows per email address and per client address, counted whether or not
an account has that email, so the answer never tells who has an account.
"""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import render

from campaignhub.forms import PasswordResetForm
from campaignhub.ratelimit import over_limit
from campaignhub.services import password_email_rate_exceeded

LOCKOUT_MESSAGE = (
    "Too many failed logins for this account or from your address. Try again in {minutes} "
    "minutes, or ask the site administrator to unlock it."
)
RESET_THROTTLED_MESSAGE = (
    "Too many password reset requests for this email or from your address. Check your inbox "
    "for the link already sent, or try again in an hour."
)


def login_username(request, credentials) -> str:
    """The account a login attempt is counted against: the email as typed, trimmed and
    lower-cased, since logins match emails case-insensitively (`UserManager.get_by_natural_key`).

    `credentials` is the dict passed to `authenticate` (or None); falls back to the posted form.
    """
    username = (credentials or {}).get("username")
    if username is None:
        username = request.POST.get("username", "")
    return str(username).strip().lower()


def lockout_minutes() -> int:
    """Minutes a lockout lasts (`AXES_COOLOFF_TIME`), rounded up."""
    return -(-int(settings.AXES_COOLOFF_TIME.total_seconds()) // 60)


def lockout_response(request, original_response=None, credentials=None):
    """The login page with the lockout message, status `AXES_HTTP_RESPONSE_CODE` (429).

    django-axes calls this (AXES_LOCKOUT_CALLABLE) for every login refused by a lockout, whether
    the password was right or not.
    """
    form = AuthenticationForm(request, initial={"username": request.POST.get("username", "")})
    context = {
        "form": form,
        "next": request.POST.get("next", ""),
        "lockout": LOCKOUT_MESSAGE.format(minutes=lockout_minutes()),
    }
    return render(
        request, "registration/login.html", context, status=settings.AXES_HTTP_RESPONSE_CODE
    )


class PasswordResetView(auth_views.PasswordResetView):
    """Django's password reset page, sending at most `PASSWORD_RESET_LIMIT_PER_EMAIL_PER_HOUR`
    emails to one address and `PASSWORD_RESET_LIMIT_PER_ADDRESS_PER_HOUR` requests from one
    client address; past either, the form answers 429 with a message and sends nothing. Someone
    who never chose a password gets the link to choose one (`forms.PasswordResetForm`)."""

    form_class = PasswordResetForm

    def form_valid(self, form):
        client = self.request.META.get("REMOTE_ADDR", "")
        email = form.cleaned_data["email"]
        if over_limit(
            self.request,
            scope="password-reset-client",
            key=client,
            per_hour=settings.PASSWORD_RESET_LIMIT_PER_ADDRESS_PER_HOUR,
        ) or password_email_rate_exceeded(self.request, email=email):
            form.add_error(None, RESET_THROTTLED_MESSAGE)
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().form_valid(form)
