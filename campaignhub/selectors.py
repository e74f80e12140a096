"""Reads for the platform: tokens, members, invitations."""

from django.db.models import F

from campaignhub.models import (
    ApiToken,
    Invitation,
    Membership,
    Role,
    hash_token,
)


def token_membership(raw: str):
    """The membership an unrevoked API token `raw` acts as (account and user loaded), or None.

    A token stops working when its user leaves the account or is deactivated. One query, the
    token joined through its user: the membership carries `token` (an ApiToken with only its
    `pk` and `last_used_at` read, for `services.mark_token_used`).
    """
    membership = (
        Membership.objects.select_related("account", "user")
        # One filter() call: every condition is on the same token row.
        .filter(
            user__api_tokens__token_hash=hash_token(raw),
            user__api_tokens__revoked_at__isnull=True,
            user__api_tokens__account=F("account"),
            user__is_active=True,
        )
        .annotate(
            token_id=F("user__api_tokens__id"),
            token_last_used_at=F("user__api_tokens__last_used_at"),
        )
        .first()
    )
    if membership is not None:
        membership.token = ApiToken.from_db(
            membership._state.db,
            ["id", "last_used_at"],
            [membership.token_id, membership.token_last_used_at],
        )
    return membership


def members(account):
    return Membership.objects.for_account(account).select_related("user").order_by("user__email")


def pending_invitations(account):
    """The account's open invitations (`InvitationQuerySet.open`: expired ones left out), for
    its admins, with who sent each: they show `email` as typed, never the invited person's
    profile."""
    return Invitation.objects.for_account(account).open().select_related("invited_by")


def invitations_for(user):
    """The open invitations `user` may accept or decline (expired ones left out), with their
    accounts."""
    return (
        Invitation.objects.filter(user=user)
        .open()
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
