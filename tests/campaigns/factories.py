from campaigns import services
from campaigns.forms import CampaignForm


def campaign_data(**overrides):
    data = {"campaign_name": "Roofing", "integration": "form"}
    data.update(overrides)
    return data


def make_campaign(tenant, owner=None, **overrides):
    """Create a campaign the way the API does: API-shaped data through CampaignForm."""
    form = CampaignForm(data=campaign_data(**overrides), account=tenant.account)
    assert form.is_valid(), form.errors
    return services.create_campaign(
        account=tenant.account, owner=owner or tenant.admin, data=form.cleaned_data
    )
