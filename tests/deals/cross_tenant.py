"""Cross-tenant cases for deal and pipeline URLs (see tests/test_cross_tenant.py): B never
reads, moves or changes A's deals, pipelines or stages."""

import json

from django.test import Client

from crm.models import Deal, Pipeline, Stage
from tests.deals.conftest import capture, deal_campaign, money, sales, stage
from tests.factories import bearer

SECRET = "Acme secret deal"


def _deal(a):
    return Deal.objects.get(
        lead=capture(deal_campaign(a, name="Acme secret campaign"), name=SECRET)
    )


def _untouched(a, deal):
    deal.refresh_from_db()
    assert (deal.stage, deal.value, deal.owner) == (stage(a, "New"), money("1500"), a.member)
    assert (deal.won_at, deal.lead.status) == (None, "new")
    names = list(sales(a).stages.order_by("position").values_list("name", "kind"))
    assert names == [
        ("New", "open"),
        ("Contacted", "open"),
        ("Qualified", "open"),
        ("Won", "won"),
        ("Lost", "lost"),
    ]
    assert list(Pipeline.objects.filter(account=a.account).values_list("name", flat=True)) == [
        "Sales"
    ]


def _b_page_is_404(a, b, path, method="get", data=None):
    deal = _deal(a)
    response = getattr(b.admin_client, method)(path.format(deal=deal.pk), data or {})
    assert response.status_code == 404, response.status_code
    assert SECRET not in response.content.decode()
    _untouched(a, deal)


def deal_board(a, b):
    deal = _deal(a)
    response = b.admin_client.get("/deals/", {"pipeline": sales(a).pk})
    html = response.content.decode()
    # A's pipeline is not B's: B's board names it as a filter it cannot use, showing no deals.
    assert response.status_code == 400
    assert SECRET not in html and f'id="stage-{stage(a, "New").pk}"' not in html
    assert "Pipeline: Choose one of this account&#x27;s pipelines." in html
    assert SECRET in a.admin_client.get("/deals/", follow=True).content.decode()
    _untouched(a, deal)


def deal_detail(a, b):
    _b_page_is_404(a, b, "/deals/{deal}/")
    _b_page_is_404(
        a, b, "/deals/{deal}/", "post", {"stage": stage(a, "Won").pk, "value": "1", "owner": ""}
    )


def deal_move(a, b):
    _b_page_is_404(a, b, "/deals/{deal}/move/", "post", {"stage": stage(a, "Won").pk})


def deal_stage_options(a, b):
    html = b.admin_client.get("/deals/stage-options/", {"pipeline_id": sales(a).pk})
    assert str(stage(a, "New").pk) not in html.content.decode()


def pipeline_settings(a, b):
    deal = _deal(a)
    html = b.admin_client.get("/settings/pipelines/").content.decode()
    assert f'id="pipeline-{sales(a).pk}"' not in html
    assert f'id="pipeline-{sales(b).pk}"' in html
    _untouched(a, deal)


def _b_posts_404(a, b, path, data=None):
    deal = _deal(a)
    response = b.admin_client.post(path, data or {})
    assert response.status_code == 404
    _untouched(a, deal)


def pipeline_rename(a, b):
    _b_posts_404(a, b, f"/settings/pipelines/{sales(a).pk}/", {"name": "Hijacked"})


def pipeline_move(a, b):
    _b_posts_404(a, b, f"/settings/pipelines/{sales(a).pk}/move/", {"direction": "down"})


def pipeline_delete(a, b):
    _b_posts_404(a, b, f"/settings/pipelines/{sales(a).pk}/delete/")


def stage_add(a, b):
    _b_posts_404(a, b, f"/settings/pipelines/{sales(a).pk}/stages/", {"name": "X", "kind": "open"})
    assert not Stage.objects.filter(name="X").exists()


def stage_edit(a, b):
    _b_posts_404(a, b, f"/settings/stages/{stage(a, 'Won').pk}/", {"name": "X", "kind": "open"})


def stage_move(a, b):
    _b_posts_404(a, b, f"/settings/stages/{stage(a, 'Won').pk}/move/", {"direction": "up"})


def stage_delete(a, b):
    _b_posts_404(a, b, f"/settings/stages/{stage(a, 'Contacted').pk}/delete/")


def _api(tenant, method, path, body=None):
    client = Client()
    if method == "get":
        return client.get(path, **bearer(tenant.token.raw))
    return getattr(client, method)(
        path, json.dumps(body or {}), content_type="application/json", **bearer(tenant.token.raw)
    )


def api_pipelines(a, b):
    _deal(a)
    data = _api(b, "get", "/v1/pipelines").json()["data"]
    assert [p["id"] for p in data] == [sales(b).pk]


def api_deals(a, b):
    deal = _deal(a)
    assert _api(b, "get", "/v1/deals").json()["data"] == []
    # A's pipeline or stage named in B's filter is not B's: a 400 that lists nothing.
    for query in (f"?pipeline={sales(a).pk}", f"?stage={stage(a, 'New').pk}"):
        refused = _api(b, "get", f"/v1/deals{query}")
        assert refused.status_code == 400 and SECRET not in refused.content.decode()
    assert [d["id"] for d in _api(a, "get", "/v1/deals").json()["data"]] == [deal.pk]


def api_deal(a, b):
    deal = _deal(a)
    response = _api(b, "get", f"/v1/deals/{deal.pk}")
    assert response.status_code == 404 and SECRET not in response.content.decode()
    response = _api(b, "patch", f"/v1/deals/{deal.pk}", {"stage": stage(a, "Won").pk})
    assert response.status_code == 404
    # A's own deal cannot be moved to B's stage, nor given to B's people.
    response = _api(a, "patch", f"/v1/deals/{deal.pk}", {"stage": stage(b, "Won").pk})
    assert response.status_code == 400
    response = _api(a, "patch", f"/v1/deals/{deal.pk}", {"owner": b.admin.pk})
    assert response.status_code == 400
    _untouched(a, deal)


CASES = {
    function.__name__: function
    for function in (
        deal_board,
        deal_detail,
        deal_move,
        deal_stage_options,
        pipeline_settings,
        pipeline_rename,
        pipeline_move,
        pipeline_delete,
        stage_add,
        stage_edit,
        stage_move,
        stage_delete,
        api_pipelines,
        api_deals,
        api_deal,
    )
}

EXEMPT = {}
