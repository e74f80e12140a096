import json
from pathlib import Path

import pytest
import responses
from django.core.cache import cache
from django.test import Client

from callrail.client import signature
from callrail.models import CallRailKey, CallRailSettings
from tests.campaigns.factories import make_campaign

API = "https://api.callrail.com/v3"
ACC = "ACC8154748ae6bd4e278a7cddd38a662f4f"
COM = "COM8154748ae6bd4e278a7cddd38a662f4f"
KEY = "callrail-test-key-1234"
FIXTURES = Path(__file__).parent / "fixtures"


def fixture(name):
    return json.loads((FIXTURES / f"{name}.json").read_text())


def connect(tenant, *, company=True, api_key=KEY):
    CallRailKey.objects.create(account=tenant.account, secret=api_key, last4=api_key[-4:])
    settings, _ = CallRailSettings.objects.get_or_create(account=tenant.account)
    settings.callrail_account_id = ACC
    settings.callrail_account_name = "Acme CallRail"
    if company:
        settings.company_id = COM
        settings.company_name = "Demo Roofing"
    settings.save()
    return settings


@pytest.fixture(autouse=True)
def _forget_tracker_listings():
    """The number picker keeps the company's tracker listing in the cache; no test inherits one."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def upstream():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def tracker_record(**overrides):
    record = {
        "id": "TRK8154748ae6bd4e278a7cddd38a662f4f",
        "name": "Google Ads",
        "type": "source",
        "status": "active",
        "destination_number": "+14155550100",
        "tracking_numbers": ["+14155550134"],
        "whisper_message": None,
        "sms_enabled": True,
        "sms_supported": True,
        "company": {"id": COM, "name": "Demo Roofing"},
        "call_flow": {
            "type": "basic",
            "destination_number": "+14155550100",
            "recording_enabled": True,
        },
        "source": {"type": "google_ad_extension"},
        "swap_targets": [],
        "campaign_name": None,
        "created_at": "2026-11-01T10:00:00.000-05:00",
        "disabled_at": None,
    }
    record.update(overrides)
    return record


def page(key, items, *, page=1, per_page=10, total_pages=1, total_records=None):
    return {
        "page": page,
        "per_page": per_page,
        "total_pages": total_pages,
        "total_records": len(items) if total_records is None else total_records,
        key: items,
    }


@pytest.fixture
def receiver(tenant_a):
    settings = connect(tenant_a)
    return settings


@pytest.fixture
def campaign(tenant_a):
    return make_campaign(
        tenant_a,
        campaign_name="Roof calls",
        integration="callrail",
        tracking_number="+14155550134",
        page_url="https://example.com/roofing",
        selected_user=[{"id": tenant_a.member.pk}],
    )


def post(settings, payload, *, sign_with=None, signature_header=None):
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    headers = {}
    if sign_with:
        headers["HTTP_SIGNATURE"] = signature(sign_with, body)
    if signature_header is not None:
        headers["HTTP_SIGNATURE"] = signature_header
    return Client().post(
        f"/webhooks/callrail/{settings.webhook_token}/",
        body,
        content_type="application/json",
        **headers,
    )
