"""Demo data for CallRail: with DEMO_CALLRAIL_API_KEY set (`make run` sets the sandbox's), the
demo account is connected to CallRail, works in its first company and has the webhook set up."""

import os

from django.conf import settings

from callrail import client as callrail
from callrail import services
from campaignhub.api import ApiProblem
from campaignhub.http import ApiError


def load(*, account, admin, member, stdout):
    api_key = os.environ.get("DEMO_CALLRAIL_API_KEY")
    if not api_key:
        stdout.write("CallRail: not connected (set DEMO_CALLRAIL_API_KEY to connect the demo).")
        return
    try:
        if services.live_key(account) is None:
            services.connect_key(account=account, api_key=api_key)
        client = services.client_for(account)
        first_account = callrail.account_out(client.accounts(per_page=1).items[0])
        company = callrail.company_out(client.companies(first_account["id"], per_page=1).items[0])
        services.choose(
            account=account,
            account_id=first_account["id"],
            account_name=first_account["name"],
            company_id=company["id"],
            company_name=company["name"],
            script_url=company["script_url"] or "",
        )
        services.register_webhook(
            account=account,
            client=client,
            account_id=first_account["id"],
            company_id=company["id"],
            url=services.receiver_url(account),
        )
    except (ApiError, ApiProblem, IndexError) as exc:
        stdout.write(f"CallRail: could not connect to {settings.CALLRAIL_API_BASE}: {exc}")
        return
    stdout.write(f"CallRail: connected to {settings.CALLRAIL_API_BASE}, company {company['name']}.")
