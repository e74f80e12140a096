"""Production refuses to run without its secrets: `check --deploy` fails and lists each one."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from campaignhub.checks import check_production_services
from notifications.checks import check_webhook_secrets

ROOT = Path(__file__).resolve().parents[2]
TWILIO = "notifications.transports.sms.TwilioBackend"


def ids(errors):
    return [error.id for error in errors]


@pytest.fixture
def production(settings):
    settings.DATABASE_URL = "postgres://hub@db.internal/hub"
    settings.REDIS_URL = "redis://cache.internal:6379/0"
    settings.ANYMAIL = {"WEBHOOK_SECRET": "hook:secret"}
    settings.SMS_BACKEND = TWILIO
    settings.TWILIO_ACCOUNT_SID = "AC" + "0" * 32
    settings.TWILIO_AUTH_TOKEN = "twilio-auth-token"
    return settings


def test_a_complete_production_configuration_passes(production):
    assert check_production_services() == []
    assert check_webhook_secrets() == []


def test_missing_database_url_is_an_error(production):
    production.DATABASE_URL = ""
    assert ids(check_production_services()) == ["campaignhub.E001"]


def test_missing_redis_url_is_an_error(production):
    production.REDIS_URL = ""
    assert ids(check_production_services()) == ["campaignhub.E002"]


def test_missing_email_webhook_secret_is_an_error(production):
    production.ANYMAIL = {"POSTMARK_SERVER_TOKEN": "pm-token"}
    assert ids(check_webhook_secrets()) == ["notifications.E001"]


@pytest.mark.parametrize(
    ("backend", "account_sid"),
    [(TWILIO, ""), ("notifications.transports.sms.ConsoleBackend", "AC" + "0" * 32)],
    ids=["twilio-backend", "twilio-account"],
)
def test_missing_twilio_auth_token_is_an_error_when_sms_uses_twilio(
    production, backend, account_sid
):
    production.SMS_BACKEND = backend
    production.TWILIO_ACCOUNT_SID = account_sid
    production.TWILIO_AUTH_TOKEN = ""
    assert ids(check_webhook_secrets()) == ["notifications.E002"]


def test_no_twilio_auth_token_is_needed_without_twilio(production):
    production.SMS_BACKEND = "notifications.transports.sms.ConsoleBackend"
    production.TWILIO_ACCOUNT_SID = production.TWILIO_AUTH_TOKEN = ""
    assert check_webhook_secrets() == []


def test_check_deploy_with_debug_off_fails_listing_each_missing_secret():
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "TWILIO_AUTH_TOKEN"}
        and not key.startswith("ANYMAIL_")
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "campaignhub.settings",
            "DEBUG": "false",
            "SECRET_KEY": "x" * 20 + "-a-long-random-production-secret-key-value-1234567890",
            "ALLOWED_HOSTS": "hub.example.com",
            "FIELD_ENCRYPTION_KEY": "kYp5b2l2ZWVpbWFnaW5lYXBhc3N3b3JkZm9yeW91MTI=",
            "SMS_BACKEND": TWILIO,
            "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
        }
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    for error_id, setting in [
        ("campaignhub.E001", "DATABASE_URL"),
        ("campaignhub.E002", "REDIS_URL"),
        ("notifications.E001", "ANYMAIL_WEBHOOK_SECRET"),
        ("notifications.E002", "TWILIO_AUTH_TOKEN"),
    ]:
        assert f"({error_id}) {setting} is not set" in result.stderr
