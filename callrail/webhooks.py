"""The CallRail webhook receiver: `POST /webhooks/callrail/<token>/`, one token per account.

Every delivery is stored first (CallRail never retries), its `Signature` checked when the
company's signing key is set, and processed in Celery through the dispatch table below.
"""

import hmac
import json

from django.http import Http404

from callrail import client as callrail
from callrail import services
from callrail.models import CallRailSettings
from campaignhub.webhooks import Target, WebhookView

SOURCE = "callrail"

EVENT_HANDLERS = {
    "pre_call": services.lead_from_call,
    "call_routing_complete": services.lead_from_call,
    "post_call": services.lead_from_call,
    "call_modified": services.lead_from_call,
    "text_message_received": services.lead_from_text,
    "form_submission": services.lead_from_form,
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

    def resolve(self, token):
        found = CallRailSettings.objects.filter(webhook_token=token).select_related("account")
        chosen = found.first()
        if chosen is None:
            raise Http404
        return Target(chosen.account, signing_key=chosen.signing_key or None)

    def verify(self, request, target):
        if not target.signing_key:
            return None
        sent = request.headers.get(callrail.SIGNATURE_HEADER, "")
        return hmac.compare_digest(callrail.signature(target.signing_key, request.body), sent)


def process(delivery):
    payload = json.loads(delivery.text)
    if not isinstance(payload, dict):
        raise ValueError("A CallRail webhook body is a JSON object.")
    event = callrail.classify(payload)
    delivery.event = event
    if event in IGNORED_EVENTS:
        return False
    handler = EVENT_HANDLERS.get(event)
    if handler is None:
        delivery.error = f"Unknown CallRail event {event!r}; stored and ignored."
        return False
    outcome = handler(delivery.account, payload)
    if not outcome.handled:
        delivery.error = outcome.reason
    return outcome.handled
