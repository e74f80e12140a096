"""Changing the account's currency converts nothing, so the account page names what is recorded
in the old one and asks before it changes (`AccountForm`, `signals.currency_changing`)."""

from decimal import Decimal

import pytest

from campaignhub.models import Account
from campaigns.models import Lead
from crm.models import Deal
from tests.deals.conftest import capture, deal_campaign

pytestmark = pytest.mark.django_db

SETTINGS = {"name": "Acme Agency", "timezone": "UTC", "currency": "EUR", "country": "US"}


def currency(tenant):
    return Account.objects.get(pk=tenant.account.pk).currency


def test_nothing_recorded_changes_at_once(tenant_a):
    assert tenant_a.admin_client.post("/settings/", SETTINGS).status_code == 302
    assert currency(tenant_a) == "EUR"


def test_revenue_and_deals_in_the_old_currency_are_named_and_nothing_changes(tenant_a):
    lead = capture(deal_campaign(tenant_a))
    Lead.objects.filter(pk=lead.pk).update(status="won", revenue=Decimal("2000.00"))
    refused = tenant_a.admin_client.post("/settings/", SETTINGS)
    assert refused.status_code == 400
    page = refused.content.decode()
    assert (
        "Nothing is converted from USD to EUR: 1 lead has revenue recorded in USD, which would "
        "then read as EUR. 1 deal is valued in USD: they keep it, and a lead won with one no "
        "longer takes its value as revenue. Tick “Change the currency anyway” to change it."
    ) in page
    assert 'type="checkbox" name="change_currency"' in page
    assert currency(tenant_a) == "USD"
    assert Deal.objects.get().currency == "USD"


def test_ticked_the_currency_changes_and_nothing_is_converted(tenant_a):
    lead = capture(deal_campaign(tenant_a))
    Lead.objects.filter(pk=lead.pk).update(status="won", revenue=Decimal("2000.00"))
    confirmed = tenant_a.admin_client.post("/settings/", {**SETTINGS, "change_currency": "on"})
    assert confirmed.status_code == 302
    assert currency(tenant_a) == "EUR"
    assert Lead.objects.get().revenue == Decimal("2000.00")
    assert Deal.objects.get().currency == "USD"


def test_other_settings_save_without_asking(tenant_a):
    capture(deal_campaign(tenant_a))
    renamed = tenant_a.admin_client.post(
        "/settings/", {**SETTINGS, "currency": "USD", "name": "Acme Group"}
    )
    assert renamed.status_code == 302
    assert Account.objects.get(pk=tenant_a.account.pk).name == "Acme Group"
