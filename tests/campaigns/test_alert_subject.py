"""A lead alert's Details page (notifications) links the lead it is about, for whoever may see
that lead."""

import pytest

from campaigns import services
from campaigns.models import LeadSource
from notifications.models import Delivery
from tests.campaigns.factories import make_campaign

pytestmark = pytest.mark.django_db


def _alert(tenant, lead, user, event="lead_arrived"):
    return Delivery.objects.create(
        account=tenant.account,
        event=event,
        channel="email",
        user=user,
        recipient=user.email,
        data={"lead_id": str(lead.pk)},
    )


def _lead(tenant, **campaign):
    lead, _ = services.capture_lead(
        campaign=make_campaign(tenant, **campaign),
        source=LeadSource.FORM,
        external_id="a1",
        name="Ann Lee",
        alert=False,
    )
    return lead


def test_a_lead_alerts_details_link_its_lead(tenant_a):
    lead = _lead(tenant_a, selected_user=[{"id": tenant_a.member.pk}])
    delivery = _alert(tenant_a, lead, tenant_a.member)
    for client in (tenant_a.admin_client, tenant_a.member_client):
        page = client.get(f"/notifications/{delivery.pk}/").content.decode()
        assert (
            f'<dt>About</dt><dd><a href="/leads/{lead.pk}/" data-subject>Lead: Ann Lee</a></dd>'
        ) in page


def test_a_lead_the_viewer_may_no_longer_see_is_not_linked(tenant_a):
    lead = _lead(tenant_a)  # a campaign the member does not represent
    delivery = _alert(tenant_a, lead, tenant_a.member)
    page = tenant_a.member_client.get(f"/notifications/{delivery.pk}/").content.decode()
    assert "<dt>About</dt>" not in page


def test_a_deleted_lead_or_another_event_links_nothing(tenant_a):
    lead = _lead(tenant_a)
    other = _alert(tenant_a, lead, tenant_a.admin, event="test")
    gone = _alert(tenant_a, lead, tenant_a.admin)
    page = tenant_a.admin_client.get(f"/notifications/{other.pk}/").content.decode()
    assert "<dt>About</dt>" not in page
    lead.delete()
    page = tenant_a.admin_client.get(f"/notifications/{gone.pk}/").content.decode()
    assert "<dt>About</dt>" not in page
