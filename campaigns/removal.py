"""What a member's removal does to campaigns and leads."""

from campaignhub.signals import HandedOver
from campaigns import services


def on_member_removed(*, account, user, removed_by=None, **signal):
    """The `campaignhub.signals.member_removed` receiver: `services.withdraw_representative`,
    `services.hand_over_campaigns` to `removed_by`, then `services.pass_on_unalerted_leads`
    (so a lead left with no representative alerts the campaign's owner as it is now). Answers
    how many live campaigns passed to `removed_by`."""
    services.withdraw_representative(account=account, user=user)
    handed = services.hand_over_campaigns(account=account, user=user, to=removed_by)
    services.pass_on_unalerted_leads(account=account, user=user)
    return HandedOver("campaign", len(handed))
