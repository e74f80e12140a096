"""A NUL or another control character typed (or posted) into a name is refused under its field,
never removed behind the person's back: a pipeline's, a campaign's, the account's."""

import pytest

from campaigns.models import Campaign
from crm.models import Pipeline
from tests.campaigns.test_views import form_post


@pytest.mark.parametrize(
    ("name", "said"),
    [
        ("ab\x00cd", "Null characters are not allowed."),
        ("ab\x1bcd", "Control characters are not allowed."),
    ],
)
def test_a_pipeline_name_with_a_control_character_is_refused(tenant_a, name, said):
    before = list(Pipeline.objects.values_list("name", flat=True))
    response = tenant_a.admin_client.post("/settings/pipelines/", {"name": name})
    assert response.status_code == 400
    assert said in response.content.decode()
    assert list(Pipeline.objects.values_list("name", flat=True)) == before


@pytest.mark.parametrize(
    ("name", "said"),
    [
        ("ab\x00cd", "Null characters are not allowed."),
        ("ab\x07cd", "Control characters are not allowed."),
    ],
)
def test_a_campaign_name_with_a_control_character_is_refused(tenant_a, name, said):
    response = tenant_a.admin_client.post("/campaigns/new/", form_post(campaign_name=name))
    assert response.status_code == 400
    assert said in response.content.decode()
    assert not Campaign.objects.exists()


@pytest.mark.parametrize(
    ("name", "said"),
    [
        ("ab\x00cd", "Null characters are not allowed."),
        ("ab\x7fcd", "Control characters are not allowed."),
    ],
)
def test_an_account_name_with_a_control_character_is_refused(tenant_a, name, said):
    response = tenant_a.admin_client.post(
        "/settings/",
        {"name": name, "timezone": "UTC", "currency": "USD", "country": "US"},
    )
    assert response.status_code == 400
    assert said in response.content.decode()
    tenant_a.account.refresh_from_db()
    assert tenant_a.account.name == "Acme Agency"
