"""The CallRail webhook receiver: `POST /webhooks/callrail/<token>/`, one token per account.

Every delivery is stored first (CallRail never retries), its `Signature` checked when the
company's signing key is set, and processed in Celery through the dispatch table below.
"""

import hmac
import json
import logging

from django.http import Http404

from callrail import client as callrail
from callrail import leads
from callrail.models import CallRailSettings
from campaignhub.webhooks import Target, WebhookView, header

SOURCE = "callrail"
logger = logging.getLogger(__name__)

EVENT_HANDLERS = {
    "pre_call": leads.lead_from_call,
    "call_routing_complete": leads.lead_from_call,
    "post_call": leads.lead_from_call,
    "call_modified": leads.lead_from_call,
    "text_message_received": leads.lead_from_text,
    "form_submission": leads.lead_from_form,
}
# Events CallRail may send that are about our own outbound activity, not new leads.
IGNORED_EVENTS = {
    "outbound_post_call",
    "outbound_call_modified",
    "text_message_sent",
    "convert_assist_complete",
}


class CallRailWebhook(WebhookView):
    source = SOURCE
    cache_targets = True

    def resolve(self, token):
        found = CallRailSettings.objects.filter(webhook_token=token).select_related("account")
        chosen = found.first()
        if chosen is None:
            raise Http404
        return Target(chosen.account, signing_key=chosen.signing_key or None)

    def target_for(self, delivery):
        chosen = CallRailSettings.objects.filter(account_id=delivery.account_id).first()
        key = chosen.signing_key if chosen else ""
        return Target(delivery.account, signing_key=key or None)

    def rejected(self, delivery):
        """The CallRail page, open anywhere in the account, counts the rejection at once."""
        from callrail import live_updates

        live_updates.page_changed(delivery.account)

    def verify(self, delivery, target):
        if not target.signing_key:
            return None
        # compare_digest refuses non-ASCII text, so both sides are compared as bytes.
        sent = header(delivery, callrail.SIGNATURE_HEADER).encode("utf-8", "surrogateescape")
        expected = callrail.signature(target.signing_key, bytes(delivery.body)).encode()
        return hmac.compare_digest(expected, sent)


def process(delivery):
    payload = json.loads(delivery.body_text())
    if not isinstance(payload, dict):
        raise ValueError("A CallRail webhook body is a JSON object.")
    event = callrail.classify(payload)
    delivery.event = event
    if event in IGNORED_EVENTS:
        return False
    handler = EVENT_HANDLERS.get(event)
    if handler is None:
        delivery.error = f"Unknown CallRail event {event!r}; stored and ignored."
        logger.warning("CallRail delivery %s: %s", delivery.pk, delivery.error)
        return False
    outcome = handler(delivery, payload)
    if not outcome.handled:
        delivery.error = outcome.reason
    return outcome.handled
