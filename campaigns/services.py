"""Writes for campaigns and leads: every rule of the inbound campaign service lives here."""

import hashlib
import json
import logging
import re
import secrets
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from email.errors import HeaderParseError
from email.headerregistry import Address

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.urls import reverse

from campaignhub.cleaning import bounded_id, clean_json, clean_text, id_or_none
from campaignhub.intake import replay_deliveries
from campaignhub.models import Membership, Role, member_exists
from campaignhub.phones import DEFAULT_REGION, e164_or_blank, for_display
from campaignhub.ratelimit import over_limit
from campaignhub.templatetags.display import moment_text
from campaignhub.tenancy import account_zone
from campaigns import events, outcomes, permissions, selectors, serializers, sources
from campaigns.models import (
    Campaign,
    CampaignTally,
    Integration,
    Lead,
    LeadSource,
    NotificationType,
    Representative,
)
from campaigns.signals import lead_captured, lead_handed_over
from notifications.models import Channel, Delivery
from notifications.models import Status as DeliveryStatus
from notifications.rendering import substitute
from notifications.selectors import has_active_device
from notifications.services import RECIPIENT_LEFT, Recipient, Sender, notify

logger = logging.getLogger(__name__)

DUPLICATE_TRACKING_NUMBER = "Tracking number already added!"
DEFAULT_SUBJECT = "New lead for {{campaign_name}}"
DEFAULT_MESSAGE = "{{lead_caller}} just came in through {{campaign_name}}."
DEFAULT_SMS = "New lead for {{campaign_name}}: {{lead_caller}} {{lead_url}}"
UNKNOWN_CALLER = "Unknown caller"
DISCONNECTED_EVENT = "campaign_disconnected"
LEAD_EVENT = "lead_arrived"
# The key of a lead alert's delivery data naming the lead it is about.
LEAD_ALERT_KEY = "lead_id"
# Fields written straight onto the model; representatives and details are handled apart.
PLAIN_FIELDS = [
    "campaign_name",
    "integration",
    "page_id",
    "page_url",
    "tracking_number",
    "notification_type",
    "add_to_crm",
    "add_person_or_business",
    "create_deal",
    "pipeline_id",
    "stage_id",
    "deal_value",
    "currency",
    "status",
    "is_deleted",
]


class DuplicateTrackingNumber(Exception):
    """Another live campaign of the account already uses this tracking number (HTTP 409)."""


def _tracking_number_taken(campaign):
    if not campaign.tracking_number or campaign.is_deleted:
        return False
    return (
        Campaign.objects.for_account(campaign.account)
        .filter(tracking_number=campaign.tracking_number, is_deleted=False)
        .exclude(pk=campaign.pk)
        .exists()
    )


def unique_campaign_name(account, name, *, exclude_pk=None):
    """`name`, or `name (Copy)`, `name (Copy 2)`, … whichever no live campaign uses yet."""
    taken = set(
        Campaign.objects.for_account(account)
        .filter(is_deleted=False, campaign_name__startswith=name)
        .exclude(pk=exclude_pk)
        .values_list("campaign_name", flat=True)
    )
    candidate, copy = name, 1
    while candidate in taken:
        candidate = f"{name} (Copy)" if copy == 1 else f"{name} (Copy {copy})"
        copy += 1
    return candidate


COPY_SUFFIX = re.compile(r" \(Copy(?: [0-9]+)?\)$")


def public_name(campaign) -> str:
    """The campaign's name as visitors of its public form see it: without the ` (Copy)` or
    ` (Copy N)` that `unique_campaign_name` adds to keep names apart for staff."""
    return COPY_SUFFIX.sub("", campaign.campaign_name) or campaign.campaign_name


def _assign_public_ids(campaign):
    if campaign.integration == Integration.FORM and campaign.form_secret_id is None:
        campaign.form_secret_id = uuid.uuid4()
    if campaign.integration == Integration.WEBHOOK and not campaign.webhook_token:
        campaign.webhook_token = secrets.token_urlsafe(32)


def _set_representatives(campaign, representatives):
    Representative.objects.filter(campaign=campaign).delete()
    Representative.objects.bulk_create(
        Representative(
            campaign=campaign,
            user_id=rep["id"],
            custom_number=rep.get("custom_number") or "",
            position=position,
        )
        for position, rep in enumerate(representatives)
    )


def _stored(campaign) -> dict:
    """The campaign's stored fields as `{attname: value}`, `updated_at` left out; the alert
    details as reads give them (a stored subset of their keys reads as the whole shape)."""
    stored = {
        field.attname: getattr(campaign, field.attname)
        for field in campaign._meta.concrete_fields
        if field.attname != "updated_at"
    }
    stored["email_details"] = serializers.email_details_data(campaign.email_details)
    stored["sms_details"] = serializers.sms_details_data(campaign.sms_details)
    return stored


def _kept(campaign, changes) -> bool:
    """Whether `changes` leave the campaign's representatives (ids, custom numbers, order) and
    its lead source's link as they are; both are stored beside the campaign's row."""
    if "selected_user" in changes:
        sent = [
            (rep["id"], rep.get("custom_number") or "") for rep in changes["selected_user"] or []
        ]
        if sent != list(campaign.assignments.values_list("user_id", "custom_number")):
            return False
    link = sources.link_for(campaign.integration)
    return (
        link is None
        or link.key not in changes
        or link.current(campaign) == (changes[link.key] or "")
    )


def _tally_state(campaign):
    """Which tally a campaign counts in: (integration, status, has a tracking number), or None
    for a deleted campaign, which counts nowhere."""
    if campaign.is_deleted:
        return None
    return (campaign.integration, campaign.status, bool(campaign.tracking_number))


