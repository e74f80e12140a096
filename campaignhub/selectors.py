"""Reads for the platform: tokens, members, invitations."""

from campaignhub.models import (
    ApiToken,
    Invitation,
    InvitationStatus,
    Membership,
    Role,
    hash_token,
)


def active_token(raw: str):
    """The unrevoked token for `raw`, with `.membership` set, or None.

    A token stops working when its user leaves the account or is deactivated.
    """
    token = (
        ApiToken.objects.select_related("user", "account")
        .filter(token_hash=hash_token(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    token.membership = Membership.objects.for_account(token.account).filter(user=token.user).first()
    return token if token.membership else None


def members(account):
    return Membership.objects.for_account(account).select_related("user").order_by("user__email")


def pending_invitations(account):
    """The account's open invitations, for its admins: they show `email` as typed, never the
    invited person's profile."""
    return Invitation.objects.for_account(account).filter(status=InvitationStatus.PENDING)


def invitations_for(user):
    """The open invitations `user` may accept or decline, with their accounts."""
    return (
        Invitation.objects.filter(user=user, status=InvitationStatus.PENDING)
        .select_related("account")
        .order_by("-created_at", "-id")
    )


def tokens_visible_to(membership):
    """Admins see every token of the account; members see their own."""
    tokens = ApiToken.objects.for_account(membership.account).select_related("user")
    return tokens if membership.is_admin else tokens.filter(user=membership.user)


def admin_ids(account):
    return list(
        Membership.objects.for_account(account)
        .filter(role=Role.ADMIN)
        .values_list("user_id", flat=True)
    )
