"""JSON API for the dialer under /v1/dialer/ (the same forms and services as the pages).

Who may do what follows `dialer.permissions`: a campaign a member is no agent of is a 404, a
change a member may not make a 403; the connection is the admins'.
"""

from django.core.exceptions import ValidationError

from campaignhub.api import (
    CURSOR_KEYS,
    ApiProblem,
    api_view,
    form_problem,
    ok,
    page_or_cursor,
    refuse_unknown_query,
    validated,
)
from campaignhub.models import Membership
from campaignhub.tenancy import get_for_account_or_404
from dialer import client, selectors, services, uploads
from dialer.forms import AgentForm, CampaignForm, ConnectionForm, ExtensionForm, UploadForm
from dialer.models import DialerCampaign
from dialer.permissions import Action, require, require_extension_change
from dialer.schemas import AgentBody, CampaignBody, ConnectionBody, ExtensionBody, SettingsBody


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
        "warnings": upload.warnings,
        "batches_total": upload.batches_total,
        "batches_sent": upload.batches_sent,
        "contacts_sent": upload.contacts_sent,
        "percent": upload.percent,
        "last_error": upload.last_error or None,
        "created_at": upload.created_at,
        "finished_at": upload.finished_at,
    }


@api_view("GET", "POST", "DELETE", body={"POST": ConnectionBody})
def connection(request):
    """The connection is the admins' alone: its answer carries our notification URL, whose
    token lets anyone holding it post notifications."""
    require(request.membership, Action.CONNECT)
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


SETTINGS_NESTED = "settings"
BOTH_SHAPES = "Send the settings either nested under settings or as top-level fields, not both."


def _flat_settings(data) -> tuple[dict, bool]:
    """The body with its `settings` object (the shape GET answers) spread into top-level
    fields, as the form takes them; and whether they came nested."""
    nested = data.pop(SETTINGS_NESTED, None)
    if nested is None:
        return data, False
    flat = sorted(name for name in services.SETTINGS_FIELDS if name in data)
    if flat:
        raise ApiProblem(400, BOTH_SHAPES, {SETTINGS_NESTED: [BOTH_SHAPES]})
    return {**data, **nested}, True


def _nested_problem(problem):
    """Form errors about settings sent nested, named as the nested fields (`settings`:
    `"aggression: …"`), like the schema names them."""
    errors = {}
    for name, messages in problem.errors.items():
        if name in services.SETTINGS_FIELDS:
            errors.setdefault(SETTINGS_NESTED, []).extend(f"{name}: {m}" for m in messages)
        else:
            errors.setdefault(name, []).extend(messages)
    first_field, first = next(iter(problem.errors.items()))
    message = (
        f"settings.{first_field}: {first[0]}"
        if first_field in services.SETTINGS_FIELDS
        else first[0]
    )
    return ApiProblem(400, message, errors)


def _campaign_form(request, data, instance=None):
    data, nested = _flat_settings(data)
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
        problem = form_problem(form)
        if "inbound_campaign" in problem.errors:  # named as the API sends it
            problem.errors["inbound_campaign_id"] = problem.errors.pop("inbound_campaign")
        raise _nested_problem(problem) if nested else problem
    return dict(form.cleaned_data)


@api_view("GET", "POST", body={"POST": CampaignBody})
def campaigns(request):
    """`GET`: the campaigns one may see beside the dialer's list (members: those they are an
    agent of). `POST` (admins): create, or `{"adopt_ref"}` adopt; the answer carries
    `warnings` (adopting) as an agent's does."""
    if request.method == "POST":
        data = dict(request.data)
        warnings = []
        if "adopt_ref" in data:
            require(request.membership, Action.ADOPT)
            if len(data) > 1:
                raise ApiProblem(400, "adopt_ref comes alone.", {"adopt_ref": ["Comes alone."]})
            adopted = services.adopt(account=request.account, ref=data["adopt_ref"])
            campaign, warnings = adopted.campaign, adopted.warnings
        else:
            require(request.membership, Action.CREATE)
            values = _campaign_form(request, data)
            campaign = services.create_campaign(account=request.account, **values)
        return ok({**campaign_out(campaign), "warnings": warnings}, status=201)
    refuse_unknown_query(request, ())
    lines = services.list_correlated(account=request.account, membership=request.membership)
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


