from datetime import UTC, datetime, timedelta

from django import template

from campaignhub import phones
from campaigns import assignment
from campaigns.models import Integration

register = template.Library()


@register.filter
def integration_label(value):
    """`callrail` -> `CallRail`."""
    try:
        return Integration(value).label
    except ValueError:
        return value


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@register.filter
def epoch_microseconds(value):
    """An aware datetime as whole microseconds since 1970-01-01 UTC (negative before it, so a
    campaign dated in year 1 still has one), for ordering rows in the browser; "" for None."""
    if value is None:
        return ""
    return (value - EPOCH) // timedelta(microseconds=1)


@register.filter
def uses(campaign, field):
    """Whether `campaign`'s current lead source uses `field` (`forms.SOURCE_FIELDS`, e.g.
    "page_url"): a value kept from a source it had before is stored but routes nothing, so the
    page does not show it. Fields no source owns are always used."""
    from campaigns.forms import SOURCE_FIELDS

    return campaign.integration in SOURCE_FIELDS.get(field, (campaign.integration,))


@register.filter
def duration(seconds):
    """A number of seconds as people say it: `45 s`, `3 min 20 s`, `2 h 5 min`, `3 d 4 h`
    (rounded to whole seconds, the two largest units); "" for None or a non-number."""
    try:
        left = round(float(seconds))
    except (TypeError, ValueError):
        return ""
    amounts = []
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60), ("s", 1)):
        amount, left = divmod(left, size)
        amounts.append((amount, unit))
    first = next((i for i, (amount, _unit) in enumerate(amounts) if amount), len(amounts) - 1)
    shown = [f"{amount} {unit}" for amount, unit in amounts[first : first + 2] if amount]
    return " ".join(shown) or "0 s"


@register.filter
def public_name(campaign):
    """The campaign's name for visitors of its public form (`services.public_name`)."""
    from campaigns.services import public_name as name_for_visitors

    return name_for_visitors(campaign)


@register.filter
def lead_label(lead, region=""):
    """How a lead is named on pages: its name, else its phone as people in `region` (ISO 3166)
    read it, else its email, else "Unknown caller" (`services.UNKNOWN_CALLER`, as in alerts)."""
    from campaigns.services import UNKNOWN_CALLER

    if lead.name:
        return lead.name
    if lead.phone:
        return phones.for_display(lead.phone, region or phones.DEFAULT_REGION)
    return lead.email or UNKNOWN_CALLER


@register.filter
def representative_name(lead):
    """Who holds the lead: their name, "Max Doe (no longer a member)" once they left the
    account, "" for nobody (`assignment.representative_name`)."""
    return assignment.representative_name(lead)


@register.filter
def representative_left_notice(lead):
    """ "Max Doe is no longer a member of this account: give the lead to someone else." when
    the lead's representative left the account, else ""
    (`assignment.representative_left_notice`)."""
    return assignment.representative_left_notice(lead)


@register.filter
def contact_matched_by(lead):
    """ "phone", "email" or "phone and email": what the lead shares with its CRM contact (the
    CRM matches a lead to a contact by phone, then by email, and fills the contact's empty
    fields from it), when that contact goes by another name than the lead's, so a
    representative does not greet the caller by the contact's name; "" when the names agree,
    the lead has no name or no contact, or shares neither value with the contact now."""
    contact = lead.contact
    if contact is None or not lead.name:
        return ""
    if str(contact).strip().casefold() == lead.name.strip().casefold():
        return ""
    shared = [
        value
        for value, same in (
            ("phone", lead.phone and contact.phone == lead.phone),
            ("email", lead.email and contact.email.casefold() == lead.email.casefold()),
        )
        if same
    ]
    return " and ".join(shared)
