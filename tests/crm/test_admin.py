"""The CRM in Django's admin: every model listed and editable by superusers, read-only and
account-scoped for staff account admins; an admin edit of a contact counts as a staff edit."""

import pytest

from crm.models import Contact, Pipeline
from tests.crm.conftest import capture, crm_campaign, make_deal
from tests.factories import logged_in_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(tenant_a):
    tenant_a.admin.is_staff = tenant_a.admin.is_superuser = True
    tenant_a.admin.save()
    return logged_in_client(tenant_a.admin)


def test_every_crm_model_has_its_admin_pages(tenant_a, superuser_client):
    contact = capture(crm_campaign(tenant_a), name="Ann Lee", phone="+14155550182").contact
    deal = make_deal(tenant_a, contact, title="New roof")
    pipeline = deal.pipeline
    for path in [
        "/admin/crm/contact/",
        f"/admin/crm/contact/{contact.pk}/change/",
        "/admin/crm/pipeline/",
        f"/admin/crm/pipeline/{pipeline.pk}/change/",
        "/admin/crm/stage/",
        f"/admin/crm/stage/{deal.stage_id}/change/",
        "/admin/crm/deal/",
        f"/admin/crm/deal/{deal.pk}/change/",
    ]:
        response = superuser_client.get(path)
        assert response.status_code == 200, path
    page = superuser_client.get(f"/admin/crm/pipeline/{pipeline.pk}/change/").content.decode()
    assert deal.stage.name in page  # the stages are edited inline


