"""How the CRM follows leads: a new lead becomes (or joins) a contact and may open a deal; a
lead's outcome set elsewhere moves its deal; a lead given to someone else takes its deal along."""

from crm import contacts, deals
from crm.models import Deal


def on_lead_captured(*, lead, **signal):
    """`campaigns.signals.lead_captured`: merge the lead into a contact when its campaign has
    `add_to_crm`, then open a deal when it has `create_deal` (SPEC §3, [000])."""
    contacts.merge_lead(lead)
    deals.open_for_lead(lead)


def on_lead_outcome_changed(*, lead, via, **signal):
    """`campaigns.signals.lead_outcome_changed`: a lead won or lost from its page or the API
    moves its deal to the pipeline's won or lost stage."""
    if via != "deal":
        deals.follow_lead_outcome(lead)


def on_lead_handed_over(*, lead, previous_id, **signal):
    """`campaigns.signals.lead_handed_over`: the deal of a lead given to someone else follows
    it when the person who held the lead owned it (`deals.follow_lead_holder`)."""
    deals.follow_lead_holder(lead, previous_id)


def on_currency_changing(*, account, currency, **signal) -> str:
    """`campaignhub.signals.currency_changing`: deals keep their own currency, so those in the
    account's current one stop giving their value to their won leads (`in_account_currency`)."""
    count = Deal.objects.filter(account=account, currency=account.currency).count()
    if not count:
        return ""
    deals_in = f"{count} deal is" if count == 1 else f"{count} deals are"
    return (
        f"{deals_in} valued in {account.currency}: they keep it, and a lead won with one no "
        "longer takes its value as revenue."
    )
