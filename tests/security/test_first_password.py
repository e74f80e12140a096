"""Someone added by an admin chooses their password from an emailed link; when that link is
lost or expired, the password reset page and the admins' "Send the link again" send another."""

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client

from campaignhub.models import Membership, User
from tests.factories import logged_in_client

pytestmark = pytest.mark.django_db

LINK = re.compile(r"http://[^/\s]+(/password-reset/[^/\s]+/[^/\s]+/)")


@pytest.fixture(autouse=True)
def fresh_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def newcomer(tenant_a):
    """Nia, added by Acme's admin, whose "choose your password" email is gone."""
    tenant_a.admin_client.post(
        "/settings/members/add/", {"email": "nia@acme.test", "role": "member"}
    )
    mail.outbox.clear()
    return Membership.objects.get(account=tenant_a.account, user__email="nia@acme.test")


def request_reset(email, address="198.51.100.7"):
    return Client(REMOTE_ADDR=address).post("/password-reset/", {"email": email})


def _choose_password(message, password="a-fresh-long-password"):
    client = Client()
    path = LINK.search(message.body).group(1)
    form = client.get(path, follow=True)
    assert form.status_code == 200
    # Someone who never had a password chooses theirs, not "a new" one.
    assert "<h1>Choose your password</h1>" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": password, "new_password2": password},
    )
    assert done.status_code == 302
    return client


def test_password_reset_sends_a_newcomer_the_link_to_choose_their_password(newcomer):
    response = request_reset("Nia@Acme.test")

    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == ["nia@acme.test"]
    assert message.subject == "You have been added to Acme Agency on CampaignHub"
    assert "Choose your password to log in:" in message.body
    _choose_password(message)
    assert Client().login(username="nia@acme.test", password="a-fresh-long-password")


def test_password_reset_for_a_newcomer_is_limited_and_answers_like_anyone(newcomer, settings):
    settings.PASSWORD_RESET_LIMIT_PER_EMAIL_PER_HOUR = 1
    newcomer_answers = [request_reset("nia@acme.test", address=f"203.0.113.{n}") for n in range(2)]
    unknown_answers = [request_reset("nobody@acme.test", address=f"192.0.2.{n}") for n in range(2)]

    assert [r.status_code for r in newcomer_answers] == [302, 429]
    assert [r.status_code for r in unknown_answers] == [302, 429]
    assert newcomer_answers[0]["Location"] == unknown_answers[0]["Location"]
    assert len(mail.outbox) == 1


def test_a_deactivated_person_without_a_password_gets_nothing(newcomer):
    User.objects.filter(pk=newcomer.user_id).update(is_active=False)
    assert request_reset("nia@acme.test").status_code == 302
    assert mail.outbox == []


def test_people_with_a_password_still_get_the_reset_email(tenant_a):
    request_reset("member@acme.test")
    [message] = mail.outbox
    assert "Someone asked to reset the CampaignHub password" in message.body


def test_admins_see_who_has_not_chosen_a_password_and_send_the_link_again(tenant_a, newcomer):
    page = tenant_a.admin_client.get("/settings/members/").content.decode()
    resend = f"/settings/members/{newcomer.pk}/password-link/"
    assert page.count("/password-link/") == 1 and resend in page
    assert "has not chosen a password yet" in page

    response = tenant_a.admin_client.post(resend, follow=True)

    assert "The link to choose a password was sent again to nia@acme.test." in response.text
    [message] = mail.outbox
    assert message.to == ["nia@acme.test"]
    client = _choose_password(message)
    assert client.get("/login/").status_code == 200
    page = tenant_a.admin_client.get("/settings/members/").content.decode()
    assert "/password-link/" not in page and "has not chosen a password yet" not in page


def test_the_link_is_not_sent_to_someone_who_has_a_password(tenant_a):
    member = Membership.objects.get(account=tenant_a.account, user=tenant_a.member)

    response = tenant_a.admin_client.post(
        f"/settings/members/{member.pk}/password-link/", follow=True
    )

    assert "Acme Agency Member has already chosen a password" in response.text
    assert mail.outbox == []


def test_sending_the_link_again_shares_the_reset_limit(tenant_a, newcomer, settings):
    settings.PASSWORD_RESET_LIMIT_PER_EMAIL_PER_HOUR = 2
    resend = f"/settings/members/{newcomer.pk}/password-link/"
    request_reset("nia@acme.test")
    tenant_a.admin_client.post(resend)

    response = tenant_a.admin_client.post(resend, follow=True)

    assert "Too many password emails to nia@acme.test this hour." in response.text
    assert len(mail.outbox) == 2
    assert request_reset("nia@acme.test", address="203.0.113.9").status_code == 429


def test_members_cannot_send_the_link(tenant_a, newcomer):
    response = logged_in_client(tenant_a.member).post(
        f"/settings/members/{newcomer.pk}/password-link/"
    )
    assert response.status_code == 403
    assert mail.outbox == []
