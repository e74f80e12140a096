"""Writes for CallRail: the key, the chosen account/company, the webhook, and calls into leads."""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from callrail import client as callrail
from callrail.models import CallRailKey, CallRailSettings
from campaignhub.http import ApiError
from campaignhub.phones import InvalidPhoneNumber, to_e164
from campaigns import services as campaigns
from campaigns.forms import normalize_page_url
from campaigns.models import Campaign, Integration, LeadSource

logger = logging.getLogger(__name__)

NO_KEY = "API key not found. Please add your CallRail API key first."
NO_ACCOUNT = "Callrail account id is required."
KEY_REJECTED = "CallRail rejected the API key. Please reconnect CallRail with a valid key."


class CallRailNotConnected(Exception):
    """The account has no live CallRail key."""


def live_key(account):
    return CallRailKey.objects.for_account(account).filter(deleted_at__isnull=True).first()


def settings_for(account) -> CallRailSettings:
    found, _ = CallRailSettings.objects.get_or_create(account=account)
    return found


def client_for(account, *, key=None) -> callrail.CallRailClient:
    key = key or live_key(account)
    if key is None:
        raise CallRailNotConnected(NO_KEY)
    return callrail.CallRailClient(key.api_key)


def receiver_url(account) -> str:
    token = settings_for(account).webhook_token
    return settings.PUBLIC_BASE_URL + reverse("callrail_webhook", args=[token])


@transaction.atomic
def connect_key(*, account, api_key) -> CallRailKey:
    """Check the key against CallRail, then make it the account's one live key."""
    probe = callrail.CallRailClient(api_key)
    try:
        probe.accounts(per_page=1)
    except ApiError as exc:
        if exc.status in (401, 403):
            raise ValidationError("CallRail did not accept this API key.") from exc
        raise
    remove_key(account=account)
    return CallRailKey.objects.create(account=account, api_key=api_key, last4=api_key[-4:])


def remove_key(*, account) -> bool:
    """Soft delete: the row stays for the record, the secret itself is wiped."""
    removed = (
        CallRailKey.objects.for_account(account)
        .filter(deleted_at__isnull=True)
        .update(deleted_at=timezone.now(), api_key="")
    )
    return bool(removed)


def mark_key_rejected(key) -> None:
    CallRailKey.objects.filter(pk=key.pk).update(invalid_at=timezone.now())


def choose(*, account, account_id, account_name="", company_id="", company_name="", script_url=""):
    """Save the CallRail account (and company) this agency works in."""
    chosen = settings_for(account)
    if chosen.callrail_account_id != account_id:
        chosen.company_id = chosen.company_name = chosen.script_url = chosen.webhook_id = ""
    chosen.callrail_account_id = account_id
    chosen.callrail_account_name = account_name or chosen.callrail_account_name
    if company_id:
        if company_id != chosen.company_id:
            chosen.webhook_id = ""
            chosen.signing_key = ""
        chosen.company_id = company_id
        chosen.company_name = company_name
        chosen.script_url = script_url
    chosen.save()
    return chosen


def register_webhook(*, account, account_id, company_id, url):
    """Create the webhook on CallRail; when it is our receiver, remember it and its signing key."""
    record = client_for(account).create_webhook(account_id, company_id, url)
    if url == receiver_url(account):
        chosen = settings_for(account)
        webhook = callrail.webhook_out(record, account_id=account_id, company_id=company_id)
        chosen.webhook_id = str(webhook["id"] or "")
        signing_key = callrail.webhook_signing_key(record)
        if signing_key:
            chosen.signing_key = signing_key
        chosen.save(update_fields=["webhook_id", "signing_key", "updated_at"])
    return record


def set_signing_key(*, account, signing_key):
    chosen = settings_for(account)
    chosen.signing_key = signing_key
    chosen.save(update_fields=["signing_key", "updated_at"])


# Calls, texts and forms into leads


@dataclass
class Outcome:
    handled: bool
    reason: str = ""


def _e164(number):
    try:
        return to_e164(number) if number else ""
    except InvalidPhoneNumber:
        return ""


def _live_campaign(account, **lookup):
    """The active CallRail campaign of the account matching `lookup`, or None."""
    if not all(lookup.values()):
        return None
    return (
        Campaign.objects.for_account(account)
        .filter(integration=Integration.CALLRAIL, is_deleted=False, status=True, **lookup)
        .first()
    )


def _capture(campaign, missing, *, source, payload, **details) -> Outcome:
    if campaign is None:
        return Outcome(False, missing)
    campaigns.capture_lead(campaign=campaign, source=source, payload=payload, **details)
    return Outcome(True)


def lead_from_call(account, payload) -> Outcome:
    fields = callrail.call_fields(payload)
    if not fields["external_id"]:
        raise ValueError("The call has no resource_id.")
    number = _e164(fields["tracking_number"])
    return _capture(
        _live_campaign(account, tracking_number=number),
        f"No active CallRail campaign uses {fields['tracking_number']}.",
        source=LeadSource.CALL,
        payload=payload,
        external_id=fields["external_id"],
        name=fields["name"],
        phone=_e164(fields["phone"]),
    )


def lead_from_text(account, payload) -> Outcome:
    fields = callrail.text_fields(payload)
    number = _e164(fields["tracking_number"])
    return _capture(
        _live_campaign(account, tracking_number=number),
        f"No active CallRail campaign uses {fields['tracking_number']}.",
        source=LeadSource.TEXT,
        payload=payload,
        external_id=fields["external_id"],
        phone=_e164(fields["phone"]),
        message=fields["message"],
    )


def lead_from_form(account, payload) -> Outcome:
    fields = callrail.form_fields(payload)
    return _capture(
        _live_campaign(account, page_url=normalize_page_url(fields["page_url"])),
        f"No active CallRail campaign has the page {fields['page_url']}.",
        source=LeadSource.FORM,
        payload=payload,
        external_id=fields["external_id"],
        name=fields["name"],
        phone=_e164(fields["phone"]),
        email=fields["email"] if "@" in fields["email"] else "",
        message=fields["message"],
    )
