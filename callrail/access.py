"""How a request reaches CallRail: its key, the CallRail account/company, and error mapping.

Used by the JSON API and the pages alike; problems are raised as ApiProblem (status + the
reference documents' message), which the pages show as messages. Both answer web requests, so
they call CallRail in the web-request mode: one attempt, short timeout, never a backoff sleep.
"""

import re
from dataclasses import dataclass

from callrail import services
from callrail.client import CallRailClient
from callrail.models import CallRailKey
from campaignhub.api import ApiProblem
from campaignhub.models import Account

CALLRAIL_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


@dataclass
class Access:
    """Who calls CallRail and where: our account, its live key, a client sending it (in the
    web-request mode: one attempt, short timeout, no sleep), and the CallRail account/company."""

    account: Account
    key: CallRailKey
    client: CallRailClient
    account_id: str
    company_id: str


def access(request, *, account_id=None, company_id=None, need_account=True) -> Access:
    """The caller's CallRail access; ids come from the headers, then the arguments, then the
    saved choice.

    Raises ApiProblem 400 when the account has no live key, (with `need_account`) no CallRail
    account id, or an id that is not one (CallRail ids are letters and digits, e.g.
    `ACC8154748ae6bd4e278a7cddd38a662f4f`; `external-apis.md`).
    """
    connection = services.CALLRAIL.connection_for(request.account, web_request=True)
    chosen = services.settings_for(request.account)
    account_id = (
        request.headers.get("X-CallRail-Account-Id") or account_id or chosen.callrail_account_id
    )
    company_id = request.headers.get("X-CallRail-Company-Id") or company_id or chosen.company_id
    if need_account and not account_id:
        raise ApiProblem(400, services.NO_ACCOUNT)
    for header, value in (("Account", account_id), ("Company", company_id)):
        if value and not CALLRAIL_ID.fullmatch(str(value)):
            raise ApiProblem(400, f"X-CallRail-{header}-Id is not a CallRail {header.lower()} id.")
    return Access(request.account, connection.credential, connection.client, account_id, company_id)


def upstream(found: Access, call, *, not_found="Not found"):
    """Run `call()` (CallRail calls through `found.client`); its failures become ApiProblem as
    the platform's one mapping says (401 marks the key rejected)."""
    return services.CALLRAIL.call(found.key, call, not_found=not_found)
