"""Builders for CRM tests: campaigns that add to the CRM, leads captured the product's way."""

import itertools

from campaigns import services
from campaigns.models import LeadSource
from crm.models import Contact, Deal, Pipeline, Stage
from tests.campaigns.factories import make_campaign

_ids = itertools.count(1)


def crm_campaign(tenant, *, name="Roofing", kind="person", add_to_crm=True, **overrides):
    return make_campaign(
        tenant,
        campaign_name=name,
        add_to_crm=add_to_crm,
        add_person_or_business=kind,
        **overrides,
    )


def capture(campaign, *, name="", phone="", email="", message="", source=LeadSource.FORM):
    """A new lead of `campaign` through `capture_lead` (which merges it into a contact)."""
    lead, created = services.capture_lead(
        campaign=campaign,
        source=source,
        external_id=f"crm-test-{next(_ids)}",
        name=name,
        phone=phone,
        email=email,
        message=message,
    )
    assert created
    lead.refresh_from_db()
    return lead


def make_deal(tenant, contact, *, title="Roof job", value="1200.00", lead=None, owner=None):
    """A deal on a pipeline of the tenant's account (created here if the account has none)."""
    pipeline = Pipeline.objects.filter(account=tenant.account).first()
    if pipeline is None:
        pipeline = Pipeline.objects.create(account=tenant.account, name="Test sales")
    stage = pipeline.stages.first() or Stage.objects.create(pipeline=pipeline, name="New")
    return Deal.objects.create(
        account=tenant.account,
        pipeline=pipeline,
        stage=stage,
        contact=contact,
        lead=lead,
        title=title,
        value=value,
        currency="USD",
        owner=owner,
    )


def contacts_of(tenant):
    return Contact.objects.filter(account=tenant.account)