def _count(account, state, delta):
    """Add `delta` to the tally of `state` (see `_tally_state`); one UPDATE when it exists."""
    if state is None:
        return
    integration, status, numbered = state
    change = {"count": F("count") + delta, "numbered": F("numbered") + (delta if numbered else 0)}
    tallies = CampaignTally.objects.filter(account=account, integration=integration, status=status)
    if not tallies.update(**change):
        CampaignTally.objects.get_or_create(account=account, integration=integration, status=status)
        tallies.update(**change)


def _tally(campaign, delta):
    """Count a live campaign in (+1) or out (-1) of its account's tallies."""
    _count(campaign.account, _tally_state(campaign), delta)


def _save_guarded(campaign):
    """Save, turning the database's tracking-number constraint into our 409."""
    if _tracking_number_taken(campaign):
        raise DuplicateTrackingNumber(DUPLICATE_TRACKING_NUMBER)
    if not campaign.tracking_number or campaign.is_deleted:
        # Outside the partial unique index: no race to catch, no savepoint to pay for.
        campaign.save()
        return
    try:
        with transaction.atomic():
            campaign.save()
    except IntegrityError as exc:
        # Two saves raced past the check above; the partial unique index decided.
        if _tracking_number_taken(campaign):
            raise DuplicateTrackingNumber(DUPLICATE_TRACKING_NUMBER) from exc
        raise


# Choice and boolean fields: an empty value means "keep the current (or default) value".
KEEP_WHEN_EMPTY = {
    "integration",
    "notification_type",
    "add_person_or_business",
    "add_to_crm",
    "create_deal",
    "status",
    "is_deleted",
}


def _apply(campaign, data, keys):
    for field in PLAIN_FIELDS:
        if field not in keys:
            continue
        value = data[field]
        if value is None and field != "deal_value":
            continue
        if value == "" and field in KEEP_WHEN_EMPTY:
            continue
        setattr(campaign, field, value)
    if "owner" in keys and data["owner"]:
        campaign.owner_id = data["owner"]
    if "currency" in keys and not data["currency"]:
        campaign.currency = campaign.account.currency
    for field in ("email_details", "sms_details"):
        if field in keys:
            setattr(campaign, field, data[field] or {})
    if campaign.integration == Integration.FORM and {"campaign_name", "integration"} & set(keys):
        campaign.campaign_name = unique_campaign_name(
            campaign.account, campaign.campaign_name, exclude_pk=campaign.pk
        )
    _assign_public_ids(campaign)


@transaction.atomic
def create_campaign(*, account, owner, data, actor=None) -> Campaign:
    """Create from cleaned CampaignForm data; `owner` owns it unless `data["owner"]` says
    otherwise.

    `actor` is the Membership of the person creating it (None when the system does): a member
    may only create a campaign they own, else `permissions.CampaignPermissionDenied` (403) and
    nothing is saved. The rule is the permission matrix in `campaigns.permissions`.
    """
    if actor is not None:
        permissions.require_create(actor, data.get("owner") or owner.pk)
    campaign = Campaign(account=account, owner=owner, currency=account.currency)
    _apply(campaign, {**data, "is_deleted": False}, set(data) | {"is_deleted"})
    _save_guarded(campaign)
    sources.save_links(campaign, data)
    _set_representatives(campaign, data.get("selected_user") or [])
    _tally(campaign, +1)
    transaction.on_commit(lambda: events.campaign_changed(campaign.pk, created=True), robust=True)
    return campaign


@transaction.atomic
def update_campaign(*, campaign, changes, actor=None, locked=False) -> Campaign:
    """Apply the cleaned fields in `changes`; everything else stays as it was.

    `actor` is the Membership of the person making the change (None when the system makes it):
    the change must be allowed by the permission matrix (`campaigns.permissions`), checked on
    the locked row, else `permissions.CampaignPermissionDenied` (403) and nothing changes; the
    owner's alert for a pause or a delete says who did it. `locked`: the caller read
    `campaign` (with its account and owner) under its row lock in the current transaction, so
    it is not read again.
    """
    if not locked:
        campaign = (
            Campaign.objects.select_for_update(of=("self",))
            .select_related("account", "owner")
            .get(pk=campaign.pk)
        )
    if actor is not None:
        permissions.require_changes(actor, campaign, changes)
    audience = selectors.audience(campaign)
    seen_by = set() if campaign.is_deleted else audience
    counted_in = _tally_state(campaign)
    before = _stored(campaign)
    _apply(campaign, changes, set(changes))
    # Every update that switches a campaign off or deletes it alerts the owner, every time.
    alerts = changes.get("status") is False or changes.get("is_deleted") is True
    if not alerts and _stored(campaign) == before and _kept(campaign, changes):
        # Saved untouched: nothing is written, `updated_at` stays and no one is told.
        return campaign
    _save_guarded(campaign)
    sources.save_links(campaign, changes)
    if "selected_user" in changes:
        _set_representatives(campaign, changes["selected_user"] or [])
    # Most edits (a name, a message) leave the campaign in the same tally: no write at all.
    recount = _tally_state(campaign) != counted_in
    if recount:
        _count(campaign.account, counted_in, -1)
        _tally(campaign, +1)
    if alerts:
        _alert_disconnected(campaign, actor)
    # Who sees it afterwards is known without a query unless its owner or representatives changed.
    sees_now = None if {"owner", "selected_user"} & set(changes) else audience
    transaction.on_commit(
        lambda: events.campaign_changed(
            campaign.pk, seen_by=seen_by, sees_now=sees_now, recount=recount, campaign=campaign
        ),
        robust=True,
    )
    return campaign


