"""Writes for the platform: accounts, members and their invitations, API tokens."""

from collections import Counter
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from campaignhub import live, signals
from campaignhub.models import (
    TOKEN_LAST_USED_RESOLUTION,
    Account,
    ApiToken,
    InboundDelivery,
    Invitation,
    InvitationStatus,
    Membership,
    Role,
    User,
    hash_token,
    invitation_lifetime,
)
from campaignhub.ratelimit import over_limit
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
ALREADY_INVITED = "An invitation to this address is already pending."


@dataclass(frozen=True)
class MemberAdded:
    """What adding a person by email did: exactly one of `membership` (someone new, a member
    at once, sent a link to choose their password) and `invitation` (someone who already has a
    login, a member only once they accept). `email` is the address as the admin typed it."""

    email: str
    role: str
    membership: Membership | None = None
    invitation: Invitation | None = None


@transaction.atomic
def add_new_member(
    *,
    account: Account,
    email: str,
    name: str = "",
    role: str = Role.MEMBER,
    invited_by: User | None = None,
) -> MemberAdded:
    """Add a person who is not yet in the account (the members page and `POST /v1/members`).

    Someone new gets a user without a password, is a member at once, and gets an email inviting
    them to choose one; so does someone who never chose a password and is in no account any
    more (`_new_again`: added, then removed before choosing one), whose name becomes the one
    typed now. Someone who already has a login (in another account, or invited to one) is not
    made a member: they get an invitation to accept, and nothing of their profile is shown to
    the inviting admin. Raises ValidationError `{"email": …}` when the person is already
    a member or already has a pending invitation, and `{"role": …}` for an unknown role,
    changing nothing (a member's role is changed on the members list, not here).
    """
    if role not in Role.values:
        raise ValidationError({"role": f"Role must be one of: {', '.join(Role.values)}."})
    email = email.strip()
    if Membership.objects.for_account(account).filter(user__email__iexact=email).exists():
        raise ValidationError({"email": ALREADY_A_MEMBER})
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None and _new_again(existing):
        existing.name = name
        existing.save(update_fields=["name"])
        # An invitation sent before they were treated as new again asked them to sign in with
        # a login they cannot use; being a member now, they have nothing left to accept.
        Invitation.objects.for_account(account).filter(
            user=existing, status=InvitationStatus.PENDING
        ).update(status=InvitationStatus.CANCELLED, responded_at=timezone.now())
        existing = None
    if existing is None:
        membership = add_member(account=account, email=email, role=role, name=name)
        invite(membership=membership)
        return MemberAdded(email=email, role=role, membership=membership)
    invitation = _invite_existing_user(
        account=account, user=existing, email=email, role=role, invited_by=invited_by
    )
    return MemberAdded(email=email, role=role, invitation=invitation)


def _new_again(user: User) -> bool:
    """True for someone who never chose a password (`User.awaits_first_password`) and is a
    member of no account: they have no login to sign in with and no account has vouched for
    them, so adding them is adding someone new."""
    return user.awaits_first_password and not user.memberships.exists()


def _invite_existing_user(*, account, user, email, role, invited_by) -> Invitation:
    pending = Invitation.objects.for_account(account).filter(
        user=user, status=InvitationStatus.PENDING
    )
    if pending.open().exists():
        raise ValidationError({"email": ALREADY_INVITED})
    # One that can no longer be accepted (expired, or its sender no longer an admin) is
    # closed, so the new one can take its place.
    now = timezone.now()
    pending.filter(created_at__lte=now - invitation_lifetime()).update(
        status=InvitationStatus.EXPIRED
    )
    pending.update(status=InvitationStatus.CANCELLED, responded_at=now)
    try:
        with transaction.atomic():
            invitation = Invitation.objects.create(
                account=account, user=user, email=email, role=role, invited_by=invited_by
            )
    except IntegrityError:
        # Two admins invited the same person at once; the unique pending index decided.
        raise ValidationError({"email": ALREADY_INVITED}) from None
    send_invitation(invitation=invitation)
    return invitation


def _send(subject_template, body_template, context, to):
    PasswordResetForm().send_mail(subject_template, body_template, context, None, to)


def _link_context():
    base = urlsplit(settings.PUBLIC_BASE_URL)
    return {"protocol": base.scheme, "domain": base.netloc}


def invite(*, membership: Membership) -> None:
    """Email a new member a link to choose their password (Django's reset-confirm page)."""
    user = membership.user
    context = {
        **_link_context(),
        "email": user.email,
        "user": user,
        "account": membership.account,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
    }
    _send("registration/invite_subject.txt", "registration/invite_email.txt", context, user.email)


