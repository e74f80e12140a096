"""Inbound webhooks: store the raw delivery first, verify, answer at once, process in Celery.

An app declares an endpoint by subclassing `WebhookView` (how a token maps to an account, how a
signature is checked) and registers a processor for its `source` with `register_processor`.
Processors receive the stored `InboundDelivery` and must be idempotent: a delivery can be
replayed from the admin.
"""

import hashlib
import logging

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import transaction
from django.http import Http404, JsonResponse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from campaignhub.models import DeliveryStatus, InboundDelivery

logger = logging.getLogger(__name__)
suspicious = logging.getLogger("campaignhub.webhooks.suspicious")

PROCESSORS = {}
# Never kept with a delivery: they would store credentials of whoever called us.
DROPPED_HEADERS = {"cookie", "authorization"}


def register_processor(source: str, processor) -> None:
    PROCESSORS[source] = processor


class Target:
    """Who a delivery belongs to, as resolved from the endpoint's token."""

    def __init__(self, account, target_id="", signing_key=None):
        self.account = account
        self.target_id = str(target_id or "")
        self.signing_key = signing_key


@method_decorator([csrf_exempt, login_not_required], name="dispatch")
class WebhookView(View):
    source = ""
    http_method_names = ["post"]
    invalid_signature_status = 400

    def resolve(self, token) -> Target:
        """Map the URL token to its Target, or raise Http404."""
        raise NotImplementedError

    def verify(self, request, target: Target) -> bool | None:
        """True/False when a signature was checked, None when no signing key is set."""
        return None

    def post(self, request, token=""):
        if len(request.body) > settings.WEBHOOK_MAX_BODY_BYTES:
            suspicious.warning("%s delivery over the size limit refused", self.source)
            return JsonResponse({"error": "Payload too large."}, status=413)
        try:
            target = self.resolve(token)
        except Http404:
            suspicious.warning("%s delivery to an unknown endpoint", self.source)
            return JsonResponse({"error": "Unknown webhook endpoint."}, status=404)
        if self._over_rate_limit(token):
            suspicious.warning(
                "%s delivery over the rate limit for %s", self.source, target.account
            )
            return JsonResponse({"error": "Too many requests."}, status=429)

        delivery = InboundDelivery.objects.create(
            account=target.account,
            source=self.source,
            target_id=target.target_id,
            headers={k: v for k, v in request.headers.items() if k.lower() not in DROPPED_HEADERS},
            body=request.body,
            remote_addr=request.META.get("REMOTE_ADDR") or None,
        )
        valid = self.verify(request, target)
        if valid is False:
            delivery.signature_valid = False
            delivery.status = DeliveryStatus.REJECTED
            delivery.error = "Signature did not match."
            delivery.save(update_fields=["signature_valid", "status", "error"])
            suspicious.warning("%s delivery %s has a bad signature", self.source, delivery.pk)
            return JsonResponse(
                {"error": "Invalid signature."}, status=self.invalid_signature_status
            )
        if valid is True:
            delivery.signature_valid = True
            delivery.save(update_fields=["signature_valid"])
        enqueue(delivery)
        return JsonResponse({"received": True, "id": delivery.pk})

    def _over_rate_limit(self, token) -> bool:
        digest = hashlib.sha256(str(token).encode()).hexdigest()[:32]
        key = f"webhook-rate:{self.source}:{digest}"
        cache.add(key, 0, timeout=60)
        try:
            count = cache.incr(key)
        except ValueError:
            count = 1
        return count > settings.WEBHOOK_RATE_LIMIT_PER_MINUTE


def enqueue(delivery) -> None:
    from campaignhub.tasks import process_inbound_delivery

    transaction.on_commit(lambda: process_inbound_delivery.delay(delivery.pk))