@transaction.atomic
def set_campaign_status(*, campaign, active: bool, actor=None) -> tuple[Campaign, bool]:
    """Switch `campaign` on (`active` True) or off (paused), as its page's Activate and Pause
    buttons ask; returns (the campaign as stored now, whether its status changed).

    Asking for the state it is already in (a page drawn before someone else paused it sends
    Pause again) changes nothing: no write, no owner alert. Checked under the row lock, so two
    such requests at once switch it once. `actor` as for `update_campaign`: they need the
    right to pause or activate it either way, else `permissions.CampaignPermissionDenied`.
    """
    campaign = (
        Campaign.objects.select_for_update(of=("self",))
        .select_related("account", "owner")
        .get(pk=campaign.pk)
    )
    if actor is not None:
        permissions.require(actor, campaign, permissions.Action.CHANGE_STATUS)
    if campaign.status == active:
        return campaign, False
    changes = {"status": active}
    return update_campaign(campaign=campaign, changes=changes, actor=actor, locked=True), True


def delete_campaign(*, campaign, actor=None) -> Campaign:
    """Soft delete: the campaign leaves every list but keeps its leads. `actor` as for
    `update_campaign` (only the owner or an admin may delete)."""
    return update_campaign(campaign=campaign, changes={"is_deleted": True}, actor=actor)


@transaction.atomic
def import_campaign(*, account, legacy_id, data, created_at=None) -> tuple[Campaign, bool]:
    """Create or update the campaign moved in from the old campaign service's document
    `legacy_id` (its ObjectId, hex); returns (campaign, created). Used by `campaigns.legacy`.

    `data` is cleaned `CampaignForm` data with every field, `owner` (a user id or None)
    and `is_deleted` included; `created_at` (aware datetime or None) is the document's.
    The rules of every other write hold: tracking numbers unique among live campaigns
    (`DuplicateTrackingNumber`), form campaign names, tallies, live events after commit.
    Unlike `create_campaign`, a campaign deleted in the old service arrives deleted; and no
    disconnection alert is sent, since the old service alerted when it happened [000].
    """
    campaign = (
        Campaign.objects.for_account(account)
        .select_for_update()
        .filter(legacy_id=legacy_id)
        .select_related("account")
        .first()
    )
    created = campaign is None
    if created:
        campaign = Campaign(account=account, currency=account.currency, legacy_id=legacy_id)
        seen_by, counted_in = set(), None
    else:
        seen_by = set() if campaign.is_deleted else selectors.audience(campaign)
        counted_in = _tally_state(campaign)
    _apply(campaign, data, set(data))
    _save_guarded(campaign)
    sources.save_links(campaign, data)
    _set_representatives(campaign, data.get("selected_user") or [])
    if _tally_state(campaign) != counted_in:
        _count(account, counted_in, -1)
        _tally(campaign, +1)
    if created_at is not None and campaign.created_at != created_at:
        # `auto_now_add` stamped the first save; the campaign keeps the date it was made on.
        Campaign.objects.filter(pk=campaign.pk).update(created_at=created_at)
        campaign.created_at = created_at
    transaction.on_commit(
        lambda: events.campaign_changed(campaign.pk, created=created, seen_by=seen_by),
        robust=True,
    )
    return campaign, created


class CampaignPaused(Exception):
    """Held leads are captured only into an active campaign."""


@contextmanager
def capture_turn(campaigns):
    """Take the turn of a capture of held leads or calls for `campaigns` (a Campaign queryset:
    the campaigns what it captures may become leads on). Inside, in a transaction, their rows
    are locked (in id order, so turns over overlapping campaigns never deadlock): a capture of
    any of them sent meanwhile waits until this one commits, then finds what this one queued
    no longer held, so the counts of captures sent at once add up to what was held; and this
    one's deliveries are queued at commit, together in the order they arrived, never
    interleaved with another's. Yields {campaign id: status (bool, True when active)} of the
    campaigns locked. Every capture of held deliveries takes its turn here: "Capture it now"
    and the API's held-leads (`capture_held_leads`), Invoca's and the dialer's held calls."""
    with transaction.atomic():
        yield dict(campaigns.select_for_update().order_by("pk").values_list("pk", "status"))


def capture_held_leads(*, campaign, actor) -> int:
    """Capture what reached the campaign while it was paused (stored as ignored,
    `selectors.held_deliveries`: leads posted to a webhook campaign's URL, or what its lead
    source held for it), oldest first; the campaign's page, open anywhere, stops offering to.
    Returns how many deliveries were queued. Captures of one campaign take turns
    (`capture_turn`), so captures sent at once queue each held delivery once between them.

    Only who may change the campaign (`actor`, a membership) may do it; raises
    CampaignPermissionDenied otherwise, and CampaignPaused while the campaign is paused.
    """
    permissions.require(actor, campaign, permissions.Action.EDIT)
    with capture_turn(Campaign.objects.filter(pk=campaign.pk)) as status:
        if not status.get(campaign.pk):
            raise CampaignPaused("Activate the campaign first, then capture its held leads.")
        queued = replay_deliveries(selectors.held_deliveries(campaign))
    # Queued, they are held no longer: pages open elsewhere drop the notice and its button.
    transaction.on_commit(lambda: events.held_changed(campaign.pk), robust=True)
    return queued


def _alert_disconnected(campaign, actor=None):
    # An owner who left the account is told nothing more about its campaigns.
    if (
        campaign.owner_id is None
        or not Membership.objects.for_account(campaign.account_id)
        .filter(user_id=campaign.owner_id)
        .exists()
    ):
        return
    try:
        # A savepoint: whatever goes wrong in here must not poison the update's transaction.
        with transaction.atomic():
            _queue_disconnected(campaign, actor)
    except Exception:
        # The alert is a courtesy; it must never cost the user their update.
        logger.exception("Could not queue the disconnection alert for campaign %s", campaign.pk)


