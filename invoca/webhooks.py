"""Invoca's post-call webhook receiver: `POST /webhooks/invoca/<token>/`, one token per account.

Invoca signs nothing (external-apis.md §2.5), so the unguessable token in the URL
(`InvocaReceiver.webhook_token`) is the secret. Configure the webhook in Invoca as a post-call
webhook, JSON POST or HTTP Form POST, with substitution parameters named after the Transactions
API's columns: `transaction_id` (required), `advertiser_campaign_id_from_network`,
`advertiser_id_from_network`, `calling_phone_number`, and any others (all are kept with the
lead). Every delivery is stored first and processed by `invoca.leads.process`; one that cannot
be a post-call webhook (not JSON or a form, not one object, no `transaction_id`) is stored
rejected with the reason and answered 400, as the lead and dialer webhooks answer such bodies.
"""

from django.conf import settings
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.http import Http404
from django.urls import reverse

from campaignhub.webhooks import Target, WebhookView, forget_targets
from invoca.leads import WEBHOOK_SOURCE, webhook_row
from invoca.models import InvocaReceiver


def receiver_for(account) -> InvocaReceiver:
    """The account's webhook receiver, made the first time it is asked for."""
    found, _ = InvocaReceiver.objects.get_or_create(account=account)
    return found


class InvocaWebhook(WebhookView):
    source = WEBHOOK_SOURCE
    cache_targets = True

    def resolve(self, token):
        found = InvocaReceiver.objects.filter(webhook_token=token).select_related("account")
        chosen = found.first()
        if chosen is None:
            raise Http404
        return Target(chosen.account)

    def check(self, delivery):
        """Why the body cannot be a post-call webhook (`invoca.leads.webhook_row`), told to
        the sender at once with a 400; None for one that can."""
        try:
            webhook_row(delivery)
        except ValueError as exc:
            return str(exc)
        return None


@receiver(post_save, sender=InvocaReceiver)
def forget_cached_endpoints(sender, **kwargs):
    """A receiver token changed here is refused by this process's next delivery at once."""
    forget_targets()


def webhook_url(account) -> str:
    """The URL to paste into Invoca as the post-call webhook (`PUBLIC_BASE_URL` + path)."""
    token = receiver_for(account).webhook_token
    return settings.PUBLIC_BASE_URL + reverse("invoca_webhook", args=[token])
