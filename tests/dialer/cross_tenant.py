"""Cross-tenant cases for dialer URLs: B never reads or changes A's campaigns, uploads or
connection, and never reaches the dialer with A's key."""

import responses

from dialer.models import DialerCampaign, DialerConnection, LeadListUpload
from tests.dialer.conftest import KEY, connect, csv_file, make_agent, make_campaign
from tests.factories import bearer

BOLT_KEY = "bolt-dialer-key-5678"


def _a_campaign(a):
    if not DialerConnection.objects.filter(account=a.account).exists():
        connect(a)
    campaign = make_campaign(a, name="Acme secret campaign", state="started")
    make_agent(campaign, a.member, "101")
    return campaign


def _a_upload(a, campaign):
    return LeadListUpload.objects.create(
        account=a.account,
        campaign=campaign,
        original_name="acme.csv",
        file="dialer/uploads/acme.csv",
        error_report="dialer/errors/acme.csv",
        status="failed",
    )


def _untouched(campaign):
    fresh = DialerCampaign.objects.get(pk=campaign.pk)
    assert (fresh.name, fresh.state, fresh.pending_action, fresh.deleted_at) == (
        "Acme secret campaign",
        "started",
        "",
        None,
    )
    assert fresh.agents.count() == 1
    assert DialerConnection.objects.get(account=campaign.account).secret == KEY


def _b_is_404(a, b, path, method="get", data=None, api=False, **extra):
    campaign = _a_campaign(a)
    with responses.RequestsMock() as upstream:
        client = b.admin_client
        if api:
            response = getattr(client, method)(
                path.format(ref=campaign.ref),
                data or {},
                content_type="application/json",
                **bearer(b.token.raw),
            )
        else:
            response = getattr(client, method)(path.format(ref=campaign.ref), data or {})
        assert len(upstream.calls) == 0
    assert response.status_code == 404, response.content
    assert "Acme secret" not in response.content.decode()
    _untouched(campaign)


def _b_upload_is_404(a, b, path, method="get"):
    campaign = _a_campaign(a)
    upload = _a_upload(a, campaign)
    response = getattr(b.admin_client, method)(path.format(id=upload.pk))
    assert response.status_code == 404
    assert LeadListUpload.objects.get(pk=upload.pk).status == "failed"


def dialer_home(a, b):
    campaign = _a_campaign(a)
    connect(b, api_key=BOLT_KEY)
    with responses.RequestsMock() as upstream:
        upstream.get("https://dialer.test/api/campaigns", json=[])
        response = b.admin_client.get("/dialer/")
        assert upstream.calls[0].request.headers["Authorization"] == f"Bearer {BOLT_KEY}"
    assert response.status_code == 200
    assert campaign.ref not in response.content.decode()


def dialer_connection(a, b):
    _a_campaign(a)
    response = b.admin_client.get("/dialer/connection/")
    assert response.status_code == 200
    assert "https://dialer.test/api" not in response.content.decode()
    assert KEY[-4:] not in response.content.decode()


def dialer_disconnect(a, b):
    campaign = _a_campaign(a)
    assert b.admin_client.post("/dialer/connection/remove/").status_code == 302
    _untouched(campaign)


def dialer_campaign_new(a, b):
    campaign = _a_campaign(a)
    response = b.admin_client.post(
        "/dialer/campaigns/new/",
        {
            "name": "B",
            "aggression": "1.5",
            "max_attempts": 3,
            "retry_delay_s": 3600,
            "default_agent_state": "offline",
        },
    )
    assert response.status_code == 400  # B has no dialer: nothing reaches A's
    assert not DialerCampaign.objects.filter(account=b.account).exists()
    _untouched(campaign)


def dialer_adopt(a, b):
    campaign = _a_campaign(a)
    response = b.admin_client.post("/dialer/campaigns/adopt/", {"ref": campaign.ref})
    assert response.status_code == 302
    assert not DialerCampaign.objects.filter(account=b.account).exists()
    _untouched(campaign)


def dialer_campaign(a, b):
    _b_is_404(a, b, "/dialer/campaigns/{ref}/")


def dialer_settings(a, b):
    _b_is_404(a, b, "/dialer/campaigns/{ref}/settings/", "post", {"name": "B", "aggression": "9.0"})


def dialer_start(a, b):
    _b_is_404(a, b, "/dialer/campaigns/{ref}/start/", "post")


def dialer_stop(a, b):
    _b_is_404(a, b, "/dialer/campaigns/{ref}/stop/", "post")


def dialer_remove(a, b):
    _b_is_404(a, b, "/dialer/campaigns/{ref}/remove/", "post")


def dialer_agent_add(a, b):
    _b_is_404(a, b, "/dialer/campaigns/{ref}/agents/", "post", {"extension": "101"})


def dialer_agent_remove(a, b):
    _b_is_404(a, b, "/dialer/campaigns/{ref}/agents/101/remove/", "post")


def dialer_upload(a, b):
    _b_is_404(a, b, "/dialer/campaigns/{ref}/leads/", "post", {"file": csv_file(["+14155550100"])})


