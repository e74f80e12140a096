import json
import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from campaignhub import services
from campaignhub.models import Account, ApiToken, Membership, Role, User
from tests.factories import PASSWORD, logged_in_client, make_account, make_member

pytestmark = pytest.mark.django_db

PAGES = ["dashboard", "account_settings", "members", "tokens", "profile", "password_change"]


@pytest.mark.parametrize("name", PAGES)
def test_every_page_requires_login(db, name):
    response = Client().get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


def test_login_page_and_login_with_email(tenant_a):
    client = Client()
    assert client.get("/login/").status_code == 200
    response = client.post("/login/", {"username": "ADMIN@acme.test", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"
    page = client.get("/")
    assert b"Acme Agency" in page.content


def test_wrong_password_shows_an_error(tenant_a):
    response = Client().post("/login/", {"username": "admin@acme.test", "password": "nope"})
    assert response.status_code == 200
    assert b"Please enter a correct email" in response.content


def test_logout(tenant_a):
    response = tenant_a.admin_client.post("/logout/")
    assert response.status_code == 302
    assert tenant_a.admin_client.get("/").status_code == 302


def test_dashboard_shows_account_and_members_and_live_socket(tenant_a):
    content = tenant_a.member_client.get("/").content.decode()
    assert "Acme Agency" in content
    assert "Acme Agency Member" in content
    assert 'ws-connect="/ws/live/"' in content
    assert "django_htmx/htmx-2.min.js" in content
    assert "django_htmx/ext/hx-ws-2.min.js" in content
    assert "X-CSRFToken" in content


def test_the_dashboard_names_the_settings_pages_as_each_role_can_use_them(tenant_a):
    """A member reads the members and the account's details without changing them; only an
    admin is offered to manage them."""
    member_page = tenant_a.member_client.get("/").text
    admin_page = tenant_a.admin_client.get("/").text

    assert '<a href="/settings/members/">See members</a>' in member_page
    assert '<a href="/settings/">Account details</a>' in member_page
    assert "Manage members" not in member_page and "Account settings" not in member_page
    assert '<a href="/settings/members/">Manage members</a>' in admin_page
    assert '<a href="/settings/">Account settings</a>' in admin_page
    assert "See members" not in admin_page
    # What the member's links lead to offers them nothing to change.
    assert "Add member" not in tenant_a.member_client.get("/settings/members/").text
    details = tenant_a.member_client.get("/settings/").text
    assert "Only account admins can change these." in details and ">Save<" not in details


def test_in_debug_a_400_from_htmx_is_not_turned_into_a_whole_page(tenant_a, settings):
    # django-htmx's DEBUG overlay replaces the document with any 400 body, which would wipe
    # the page on every inline form error; the pages load htmx without it.
    settings.DEBUG = True
    content = tenant_a.member_client.get("/").content.decode()
    assert "django_htmx/htmx-2.min.js" in content
    assert "django-htmx.js" not in content


def test_navigation_shows_only_sections_that_exist(tenant_a):
    content = tenant_a.admin_client.get("/").content.decode()
    nav = re.search(r'<nav class="mainnav".*?</nav>', content, re.S).group(0)
    assert ">Dashboard<" in nav and ">Settings<" in nav
    for href in re.findall(r'href="([^"]+)"', nav):
        # A page may settle its own address first (the deal board names its pipeline).
        assert tenant_a.admin_client.get(href, follow=True).status_code == 200


def test_user_without_account_sees_explanation(db):
    user = User.objects.create_user("new@example.test", PASSWORD)
    response = logged_in_client(user).get("/")
    assert response.status_code == 403
    assert b"You are not a member of any account" in response.content


def test_someone_without_an_account_but_invited_is_pointed_to_the_invitation_once(tenant_a):
    user = User.objects.create_user("new@example.test", PASSWORD)
    tenant_a.admin_client.post("/settings/members/add/", {"email": user.email, "role": "member"})
    page = logged_in_client(user).get("/").content.decode()
    assert "Accept an invitation to start working" in page
    assert "Ask an admin of your agency" not in page
    assert page.count('href="/invitations/"') == 1


def test_password_reset_sends_a_working_link(tenant_a):
    client = Client()
    response = client.post("/password-reset/", {"email": "member@acme.test"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/password-reset/\S+/)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert b"Choose a new password" in form_page.content
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a-new-long-password", "new_password2": "a-new-long-password"},
    )
    assert done.status_code == 302
    assert Client().login(username="member@acme.test", password="a-new-long-password")


class TestMembers:
    def test_admin_adds_a_new_person_who_gets_an_invitation(self, tenant_a):
        response = tenant_a.admin_client.post(
            "/settings/members/add/", {"email": "New@Acme.test", "name": "Nia", "role": "member"}
        )
        assert response.status_code == 302
        membership = Membership.objects.get(user__email="new@acme.test")
        assert membership.account == tenant_a.account and membership.role == "member"
        assert mail.outbox[0].to == ["new@acme.test"]
        assert "Acme Agency" in mail.outbox[0].subject
        link = re.search(r"http://testserver(/password-reset/\S+/)", mail.outbox[0].body).group(1)
        assert b"Choose your password" in Client().get(link, follow=True).content

    def test_existing_user_from_another_account_gets_an_invitation_to_accept(
        self, tenant_a, tenant_b
    ):
        tenant_a.admin_client.post(
            "/settings/members/add/", {"email": "admin@bolt.test", "role": "admin"}
        )
        assert not Membership.objects.filter(user=tenant_b.admin, account=tenant_a.account)
        assert [message.to for message in mail.outbox] == [["admin@bolt.test"]]

    def test_adding_an_existing_member_is_a_form_error(self, tenant_a):
        response = tenant_a.admin_client.post(
            "/settings/members/add/", {"email": "member@acme.test", "role": "admin"}
        )
        assert response.status_code == 400
        assert b"already a member" in response.content
        assert Membership.objects.get(user=tenant_a.member).role == "member"

    def test_invalid_email_is_a_form_error(self, tenant_a):
        response = tenant_a.admin_client.post(
            "/settings/members/add/", {"email": "not-an-email", "role": "member"}
        )
        assert response.status_code == 400
        assert b"Enter a valid email address." in response.content

    def test_members_cannot_manage_members(self, tenant_a):
        admin_page = tenant_a.admin_client.get("/settings/members/").content.decode()
        assert "Add a member" in admin_page and "Remove" in admin_page
        client = tenant_a.member_client
        page = client.get("/settings/members/").content.decode()
        assert "Add a member" not in page and "Remove" not in page
        assert "admin@acme.test" in page
        admin_membership = Membership.objects.get(user=tenant_a.admin)
        assert client.post("/settings/members/add/", {"email": "x@y.test"}).status_code == 403
        assert (
            client.post(f"/settings/members/{admin_membership.pk}/role/", {"role": "member"})
        ).status_code == 403
        assert client.post(f"/settings/members/{admin_membership.pk}/remove/").status_code == 403
        assert Membership.objects.get(pk=admin_membership.pk).role == "admin"

    def test_a_role_changes_by_its_button_not_as_the_select_changes(self, tenant_a):
        """Arrow keys on a select that sent on change would change the role at once."""
        membership = Membership.objects.get(user=tenant_a.member)
        page = tenant_a.admin_client.get("/settings/members/").content.decode()
        row = re.search(rf'<tr id="member-{membership.pk}">.*?</tr>', page, re.S).group(0)
        assert 'hx-trigger="change"' not in row and "onchange" not in row
        assert f'id="member-{membership.pk}-role"' in row
        assert f'data-refocus="#member-{membership.pk}-role"' in row
        assert '<button class="small" aria-label="Save role of member@acme.test">Save role' in row

    def test_a_refused_role_change_is_tied_to_the_select(self, tenant_a):
        membership = Membership.objects.get(user=tenant_a.admin)
        response = tenant_a.admin_client.post(
            f"/settings/members/{membership.pk}/role/", {"role": "member"}, HTTP_HX_REQUEST="true"
        )
        content = response.content.decode()
        error_id = f"member-{membership.pk}-role-error"
        assert f'aria-invalid="true" aria-describedby="{error_id}"' in content
        assert f'id="{error_id}">An account needs at least one admin.' in content

    def test_role_change_with_htmx_returns_the_row(self, tenant_a):
        membership = Membership.objects.get(user=tenant_a.member)
        response = tenant_a.admin_client.post(
            f"/settings/members/{membership.pk}/role/", {"role": "admin"}, HTTP_HX_REQUEST="true"
        )
        assert response.status_code == 200
        content = response.content.decode()
        assert content.strip().startswith(f'<tr id="member-{membership.pk}">')
        assert '<option value="admin" selected>' in content
        membership.refresh_from_db()
        assert membership.role == "admin"

    def test_a_role_change_with_htmx_says_so_among_the_page_messages(self, tenant_a):
        membership = Membership.objects.get(user=tenant_a.member)
        response = tenant_a.admin_client.post(
            f"/settings/members/{membership.pk}/role/", {"role": "admin"}, HTTP_HX_REQUEST="true"
        )
        assert response.status_code == 200
        assert json.loads(response.headers["HX-Trigger-After-Swap"]) == {
            "notice": {"level": "success", "text": "Acme Agency Member is now an admin."}
        }

    def test_a_role_change_without_htmx_says_so_on_the_next_page(self, tenant_a):
        membership = Membership.objects.get(user=tenant_a.member)
        tenant_a.member.name = ""
        tenant_a.member.save()
        tenant_a.admin_client.post(f"/settings/members/{membership.pk}/role/", {"role": "admin"})
        response = tenant_a.admin_client.post(
            f"/settings/members/{membership.pk}/role/", {"role": "member"}, follow=True
        )
        assert "member@acme.test is now a member." in response.content.decode()

    def test_a_refused_demotion_tells_no_success(self, tenant_a):
        membership = Membership.objects.get(user=tenant_a.admin)
        response = tenant_a.admin_client.post(
            f"/settings/members/{membership.pk}/role/", {"role": "member"}, HTTP_HX_REQUEST="true"
        )
        assert response.status_code == 400
        assert "HX-Trigger-After-Swap" not in response.headers
        assert "is now" not in response.content.decode()

    def test_last_admin_cannot_be_demoted_or_removed(self, tenant_a):
        membership = Membership.objects.get(user=tenant_a.admin)
        response = tenant_a.admin_client.post(
            f"/settings/members/{membership.pk}/role/", {"role": "member"}, HTTP_HX_REQUEST="true"
        )
        assert response.status_code == 400
        assert b"An account needs at least one admin." in response.content
        tenant_a.admin_client.post(f"/settings/members/{membership.pk}/remove/")
        assert Membership.objects.get(pk=membership.pk).role == "admin"

    def test_the_last_admins_confirmation_says_why_and_offers_no_removal(self, tenant_a):
        membership = Membership.objects.get(user=tenant_a.admin)
        response = tenant_a.admin_client.get(f"/settings/members/{membership.pk}/remove/")
        assert response.status_code == 200
        content = response.content.decode()
        assert "cannot be removed from Acme Agency" in content
        assert "An account needs at least one admin." in content
        assert 'method="post"' not in content.split('id="member-remove"')[1]
        assert "lose access" not in content
        assert "member-remove-consequences" not in content

    def test_the_confirmation_and_the_removal_ask_the_same_rule(self, tenant_a, monkeypatch):
        # Whatever `check_removal` refuses, the page refuses up front and the removal refuses.
        from django.core.exceptions import ValidationError

        def refuse(**kwargs):
            raise ValidationError("Not today.")

        monkeypatch.setattr(services, "check_removal", refuse)
        membership = Membership.objects.get(user=tenant_a.member)
        page = tenant_a.admin_client.get(f"/settings/members/{membership.pk}/remove/")
        assert "Not today." in page.content.decode()
        assert "Remove Acme Agency Member</button>" not in page.content.decode()
        response = tenant_a.admin_client.post(
            f"/settings/members/{membership.pk}/remove/", follow=True
        )
        assert "Not today." in response.content.decode()
        assert Membership.objects.filter(pk=membership.pk).exists()

    def test_a_removable_members_confirmation_offers_the_removal(self, tenant_a):
        membership = Membership.objects.get(user=tenant_a.member)
        content = tenant_a.admin_client.get(
            f"/settings/members/{membership.pk}/remove/"
        ).content.decode()
        assert "Remove Acme Agency Member (member@acme.test) from Acme Agency?" in content
        assert "Remove Acme Agency Member</button>" in content
        assert "cannot be removed" not in content

    def test_a_member_without_a_name_is_named_by_their_email_once(self, tenant_a):
        nameless = make_member(tenant_a.account, "victim2@acme.test", Role.MEMBER)
        membership = Membership.objects.get(user=nameless)
        content = tenant_a.admin_client.get(
            f"/settings/members/{membership.pk}/remove/"
        ).content.decode()
        assert "<h2>Remove victim2@acme.test from Acme Agency?</h2>" in content
        tenant_a.admin.name = ""
        tenant_a.admin.save()
        mine = Membership.objects.get(user=tenant_a.admin)
        content = tenant_a.admin_client.get(f"/settings/members/{mine.pk}/remove/").content.decode()
        assert "<h2>admin@acme.test cannot be removed from Acme Agency</h2>" in content

    def test_invalid_role_changes_nothing(self, tenant_a):
        membership = Membership.objects.get(user=tenant_a.member)
        response = tenant_a.admin_client.post(
            f"/settings/members/{membership.pk}/role/", {"role": "owner"}, HTTP_HX_REQUEST="true"
        )
        assert response.status_code == 400
        membership.refresh_from_db()
        assert membership.role == "member"

    def test_removing_a_member_revokes_their_tokens(self, tenant_a):
        issued = services.issue_token(account=tenant_a.account, user=tenant_a.member, name="m")
        membership = Membership.objects.get(user=tenant_a.member)
        response = tenant_a.admin_client.post(f"/settings/members/{membership.pk}/remove/")
        assert response.status_code == 302
        assert not Membership.objects.filter(pk=membership.pk).exists()
        issued.token.refresh_from_db()
        assert issued.token.revoked_at is not None


class TestTokens:
    def test_created_token_is_shown_once(self, tenant_a):
        client = tenant_a.member_client
        response = client.post("/settings/tokens/", {"name": "Zapier"})
        content = response.content.decode()
        raw = re.search(r'<code id="new-token-value">(chub_[\w-]+)</code>', content).group(1)
        token = ApiToken.objects.get(name="Zapier")
        assert token.user == tenant_a.member and token.account == tenant_a.account
        assert raw not in client.get("/settings/tokens/").content.decode()
        assert Client().get("/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200

    def test_token_needs_a_name(self, tenant_a):
        response = tenant_a.member_client.post("/settings/tokens/", {"name": ""})
        assert response.status_code == 400
        assert b"This field is required." in response.content
        assert not ApiToken.objects.filter(user=tenant_a.member).exists()

    def test_revoke_with_htmx_returns_the_revoked_row(self, tenant_a):
        token = tenant_a.token.token
        response = tenant_a.admin_client.post(
            f"/settings/tokens/{token.pk}/revoke/", HTTP_HX_REQUEST="true"
        )
        assert response.status_code == 200
        assert b"revoked" in response.content
        token.refresh_from_db()
        assert token.revoked_at is not None

    def test_members_see_and_revoke_only_their_own_tokens(self, tenant_a):
        assert "acme token" in tenant_a.admin_client.get("/settings/tokens/").content.decode()
        page = tenant_a.member_client.get("/settings/tokens/").content.decode()
        assert "acme token" not in page
        assert "No API tokens yet." in page
        response = tenant_a.member_client.post(
            f"/settings/tokens/{tenant_a.token.token.pk}/revoke/"
        )
        assert response.status_code == 404
        tenant_a.token.token.refresh_from_db()
        assert tenant_a.token.token.revoked_at is None

    def test_admins_see_every_token_of_the_account(self, tenant_a):
        services.issue_token(account=tenant_a.account, user=tenant_a.member, name="member's")
        page = tenant_a.admin_client.get("/settings/tokens/").content.decode()
        assert "member&#x27;s" in page and "acme token" in page


class TestProfileAndAccount:
    def test_phone_is_stored_in_e164(self, tenant_a):
        response = tenant_a.member_client.post(
            "/settings/profile/", {"name": "Mo", "phone": "(415) 555-0134"}
        )
        assert response.status_code == 302
        tenant_a.member.refresh_from_db()
        assert tenant_a.member.phone == "+14155550134"

    def test_invalid_phone_is_a_form_error(self, tenant_a):
        response = tenant_a.member_client.post("/settings/profile/", {"name": "Mo", "phone": "12"})
        assert response.status_code == 400
        assert b"Enter a valid phone number" in response.content
        tenant_a.member.refresh_from_db()
        assert tenant_a.member.phone == ""

    def test_admin_changes_account_settings(self, tenant_a):
        response = tenant_a.admin_client.post(
            "/settings/",
            {
                "name": "Acme Group",
                "timezone": "America/Chicago",
                "currency": "CAD",
                "country": "ca",
            },
        )
        assert response.status_code == 302
        account = Account.objects.get(pk=tenant_a.account.pk)
        assert (account.name, account.timezone, account.currency, account.country) == (
            "Acme Group",
            "America/Chicago",
            "CAD",
            "CA",
        )

    def test_unknown_country_is_a_form_error(self, tenant_a):
        response = tenant_a.admin_client.post(
            "/settings/",
            {"name": "Acme", "timezone": "UTC", "currency": "USD", "country": "XX"},
        )
        assert response.status_code == 400
        assert "two-letter country code" in response.content.decode()
        assert Account.objects.get(pk=tenant_a.account.pk).country == "US"

    def test_unknown_timezone_is_a_form_error(self, tenant_a):
        response = tenant_a.admin_client.post(
            "/settings/",
            {"name": "Acme", "timezone": "Mars/Base", "currency": "USD", "country": "US"},
        )
        assert response.status_code == 400
        assert Account.objects.get(pk=tenant_a.account.pk).timezone == "UTC"

    @pytest.mark.parametrize("zone", ["localtime", "posixrules", "Factory", "right/UTC"])
    def test_a_host_zone_file_that_is_no_time_zone_is_a_form_error(self, tenant_a, zone):
        response = tenant_a.admin_client.post(
            "/settings/",
            {"name": "Acme", "timezone": zone, "currency": "USD", "country": "US"},
        )
        assert response.status_code == 400
        assert "Choose a time zone such as America/New_York or UTC." in response.content.decode()
        assert Account.objects.get(pk=tenant_a.account.pk).timezone == "UTC"

    @pytest.mark.parametrize("zone", ["localtime", "Mars/Base"])
    def test_the_django_admin_checks_the_time_zone_too(self, tenant_a, zone, rf):
        from django.contrib import admin

        request = rf.get("/admin/")
        request.user = User.objects.create_superuser(email="ops@hub.test", password="x")
        account = tenant_a.account
        form_class = admin.site._registry[Account].get_form(request, account)
        data = {"name": account.name, "timezone": zone, "currency": "USD", "country": "US"}
        form = form_class(data=data, instance=account)
        assert not form.is_valid()
        assert form.errors["timezone"] == ["Choose a time zone such as America/New_York or UTC."]
        assert form_class(data={**data, "timezone": "Europe/Berlin"}, instance=account).is_valid()

    def test_member_cannot_change_account_settings(self, tenant_a):
        tenant_a.member_client.post(
            "/settings/", {"name": "Hijacked", "timezone": "UTC", "currency": "USD"}
        )
        assert Account.objects.get(pk=tenant_a.account.pk).name == "Acme Agency"


def test_user_in_two_accounts_switches_between_them(tenant_a):
    other = make_account("Second Shop", "boss@second.test")
    services.add_member(account=other, email="member@acme.test", role=Role.ADMIN)
    client = tenant_a.member_client
    assert b'<option value="%d"' % other.pk in client.get("/").content
    client.post("/account/switch/", {"account": other.pk})
    assert client.get("/v1/me").json()["data"]["account"]["name"] == "Second Shop"
    assert client.get("/v1/me").json()["data"]["role"] == "admin"


@pytest.mark.parametrize("value", ["abc", "", "999999"])
def test_switching_to_an_account_you_are_not_in_changes_nothing(tenant_a, value):
    client = tenant_a.member_client
    response = client.post("/account/switch/", {"account": value})
    assert response.status_code == 302
    assert client.get("/v1/me").json()["data"]["account"]["name"] == "Acme Agency"


def test_a_refused_profile_save_does_not_show_its_name_as_the_persons(tenant_a):
    response = tenant_a.member_client.post(
        "/settings/profile/", {"name": "Totally New Name", "phone": "555-01"}
    )
    assert response.status_code == 400
    header = response.content.decode().split("</header>", 1)[0]
    assert "Totally" not in header


def test_the_profile_shows_the_phone_as_pages_do_and_saves_it_back_unchanged(tenant_a):
    """The profile's Phone showed "+14155550199" where pages show "(415) 555-0199"."""
    user = tenant_a.member
    type(user).objects.filter(pk=user.pk).update(phone="+14155550199")
    html = tenant_a.member_client.get("/settings/profile/").content.decode()
    shown = re.search(r'<input[^>]*name="phone"[^>]*value="([^"]*)"', html).group(1)
    assert shown == "(415) 555-0199"
    drawn = {"name": user.name, "phone": shown}
    assert tenant_a.member_client.post("/settings/profile/", drawn).status_code == 302
    user.refresh_from_db()
    assert user.phone == "+14155550199"


def test_an_amount_in_scientific_notation_is_refused():
    from campaignhub.fields import INVALID_AMOUNT, MoneyField

    field = MoneyField(max_digits=12, decimal_places=2, required=False)
    for typed in ("1e3", "1E3", "2.5e-1"):
        with pytest.raises(Exception, match=INVALID_AMOUNT.split(",")[0]):
            field.clean(typed)
    assert str(field.clean("1,500.00")) == "1500.00"


def test_an_amount_of_spaces_alone_is_empty_in_every_amount_field():
    """A money field (deal value, lead revenue, a campaign's deal value) and every other amount
    (`DecimalTextField`: an Invoca revenue, the dialer's aggression) read "   " as "", so an
    optional one is cleared and a required one says "This field is required."."""
    from django import forms

    from campaignhub.fields import DecimalTextField, MoneyField

    for field_class in (MoneyField, DecimalTextField):
        optional = field_class(max_digits=12, decimal_places=2, required=False)
        required = field_class(max_digits=12, decimal_places=2)
        for typed in ("   ", "\t", " \n "):
            assert optional.clean(typed) is None
            with pytest.raises(forms.ValidationError, match="This field is required"):
                required.clean(typed)