def test_an_admin_edit_of_a_contact_is_kept_from_later_leads(tenant_a, superuser_client):
    campaign = crm_campaign(tenant_a)
    contact = capture(campaign, name="ann", phone="+14155550182").contact
    response = superuser_client.post(
        f"/admin/crm/contact/{contact.pk}/change/",
        {
            "account": tenant_a.account.pk,
            "kind": "person",
            "name": "Ann Lee",
            "phone": "+14155550182",
            "email": "",
            "company": "",
            "notes": "",
            "merged_into": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    contact.refresh_from_db()
    assert (contact.name, contact.edited_fields) == ("Ann Lee", ["name"])


def test_staff_account_admins_see_only_their_accounts_contacts(tenant_a, tenant_b):
    capture(crm_campaign(tenant_a), name="Own contact", phone="+14155550182")
    capture(crm_campaign(tenant_b), name="Other contact", phone="+14155550182")
    tenant_a.admin.is_staff = True
    tenant_a.admin.save()
    client = logged_in_client(tenant_a.admin)
    listing = client.get("/admin/crm/contact/").content.decode()
    assert "Own contact" in listing and "Other contact" not in listing
    other = Contact.objects.get(account=tenant_b.account)
    assert client.get(f"/admin/crm/contact/{other.pk}/change/").status_code == 302
    theirs = Pipeline.objects.create(account=tenant_b.account, name="Bolt pipeline")
    assert "Bolt pipeline" not in client.get("/admin/crm/pipeline/").content.decode()
    assert client.get(f"/admin/crm/pipeline/{theirs.pk}/change/").status_code == 302


def _pipeline_form(pipeline, *, kinds=None, delete=(), add=()):
    """The admin's pipeline page as posted: its stages as saved, with `kinds` `{name: kind}`
    changed, the stages named in `delete` marked for deletion and `add` `[(name, kind)]` new."""
    kinds = kinds or {}
    stages = list(pipeline.stages.order_by("position"))
    data = {
        "account": pipeline.account_id,
        "name": pipeline.name,
        "position": pipeline.position,
        "stages-TOTAL_FORMS": len(stages) + len(add),
        "stages-INITIAL_FORMS": len(stages),
        "stages-MIN_NUM_FORMS": 0,
        "stages-MAX_NUM_FORMS": 1000,
    }
    rows = [(stage.pk, stage.name, kinds.get(stage.name, stage.kind)) for stage in stages]
    rows += [("", name, kind) for name, kind in add]
    for index, (pk, name, kind) in enumerate(rows):
        data.update(
            {
                f"stages-{index}-id": pk,
                f"stages-{index}-pipeline": pipeline.pk,
                f"stages-{index}-position": index,
                f"stages-{index}-name": name,
                f"stages-{index}-kind": kind,
            }
        )
        if name in delete:
            data[f"stages-{index}-DELETE"] = "on"
    return data


def _won_deals(tenant, count):
    from crm.deals import move_deal

    campaign = crm_campaign(tenant)
    won = Pipeline.objects.get(account=tenant.account, name="Sales").stages.get(kind="won")
    for number in range(count):
        contact = capture(campaign, name=f"Buyer {number}", phone=f"+1415555018{number}").contact
        move_deal(deal=make_deal(tenant, contact, title=f"Job {number}"), stage=won)
    return won


def test_the_admin_keeps_the_kind_of_a_stage_that_holds_deals(tenant_a, superuser_client):
    from crm.models import Deal

    won = _won_deals(tenant_a, 2)
    pipeline = won.pipeline
    response = superuser_client.post(
        f"/admin/crm/pipeline/{pipeline.pk}/change/",
        _pipeline_form(pipeline, kinds={"Won": "open"}, add=[("Won 2", "won")]),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert (
        "This stage holds 2 deals: its kind cannot change while they are there. "
        "Move them to another stage first."
    ) in page
    won.refresh_from_db()
    assert won.kind == "won"
    assert not pipeline.stages.filter(name="Won 2").exists()
    assert Deal.objects.filter(stage=won, won_at__isnull=False).count() == 2
    # Nor is it deleted, with the message Settings → Pipelines gives.
    response = superuser_client.post(
        f"/admin/crm/pipeline/{pipeline.pk}/change/",
        _pipeline_form(pipeline, delete={"Won"}, add=[("Won 2", "won")]),
    )
    assert "“Won”: This stage holds 2 deals and cannot be deleted." in response.content.decode()
    assert pipeline.stages.filter(pk=won.pk).exists()


def test_the_admin_keeps_the_kind_of_the_stage_a_campaign_opens_deals_in(
    tenant_a, superuser_client
):
    pipeline = Pipeline.objects.get(account=tenant_a.account, name="Sales")
    new = pipeline.stages.get(name="New")
    crm_campaign(tenant_a, create_deal=True, pipeline_id=str(pipeline.pk), stage_id=str(new.pk))
    url = f"/admin/crm/pipeline/{pipeline.pk}/change/"
    for data in (
        _pipeline_form(pipeline, kinds={"New": "lost"}),
        _pipeline_form(pipeline, delete={"New"}),
    ):
        page = superuser_client.post(url, data).content.decode()
        assert "Campaign “Roofing” opens its deals here: choose another stage on it first." in page
    new.refresh_from_db()
    assert new.kind == "open"


def test_the_admin_changes_the_kind_of_a_stage_nothing_uses(tenant_a, superuser_client):
    pipeline = Pipeline.objects.get(account=tenant_a.account, name="Sales")
    response = superuser_client.post(
        f"/admin/crm/pipeline/{pipeline.pk}/change/",
        _pipeline_form(pipeline, kinds={"Qualified": "won"}, delete={"Contacted"}),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert pipeline.stages.get(name="Qualified").kind == "won"
    assert not pipeline.stages.filter(name="Contacted").exists()


def test_a_pipeline_saved_in_the_admin_keeps_a_won_and_a_lost_stage(tenant_a, superuser_client):
    pipeline = Pipeline.objects.get(account=tenant_a.account, name="Sales")
    stages = list(pipeline.stages.order_by("position"))
    data = {
        "account": tenant_a.account.pk,
        "name": "Sales",
        "position": 0,
        "stages-TOTAL_FORMS": len(stages),
        "stages-INITIAL_FORMS": len(stages),
        "stages-MIN_NUM_FORMS": 0,
        "stages-MAX_NUM_FORMS": 1000,
    }
    for index, stage in enumerate(stages):
        data.update(
            {
                f"stages-{index}-id": stage.pk,
                f"stages-{index}-pipeline": pipeline.pk,
                f"stages-{index}-position": stage.position,
                f"stages-{index}-name": stage.name,
                f"stages-{index}-kind": stage.kind,
            }
        )
        if stage.kind == "won":
            data[f"stages-{index}-DELETE"] = "on"
    response = superuser_client.post(f"/admin/crm/pipeline/{pipeline.pk}/change/", data)
    assert response.status_code == 200
    assert "A pipeline needs at least one won stage" in response.content.decode()
    assert pipeline.stages.filter(kind="won").exists()
    # A stage's own admin page does not change its kind nor delete it.
    won = pipeline.stages.get(kind="won")
    page = superuser_client.get(f"/admin/crm/stage/{won.pk}/change/").content.decode()
    assert 'name="kind"' not in page
    assert (
        superuser_client.post(f"/admin/crm/stage/{won.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert pipeline.stages.filter(kind="won").exists()