def _queue_disconnected(campaign, actor):
    # Say what happened (paused or deleted) and who did it, "you" when the owner did.
    if actor is None:
        by = ""
    elif actor.user_id == campaign.owner_id:
        by = "you"
    else:
        by = actor.user.get_full_name()
    url = disconnected_url(campaign)
    notify(
        account=campaign.account,
        event=DISCONNECTED_EVENT,
        recipients=[campaign.owner],
        context={
            "campaign_name": campaign.campaign_name,
            "account_name": campaign.account.name,
            "reason": "deleted" if campaign.is_deleted else "paused",
            "actor": by,
            "campaign_url": url,
        },
        channels=["push", "email"],
        data={
            "campaign_id": str(campaign.pk),
            "module": "inbound",
            "type": "campaign_disconnected",
            "url": url,
        },
    )


def disconnected_url(campaign) -> str:
    """The absolute link a disconnection alert gives its owner (`PUBLIC_BASE_URL`): the
    campaign's page, or, once it is deleted (its page is gone), its leads, which stay listed."""
    if campaign.is_deleted:
        return f"{settings.PUBLIC_BASE_URL}{reverse('lead_list')}?campaign={campaign.pk}"
    return settings.PUBLIC_BASE_URL + reverse("campaign_detail", args=[campaign.pk])


def withdraw_representative(*, account, user) -> list[int]:
    """Take `user` off every campaign of `account` they represent (they left the account).

    Returns the ids of those campaigns; the ones left without representatives show on the
    dashboard's attention panel (the `no_representatives` check). Runs in the caller's
    transaction (the member's removal); the campaigns' live rows update after commit.
    """
    rows = Representative.objects.filter(campaign__account=account, user=user)
    campaign_ids = sorted(set(rows.values_list("campaign_id", flat=True)))
    rows.delete()
    for campaign_id in campaign_ids:
        transaction.on_commit(
            lambda campaign_id=campaign_id: events.campaign_changed(campaign_id), robust=True
        )
    return campaign_ids


def unalerted_leads_of(*, account, user):
    """Leads of `account` given to `user` whose alert has not gone out on any channel (queued,
    or cancelled by their removal): the ones `pass_on_unalerted_leads` passes on when they
    leave. A queryset, by id."""
    alerts = Delivery.objects.for_account(account).filter(
        Q(status=DeliveryStatus.QUEUED) | Q(status=DeliveryStatus.CANCELLED, error=RECIPIENT_LEFT),
        user=user,
        event=LEAD_EVENT,
    )
    lead_ids = {
        id_or_none((data or {}).get(LEAD_ALERT_KEY))
        for data in alerts.values_list("data", flat=True)
    }
    return Lead.objects.filter(
        account=account, pk__in=lead_ids - {None}, representative=user, alerted_at__isnull=True
    ).order_by("pk")


def pass_on_unalerted_leads(*, account, user) -> list[int]:
    """Leads of `account` given to `user` whose alert had not gone out on any channel when they
    left the account (`unalerted_leads_of`): each goes to the next of its campaign's
    representatives round-robin, who is alerted, or to nobody when none is left (its campaign
    shows on the attention panel), and then its campaign's owner is alerted instead, unless
    that is `user`. A lead that arrived as they left is never left with someone who cannot
    answer it; its deal, when `user` owned it, follows it (`signals.lead_handed_over`). Returns
    the lead ids. Runs in the caller's transaction, after
    `withdraw_representative` and `hand_over_campaigns` (so the owner alerted is the admin who
    took the campaign over); run again, it finds nothing more to pass on."""
    leads = unalerted_leads_of(account=account, user=user).select_related("campaign__account")
    handover = Handover(because=f"{user.get_full_name()} was removed from the account")
    passed = []
    for lead in leads:
        assignment = _next_representative(lead.campaign)
        lead.representative = assignment.user if assignment else None
        lead.save(update_fields=["representative", "updated_at"])
        lead_handed_over.send(sender=Lead, lead=lead, previous_id=user.pk)
        _alert_holder_or_owner(lead.campaign, lead, assignment, leaving=user, handover=handover)
        transaction.on_commit(
            lambda lead=lead: events.lead_updated(lead.pk, account_id=lead.account_id), robust=True
        )
        passed.append(lead.pk)
    return passed


def check_hand_over(*, account, user, to) -> None:
    """Raise ValidationError, saying why, when the campaigns of `account` that `user` owns
    (deleted ones too) could not pass to `to` on `user`'s removal: `to` is missing, `user`
    themselves, or not an admin of `account`. Nothing owned: never raises. Reads only; the rule
    `hand_over_campaigns` applies and the removal's confirmation checks before it is offered."""
    if not Campaign.objects.for_account(account).filter(owner=user).exists():
        return
    name = user.get_full_name()
    if to is None or to.pk == user.pk:
        raise ValidationError(
            f"{name} owns campaigns, which pass to the admin who removes them: "
            "another admin must remove them."
        )
    if not Membership.objects.for_account(account).filter(user=to, role=Role.ADMIN).exists():
        raise ValidationError(
            f"{name} owns campaigns, which pass to the admin who removes them: "
            f"only an admin of {account} can remove them."
        )


