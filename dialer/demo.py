"""Demo data for the dialer: with DEMO_DIALER_API_KEY set (`make run` sets the sandbox's), the
demo account is connected to the dialer at DIALER_API_BASE, the member gets extension 101 and the
admin 100 in it, and a first campaign is there for the demo lead list
(`dialer/demo_data/demo_leads.csv`)."""

import os
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError

from campaignhub.api import ApiProblem
from dialer import services
from dialer.models import AgentExtension, DialerCampaign

DEMO_CSV = Path(__file__).parent / "demo_data" / "demo_leads.csv"


def load(*, account, admin, member, stdout):
    api_key = os.environ.get("DEMO_DIALER_API_KEY")
    if not api_key or not settings.DIALER_API_BASE:
        stdout.write("Dialer: not connected (set DIALER_API_BASE and DEMO_DIALER_API_KEY).")
        return
    for user, extension in ((member, "101"), (admin, "100")):
        membership = account.memberships.get(user=user)
        if not AgentExtension.objects.filter(account=account, extension=extension).exists():
            AgentExtension.objects.get_or_create(
                membership=membership, defaults={"account": account, "extension": extension}
            )
    try:
        services.connect(account=account, base_url=settings.DIALER_API_BASE, api_key=api_key)
        if not DialerCampaign.objects.for_account(account).live().exists():
            services.create_campaign(
                account=account,
                name="Spring policy renewals",
                aggression="1.5",
                max_attempts=3,
                retry_delay_s=3600,
                default_agent_state="available",
            )
    except (ApiProblem, ValidationError) as exc:
        stdout.write(f"Dialer: could not connect to {settings.DIALER_API_BASE}: {exc}")
        return
    stdout.write(
        f"Dialer: connected to {settings.DIALER_API_BASE}; demo lead list to upload: "
        f"{DEMO_CSV.relative_to(settings.BASE_DIR)}"
    )
