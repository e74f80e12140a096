"""Writes for the platform: accounts, members, API tokens."""

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from campaignhub.models import (
    TOKEN_LAST_USED_RESOLUTION,
    Account,
    ApiToken,
    Membership,
    Role,
    User,
    hash_token,
)
from campaignhub.tenancy import SESSION_ACCOUNT_KEY


def get_or_create_user(*, email: str, password: str | None = None, name: str = "") -> User:
    """Find the user by email (case-insensitive) or create one; a given password is (re)set."""
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(email, password or None, name=name)
    elif password:
        user.set_password(password)
        user.save(update_fields=["password"])
    return user


@transaction.atomic
def create_account(*, name: str, admin_email: str, admin_password: str | None = None) -> Account:
    account = Account.objects.create(name=name)
    user = get_or_create_user(email=admin_email, password=admin_password)
    Membership.objects.create(account=account, user=user, role=Role.ADMIN)
    return account


@transaction.atomic
def add_member(
    *,
    account: Account,
    email: str,
    role: str = Role.MEMBER,
    name: str = "",
    password: str | None = None,
) -> Membership:
    """Add (or re-role) a person in the account, creating their user when new."""
    if role not in Role.values:
        raise ValidationError({"role": f"Role must be one of: {', '.join(Role.values)}."})
    user = get_or_create_user(email=email, password=password, name=name)
    membership, created = Membership.objects.get_or_create(
        account=account, user=user, defaults={"role": role}
    )
    if not created and membership.role != role:
        change_role(membership=membership, role=role)
    return membership


ALREADY_A_MEMBER = "This person is already a member of the account."


def add_new_member(*, account: Account, email: str, name: str = "", role: str = Role.MEMBER):
    """Add a person who is not yet in the account (the members page's "Add a member").

    Someone new gets a user without a password and an email inviting them to choose one;
    someone who already has a password (a member of another account) is added without one.
    Raises ValidationError `{"email": …}` when the person is already a member, changing
    nothing (their role is changed on the members list, not here).
    """
    if Membership.objects.for_account(account).filter(user__email__iexact=email).exists():
        raise ValidationError({"email": ALREADY_A_MEMBER})
    membership = add_member(account=account, email=email, role=role, name=name)
    if not membership.user.has_usable_password():
        invite(membership=membership)
    return membership


def invite(*, membership: Membership) -> None:
    """Email a new member a link to choose their password (Django's reset-confirm page)."""
    user = membership.user
    base = urlsplit(settings.PUBLIC_BASE_URL)
    context = {
        "email": user.email,
        "user": user,
        "account": membership.account,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
        "protocol": base.scheme,
        "domain": base.netloc,
    }
    PasswordResetForm().send_mail(
        "registration/invite_subject.txt",
        "registration/invite_email.txt",
        context,
        None,
        user.email,
    )


def _ensure_another_admin(membership: Membership) -> None:
    others = (
        Membership.objects.for_account(membership.account)
        .filter(role=Role.ADMIN)
        .exclude(pk=membership.pk)
    )
    if membership.is_admin and not others.exists():
        raise ValidationError("An account needs at least one admin.")


@transaction.atomic
def change_role(*, membership: Membership, role: str) -> Membership:
    if role not in Role.values:
        raise ValidationError(f"Role must be one of: {', '.join(Role.values)}.")
    # Lock the account's admins so two demotions at once cannot leave it without one.
    list(Membership.objects.select_for_update().filter(account=membership.account, role=Role.ADMIN))
    if role != Role.ADMIN:
        _ensure_another_admin(membership)
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def remove_member(*, membership: Membership) -> None:
    list(Membership.objects.select_for_update().filter(account=membership.account, role=Role.ADMIN))
    _ensure_another_admin(membership)
    # Their tokens for this account would stop working anyway; revoke them so the list says so.
    ApiToken.objects.for_account(membership.account).filter(
        user=membership.user, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
    membership.delete()


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    raw: str


def issue_token(*, account: Account, user: User, name: str) -> IssuedToken:
    """Create a token; the raw value exists only in the return value, never in the database."""
    if not Membership.objects.for_account(account).filter(user=user).exists():
        raise ValidationError(f"{user.email} is not a member of {account.name}.")
    raw = ApiToken.generate()
    token = ApiToken.objects.create(
        account=account,
        user=user,
        name=name,
        prefix=raw[:12],
        token_hash=hash_token(raw),
    )
    return IssuedToken(token=token, raw=raw)


def revoke_token(*, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def mark_token_used(token: ApiToken) -> None:
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= TOKEN_LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


def update_profile(*, user: User, name: str, phone: str) -> User:
    user.name = name
    user.phone = phone
    user.save(update_fields=["name", "phone"])
    return user


def switch_account(*, request, membership: Membership) -> None:
    request.session[SESSION_ACCOUNT_KEY] = membership.account_id
