"""A member's removal happens once: of removals sent at once, or a confirmation sent again
after it, one removes and the others say the person is no longer a member, never "removed";
the confirmation drawn again after it (Back, reload) says the same."""

import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.contrib.messages import get_messages
from django.db import connections
from django.test import Client

from campaignhub import services, views
from campaignhub.models import Membership
from tests.factories import bearer, logged_in_client, make_member

GONE = "member@acme.test is no longer a member of Acme Agency."


def _messages(response):
    return [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]


def _confirmation(client, membership_pk):
    """The confirmation page's form fields, as the browser sends them."""
    content = client.get(f"/settings/members/{membership_pk}/remove/").content.decode()
    return {"removing": re.search(r'name="removing" value="([^"]+)"', content).group(1)}


@pytest.mark.django_db
class TestSentAgain:
    def test_the_confirmation_sent_again_says_they_are_no_longer_a_member(self, tenant_a):
        client = tenant_a.admin_client
        membership = Membership.objects.get(user=tenant_a.member)
        form = _confirmation(client, membership.pk)
        first = client.post(f"/settings/members/{membership.pk}/remove/", form, follow=True)
        assert "Acme Agency Member removed from Acme Agency." in first.content.decode()

        again = client.post(f"/settings/members/{membership.pk}/remove/", form)
        assert again.status_code == 302 and again["Location"] == "/settings/members/"
        assert _messages(again) == [("info", GONE)]

    def test_the_confirmation_drawn_again_after_the_removal_says_so(self, tenant_a):
        # Back or reload of the confirmation, once its form was sent: a GET, with no form.
        client = tenant_a.admin_client
        membership = Membership.objects.get(user=tenant_a.member)
        url = f"/settings/members/{membership.pk}/remove/"
        done = client.post(url, _confirmation(client, membership.pk), follow=True)
        assert "Acme Agency Member removed from Acme Agency." in done.content.decode()
        again = client.get(url)
        assert again.status_code == 302 and again["Location"] == "/settings/members/"
        assert _messages(again) == [("info", GONE)]

    def test_a_confirmation_open_while_another_admin_removed_them_says_so_on_reload(self, tenant_a):
        membership = Membership.objects.get(user=tenant_a.member)
        url = f"/settings/members/{membership.pk}/remove/"
        _confirmation(tenant_a.admin_client, membership.pk)
        services.remove_member(membership=membership, removed_by=tenant_a.admin)
        reload = tenant_a.admin_client.get(url)
        assert reload.status_code == 302
        assert _messages(reload) == [("info", GONE)]

    def test_the_session_keeps_only_the_latest_receipts(self, tenant_a, monkeypatch):
        monkeypatch.setattr(views, "KEPT_RECEIPTS", 1)
        client = tenant_a.admin_client
        other = make_member(tenant_a.account, "other@acme.test")
        first = Membership.objects.get(user=tenant_a.member)
        url = f"/settings/members/{first.pk}/remove/"
        _confirmation(client, first.pk)
        _confirmation(client, Membership.objects.get(user=other).pk)
        services.remove_member(membership=first, removed_by=tenant_a.admin)
        assert client.get(url).status_code == 404

    def test_a_receipt_of_another_account_in_the_session_names_no_one_here(
        self, tenant_a, tenant_b
    ):
        theirs = Membership.objects.get(user=tenant_b.member)
        theirs_pk = theirs.pk
        receipt = _confirmation(tenant_b.admin_client, theirs_pk)["removing"]
        services.remove_member(membership=theirs, removed_by=tenant_b.admin)
        client = tenant_a.admin_client
        session = client.session
        session[views.SESSION_RECEIPTS] = {str(theirs_pk): receipt}
        session.save()
        assert client.get(f"/settings/members/{theirs_pk}/remove/").status_code == 404

    def test_an_altered_receipt_in_the_session_is_a_404(self, tenant_a):
        client = tenant_a.admin_client
        membership = Membership.objects.get(user=tenant_a.member)
        membership_pk = membership.pk
        receipt = _confirmation(client, membership_pk)["removing"]
        services.remove_member(membership=membership, removed_by=tenant_a.admin)
        session = client.session
        session[views.SESSION_RECEIPTS] = {str(membership_pk): receipt[:-2] + "xx"}
        session.save()
        assert client.get(f"/settings/members/{membership_pk}/remove/").status_code == 404

    def test_a_removal_that_finds_them_gone_removes_nothing_and_claims_nothing(
        self, tenant_a, monkeypatch
    ):
        # Another request removes them between this one's look-up and its removal.
        membership = Membership.objects.get(user=tenant_a.member)
        remove = services.remove_member

        def beaten(*, membership, removed_by):
            remove(membership=Membership.objects.get(pk=membership.pk), removed_by=removed_by)
            return remove(membership=membership, removed_by=removed_by)

        monkeypatch.setattr(services, "remove_member", beaten)
        response = tenant_a.admin_client.post(f"/settings/members/{membership.pk}/remove/")
        assert response.status_code == 302
        assert _messages(response) == [("info", GONE)]

    def test_removing_a_stale_membership_raises_and_changes_nothing(self, tenant_a):
        stale = Membership.objects.select_related("account", "user").get(user=tenant_a.member)
        services.remove_member(
            membership=Membership.objects.get(pk=stale.pk), removed_by=tenant_a.admin
        )
        issued = services.issue_token(account=tenant_a.account, user=tenant_a.admin, name="x")
        with pytest.raises(services.NoLongerAMember, match=re.escape(GONE)):
            services.remove_member(membership=stale, removed_by=tenant_a.admin)
        issued.token.refresh_from_db()
        assert issued.token.revoked_at is None

    def test_without_its_receipt_a_gone_id_is_still_a_404(self, tenant_a):
        membership = Membership.objects.get(user=tenant_a.member)
        form = _confirmation(tenant_a.admin_client, membership.pk)
        tenant_a.admin_client.post(f"/settings/members/{membership.pk}/remove/", form)
        url = f"/settings/members/{membership.pk}/remove/"
        assert tenant_a.admin_client.post(url).status_code == 404
        assert tenant_a.admin_client.post(url, {"removing": "forged"}).status_code == 404
        # A session never shown the confirmation has no receipt for it.
        assert logged_in_client(tenant_a.admin).get(url).status_code == 404

    def test_an_unknown_id_is_a_404_whatever_receipt_it_carries(self, tenant_a):
        membership = Membership.objects.get(user=tenant_a.member)
        form = _confirmation(tenant_a.admin_client, membership.pk)
        response = tenant_a.admin_client.post(
            f"/settings/members/{membership.pk + 1000}/remove/", form
        )
        assert response.status_code == 404

    def test_another_accounts_member_is_a_404_with_this_accounts_receipt(self, tenant_a, tenant_b):
        ours = Membership.objects.get(user=tenant_a.member)
        form = _confirmation(tenant_a.admin_client, ours.pk)
        theirs = Membership.objects.get(user=tenant_b.member)
        url = f"/settings/members/{theirs.pk}/remove/"
        assert tenant_a.admin_client.post(url, form).status_code == 404
        services.remove_member(membership=theirs, removed_by=tenant_b.admin)
        assert tenant_a.admin_client.post(url, form).status_code == 404

    def test_another_accounts_receipt_names_no_one_here(self, tenant_a, tenant_b):
        theirs = Membership.objects.get(user=tenant_b.member)
        form = _confirmation(tenant_b.admin_client, theirs.pk)
        services.remove_member(membership=theirs, removed_by=tenant_b.admin)
        url = f"/settings/members/{theirs.pk}/remove/"
        assert tenant_a.admin_client.post(url, form).status_code == 404

    def test_the_api_answers_a_removal_that_finds_them_gone_with_a_404(self, tenant_a, monkeypatch):
        membership = Membership.objects.get(user=tenant_a.member)
        remove = services.remove_member

        def beaten(*, membership, removed_by):
            remove(membership=Membership.objects.get(pk=membership.pk), removed_by=removed_by)
            return remove(membership=membership, removed_by=removed_by)

        monkeypatch.setattr(services, "remove_member", beaten)
        response = Client().delete(f"/v1/members/{membership.pk}", **bearer(tenant_a.token.raw))
        assert response.status_code == 404
        assert response.json()["message"] == "Member not found"


@pytest.mark.django_db(transaction=True)
def test_three_removals_at_once_remove_once_and_say_so_once(tenant_a):
    membership = Membership.objects.get(user=tenant_a.member)
    form = _confirmation(tenant_a.admin_client, membership.pk)
    clients = [logged_in_client(tenant_a.admin) for _ in range(3)]

    def post(client):
        try:
            response = client.post(f"/settings/members/{membership.pk}/remove/", form)
            return response.status_code, _messages(response)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=3) as pool:
        answers = list(pool.map(post, clients))

    assert [status for status, _ in answers] == [302, 302, 302]
    said = sorted(message for _, messages in answers for message in messages)
    assert said == [
        ("info", GONE),
        ("info", GONE),
        ("success", "Acme Agency Member removed from Acme Agency."),
    ]
    assert not Membership.objects.filter(pk=membership.pk).exists()