def hand_over_campaigns(*, account, user, to) -> list[int]:
    """Give every campaign of `account` that `user` owns (deleted ones too, so none is left
    owned by someone outside the account) to `to`, the admin removing `user` from it.

    Each passes as any owner change does (`update_campaign` with `to`'s membership as the
    actor): locked, checked against the permission matrix, its live rows and counts updated
    after commit. Returns the ids of the campaigns that were not deleted, the ones the admin
    sees. Runs in the caller's transaction (the member's removal). Raises ValidationError,
    changing nothing, when `check_hand_over` refuses (`user` owns campaigns and `to` is not an
    admin of `account` or is `user` themselves).
    """
    owned = list(
        Campaign.objects.for_account(account)
        .filter(owner=user)
        .select_related("account", "owner")
        .order_by("pk")
    )
    if not owned:
        return []
    check_hand_over(account=account, user=user, to=to)
    actor = Membership.objects.for_account(account).filter(user=to).select_related("user").first()
    for campaign in owned:
        update_campaign(campaign=campaign, changes={"owner": to.pk}, actor=actor)
    return [campaign.pk for campaign in owned if not campaign.is_deleted]


def recount_tallies(account) -> None:
    """Rebuild an account's tallies from the campaigns themselves (an ops repair tool)."""
    with transaction.atomic():
        CampaignTally.objects.for_account(account).delete()
        rows = (
            Campaign.objects.for_account(account)
            .filter(is_deleted=False)
            .values("integration", "status")
            .annotate(count=Count("id"), numbered=Count("id", filter=~Q(tracking_number="")))
        )
        CampaignTally.objects.bulk_create(CampaignTally(account=account, **row) for row in rows)


# Leads


def _assigned_members(campaign):
    """The campaign's representatives (Representative rows) who are members of its account now."""
    return campaign.assignments.filter(member_exists(account=campaign.account_id))


def _next_representative(campaign):
    """Round-robin over the campaign's representatives who are members of its account now;
    None when it has none. (Removal withdraws a person's rows; this holds even for a row that
    slipped past, so a lead never goes to someone outside the account.)"""
    assignments = list(_assigned_members(campaign).select_related("user"))
    if not assignments:
        return None
    Campaign.objects.filter(pk=campaign.pk).update(next_representative=F("next_representative") + 1)
    return assignments[campaign.next_representative % len(assignments)]


def _representative_for(campaign, handled_by):
    """The assignment of `handled_by` (a user id: the person who already spoke to the lead)
    when they are one of the campaign's representatives and a member of its account now;
    otherwise the next one round-robin (`_next_representative`), or None."""
    if handled_by is not None:
        theirs = _assigned_members(campaign).filter(user_id=handled_by)
        found = theirs.select_related("user").first()
        if found is not None:
            return found
    return _next_representative(campaign)


def _alert_holder_or_owner(campaign, lead, assignment, *, leaving=None, handover=None):
    """Alert the representative `assignment` names about `lead`; with none (the campaign has no
    representative left), its owner, so no lead arrives unseen: they are told by the same rule
    and may give the lead to someone (`campaigns.assignment`). An owner who is no longer a
    member of the account, or is `leaving` it (a User), is told nothing. `handover`: see
    `alert_lead_holder`."""
    if assignment is not None:
        _alert_representative(campaign, lead, assignment, handover=handover)
        return
    owner_id = campaign.owner_id
    if owner_id is None or (leaving is not None and owner_id == leaving.pk):
        return
    membership = (
        Membership.objects.for_account(campaign.account_id)
        .filter(user_id=owner_id)
        .select_related("user")
        .first()
    )
    if membership is not None:
        alert_lead_holder(campaign, lead, membership.user, as_owner=True, handover=handover)


def lead_external_id(upstream_id, *, raw: bytes) -> str:
    """The one rule for a lead's external id, for every lead source.

    The upstream's own id when it sent one (cleaned; over 255 characters it becomes a digest),
    else `sha256:<hex>` of `raw`, the delivery as stored (a webhook body, a form's cleaned
    fields). So the same delivery sent twice is one lead, and two different deliveries without
    ids are two leads, never one overwriting the other.
    """
    own = bounded_id(upstream_id, Lead._meta.get_field("external_id").max_length)
    return own or "sha256:" + hashlib.sha256(bytes(raw)).hexdigest()


def _email_or_blank(value) -> str:
    email = clean_text(value)
    if len(email) > Lead._meta.get_field("email").max_length:
        return ""
    try:
        validate_email(email)
    except ValidationError:
        return ""
    return email


def clean_lead_details(*, name="", phone="", email="", message="") -> dict:
    """Lead details that fit their columns: text without NULs cut to the column's length, the
    phone in E.164 or blank (withheld, unparseable), the email valid or blank. The full original
    stays in the stored delivery and the lead's payload."""
    return {
        "name": clean_text(name, Lead._meta.get_field("name").max_length),
        "phone": e164_or_blank(clean_text(phone)),
        "email": _email_or_blank(email),
        "message": clean_text(message),
    }