def send_invitation(*, invitation: Invitation) -> None:
    """Email someone who already has a login that `invitation.account` invites them.

    The email links to their invitations page (after signing in), where they accept or
    decline, and says how many days it stays open; it goes to their own address on file, not
    the one the admin typed. Someone who has yet to choose a password
    (`User.awaits_first_password`, added to another account) is first given the link to
    choose it, the one `invite` sends, since they have no login to sign in with yet.
    """
    user = invitation.user
    context = {
        **_link_context(),
        "account": invitation.account,
        "role": invitation.role,
        "expiry_days": invitation_lifetime().days,
    }
    if user.awaits_first_password:
        context["uid"] = urlsafe_base64_encode(force_bytes(user.pk))
        context["token"] = default_token_generator.make_token(user)
    _send(
        "registration/invitation_subject.txt",
        "registration/invitation_email.txt",
        context,
        user.email,
    )


def invitation_rate_exceeded(request, *, account: Account) -> bool:
    """Count one add-or-invite by the signed-in admin in `account`; True once they made more
    than `MEMBER_INVITATION_RATE_LIMIT_PER_MINUTE` this minute (each may send an email, and
    each answers whether an address has a login)."""
    return over_limit(
        request,
        scope="member-invitation",
        key=f"{account.pk}:{request.user.pk}",
        per_minute=settings.MEMBER_INVITATION_RATE_LIMIT_PER_MINUTE,
    )


NOT_OPEN = "This invitation is no longer open."
EXPIRED = "This invitation has expired. Ask an admin of {account} to invite you again."


def password_email_rate_exceeded(request, *, email: str) -> bool:
    """Count one password email to `email` (a reset asked for on the reset page, or an admin's
    "Send the link again"); True once more than `PASSWORD_RESET_LIMIT_PER_EMAIL_PER_HOUR` were
    asked for this hour, counted whether or not anyone has that email."""
    return over_limit(
        request,
        scope="password-reset-email",
        key=email.strip().lower(),
        per_hour=settings.PASSWORD_RESET_LIMIT_PER_EMAIL_PER_HOUR,
    )


HAS_A_PASSWORD = "{name} has already chosen a password: they can reset it from the login page."
TOO_MANY_PASSWORD_EMAILS = (
    "Too many password emails to {email} this hour. Try again in an hour, or ask them to check "
    "their inbox for the link already sent."
)


def resend_password_link(request, *, membership: Membership) -> None:
    """Email a member who never chose a password (`User.awaits_first_password`) the link to
    choose one again, the email they got when added. Raises ValidationError, sending nothing,
    when they have a password (or their login is deactivated) and past the per-address limit
    of password emails (`password_email_rate_exceeded`, shared with the reset page)."""
    user = membership.user
    if not user.awaits_first_password:
        raise ValidationError(HAS_A_PASSWORD.format(name=user.get_full_name()))
    if password_email_rate_exceeded(request, email=user.email):
        raise ValidationError(TOO_MANY_PASSWORD_EMAILS.format(email=user.email))
    invite(membership=membership)


def _pending_invitation_of(user: User, invitation_id) -> Invitation:
    invitation = (
        Invitation.objects.select_for_update()
        .select_related("account")
        .filter(pk=invitation_id, user=user, status=InvitationStatus.PENDING)
        .first()
    )
    if invitation is None:
        raise ValidationError(NOT_OPEN)
    if invitation.is_expired:
        raise ValidationError(EXPIRED.format(account=invitation.account))
    return invitation


@transaction.atomic
def accept_invitation(*, user: User, invitation_id: int) -> Membership:
    """`user` accepts their pending invitation: they become a member with the invited role.

    Raises ValidationError when the invitation is not theirs, no longer pending (accepted,
    declined, cancelled by an admin or by its sender's removal or demotion), expired, or sent
    by someone who is no longer an admin of the account, changing nothing. Already a member
    (added another way): the invitation is closed and their role kept.
    """
    invitation = _pending_invitation_of(user, invitation_id)
    if not Invitation.objects.open().filter(pk=invitation.pk).exists():
        raise ValidationError(NOT_OPEN)
    membership, _ = Membership.objects.get_or_create(
        account=invitation.account, user=user, defaults={"role": invitation.role}
    )
    invitation.status = InvitationStatus.ACCEPTED
    invitation.responded_at = timezone.now()
    invitation.save(update_fields=["status", "responded_at"])
    return membership


@transaction.atomic
def decline_invitation(*, user: User, invitation_id: int) -> Invitation:
    """`user` declines their pending invitation; raises ValidationError when it is no longer
    pending or has expired."""
    invitation = _pending_invitation_of(user, invitation_id)
    invitation.status = InvitationStatus.DECLINED
    invitation.responded_at = timezone.now()
    invitation.save(update_fields=["status", "responded_at"])
    return invitation


