"""JSON API for Invoca advertiser campaigns under /v1/invoca/ (the same checks and services as
the pages). Terms go in as Invoca names them [004]; invalid terms, budgets or IVR trees are a
400 whose `errors` are in Invoca's nested shape, and nothing is sent to Invoca then."""

from django.core.exceptions import ValidationError

from campaignhub.api import (
    PAGE_KEYS,
    ApiProblem,
    api_view,
    form_problem,
    ok,
    paginate,
    refuse_unknown_query,
    validated,
)
from invoca import selectors, services
from invoca.forms import (
    ADVERTISER_ID,
    ID_MESSAGE,
    ConnectionForm,
    GoLiveForm,
    clean_campaign,
    editable_terms,
)
from invoca.schemas import (
    TERMS_FIELDS,
    CampaignBody,
    ConnectionBody,
    GoLiveBody,
    NewCampaignBody,
    TermsInvalid,
)
from invoca.upstream import INVOCA
from invoca.webhooks import webhook_url


def connection_data(account, *, admin: bool) -> dict:
    """The connection as the API shows it. `webhook_url` holds the endpoint's secret token, and
    Invoca signs nothing, so only an account admin gets it (None for members), as on the
    connection page."""
    connection = INVOCA.live_credential(account)
    return {
        "connected": connection is not None,
        "network_id": connection.network_id if connection else None,
        "api_version": connection.api_version if connection else None,
        "base_url": connection.base_url if connection else None,
        "last4": connection.last4 if connection else None,
        "rejected": bool(connection and connection.rejected_at),
        "webhook_url": webhook_url(account) if admin else None,
    }


def campaign_out(campaign, visible_inbound: set[int]) -> dict:
    """A campaign as our API shows it: `id` is ours, the network's ids and Invoca's own, the
    status, both terms as Invoca gave them, whether changes are staged, and the inbound
    campaign its calls go to: `inbound_campaign_id` only when it is in `visible_inbound` (those
    the caller may see, `selectors.visible_inbound_ids`); `inbound_campaign_hidden` is true
    when the calls go to a campaign the caller does not see (its id left out)."""
    linked = campaign.inbound_campaign_id
    shown = linked if linked in visible_inbound else None
    return {
        "id": campaign.pk,
        "advertiser_id_from_network": campaign.advertiser_id_from_network,
        "id_from_network": campaign.id_from_network,
        "invoca_id": campaign.invoca_id,
        "name": campaign.name,
        "status": campaign.status,
        "object_url": campaign.object_url or None,
        "current_terms": campaign.current_terms or None,
        "future_terms": campaign.future_terms or None,
        "has_staged_changes": campaign.has_staged_changes,
        "custom_data": campaign.custom_data,
        "inbound_campaign_id": shown,
        "inbound_campaign_hidden": bool(linked) and shown is None,
        "went_live_at": campaign.went_live_at,
        "synced_at": campaign.synced_at,
        "created_at": campaign.created_at,
        "updated_at": campaign.updated_at,
    }


def _out(request, campaign) -> dict:
    """One campaign as the requester may see it (`campaign_out`)."""
    return campaign_out(campaign, selectors.visible_inbound_ids(request.membership, [campaign]))


def _advertiser(advertiser_id):
    if not ADVERTISER_ID.match(advertiser_id):
        raise ApiProblem(400, f"advertiser id: {ID_MESSAGE}", {"advertiser_id": [ID_MESSAGE]})
    return advertiser_id


def _invalid(exc: TermsInvalid):
    return ApiProblem(400, str(exc), exc.errors)


def _checked(data, *, campaign=None, errors=None):
    """The body as a campaign ready to send; a PUT's absent properties keep the staged ones.
    Raises ApiProblem 400 with every error at once: `errors` found before (a new campaign's
    id) beside the campaign's own."""
    if campaign is None:
        terms = {key: data[key] for key in TERMS_FIELDS if data.get(key) is not None}
        name, custom_data = data.get("name"), data.get("custom_data")
    else:
        staged = editable_terms(campaign.future_terms or campaign.current_terms)
        terms = {**staged, **{key: data[key] for key in TERMS_FIELDS if key in data}}
        terms = {key: value for key, value in terms.items() if value is not None}
        name = data.get("name", campaign.name)
        custom_data = data.get("custom_data", campaign.custom_data)
    try:
        clean = clean_campaign(name=name, terms=terms, custom_data=custom_data)
    except TermsInvalid as exc:
        raise _invalid(TermsInvalid({**(errors or {}), **exc.errors})) from None
    if errors:
        raise _invalid(TermsInvalid(errors))
    return clean