def dialer_upload_progress(a, b):
    _b_upload_is_404(a, b, "/dialer/uploads/{id}/")


def dialer_error_report(a, b):
    _b_upload_is_404(a, b, "/dialer/uploads/{id}/errors.csv")


def dialer_upload_resume(a, b):
    _b_upload_is_404(a, b, "/dialer/uploads/{id}/resume/", "post")


def api_dialer_connection(a, b):
    campaign = _a_campaign(a)
    response = b.admin_client.get("/v1/dialer/connection", **bearer(b.token.raw))
    assert response.json()["data"]["connected"] is False
    response = b.admin_client.delete("/v1/dialer/connection", **bearer(b.token.raw))
    assert response.status_code == 400
    _untouched(campaign)


def api_dialer_campaigns(a, b):
    campaign = _a_campaign(a)
    connect(b, api_key=BOLT_KEY)
    with responses.RequestsMock() as upstream:
        upstream.get("https://dialer.test/api/campaigns", json=[])
        response = b.admin_client.get("/v1/dialer/campaigns", **bearer(b.token.raw))
    assert response.status_code == 200
    assert response.json()["data"] == []
    _untouched(campaign)


def api_dialer_campaign(a, b):
    _b_is_404(a, b, "/v1/dialer/campaigns/{ref}", api=True)
    _b_is_404(a, b, "/v1/dialer/campaigns/{ref}", "delete", api=True)


def api_dialer_campaign_settings(a, b):
    _b_is_404(a, b, "/v1/dialer/campaigns/{ref}/settings", "put", {"aggression": 9.0}, api=True)


def api_dialer_start(a, b):
    _b_is_404(a, b, "/v1/dialer/campaigns/{ref}/start", "post", api=True)


def api_dialer_stop(a, b):
    _b_is_404(a, b, "/v1/dialer/campaigns/{ref}/stop", "post", api=True)


def api_dialer_leads(a, b):
    campaign = _a_campaign(a)
    response = b.admin_client.post(
        f"/v1/dialer/campaigns/{campaign.ref}/leads",
        {"file": csv_file(["+14155550100"])},
        **bearer(b.token.raw),
    )
    assert response.status_code == 404
    assert not LeadListUpload.objects.exists()


def api_dialer_agents(a, b):
    _b_is_404(a, b, "/v1/dialer/campaigns/{ref}/agents", "post", {"extension": "101"}, api=True)


def api_dialer_agent(a, b):
    _b_is_404(a, b, "/v1/dialer/campaigns/{ref}/agents/101", "delete", api=True)


def api_dialer_upload(a, b):
    campaign = _a_campaign(a)
    upload = _a_upload(a, campaign)
    response = b.admin_client.get(f"/v1/dialer/uploads/{upload.pk}", **bearer(b.token.raw))
    assert response.status_code == 404


def dialer_live(a, b):
    campaign = _a_campaign(a)
    response = b.admin_client.get("/dialer/live/")
    assert response.status_code == 200
    assert f"dialer-state-{campaign.pk}" not in response.content.decode()


def dialer_campaign_live(a, b):
    _b_is_404(a, b, "/dialer/campaigns/{ref}/live/")


def _a_member_id(a):
    from dialer.models import AgentExtension

    membership = a.account.memberships.get(user=a.member)
    AgentExtension.objects.get_or_create(
        membership=membership, defaults={"account": a.account, "extension": "101"}
    )
    return membership.pk


def _a_extension_untouched(a):
    from dialer.models import AgentExtension

    assert list(AgentExtension.objects.values_list("account", "extension")) == [
        (a.account.pk, "101")
    ]


def dialer_extensions(a, b):
    _a_member_id(a)
    page = b.admin_client.get("/dialer/extensions/").content.decode()
    assert a.member.email not in page


def dialer_extension_set(a, b):
    member_id = _a_member_id(a)
    response = b.admin_client.post(
        f"/dialer/extensions/{member_id}/", {f"m{member_id}-extension": "999"}
    )
    assert response.status_code == 404
    _a_extension_untouched(a)


def api_dialer_extensions(a, b):
    _a_member_id(a)
    response = b.admin_client.get("/v1/dialer/extensions", **bearer(b.token.raw))
    assert response.status_code == 200
    assert a.member.email not in response.content.decode()


def api_dialer_extension(a, b):
    member_id = _a_member_id(a)
    url = f"/v1/dialer/extensions/{member_id}"
    assert b.admin_client.get(url, **bearer(b.token.raw)).status_code == 404
    response = b.admin_client.put(
        url, {"extension": "999"}, content_type="application/json", **bearer(b.token.raw)
    )
    assert response.status_code == 404
    _a_extension_untouched(a)


CASES = {
    name: function
    for name, function in list(globals().items())
    if name.startswith(("dialer_", "api_dialer_")) and callable(function)
}

EXEMPT = {
    "dialer_webhook": "The dialer's notifications, addressed by an unguessable account token",
    "dialer_webhook_unslashed": "dialer_webhook without its trailing slash: the same view",
}
