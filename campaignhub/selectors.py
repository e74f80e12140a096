"""Reads for the platform: tokens, members, invitations."""

from django.db.models import OuterRef, Subquery

from campaignhub.models import (
    ApiToken,
    Invitation,
    InvitationStatus,
    Membership,
    Role,
    hash_token,
)


def active_token(raw: str):
    """The unrevoked token for `raw`, with `.membership` set (account and user loaded), or None.

    A token stops working when its user leaves the account or is deactivated. One query: every
    API request needs the membership, so its columns come along with the token's.
    """
    membership = Membership.objects.filter(account=OuterRef("account"), user=OuterRef("user"))
    token = (
        ApiToken.objects.select_related("user", "account")
        .filter(token_hash=hash_token(raw), revoked_at__isnull=True, user__is_active=True)
        .annotate(
            membership_id=Subquery(membership.values("pk")),
            membership_role=Subquery(membership.values("role")),
            membership_created_at=Subquery(membership.values("created_at")),
        )
        .first()
    )
    if token is None or token.membership_id is None:
        return None
    token.membership = Membership.from_db(
        token._state.db,
        ["id", "account_id", "user_id", "role", "created_at"],
        [
            token.membership_id,
            token.account_id,
            token.user_id,
            token.membership_role,
            token.membership_created_at,
        ],
    )
    token.membership.account, token.membership.user = token.account, token.user
    return token


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
