"""Pages answer whole or, for an htmx region swap, with their named partial only; and the
members page's rules live in the platform's services."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from campaignhub import services
from campaignhub.models import Membership

pytestmark = pytest.mark.django_db

LISTS = [
    ("campaign_list", 'id="campaign-table"'),
    ("lead_list", 'id="lead-table"'),
    ("deliveries", 'id="delivery-table"'),
]


@pytest.mark.parametrize(("name", "region"), LISTS)
def test_a_list_page_is_whole_on_a_plain_load(tenant_a, name, region):
    response = tenant_a.admin_client.get(reverse(name))
    content = response.content.decode()
    assert response.status_code == 200
    assert "<html" in content and region in content
    assert "HX-Request" in response["Vary"]


@pytest.mark.parametrize(("name", "region"), LISTS)
def test_a_list_page_answers_an_htmx_swap_with_its_region_only(tenant_a, name, region):
    response = tenant_a.admin_client.get(reverse(name), HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in content and region in content
    assert "HX-Request" in response["Vary"]


@pytest.mark.parametrize(("name", "region"), LISTS)
def test_a_history_restore_after_back_gets_the_whole_page(tenant_a, name, region):
    response = tenant_a.admin_client.get(
        reverse(name), HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )
    content = response.content.decode()
    assert "<html" in content and region in content


@pytest.mark.parametrize(("name", "region"), LISTS)
def test_a_boosted_link_gets_the_whole_page(tenant_a, name, region):
    response = tenant_a.admin_client.get(
        reverse(name), HTTP_HX_REQUEST="true", HTTP_HX_BOOSTED="true"
    )
    assert "<html" in response.content.decode()


class TestAddNewMember:
    def test_a_new_person_is_added_and_invited(self, tenant_a):
        membership = services.add_new_member(
            account=tenant_a.account, email="new@acme.test", name="Nia", role="member"
        ).membership
        assert (membership.account, membership.role) == (tenant_a.account, "member")
        assert [message.to for message in mail.outbox] == [["new@acme.test"]]

    def test_someone_with_a_login_elsewhere_is_invited_not_added(self, tenant_a, tenant_b):
        added = services.add_new_member(
            account=tenant_a.account, email="ADMIN@bolt.test", role="admin"
        )
        assert added.membership is None
        assert (added.invitation.email, added.invitation.role) == ("ADMIN@bolt.test", "admin")
        assert not Membership.objects.filter(account=tenant_a.account, user=tenant_b.admin)
        assert [message.to for message in mail.outbox] == [["admin@bolt.test"]]

    def test_an_existing_member_is_refused_and_keeps_their_role(self, tenant_a):
        with pytest.raises(ValidationError) as caught:
            services.add_new_member(
                account=tenant_a.account, email="Member@Acme.test", role="admin"
            )
        assert caught.value.message_dict == {
            "email": ["This person is already a member of the account."]
        }
        assert Membership.objects.get(user=tenant_a.member).role == "member"
        assert mail.outbox == []