def capture_lead(
    *,
    campaign,
    source,
    external_id,
    name="",
    phone="",
    email="",
    message="",
    payload=None,
    alert=True,
    handled_by=None,
    received_at=None,
):
    """Record a lead once per (campaign, source, external_id); returns (lead, created).

    `external_id` comes from `lead_external_id`; an empty one raises ValueError (it would merge
    unrelated leads). Details are cleaned with `clean_lead_details` and the payload made safe for
    a JSON column, so whatever an upstream sent still makes a lead. When the same external event
    arrives again (a duplicate delivery, a call that was modified), the existing lead is updated
    with whatever new details came, and nobody is notified twice. `alert=False` records a
    lead that is history already (brought in from elsewhere, demo data): it is assigned and
    followed by the CRM like any other, and nobody is alerted about it. `handled_by` (a user
    id, or None) is who already spoke to the lead (the agent on a dialer call): a new lead is
    theirs, and the alert goes to them, when they are one of the campaign's representatives;
    otherwise it goes round-robin like any other.

    `received_at` (an aware datetime) is when the delivery that sent these details reached us:
    details that arrived before the ones the lead holds (`Lead.details_received_at`) never
    replace them, so a replay, or workers taking deliveries of one lead out of order, cannot
    undo a later correction. None (a form sent now, a poll) always applies.
    """
    external_id = bounded_id(external_id, Lead._meta.get_field("external_id").max_length)
    if not external_id:
        raise ValueError("A lead needs an external id; derive one with lead_external_id().")
    details = clean_lead_details(name=name, phone=phone, email=email, message=message)
    payload = clean_json(payload or {})
    with transaction.atomic():
        campaign = (
            Campaign.objects.select_for_update(of=("self",))
            .select_related("account")
            .get(pk=campaign.pk)
        )
        lead = Lead.objects.filter(
            campaign=campaign, source=source, external_id=external_id
        ).first()
        if lead is not None:
            if _newer(received_at, lead.details_received_at):
                _refresh_lead(lead, details, payload, received_at)
            return lead, False
        assignment = _representative_for(campaign, handled_by)
        lead = Lead.objects.create(
            account=campaign.account,
            campaign=campaign,
            source=source,
            external_id=external_id,
            payload=payload,
            representative=assignment.user if assignment else None,
            details_received_at=received_at,
            **{key: value for key, value in details.items() if value},
        )
        lead_captured.send(sender=Lead, lead=lead)
        if alert:
            _alert_holder_or_owner(campaign, lead, assignment)
        transaction.on_commit(
            lambda: events.lead_arrived(lead.pk, account_id=lead.account_id), robust=True
        )
    return lead, True


def capture_form_submission(*, campaign, cleaned, data, received_at=None):
    """A public form submission (`PublicLeadForm.cleaned_data` as `cleaned`, the posted fields
    as `data`) -> (lead, created), or None for a bot.

    A posted page whose hidden trap field (`website`, `PublicLeadForm.clean_website`) is filled
    came from a bot: nothing is kept. The form's `submission_id` makes a
    double submit one lead; without one, the same body sent again is the same lead, and bodies
    that differ in any field (even one the form does not know) are two leads
    (`form_submission_key`). `received_at` is when a held submission reached us (see
    `capture_lead`); None for one sent now.
    """
    if cleaned["website"]:
        return None
    return capture_lead(
        campaign=campaign,
        source=LeadSource.FORM,
        external_id=form_submission_key(cleaned, data),
        name=cleaned["name"],
        phone=cleaned["phone"],
        email=cleaned["email"],
        message=cleaned["message"],
        payload=submission_payload(data),
        received_at=received_at,
    )


def submission_payload(data) -> dict:
    """The fields of a public form submission as its lead keeps them (`Lead.payload`): a
    posted page's field as its value, or as the list of its values when it was sent more than
    once (a checkbox group, a multi-select), so none is lost, less the page's trap field
    (`website`); a JSON body's fields as sent, its `website` too (no trap: the sender's own
    form's field)."""
    if not hasattr(data, "lists"):
        return dict(data)
    return {
        name: values[0] if len(values) == 1 else values
        for name, values in data.lists()
        if name != "website"
    }


def posted_fields(data) -> dict:
    """A public form submission's fields as JSON can hold them: `{name: [values]}` for a posted
    page (`QueryDict`), the object itself for a JSON body."""
    return dict(data.lists()) if hasattr(data, "lists") else data


def form_submission_key(cleaned, data) -> str:
    """The external id of the lead a public form submission makes (`lead_external_id`): its
    `submission_id` (a UUID), else a digest of every posted field, so a repeat is one lead."""
    raw = json.dumps(posted_fields(data), sort_keys=True, default=str).encode()
    return lead_external_id(str(cleaned["submission_id"] or ""), raw=raw)


def _newer(received_at, held_since) -> bool:
    """Whether details received at `received_at` may replace those held since `held_since`:
    yes unless both are known and they came first."""
    return received_at is None or held_since is None or received_at >= held_since


def _refresh_lead(lead, details, payload, received_at):
    changed = [key for key, value in details.items() if value and getattr(lead, key) != value]
    for key in changed:
        setattr(lead, key, details[key])
    if payload and payload != lead.payload:
        lead.payload = {**lead.payload, **payload}
        changed.append("payload")
    if received_at is not None and received_at != lead.details_received_at:
        lead.details_received_at = received_at
        changed.append("details_received_at")
    if changed:
        lead.save(update_fields=[*changed, "updated_at"])
        transaction.on_commit(
            lambda: events.lead_updated(lead.pk, account_id=lead.account_id), robust=True
        )


def lead_caller(lead, region: str = DEFAULT_REGION) -> str:
    """Who the lead is, in one phrase for alerts: `Name, phone`, `phone`, `Name` or
    `Unknown caller`; the email stands in for a missing phone. The phone reads as on pages
    (`phones.for_display` in `region`, the account's country, ISO 3166): `Ann Lee, (415)
    555-0111`, a comma rather than brackets around a number that has brackets of its own."""
    contact = for_display(lead.phone, region) if lead.phone else lead.email
    if lead.name and contact:
        return f"{lead.name}, {contact}"
    return lead.name or contact or UNKNOWN_CALLER


def lead_url(lead) -> str:
    """The lead's page as an absolute URL (`PUBLIC_BASE_URL`), for alerts read outside the
    site: "https://hub.example.com/leads/160/"; for a sample lead (never saved: previews and
    test alerts) the leads page."""
    path = reverse("lead_detail", args=[lead.pk]) if lead.pk else reverse("lead_list")
    return settings.PUBLIC_BASE_URL + path