def cancel_invitation(*, invitation: Invitation) -> bool:
    """An admin withdraws a pending invitation; False when it was no longer pending."""
    cancelled = Invitation.objects.filter(pk=invitation.pk, status=InvitationStatus.PENDING).update(
        status=InvitationStatus.CANCELLED, responded_at=timezone.now()
    )
    invitation.refresh_from_db()
    return bool(cancelled)


def cancel_invitations_sent_by(*, account: Account, user: User) -> int:
    """Cancel the open invitations `user` sent on behalf of `account` (they are being removed
    or stop being an admin): the number cancelled. Expired ones stay as they are."""
    return (
        Invitation.objects.for_account(account)
        .filter(invited_by=user, status=InvitationStatus.PENDING)
        .unexpired()
        .update(status=InvitationStatus.CANCELLED, responded_at=timezone.now())
    )


def cancel_invitations_of_deleted_user(sender, instance, **kwargs) -> None:
    """`pre_delete` of a User: the open invitations they sent, in any account, are cancelled
    before the deletion blanks their sender (an invitation lasts only while its sender is an
    admin; one without a recorded sender would otherwise stay open)."""
    Invitation.objects.filter(invited_by=instance, status=InvitationStatus.PENDING).update(
        status=InvitationStatus.CANCELLED, responded_at=timezone.now()
    )


def _ensure_another_admin(membership: Membership) -> None:
    others = (
        Membership.objects.for_account(membership.account)
        .filter(role=Role.ADMIN)
        .exclude(pk=membership.pk)
    )
    if membership.is_admin and not others.exists():
        raise ValidationError("An account needs at least one admin.")


@dataclass(frozen=True)
class RoleChanged:
    """What `change_role` did: `membership` has its new role; `invitations_cancelled` counts
    the open invitations the person had sent, cancelled because they are no longer an admin."""

    membership: Membership
    invitations_cancelled: int = 0


@transaction.atomic
def change_role(*, membership: Membership, role: str) -> RoleChanged:
    """Give `membership` the `role`. A demoted admin's open invitations are cancelled in the
    same transaction. Raises ValidationError for an unknown role or the last admin demoted,
    changing nothing."""
    if role not in Role.values:
        raise ValidationError(f"Role must be one of: {', '.join(Role.values)}.")
    # Lock the account's admins so two demotions at once cannot leave it without one.
    admins = Membership.objects.select_for_update().filter(
        account=membership.account, role=Role.ADMIN
    )
    was_admin = membership.pk in [admin.pk for admin in admins]
    if role != Role.ADMIN:
        _ensure_another_admin(membership)
    cancelled = 0
    if was_admin and role != Role.ADMIN:
        cancelled = cancel_invitations_sent_by(account=membership.account, user=membership.user)
    membership.role = role
    membership.save(update_fields=["role"])
    return RoleChanged(membership=membership, invitations_cancelled=cancelled)


@dataclass(frozen=True)
class MemberRemoved:
    """What `remove_member` did: `user` left; `handed_over` lists what they owned that passed
    to `removed_by` (one `signals.HandedOver` per kind of thing, none when they owned nothing);
    `invitations_cancelled` counts the open invitations they had sent; `notes` are the
    sentences the domain apps added (`signals.RemovalNote`), in the order they answered."""

    user: User
    removed_by: User
    handed_over: tuple[signals.HandedOver, ...]
    invitations_cancelled: int = 0
    notes: tuple[str, ...] = ()


class NoLongerAMember(ValidationError):
    """`remove_member` found the person already gone from the account (removed a moment
    before, by another request or the same page sent twice): nothing changed. Its message:
    "max@acme.test is no longer a member of Acme Agency." (`no_longer_a_member`)."""


def no_longer_a_member(*, email: str, account: Account) -> str:
    """The words for someone already removed: "<email> is no longer a member of <account>."."""
    return f"{email} is no longer a member of {account}."


def _removal_answers(answers):
    """The `member_removed` answers flattened: a receiver may answer one thing or a tuple."""
    for _, answer in answers:
        yield from answer if isinstance(answer, tuple) else (answer,)


def removal_preview(*, membership: Membership, removed_by: User) -> list[str]:
    """What removing `membership` would do in the domain apps, as sentences for the admin to
    confirm (`signals.member_removing`; e.g. the campaigns it would leave with no
    representative). Reads only: nothing changes."""
    answers = signals.member_removing.send(
        sender=Membership, account=membership.account, user=membership.user, removed_by=removed_by
    )
    return [sentence for _, sentences in answers for sentence in sentences or ()]


