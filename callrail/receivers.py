"""What CallRail keeps in step when other parts of the product save: the CallRail page's unused
numbers when a campaign takes one, and the webhook's cached endpoints when a key changes."""

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from callrail import live_updates
from callrail.models import CallRailSettings
from campaignhub.webhooks import forget_targets
from campaigns.models import Campaign, Integration


@receiver(post_save, sender=Campaign)
def numbers_taken(sender, instance, **kwargs):
    """A CallRail campaign saved may have taken a number the CallRail page lists as unused:
    the page, open anywhere in the account, drops it once the save is committed."""
    if instance.integration != Integration.CALLRAIL or not instance.tracking_number:
        return
    campaign = instance
    transaction.on_commit(lambda: live_updates.number_taken(campaign), robust=True)


@receiver(post_save, sender=CallRailSettings)
def forget_cached_endpoints(sender, **kwargs):
    """A signing key or token saved here is used by this process's next delivery at once."""
    forget_targets()