@api_view("GET", "POST", "DELETE", admin=["POST", "DELETE"], body={"POST": ConnectionBody})
def connection(request):
    if request.method == "POST":
        data = dict(request.data)
        if isinstance(data.get("network_id"), int):
            data["network_id"] = str(data["network_id"])
        form = validated(ConnectionForm, data)
        try:
            services.connect(account=request.account, **form.cleaned_data)
        except ValidationError as exc:
            raise ApiProblem(400, exc.messages[0], {"api_token": exc.messages}) from None
        return ok(connection_data(request.account, admin=True), status=201)
    if request.method == "DELETE" and not services.disconnect(account=request.account):
        raise ApiProblem(400, INVOCA.not_connected_message)
    return ok(connection_data(request.account, admin=request.membership.is_admin))


@api_view("GET", "POST", admin=["POST"], body={"POST": NewCampaignBody})
def campaigns(request, advertiser_id):
    advertiser_id = _advertiser(advertiser_id)
    if request.method == "POST":
        data = dict(request.data)
        campaign_id = str(data.get("id_from_network") or "").strip()
        id_errors = {}
        if not ADVERTISER_ID.match(campaign_id):
            id_errors["id_from_network"] = ["can't be blank" if not campaign_id else ID_MESSAGE]
        clean = _checked(data, errors=id_errors)
        campaign = services.create_campaign(
            account=request.account,
            advertiser_id=advertiser_id,
            id_from_network=campaign_id,
            clean=clean,
        )
        return ok(_out(request, campaign), status=201)
    refuse_unknown_query(request, PAGE_KEYS)
    rows, pagination = paginate(request, selectors.campaigns_of(request.account, advertiser_id))
    rows = list(rows)
    visible = selectors.visible_inbound_ids(request.membership, rows)
    return ok([campaign_out(row, visible) for row in rows], pagination=pagination)


@api_view("GET", "PUT", "DELETE", admin=["PUT"], body={"PUT": CampaignBody})
def campaign(request, advertiser_id, campaign_id):
    found = selectors.campaign_for(request.account, advertiser_id, campaign_id)
    if request.method == "DELETE":
        raise ApiProblem(405, services.NO_DELETE, headers={"Allow": "GET, PUT"})
    if request.method == "PUT":
        found = services.update_campaign(
            campaign=found, clean=_checked(dict(request.data), campaign=found)
        )
    return ok(_out(request, found))


@api_view("POST", admin=True, body=GoLiveBody)
def go_live(request, advertiser_id, campaign_id):
    found = selectors.campaign_for(request.account, advertiser_id, campaign_id)
    form = GoLiveForm(data=request.data)
    if not form.is_valid():
        raise form_problem(form)
    found = services.go_live(campaign=found, timeout=form.cleaned_data["timeout"])
    return ok(_out(request, found))


@api_view("POST", admin=True)
def archive(request, advertiser_id, campaign_id):
    found = selectors.campaign_for(request.account, advertiser_id, campaign_id)
    return ok(_out(request, services.archive(campaign=found)))


@api_view("POST", admin=True)
def unarchive(request, advertiser_id, campaign_id):
    found = selectors.campaign_for(request.account, advertiser_id, campaign_id)
    return ok(_out(request, services.unarchive(campaign=found)))


QUICK_STATS_TAKE = (
    "Quick stats take no query parameters: they are always today, the last 7 days and the last "
    "30 days, as Invoca counts them."
)


@api_view("GET")
def quick_stats(request, advertiser_id, campaign_id):
    """Invoca's quick stats of the campaign. Invoca fixes their periods, so a date or filter
    in the query (`?from=`) is a 400 naming it, never an answer that looks filtered."""
    refuse_unknown_query(request, (), takes=QUICK_STATS_TAKE)
    found = selectors.campaign_for(request.account, advertiser_id, campaign_id)
    return ok({"stats": services.quick_stats(campaign=found)})
