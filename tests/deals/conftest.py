"""Builders for deal tests: a campaign that opens deals, leads captured the product's way."""

import itertools
import json
from decimal import Decimal

import pytest
from django.test import Client

from campaignhub import services as platform
from campaigns import services
from campaigns.models import LeadSource
from crm import deals
from crm.models import Deal, Pipeline, Stage
from tests.campaigns.factories import make_campaign
from tests.factories import bearer, make_member

_ids = itertools.count(1)


def sales(tenant) -> Pipeline:
    """The tenant's default "Sales" pipeline (every account gets one when created)."""
    return Pipeline.objects.get(account=tenant.account, name="Sales")


def stage(tenant, name) -> Stage:
    return sales(tenant).stages.get(name=name)


def deal_campaign(tenant, *, name="Roofing", create_deal=True, **overrides):
    """A form campaign of the tenant opening deals on its Sales pipeline's "New" stage."""
    pipeline = sales(tenant)
    overrides.setdefault("pipeline_id", str(pipeline.pk))
    overrides.setdefault("stage_id", str(pipeline.stages.get(name="New").pk))
    overrides.setdefault("deal_value", "1500.00")
    overrides.setdefault("selected_user", [{"id": tenant.member.pk}])
    return make_campaign(tenant, campaign_name=name, create_deal=create_deal, **overrides)


def capture(campaign, *, name="Jordan Miles", phone="+14155550181", email="", **extra):
    """A new lead of `campaign` through `capture_lead` (which opens its deal)."""
    lead, created = services.capture_lead(
        campaign=campaign,
        source=LeadSource.FORM,
        external_id=f"deal-test-{next(_ids)}",
        name=name,
        phone=phone,
        email=email,
        **extra,
    )
    assert created
    lead.refresh_from_db()
    return lead


def money(value) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"))


class Api:
    """JSON calls with the tenant admin's bearer token."""

    def __init__(self, raw_token):
        self.client = Client()
        self.headers = bearer(raw_token)

    def get(self, path, **params):
        return self.client.get(path, params, **self.headers)

    def patch(self, path, body):
        """PATCH `body`: a dict sent as JSON, or a str sent as it is written."""
        data = body if isinstance(body, str) else json.dumps(body)
        return self.client.patch(path, data, content_type="application/json", **self.headers)


@pytest.fixture
def api(tenant_a):
    return Api(tenant_a.token.raw)


@pytest.fixture
def riley(tenant_a):
    """A second member of account A, who works none of its campaigns."""
    return make_member(tenant_a.account, "riley@acme.test", name="Riley Rep")


def token_of(tenant, user) -> str:
    """A new API token of `user` in the tenant's account (the raw secret)."""
    return platform.issue_token(account=tenant.account, user=user, name=user.email).raw


def given_to(tenant, user, **campaign):
    """A deal of a lead that went to the tenant's member, then given to `user`."""
    deal = Deal.objects.get(lead=capture(deal_campaign(tenant, **campaign)))
    deals.update_deal(deal=deal, changes={"owner": user}, actor=tenant.admin)
    deal.refresh_from_db()
    return deal
