"""How a request reaches CallRail: its key, the CallRail account/company, and error mapping.

Used by the JSON API and the pages alike; problems are raised as ApiProblem (status + the
reference documents' message), which the pages show as messages.
"""

from dataclasses import dataclass

from callrail import services
from callrail.client import CallRailClient
from campaignhub.api import ApiProblem
from campaignhub.http import ApiError


@dataclass
class Access:
    key: object
    client: CallRailClient
    account_id: str
    company_id: str


def access(request, *, account_id=None, company_id=None, need_account=True) -> Access:
    """The caller's CallRail access; ids come from the headers, then the arguments, then the
    saved choice."""
    key = services.live_key(request.account)
    if key is None:
        raise ApiProblem(400, services.NO_KEY)
    chosen = services.settings_for(request.account)
    account_id = (
        request.headers.get("X-CallRail-Account-Id") or account_id or chosen.callrail_account_id
    )
    company_id = request.headers.get("X-CallRail-Company-Id") or company_id or chosen.company_id
    if need_account and not account_id:
        raise ApiProblem(400, services.NO_ACCOUNT)
    return Access(key, services.client_for(request.account, key=key), account_id, company_id)


def upstream(found: Access, call, *, not_found="Not found"):
    """Run a CallRail call; map its failures to our statuses and messages."""
    try:
        return call()
    except ApiError as exc:
        if exc.status == 401:
            services.mark_key_rejected(found.key)
            raise ApiProblem(400, services.KEY_REJECTED) from exc
        if exc.status == 404:
            raise ApiProblem(404, not_found) from exc
        if exc.status is None:
            raise ApiProblem(502, f"Could not reach CallRail: {exc.message}") from exc
        raise ApiProblem(400, exc.message) from exc
