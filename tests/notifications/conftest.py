import json
from contextlib import contextmanager, suppress

import firebase_admin
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from notifications.transports import push, sms

TWILIO_SID = "AC" + "0" * 32
TWILIO_TOKEN = "twilio-auth-token"
TWILIO_MESSAGES = f"https://api.twilio.com/2010-04-01/Accounts/{TWILIO_SID}/Messages.json"


@pytest.fixture(autouse=True)
def _empty_outboxes():
    sms.outbox.clear()
    push.outbox.clear()


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed(): …` runs what the block queued for after commit, as a real commit would."""

    @contextmanager
    def run():
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            yield callbacks

    return run


@pytest.fixture
def twilio(settings):
    settings.SMS_BACKEND = "notifications.transports.sms.TwilioBackend"
    settings.TWILIO_ACCOUNT_SID = TWILIO_SID
    settings.TWILIO_AUTH_TOKEN = TWILIO_TOKEN
    return TWILIO_MESSAGES


def twilio_message(sid="SM" + "1" * 32, status="queued"):
    return {"sid": sid, "status": status, "account_sid": TWILIO_SID, "body": "x"}


def twilio_error(code, message, status):
    return {
        "code": code,
        "message": message,
        "more_info": "https://www.twilio.com/docs",
        "status": status,
    }


@pytest.fixture
def firebase(settings, tmp_path):
    """A real firebase_admin app built from a throwaway service-account key (nothing is called)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    path = tmp_path / "service-account.json"
    path.write_text(
        json.dumps(
            {
                "type": "service_account",
                "project_id": "campaignhub-test",
                "private_key_id": "key-1",
                "private_key": pem,
                "client_email": "push@campaignhub-test.iam.gserviceaccount.com",
                "client_id": "1",
                "token_uri": "https://oauth2.googleapis.com/token",
            }
        )
    )
    settings.PUSH_BACKEND = "notifications.transports.push.FCMBackend"
    settings.FCM_CREDENTIALS_FILE = str(path)
    yield
    with suppress(ValueError):
        firebase_admin.delete_app(firebase_admin.get_app())