def template_values(campaign, lead, representative):
    """The `{{placeholders}}` a campaign's alert texts may use, filled in for `lead` (all
    strings); phone numbers read as on the account's pages, `(415) 555-0142` in a US account;
    `lead_url` the lead's page (`lead_url`), which the default SMS ends with."""
    region = campaign.account.country or DEFAULT_REGION
    return {
        "campaign_name": campaign.campaign_name,
        "lead_caller": lead_caller(lead, region),
        "lead_name": lead.name or UNKNOWN_CALLER,
        "lead_phone": for_display(lead.phone, region) if lead.phone else "",
        "lead_email": lead.email,
        "lead_source": lead.get_source_display(),
        "representative_name": representative.get_full_name() if representative else "",
        "lead_url": lead_url(lead),
    }


def render_lead_alert(campaign, values):
    """The campaign's own words, filled in by plain substitution (never template code)."""
    email = campaign.email_details or {}
    sms = campaign.sms_details or {}
    return {
        "subject": substitute(email.get("subject") or DEFAULT_SUBJECT, values),
        "message": substitute(email.get("message") or DEFAULT_MESSAGE, values),
        "sms_message": substitute(sms.get("message") or DEFAULT_SMS, values),
        "attachments": email.get("attachments") or [],
    }


def lead_alert_channels(campaign):
    """The channels of `campaign`'s rule (`notification_type`): email and/or SMS."""
    return {
        NotificationType.ONLY_SEND_EMAIL: ["email"],
        NotificationType.ONLY_SEND_SMS: ["sms"],
        NotificationType.SEND_EMAIL_SMS: ["email", "sms"],
    }[campaign.notification_type]


def mailbox(name: str, address: str) -> str:
    """`"Müller, Hans" <hans@acme.com>`: `name` quoted as RFC 5322 needs (a comma, brackets,
    quotes), so any name reaches the mail backend as one address; the bare address when there
    is no name or it cannot be written in a header (a line break)."""
    if not name:
        return address
    try:
        return str(Address(display_name=name, addr_spec=address))
    except (ValueError, HeaderParseError):
        return address


def lead_alert_sender(campaign):
    email = campaign.email_details or {}
    reply_to = email.get("reply_to") or {}
    reply_address = reply_to.get("email") or ""
    if reply_address:
        reply_address = mailbox(reply_to.get("name") or "", reply_address)
    return Sender(
        email=email.get("from") or "",
        reply_to=reply_address,
        sms=(campaign.sms_details or {}).get("from") or "",
    )


def lead_alert_data(lead) -> dict:
    """What a lead alert is about, on each of its deliveries and as its push's data (`{str:
    str}`, the style of the other pushes): `lead_id` (`LEAD_ALERT_KEY`: its first send records
    `Lead.alerted_at`), `campaign_id`, `module` "inbound" and `type` "lead_arrived", so the app
    opens the lead."""
    return {
        LEAD_ALERT_KEY: str(lead.pk),
        "campaign_id": str(lead.campaign_id),
        "module": "inbound",
        "type": LEAD_EVENT,
    }


@dataclass(frozen=True)
class Handover:
    """Why a lead that is not new reached the person alerted, so the alert says it was given
    to them rather than that it just came in: `by` (str), the name of who gave it ("" when no
    one in particular did), `because` (str), why, when not given on its page ("Rita Rep was
    removed from the account")."""

    by: str = ""
    because: str = ""


def _alert_representative(campaign, lead, assignment, *, handover=None):
    alert_lead_holder(
        campaign, lead, assignment.user, phone=assignment.custom_number, handover=handover
    )


def handover_values(campaign, lead, handover: Handover) -> dict:
    """What a handover alert says beside the lead (all strings): `given_by`, `given_because`
    (`Handover`), `arrived_at`, when the lead first came in, in the account's time zone and
    named ("3 Dec 2026, 14:05 EST", `display.moment_text`), and `lead_status`, its status as
    pages say it ("Contacted")."""
    return {
        "given_by": handover.by,
        "given_because": handover.because,
        "arrived_at": moment_text(lead.created_at, account_zone(campaign.account)),
        "lead_status": lead.get_status_display(),
    }


def alert_lead_holder(campaign, lead, user, *, phone="", as_owner=False, handover=None):
    """Tell `user` about `lead` as a new lead's representative is told (`LEAD_EVENT`): by
    `campaign`'s notification rule (email and/or SMS per `notification_type`), and a push to
    their active devices when they registered one (their opt-in; without one, no push delivery
    is written). `phone` is their custom SMS number on the campaign ("" for their profile's
    phone). `as_owner`: they are told as the campaign's owner because it has no representative
    to give the lead to (`_alert_holder_or_owner`), and each text says so. `handover` (a
    `Handover`, None for a new lead): the lead was given to them (on its page, or passed on
    by a removal), so every channel says so in our words (who gave it, when it first came in,
    its status: `handover_values`) in place of the campaign's new-lead words. Queued in the
    caller's transaction, sent after commit; the first send records `Lead.alerted_at`."""
    values = template_values(campaign, lead, user)
    channels = lead_alert_channels(campaign)
    if has_active_device(user):
        channels = [*channels, Channel.PUSH]
    notify(
        account=campaign.account,
        event=LEAD_EVENT,
        recipients=[Recipient(user=user, phone=phone)],
        context={
            **render_lead_alert(campaign, values),
            **values,
            "lead": lead,
            "as_owner": as_owner,
            "handover": handover is not None,
            **(handover_values(campaign, lead, handover) if handover else {}),
        },
        channels=channels,
        sender=lead_alert_sender(campaign),
        data=lead_alert_data(lead),
    )


def on_delivery_sent(*, delivery, **signal):
    """The `notifications.signals.delivery_sent` receiver: the first lead alert sent about a
    lead (any channel) records its `alerted_at` (`outcomes.record_alert_sent`); other
    notifications, test alerts included, carry no lead and are left alone."""
    lead_id = id_or_none((delivery.data or {}).get(LEAD_ALERT_KEY))
    if delivery.event != LEAD_EVENT or lead_id is None:
        return
    outcomes.record_alert_sent(
        lead_id=lead_id, account_id=delivery.account_id, sent_at=delivery.sent_at
    )


