"""Logins are throttled by account and by address (django-axes); reset emails are limited."""

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client

from tests.factories import PASSWORD, logged_in_client

LIMIT = 3


@pytest.fixture(autouse=True)
def throttled(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = LIMIT
    cache.clear()
    yield
    cache.clear()


def log_in(username, password, address="198.51.100.7"):
    client = Client(REMOTE_ADDR=address)
    return client, client.post("/login/", {"username": username, "password": password})


def test_wrong_passwords_lock_the_account_and_the_right_one_is_then_refused(tenant_a):
    for _ in range(LIMIT - 1):
        _, response = log_in("member@acme.test", "wrong")
        assert response.status_code == 200
    _, locked = log_in("member@acme.test", "wrong")
    assert locked.status_code == 429
    client, response = log_in("member@acme.test", PASSWORD)
    assert response.status_code == 429
    assert "Too many failed logins for this account or from your address" in response.text
    assert 'id="lockout"' in response.text
    assert "_auth_user_id" not in client.session


def test_account_lockout_holds_from_other_addresses_and_other_spellings(tenant_a):
    for number, spelling in enumerate(
        ["member@acme.test", "MEMBER@acme.test", " Member@Acme.test"]
    ):
        log_in(spelling, "wrong", address=f"203.0.113.{number + 1}")
    client, response = log_in("member@acme.test", PASSWORD, address="192.0.2.50")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_one_address_guessing_many_accounts_is_locked_out(tenant_a):
    for number in range(LIMIT):
        log_in(f"nobody{number}@acme.test", "wrong", address="198.51.100.99")
    _, response = log_in("admin@acme.test", PASSWORD, address="198.51.100.99")
    assert response.status_code == 429
    _, elsewhere = log_in("admin@acme.test", PASSWORD, address="198.51.100.100")
    assert elsewhere.status_code == 302


def test_a_locked_account_is_unlocked_by_axes_reset_username(tenant_a):
    for number in range(LIMIT):
        log_in("member@acme.test", "wrong", address=f"203.0.113.{number + 1}")
    call_command("axes_reset_username", "member@acme.test", verbosity=0)
    client, response = log_in("member@acme.test", PASSWORD, address="192.0.2.50")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(tenant_a.member.pk)


def test_a_staff_admin_sees_and_deletes_lockouts_in_the_admin(tenant_a):
    for _ in range(LIMIT):
        log_in("member@acme.test", "wrong")
    staff = tenant_a.admin
    staff.is_staff = staff.is_superuser = True
    staff.save()
    admin_client = logged_in_client(staff)
    attempt = AccessAttempt.objects.get(username="member@acme.test")
    listing = admin_client.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200
    assert "member@acme.test" in listing.text
    admin_client.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})
    assert not AccessAttempt.objects.exists()
    _, response = log_in("member@acme.test", PASSWORD, address="192.0.2.50")
    assert response.status_code == 302


def request_reset(email, address="198.51.100.7"):
    return Client(REMOTE_ADDR=address).post("/password-reset/", {"email": email})


def test_password_reset_emails_to_one_address_are_limited(tenant_a, settings):
    settings.PASSWORD_RESET_LIMIT_PER_EMAIL_PER_HOUR = 2
    answers = [
        request_reset("member@acme.test", address=f"203.0.113.{n}").status_code for n in range(5)
    ]
    assert answers == [302, 302, 429, 429, 429]
    assert len(mail.outbox) == 2


def test_password_reset_requests_from_one_address_are_limited(tenant_a, settings):
    settings.PASSWORD_RESET_LIMIT_PER_ADDRESS_PER_HOUR = 2
    emails = ["admin@acme.test", "member@acme.test", "nobody@acme.test"]
    answers = [request_reset(email).status_code for email in emails]
    assert answers == [302, 302, 429]
    assert len(mail.outbox) == 2
    throttled = request_reset("admin@acme.test")
    assert "Too many password reset requests" in throttled.text


def test_password_reset_answers_the_same_for_an_unknown_email(tenant_a, settings):
    settings.PASSWORD_RESET_LIMIT_PER_EMAIL_PER_HOUR = 1
    known = [request_reset("member@acme.test", address=f"203.0.113.{n}") for n in range(2)]
    unknown = [request_reset("nobody@acme.test", address=f"192.0.2.{n}") for n in range(2)]
    assert [r.status_code for r in known] == [r.status_code for r in unknown] == [302, 429]
    assert known[0]["Location"] == unknown[0]["Location"]
    assert len(mail.outbox) == 1