def check_removal(*, membership: Membership, removed_by: User) -> None:
    """Raise ValidationError, whose message says why, when `removed_by` may not remove
    `membership`: the account's last admin (`_ensure_another_admin`: an account keeps one), or
    a domain app's rule (`signals.member_removal_check`: campaigns the person owns pass to the
    admin who removes them, so someone who is not an admin of the account, or an admin
    removing themselves, cannot remove a person who owns campaigns). Reads only. The
    confirmation page asks it before offering the removal and `remove_member` asks it again
    under its locks, so the two never disagree."""
    _ensure_another_admin(membership)
    signals.member_removal_check.send(
        sender=Membership, account=membership.account, user=membership.user, removed_by=removed_by
    )


@transaction.atomic
def remove_member(*, membership: Membership, removed_by: User) -> MemberRemoved:
    """Take a person out of an account, with every access they had to it, in one transaction.

    `removed_by` is the admin removing them: whatever the person owned in the account (their
    campaigns) passes to them. Besides the membership row: their API tokens for the account
    are revoked, the open invitations they sent are cancelled, `member_removed` lets the
    domain apps withdraw what the person holds there (their representative rows, so no new
    lead is assigned to them; their queued notifications, cancelled) and hand over what they
    own, someone who never chose a password and is left in no account has the link they were
    emailed to choose one stop working, and once committed their open live sockets for the
    account are closed. Raises ValidationError, changing nothing, when `check_removal` refuses
    (the last admin; what they own cannot pass to `removed_by`, not an admin of the account or
    the person leaving), and `NoLongerAMember` when the membership was removed already (of two
    removals at once, one removes and the other is told so, under the same locks).

    A demotion (`change_role`) needs none of this but the invitations: roles are read on every
    request, API call and live event, so a demoted admin has member rights at once.
    """
    list(Membership.objects.select_for_update().filter(account=membership.account, role=Role.ADMIN))
    # Read again under the lock: the row as it is now, or gone when a removal just committed.
    current = Membership.objects.select_for_update().filter(pk=membership.pk).first()
    if current is None:
        raise NoLongerAMember(
            no_longer_a_member(email=membership.user.email, account=membership.account)
        )
    membership.role = current.role
    check_removal(membership=membership, removed_by=removed_by)
    account, user = membership.account, membership.user
    ApiToken.objects.for_account(account).filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    cancelled = cancel_invitations_sent_by(account=account, user=user)
    answers = signals.member_removed.send(
        sender=Membership, account=account, user=user, removed_by=removed_by
    )
    membership.delete()
    if user.awaits_first_password and not user.memberships.exists():
        # The link they were emailed to choose a password stops working: it names an account
        # they are no longer in, and an admin adding them again sends a fresh one.
        user.set_unusable_password()
        user.save(update_fields=["password"])
    transaction.on_commit(lambda: live.close_member_sockets(account.pk, user.pk), robust=True)
    answered = list(_removal_answers(answers))
    handed = tuple(
        answer for answer in answered if isinstance(answer, signals.HandedOver) and answer.count
    )
    notes = tuple(str(answer) for answer in answered if isinstance(answer, signals.RemovalNote))
    return MemberRemoved(
        user=user,
        removed_by=removed_by,
        handed_over=handed,
        invitations_cancelled=cancelled,
        notes=notes,
    )


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
    """Save the person's name and SMS phone (E.164, validated by ProfileForm)."""
    user.name = name
    user.phone = phone
    user.save(update_fields=["name", "phone"])
    return user


def switch_account(*, request, membership: Membership) -> None:
    request.session[SESSION_ACCOUNT_KEY] = membership.account_id


def replay_deliveries(deliveries, *, dry_run=False) -> tuple[int, dict[str, int]]:
    """Process stored `deliveries` (a queryset, of any accounts) again, as the admin's Replay
    action and `manage.py replay_deliveries` do (`intake.replay_deliveries`: signatures checked
    again with today's key), except those whose campaign is paused or deleted, which the
    Incoming deliveries page would not replay either (`selectors.replay_refused`). Returns how
    many were queued (with `dry_run`, would be: nothing is queued) and how many were refused
    for each reason ({`inbound.PAUSED_NOT_REPLAYED`: 2, ...})."""
    from campaignhub import intake, selectors

    refused = selectors.replay_refused(deliveries)
    taken = deliveries.exclude(pk__in=[delivery.pk for delivery in refused])
    if dry_run:
        count = taken.filter(intake.replayable()).count()
    else:
        count = intake.replay_deliveries(taken)
    return count, Counter(delivery.replay_refusal for delivery in refused)


def replay_delivery(*, delivery: InboundDelivery) -> bool:
    """Process one stored delivery again, as the admin's Replay action does
    (`intake.replay_deliveries`: its signature checked again with today's key). True when it
    was queued; False when replay skipped it (rejected for what it held, or for a signature
    today's key does not verify, or held by a worker whose lease has not lapsed)."""
    # Imported here: intake reaches the API module, which reads this one as it loads.
    from campaignhub import intake

    return intake.replay_deliveries(InboundDelivery.objects.filter(pk=delivery.pk)) == 1