def lead_alert_address(delivery) -> str | None:
    """Where a lead alert's SMS goes when it is sent, a retry's too
    (`notifications.services.register_current_address`): the custom SMS number its
    representative has on the lead's campaign now, else their profile's phone, so a number
    changed while it waited, or added after it failed, is used, as the campaign's warning says.
    None (the delivery's usual rule) for email and push, or when the person is no longer one of
    the campaign's representatives."""
    lead_id = id_or_none((delivery.data or {}).get(LEAD_ALERT_KEY))
    if delivery.channel != Channel.SMS or delivery.user_id is None or lead_id is None:
        return None
    assignment = (
        Representative.objects.filter(campaign__leads=lead_id, user_id=delivery.user_id)
        .select_related("user")
        .first()
    )
    if assignment is None:
        return None
    return assignment.custom_number or assignment.user.phone


LEAD_GIVEN_TO_SOMEONE_ELSE = (
    "Cancelled: the lead was given to someone else before this alert went out."
)
LEAD_LEFT_UNASSIGNED = "Cancelled: the lead was made unassigned before this alert went out."


def lead_alert_withheld(delivery) -> str | None:
    """Why a lead alert is not sent when its turn comes (each attempt, a retry's too;
    `notifications.services.register_withhold_reason`): its lead is no longer held by the
    person it is for, since it was given to someone else (`LEAD_GIVEN_TO_SOMEONE_ELSE`) or to
    nobody (`LEAD_LEFT_UNASSIGNED`) after it was queued (`assignment.assign_lead`). An
    unassigned lead is its campaign's owner's to give (`_alert_holder_or_owner`), so the
    owner's alert about it still goes. None (send it) while they hold it, and for an alert
    about no lead, or a lead that is gone."""
    lead_id = id_or_none((delivery.data or {}).get(LEAD_ALERT_KEY))
    if delivery.user_id is None or lead_id is None:
        return None
    lead = (
        Lead.objects.filter(pk=lead_id, account_id=delivery.account_id)
        .values("representative_id", "campaign__owner_id")
        .first()
    )
    if lead is None or lead["representative_id"] == delivery.user_id:
        return None
    if lead["representative_id"] is not None:
        return LEAD_GIVEN_TO_SOMEONE_ELSE
    if lead["campaign__owner_id"] == delivery.user_id:
        return None
    return LEAD_LEFT_UNASSIGNED


def rule_campaign(account, rule):
    """An unsaved campaign carrying just a notification rule, for previews and tests."""
    return Campaign(
        account=account,
        campaign_name=rule.get("campaign_name") or "Your campaign",
        integration=rule.get("integration") or Integration.FORM,
        notification_type=rule.get("notification_type") or NotificationType.ONLY_SEND_EMAIL,
        email_details=rule.get("email_details") or {},
        sms_details=rule.get("sms_details") or {},
    )


# The event of "Send me a test" alerts: the lead alert's templates, logged apart from real ones.
TEST_ALERT_EVENT = "lead_alert_test"
# The lead source of a typical lead of each integration (sample and demo leads).
LEAD_SOURCES = {
    Integration.CALLRAIL: LeadSource.CALL,
    Integration.INVOCA: LeadSource.CALL,
    Integration.DIALER: LeadSource.DIALER,
    Integration.FORM: LeadSource.FORM,
    Integration.WEBHOOK: LeadSource.WEBHOOK,
}


TOO_MANY_TEST_ALERTS = (
    "You sent {limit} test alerts in the last minute; each sends an email and an SMS. Send the "
    "next one in a minute."
)


def too_many_test_alerts(request) -> str:
    """Count one test alert by the signed-in person; once they sent more than
    `TEST_ALERT_RATE_LIMIT_PER_MINUTE` this minute, the message saying so (else "")."""
    limit = settings.TEST_ALERT_RATE_LIMIT_PER_MINUTE
    if over_limit(request, scope="test-alert", key=str(request.user.pk), per_minute=limit):
        return TOO_MANY_TEST_ALERTS.format(limit=limit)
    return ""


def send_test_alert(*, campaign, user):
    """Send `campaign`'s notification rule to `user`, filled in with a sample lead of the
    campaign's lead source, as `TEST_ALERT_EVENT` (the delivery log tells it from real lead
    alerts, and no lead is marked alerted by it). Returns the deliveries."""
    lead = sample_lead(campaign)
    values = template_values(campaign, lead, user)
    return notify(
        account=campaign.account,
        event=TEST_ALERT_EVENT,
        recipients=[user],
        context={**render_lead_alert(campaign, values), **values, "lead": lead, "test": True},
        channels=lead_alert_channels(campaign),
        sender=lead_alert_sender(campaign),
    )


def sample_lead(campaign):
    """The lead the rule preview and test alerts of `campaign` are filled in with (never
    saved), from the campaign's lead source (`LEAD_SOURCES`)."""
    return Lead(
        source=LEAD_SOURCES.get(campaign.integration, LeadSource.FORM),
        name="Sam Sample",
        phone="+14155550123",
        email="sam@example.com",
        message="I'd like a quote.",
    )


def on_currency_changing(*, account, currency, **signal) -> str:
    """The `campaignhub.signals.currency_changing` receiver: lead revenue is kept in the
    account's currency (`Lead.revenue`), so a change relabels every amount recorded."""
    count = Lead.objects.filter(account=account, revenue__isnull=False).count()
    if not count:
        return ""
    leads = f"{count} lead has" if count == 1 else f"{count} leads have"
    return f"{leads} revenue recorded in {account.currency}, which would then read as {currency}."
