"""A form posted for something deleted meanwhile (in another tab, by someone else) says what
happened and that nothing was saved, shows what was typed, and links back to its list, where it
answered a bare "not found"; an unknown address has our own 404 page."""

from html import unescape

import pytest
from django.test import Client
from fcm_django.models import FCMDevice

from campaigns import services as campaign_services
from crm import pipelines
from crm.models import Stage
from notifications import services as notification_services
from tests.campaigns.factories import make_campaign


def _page(response):
    return unescape(response.content.decode())


def test_saving_a_campaign_deleted_meanwhile_says_so_and_shows_what_was_typed(tenant_a):
    campaign = make_campaign(tenant_a, campaign_name="Spring roofing")
    campaign_services.delete_campaign(campaign=campaign)
    response = tenant_a.admin_client.post(
        f"/campaigns/{campaign.pk}/edit/",
        {
            "campaign_name": "Summer roofing",
            "email_subject": "New roofing lead",
            "email_message": "A long message\nworth keeping",
            "owner": str(tenant_a.admin.pk),
        },
    )
    assert response.status_code == 410
    page = _page(response)
    assert "This campaign was deleted: your changes were not saved." in page
    assert "Summer roofing" in page and "A long message<br>worth keeping" in page
    assert "New roofing lead" in page
    assert 'href="/campaigns/"' in page
    campaign.refresh_from_db()
    assert campaign.campaign_name == "Spring roofing"


def test_opening_a_deleted_campaigns_edit_page_says_it_was_deleted(tenant_a):
    campaign = make_campaign(tenant_a, campaign_name="Spring roofing")
    campaign_services.delete_campaign(campaign=campaign)
    response = tenant_a.admin_client.get(f"/campaigns/{campaign.pk}/edit/")
    assert response.status_code == 410
    assert "This campaign was deleted." in _page(response)


def test_another_accounts_deleted_campaign_is_still_not_found(tenant_a, tenant_b):
    campaign = make_campaign(tenant_a, campaign_name="Acme secret")
    campaign_services.delete_campaign(campaign=campaign)
    response = tenant_b.admin_client.post(f"/campaigns/{campaign.pk}/edit/", {"campaign_name": "x"})
    assert response.status_code == 404
    assert "Acme secret" not in _page(response) and "was deleted" not in _page(response)


@pytest.mark.parametrize(
    ("path", "data", "said"),
    [
        (
            "/settings/pipelines/{pipeline}/stages/",
            {"name": "Quoted", "kind": "open"},
            "The stage was not added.",
        ),
        (
            "/settings/stages/{stage}/",
            {"name": "Called back", "kind": "open"},
            "Your changes were not saved.",
        ),
        (
            "/settings/pipelines/{pipeline}/",
            {"name": "Renewals 2027"},
            "Your changes were not saved.",
        ),
    ],
)
def test_a_pipeline_form_posted_after_its_pipeline_was_deleted_says_so(tenant_a, path, data, said):
    pipeline = pipelines.create_pipeline(account=tenant_a.account, name="Renewals")
    address = path.format(pipeline=pipeline.pk, stage=pipeline.stages.first().pk)
    pipelines.delete_pipeline(pipeline=pipeline)
    response = tenant_a.admin_client.post(address, data)
    assert response.status_code == 404
    page = _page(response)
    assert "was deleted, perhaps in another tab" in page and said in page
    assert data["name"] in page
    assert 'href="/settings/pipelines/"' in page
    assert not Stage.objects.filter(name=data["name"]).exists()


def test_removing_a_device_twice_says_it_was_removed_already(tenant_a):
    device = notification_services.register_device(
        user=tenant_a.member, registration_id="tok-1", type="web", name="Laptop"
    )
    remove = f"/notifications/devices/{device.pk}/remove/"
    assert tenant_a.member_client.post(remove).status_code == 302
    again = tenant_a.member_client.post(remove)
    assert again.status_code == 404
    page = _page(again)
    assert "This device is no longer registered to you: it was removed already." in page
    assert 'href="/notifications/devices/"' in page
    assert not FCMDevice.objects.exists()


def test_the_production_404_page_says_what_may_have_happened(tenant_a, settings):
    settings.DEBUG = False
    for client in (tenant_a.admin_client, Client()):
        response = client.get("/no-such-page/")
        assert response.status_code == 404
        page = _page(response)
        assert "There is nothing at this address" in page
        assert "The requested resource was not found on this server." not in page