def _visible(request, ref, action=None):
    """The campaign `ref` as the requester may see it (404 otherwise), checked for `action`."""
    found = selectors.campaign_for(request.account, ref, membership=request.membership)
    if action is not None:
        require(request.membership, action, found)
    return found


@api_view("GET", "DELETE")
def campaign(request, ref):
    if request.method == "DELETE":
        found = services.remove_campaign(campaign=_visible(request, ref, Action.REMOVE))
        return ok(campaign_out(found), status=202)
    return ok(campaign_out(_visible(request, ref)))


@api_view("PUT", body=SettingsBody)
def campaign_settings(request, ref):
    """Settings nested under `settings` as GET shows them, or as top-level fields; those
    given change, the rest stay. Only the ref and the settings reach the dialer."""
    found = _visible(request, ref, Action.EDIT_SETTINGS)
    values = _campaign_form(
        request, dict(request.data), instance=DialerCampaign.objects.get(pk=found.pk)
    )
    found = services.apply_settings(campaign=found, **values)
    return ok(campaign_out(found))


@api_view("POST")
def campaign_start(request, ref):
    found = services.request_start(campaign=_visible(request, ref, Action.START_STOP))
    return ok(campaign_out(found), status=202)


@api_view("POST")
def campaign_stop(request, ref):
    found = services.request_stop(campaign=_visible(request, ref, Action.START_STOP))
    return ok(campaign_out(found), status=202)


@api_view("POST", files=("file",))
def campaign_leads(request, ref):
    found = _visible(request, ref, Action.UPLOAD)
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
    return ok(
        upload_out(selectors.upload_for(request.account, upload_id, membership=request.membership))
    )


@api_view("POST", body=AgentBody)
def campaign_agents(request, ref):
    found = _visible(request, ref, Action.MANAGE_AGENTS)
    form = validated(AgentForm, request.data)
    extension = form.cleaned_data["extension"]
    user = selectors.member_with_extension(request.account, extension)
    if user is None:
        message = f"No member of this account has extension {extension}."
        raise ApiProblem(400, message, {"extension": [message]})
    added = services.add_agent(campaign=found, user=user)
    data = campaign_out(found)
    data["warnings"] = added.warnings
    return ok(data, status=201)


@api_view("DELETE")
def campaign_agent(request, ref, extension):
    found = _visible(request, ref, Action.MANAGE_AGENTS)
    services.remove_agent(campaign=found, extension=extension)
    return ok(campaign_out(found))


def extension_out(membership) -> dict:
    """`member_id` is the membership's id (as in `/v1/members` and `extensions/<member_id>`),
    `user_id` the person's."""
    record = getattr(membership, "agent_extension", None)
    return {
        "member_id": membership.pk,
        "user_id": membership.user_id,
        "name": membership.user.get_full_name(),
        "email": membership.user.email,
        "extension": record.extension if record else None,
    }


@api_view("GET")
def extensions(request):
    """The members' dialer extensions in this account (a member sees their own), paginated."""
    refuse_unknown_query(request, CURSOR_KEYS)
    rows, extra = page_or_cursor(request, selectors.extensions_for(request.membership))
    return ok([extension_out(row) for row in rows], **extra)


@api_view("GET", "PUT", body={"PUT": ExtensionBody})
def extension(request, member_id):
    """`GET` one member's extension; `PUT {"extension": "101" | null}` sets it (one's own, or
    anyone's for an admin), moving their agents to it on the dialer. The answer carries the
    campaigns `moved` and `warnings` for those the dialer did not take yet."""
    found = get_for_account_or_404(
        selectors.extensions_for(request.membership),
        request.account,
        "Member not found",
        pk=member_id,
    )
    if request.method == "GET":
        return ok(extension_out(found))
    require_extension_change(request.membership, found)
    if "extension" not in request.data:
        message = "This field is required (null clears the extension)."
        raise ApiProblem(400, f"extension: {message}", {"extension": [message]})
    form = validated(ExtensionForm, {"extension": request.data["extension"] or ""})
    done = services.set_extension(membership=found, extension=form.cleaned_data["extension"])
    found = Membership.objects.select_related("user", "agent_extension").get(pk=found.pk)
    return ok({**extension_out(found), "moved": done.moved, "warnings": done.warnings})
