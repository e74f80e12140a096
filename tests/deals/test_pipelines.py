"""Pipelines: the default Sales pipeline of every account, the data migration for accounts that
existed before, the admins' settings page and its rules, and `GET /v1/pipelines`."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError

from campaignhub import services as platform
from campaignhub.models import Account
from crm import pipelines
from crm.models import Deal, Pipeline, Stage
from tests.deals.conftest import capture, deal_campaign, sales, stage

pytestmark = pytest.mark.django_db

DEFAULT = [
    ("New", "open"),
    ("Contacted", "open"),
    ("Qualified", "open"),
    ("Won", "won"),
    ("Lost", "lost"),
]


def _stages(pipeline):
    return list(pipeline.stages.order_by("position").values_list("name", "kind"))


def test_an_account_created_by_the_service_starts_with_the_sales_pipeline():
    account = platform.create_account(name="Nova", admin_email="admin@nova.test")
    (pipeline,) = Pipeline.objects.filter(account=account)
    assert pipeline.name == "Sales"
    assert _stages(pipeline) == DEFAULT


def test_an_account_created_any_other_way_gets_it_too_and_only_once():
    account = Account.objects.create(name="Made directly")
    account.name = "Renamed"
    account.save()
    assert Pipeline.objects.filter(account=account).count() == 1
    assert pipelines.create_default_pipeline(account) == Pipeline.objects.get(account=account)
    assert Pipeline.objects.filter(account=account).count() == 1


def _migration():
    return importlib.import_module("crm.migrations.0002_default_pipelines")


def test_the_data_migration_gives_existing_accounts_the_default_pipeline_once(tenant_a):
    bare = Account.objects.create(name="From before pipelines")
    Pipeline.objects.filter(account=bare).delete()
    kept = sales(tenant_a)
    kept.name = "Renamed by the admin"
    kept.save()

    _migration().add_default_pipelines(django_apps, None)
    _migration().add_default_pipelines(django_apps, None)

    (added,) = Pipeline.objects.filter(account=bare)
    assert (added.name, _stages(added)) == ("Sales", DEFAULT)
    # An account with a pipeline of its own is left alone.
    assert list(Pipeline.objects.filter(account=tenant_a.account)) == [kept]
    assert DEFAULT == _migration().STAGES


def test_pipelines_api_lists_pipelines_in_order_with_their_ordered_stages(tenant_a, tenant_b, api):
    second = pipelines.create_pipeline(account=tenant_a.account, name="Renewals")
    pipelines.move_pipeline(pipeline=second, direction="up")
    response = api.get("/v1/pipelines")
    assert response.status_code == 200
    data = response.json()["data"]
    assert [p["name"] for p in data] == ["Renewals", "Sales"]
    first = sales(tenant_a)
    assert data[1] == {
        "id": first.pk,
        "name": "Sales",
        "stages": [
            {"id": s.pk, "name": s.name, "kind": s.kind} for s in first.stages.order_by("position")
        ],
    }
    assert sales(tenant_b).pk not in [p["id"] for p in data]


# The settings page


def test_only_admins_reach_the_pipeline_settings(tenant_a):
    page = tenant_a.admin_client.get("/settings/pipelines/")
    assert page.status_code == 200
    assert "Pipelines" in page.content.decode()
    assert tenant_a.member_client.get("/settings/pipelines/").status_code == 403
    response = tenant_a.member_client.post("/settings/pipelines/", {"name": "Sneaky"})
    assert response.status_code == 403
    assert not Pipeline.objects.filter(name="Sneaky").exists()
    # The Settings tabs offer the page to admins only.
    assert 'href="/settings/pipelines/"' in tenant_a.admin_client.get("/settings/").content.decode()
    assert 'href="/settings/pipelines/"' not in (
        tenant_a.member_client.get("/settings/").content.decode()
    )


def test_an_admin_adds_renames_and_reorders_pipelines(tenant_a):
    client = tenant_a.admin_client
    assert client.post("/settings/pipelines/", {"name": "Renewals"}).status_code == 302
    renewals = Pipeline.objects.get(account=tenant_a.account, name="Renewals")
    assert _stages(renewals) == DEFAULT
    assert client.post(f"/settings/pipelines/{renewals.pk}/", {"name": "Upsell"}).status_code == 302
    assert (
        client.post(f"/settings/pipelines/{renewals.pk}/move/", {"direction": "up"}).status_code
        == 302
    )
    ordered = Pipeline.objects.filter(account=tenant_a.account).order_by("position", "id")
    assert [p.name for p in ordered] == ["Upsell", "Sales"]


def test_a_pipeline_name_taken_is_a_form_error(tenant_a):
    response = tenant_a.admin_client.post("/settings/pipelines/", {"name": "Sales"})
    assert response.status_code == 400
    assert "Another pipeline of this account already has this name." in response.content.decode()
    assert Pipeline.objects.filter(account=tenant_a.account).count() == 1


def test_an_admin_adds_edits_reorders_and_deletes_stages(tenant_a):
    client = tenant_a.admin_client
    pipeline = sales(tenant_a)
    response = client.post(
        f"/settings/pipelines/{pipeline.pk}/stages/", {"name": "Proposal", "kind": "open"}
    )
    assert response.status_code == 302
    proposal = pipeline.stages.get(name="Proposal")
    assert (
        client.post(
            f"/settings/stages/{proposal.pk}/", {"name": "Quote sent", "kind": "open"}
        ).status_code
        == 302
    )
    for _ in range(2):
        client.post(f"/settings/stages/{proposal.pk}/move/", {"direction": "up"})
    names = [name for name, _ in _stages(pipeline)]
    assert names == ["New", "Contacted", "Qualified", "Quote sent", "Won", "Lost"]
    assert client.post(f"/settings/stages/{proposal.pk}/delete/").status_code == 302
    assert not Stage.objects.filter(pk=proposal.pk).exists()


def test_a_stage_holding_deals_cannot_be_deleted(tenant_a):
    capture(deal_campaign(tenant_a))
    new = stage(tenant_a, "New")
    # The campaign opens its deals there too; the deal alone already forbids it.
    response = tenant_a.admin_client.post(f"/settings/stages/{new.pk}/delete/")
    assert response.status_code == 400
    assert "This stage holds 1 deal and cannot be deleted." in response.content.decode()
    assert Stage.objects.filter(pk=new.pk).exists()


def test_a_stage_where_a_campaign_opens_deals_cannot_be_deleted(tenant_a):
    deal_campaign(tenant_a, name="Gutters")
    response = tenant_a.admin_client.post(f"/settings/stages/{stage(tenant_a, 'New').pk}/delete/")
    assert response.status_code == 400
    assert "Campaign “Gutters” opens its deals here" in response.content.decode()


def test_a_pipeline_keeps_one_open_stage(tenant_a):
    client = tenant_a.admin_client
    for name in ("Contacted", "Qualified"):
        assert (
            client.post(f"/settings/stages/{stage(tenant_a, name).pk}/delete/").status_code == 302
        )
    last_open = stage(tenant_a, "New")
    response = client.post(f"/settings/stages/{last_open.pk}/delete/")
    assert response.status_code == 400
    assert "A pipeline needs at least one open stage." in response.content.decode()
    response = client.post(f"/settings/stages/{last_open.pk}/", {"name": "New", "kind": "won"})
    assert response.status_code == 400
    assert "A pipeline needs at least one open stage." in response.content.decode()
    assert Stage.objects.get(pk=last_open.pk).kind == "open"


def test_the_kind_of_a_stage_holding_deals_stays(tenant_a):
    capture(deal_campaign(tenant_a))
    new = stage(tenant_a, "New")
    response = tenant_a.admin_client.post(
        f"/settings/stages/{new.pk}/", {"name": "Fresh", "kind": "lost"}
    )
    assert response.status_code == 400
    assert "its kind cannot change" in response.content.decode()
    new.refresh_from_db()
    assert (new.name, new.kind) == ("New", "open")


def test_a_pipeline_holding_deals_or_the_last_one_cannot_be_deleted(tenant_a):
    client = tenant_a.admin_client
    pipeline = sales(tenant_a)
    response = client.post(f"/settings/pipelines/{pipeline.pk}/delete/")
    assert response.status_code == 400
    assert "An account keeps at least one pipeline." in response.content.decode()

    other = pipelines.create_pipeline(account=tenant_a.account, name="Renewals")
    capture(deal_campaign(tenant_a))
    response = client.post(f"/settings/pipelines/{pipeline.pk}/delete/")
    assert response.status_code == 400
    assert "This pipeline holds 1 deal and cannot be deleted: a deal, open or closed" in (
        response.content.decode()
    )
    assert client.post(f"/settings/pipelines/{other.pk}/delete/").status_code == 302
    assert list(Pipeline.objects.filter(account=tenant_a.account)) == [pipeline]
    assert Deal.objects.count() == 1


def test_bad_stage_input_is_a_form_error_and_changes_nothing(tenant_a):
    pipeline = sales(tenant_a)
    response = tenant_a.admin_client.post(
        f"/settings/pipelines/{pipeline.pk}/stages/", {"name": "", "kind": "maybe"}
    )
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert pipeline.stages.count() == 5


def test_the_stage_a_campaign_opens_deals_in_stays_open(tenant_a):
    deal_campaign(tenant_a, name="Gutters")
    new = stage(tenant_a, "New")
    response = tenant_a.admin_client.post(
        f"/settings/stages/{new.pk}/", {"name": "New", "kind": "won"}
    )
    assert response.status_code == 400
    assert "Campaign “Gutters” opens its deals here" in response.content.decode()
    assert Stage.objects.get(pk=new.pk).kind == "open"


@pytest.mark.parametrize(
    ("kind", "name", "message"),
    [
        ("won", "Won", "A pipeline needs at least one won stage"),
        ("lost", "Lost", "A pipeline needs at least one lost stage"),
    ],
)
def test_a_pipeline_keeps_one_won_and_one_lost_stage(tenant_a, kind, name, message):
    client = tenant_a.admin_client
    renewals = pipelines.create_pipeline(account=tenant_a.account, name="Renewals")
    last = renewals.stages.get(name=name)
    response = client.post(f"/settings/stages/{last.pk}/delete/")
    assert response.status_code == 400
    assert message in response.content.decode()
    response = client.post(f"/settings/stages/{last.pk}/", {"name": name, "kind": "open"})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Stage.objects.get(pk=last.pk).kind == kind
    # With another stage of its kind, either may go.
    pipelines.add_stage(pipeline=renewals, name="Closed", kind=kind)
    assert client.post(f"/settings/stages/{last.pk}/delete/").status_code == 302
    assert list(renewals.stages.filter(kind=kind).values_list("name", flat=True)) == ["Closed"]


def test_the_services_refuse_to_lose_the_last_won_or_lost_stage_too(tenant_a):
    pipeline = sales(tenant_a)
    for name in ("Won", "Lost"):
        with pytest.raises(ValidationError):
            pipelines.delete_stage(stage=stage(tenant_a, name))
        with pytest.raises(ValidationError):
            pipelines.update_stage(stage=stage(tenant_a, name), name=name, kind="open")
    assert _stages(pipeline) == DEFAULT


def _closing_migration():
    return importlib.import_module("crm.migrations.0004_pipelines_keep_won_and_lost_stages")


def test_the_data_migration_gives_back_a_missing_won_or_lost_stage_once(tenant_a):
    renewals = pipelines.create_pipeline(account=tenant_a.account, name="Renewals")
    renewals.stages.filter(kind__in=["won", "lost"]).delete()
    # An open stage already holds the name "Won": the won stage added takes another.
    renewals.stages.filter(name="Qualified").update(name="Won")
    only_lost = pipelines.create_pipeline(account=tenant_a.account, name="Upsell")
    only_lost.stages.filter(kind="lost").delete()

    _closing_migration().add_missing_closing_stages(django_apps, None)
    _closing_migration().add_missing_closing_stages(django_apps, None)

    assert _stages(renewals) == [
        ("New", "open"),
        ("Contacted", "open"),
        ("Won", "open"),
        ("Won 2", "won"),
        ("Lost", "lost"),
    ]
    assert _stages(only_lost) == DEFAULT
    assert _stages(sales(tenant_a)) == DEFAULT
