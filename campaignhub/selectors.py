"""Reads for the platform: tokens, members, invitations, incoming deliveries."""

from django.db.models import Exists, F, OuterRef

from campaignhub import inbound
from campaignhub.models import (
    ApiToken,
    InboundDelivery,
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


def inbound_deliveries(account, *, source="", status="", campaign=None):
    """The deliveries stored for `account` (`InboundDelivery`), as the Incoming deliveries list
    reads them: without their body, headers or traceback. `source` and `status` ("" for any)
    filter by code; `campaign` (an id, or None) keeps those that concern that campaign
    (`campaign_id`: posted to its endpoint, or found by processing: a dialer call's lead, a
    CallRail call held for it)."""
    rows = InboundDelivery.objects.for_account(account).defer("body", "headers", "traceback")
    if source:
        rows = rows.filter(source=source)
    if status:
        rows = rows.filter(status=status)
    if campaign is not None:
        rows = rows.filter(campaign_id=campaign)
    return rows


def describe_deliveries(account, deliveries) -> None:
    """Set on each of `deliveries` (a list) `source_label` (`inbound.source_label`),
    `event_label`, `error_text` (`inbound.error_text`), `held` (`inbound.is_held`),
    `replay_refusal` (`inbound.replay_refusal`: why the page does not replay it, or "") and
    `concern`: the `inbound.Concern` of the campaign recorded on it (`campaign_id`), or None
    when none is known. One query for all the rows at once, whatever their number."""
    named = inbound.campaigns_named(
        account, {d.campaign_id for d in deliveries if d.campaign_id is not None}
    )
    for delivery in deliveries:
        delivery.concern = named.get(delivery.campaign_id)
        delivery.source_label = inbound.source_label(delivery.source)
        delivery.event_label = inbound.event_label(delivery.source, delivery.event)
        delivery.error_text = inbound.error_text(delivery.error)
        delivery.held = inbound.is_held(delivery)
        delivery.replay_refusal = inbound.replay_refusal(delivery)


def replay_refused(deliveries) -> list[InboundDelivery]:
    """Those of `deliveries` (a queryset, of any accounts) that the Incoming deliveries page
    would not replay because the campaign they concern is paused or deleted
    (`inbound.replay_refusal`), each with `replay_refusal` set; the Django admin's Replay
    action skips them as the page does. One query per account among them."""
    concerned = list(
        deliveries.exclude(campaign_id=None).only("pk", "account_id", "campaign_id", "status")
    )
    by_account = {}
    for delivery in concerned:
        by_account.setdefault(delivery.account_id, []).append(delivery)
    refused = []
    for account_id, rows in by_account.items():
        named = inbound.campaigns_named(account_id, {d.campaign_id for d in rows})
        for delivery in rows:
            delivery.concern = named.get(delivery.campaign_id)
            delivery.replay_refusal = inbound.replay_refusal(delivery)
            if delivery.replay_refusal:
                refused.append(delivery)
    return refused


def inbound_delivery(account, delivery_id) -> InboundDelivery:
    """One delivery of `account`, for its page, with `source_label`, `event_label` and `concern`
    (as `describe_deliveries` sets them), `lead` (the `inbound.Concern` of the lead it made, or
    None: `inbound.lead_of`) and `replayable` (whether replay would take it now:
    `intake.replayable`). Raises InboundDelivery.DoesNotExist for an id that is not the
    account's."""
    # Imported here: intake reaches the API module, which reads this one as it loads.
    from campaignhub import intake

    replayable = InboundDelivery.objects.filter(intake.replayable(), pk=OuterRef("pk"))
    delivery = (
        InboundDelivery.objects.for_account(account)
        .annotate(replayable=Exists(replayable))
        .get(pk=delivery_id)
    )
    describe_deliveries(account, [delivery])
    delivery.lead = inbound.lead_of(account, delivery)
    return delivery
