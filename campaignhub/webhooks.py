"""Inbound webhooks: store the raw delivery first, verify, answer at once, process in Celery.

An app declares an endpoint by subclassing `WebhookView` (how a token maps to an account, how a
signature is checked) and registers a processor for its `source` with `register_processor`.
Processors receive the stored `InboundDelivery` and must be idempotent: a delivery can be
replayed from the admin.
"""

import hashlib
import json
import logging

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import transaction
from django.http import Http404, JsonResponse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from campaignhub.api import error
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

    def check(self, delivery) -> str | dict | None:
        """A problem with the payload the sender should hear about now (400), or None."""
        return None

    def post(self, request, token=""):
        if len(request.body) > settings.WEBHOOK_MAX_BODY_BYTES:
            suspicious.warning("%s delivery over the size limit refused", self.source)
            return error(413, "Payload too large.")
        try:
            target = self.resolve(token)
        except Http404:
            suspicious.warning("%s delivery to an unknown endpoint", self.source)
            return error(404, "Unknown webhook endpoint.")
        if self._over_rate_limit(token):
            suspicious.warning(
                "%s delivery over the rate limit for %s", self.source, target.account
            )
            return error(429, "Too many requests.")

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
            return error(self.invalid_signature_status, "Invalid signature.")
        if valid is True:
            delivery.signature_valid = True
            delivery.save(update_fields=["signature_valid"])
        problem = self.check(delivery)
        if problem:
            delivery.status = DeliveryStatus.REJECTED
            delivery.error = json.dumps(problem) if isinstance(problem, dict) else problem
            delivery.save(update_fields=["status", "error"])
            if isinstance(problem, dict):
                return error(400, next(iter(problem.values()))[0], errors=problem)
            return error(400, problem)
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

    # robust: a broker outage must not fail the sender; the sweeper picks the delivery up.
    transaction.on_commit(lambda: process_inbound_delivery.delay(delivery.pk), robust=True)


REPLAYABLE = [DeliveryStatus.FAILED, DeliveryStatus.PROCESSED, DeliveryStatus.IGNORED]


def replay_deliveries(queryset) -> int:
    """Process stored deliveries again; processors are idempotent, so this never duplicates.

    Rejected deliveries (bad signature) are never replayed.
    """
    ids = list(queryset.filter(status__in=REPLAYABLE).values_list("pk", flat=True))
    InboundDelivery.objects.filter(pk__in=ids).update(status=DeliveryStatus.RECEIVED)
    for delivery in InboundDelivery.objects.filter(pk__in=ids):
        enqueue(delivery)
    return len(ids)
