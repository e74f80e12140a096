"""JSON API for the dialer under /v1/dialer/ (the same forms and services as the pages)."""

from django.core.exceptions import ValidationError

from campaignhub.api import ApiProblem, api_view, form_problem, ok, validated
from campaignhub.models import User
from dialer import client, selectors, services, uploads
from dialer.forms import AgentForm, CampaignForm, ConnectionForm, UploadForm
from dialer.models import DialerCampaign
from dialer.schemas import AgentBody, CampaignBody, ConnectionBody, SettingsBody


def connection_data(account):
    connection = services.DIALER.live_credential(account)
    return {
        "connected": connection is not None,
        "base_url": connection.base_url if connection else None,
        "webhook_url": services.receiver_url(account),
        "last4": connection.last4 if connection else None,
        "rejected": bool(connection and connection.rejected_at),
    }


def campaign_out(campaign, *, presence=None, upstream=None) -> dict:
    data = {
        "ref": campaign.ref,
        "name": campaign.name,
        "state": campaign.state,
        "pending_action": campaign.pending_action or None,
        # Our API shows the settings in the shape the dialer itself uses (dialer-api.md).
        "settings": client.settings_payload(campaign),
        "default_agent_state": campaign.default_agent_state,
        "inbound_campaign_id": campaign.inbound_campaign_id,
        "agents": [
            {
                "extension": agent.extension,
                "name": agent.user.get_full_name(),
                "default_state": agent.default_state,
                "status": agent.status or None,
            }
            for agent in selectors.agents_of(campaign)
        ],
        "contacts": {"total": campaign.contacts_total, "sent": campaign.contacts_sent},
        "created_at": campaign.created_at,
    }
    if presence:
        data["presence"] = presence
        data["upstream"] = upstream
    return data


def upstream_out(record) -> dict:
    return {
        "ref": record["ref"],
        "name": record["name"],
        "status": record["status"] or None,
        "contacts": record["contacts"],
        "agents": record["agents"],
    }


def upload_out(upload) -> dict:
    return {
        "upload_id": upload.pk,
        "campaign_ref": upload.campaign.ref,
        "file_name": upload.original_name,
        "status": upload.status,
        "rows_total": upload.rows_total,
        "rows_valid": upload.rows_valid,
        "rows_invalid": upload.rows_invalid,
        "errors": upload.errors,
        "batches_total": upload.batches_total,
        "batches_sent": upload.batches_sent,
        "contacts_sent": upload.contacts_sent,
        "percent": upload.percent,
        "last_error": upload.last_error or None,
        "created_at": upload.created_at,
        "finished_at": upload.finished_at,
    }


@api_view("GET", "POST", "DELETE", admin=["POST", "DELETE"], body={"POST": ConnectionBody})
def connection(request):
    if request.method == "POST":
        form = validated(ConnectionForm, request.data)
        try:
            services.connect(
                account=request.account,
                base_url=form.cleaned_data["base_url"],
                api_key=form.cleaned_data["api_key"],
            )
        except ValidationError as exc:
            raise ApiProblem(400, exc.messages[0], {"api_key": exc.messages}) from None
        return ok(connection_data(request.account), status=201)
    if request.method == "DELETE" and not services.disconnect(account=request.account):
        raise ApiProblem(400, services.DIALER.not_connected_message)
    return ok(connection_data(request.account))


def _campaign_form(request, data, instance=None):
    if "inbound_campaign_id" in data:
        data["inbound_campaign"] = data.pop("inbound_campaign_id")
    if instance is not None:
        current = {name: getattr(instance, name) for name in CampaignForm.Meta.fields}
        current["inbound_campaign"] = instance.inbound_campaign_id
        data = {**current, **{k: ("" if v is None else v) for k, v in data.items()}}
    else:
        data = {k: ("" if v is None else v) for k, v in data.items()}
    form = CampaignForm(data=data, instance=instance, account=request.account)
    if not form.is_valid():
        raise form_problem(form)
    values = dict(form.cleaned_data)
    return values


@api_view("GET", "POST", body={"POST": CampaignBody})
def campaigns(request):
    if request.method == "POST":
        data = dict(request.data)
        if "adopt_ref" in data:
            if len(data) > 1:
                raise ApiProblem(400, "adopt_ref comes alone.", {"adopt_ref": ["Comes alone."]})
            campaign = services.adopt(account=request.account, ref=data["adopt_ref"])
        else:
            values = _campaign_form(request, data)
            campaign = services.create_campaign(account=request.account, **values)
        return ok(campaign_out(campaign), status=201)
    lines = services.list_correlated(account=request.account)
    return ok(
        [
            campaign_out(
                line.campaign,
                presence=line.presence,
                upstream=line.upstream and upstream_out(line.upstream),
            )
            if line.campaign
            else {
                "ref": line.ref,
                "presence": line.presence,
                "upstream": upstream_out(line.upstream),
            }
            for line in lines
        ]
    )


@api_view("GET", "DELETE")
def campaign(request, ref):
    found = selectors.campaign_for(request.account, ref)
    if request.method == "DELETE":
        found = services.remove_campaign(campaign=found)
        return ok(campaign_out(found), status=202)
    return ok(campaign_out(found))


@api_view("PUT", body=SettingsBody)
def campaign_settings(request, ref):
    found = selectors.campaign_for(request.account, ref)
    values = _campaign_form(
        request, dict(request.data), instance=DialerCampaign.objects.get(pk=found.pk)
    )
    found = services.apply_settings(campaign=found, **values)
    return ok(campaign_out(found))


@api_view("POST")
def campaign_start(request, ref):
    found = services.request_start(campaign=selectors.campaign_for(request.account, ref))
    return ok(campaign_out(found), status=202)


@api_view("POST")
def campaign_stop(request, ref):
    found = services.request_stop(campaign=selectors.campaign_for(request.account, ref))
    return ok(campaign_out(found), status=202)


@api_view("POST", files=True)
def campaign_leads(request, ref):
    found = selectors.campaign_for(request.account, ref)
    form = UploadForm(data={}, files=request.FILES)
    if not form.is_valid():
        raise form_problem(form)
    upload = uploads.upload_lead_list(
        campaign=found,
        file=form.cleaned_data["file"],
        user=request.user,
        region=request.account.country or "US",
    )
    # Sending runs after commit (at once when tasks run in-process): answer its state now.
    upload.refresh_from_db()
    return ok(upload_out(upload), status=202)


@api_view("GET")
def upload(request, upload_id):
    return ok(upload_out(selectors.upload_for(request.account, upload_id)))


@api_view("POST", body=AgentBody)
def campaign_agents(request, ref):
    found = selectors.campaign_for(request.account, ref)
    form = validated(AgentForm, request.data)
    extension = form.cleaned_data["extension"]
    user = User.objects.filter(
        dialer_extension=extension, memberships__account=request.account
    ).first()
    if user is None:
        message = f"No member of this account has extension {extension}."
        raise ApiProblem(400, message, {"extension": [message]})
    added = services.add_agent(campaign=found, user=user)
    data = campaign_out(found)
    data["warnings"] = added.warnings
    return ok(data, status=201)


@api_view("DELETE")
def campaign_agent(request, ref, extension):
    found = selectors.campaign_for(request.account, ref)
    services.remove_agent(campaign=found, extension=extension)
    return ok(campaign_out(found))
