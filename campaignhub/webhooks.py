"""Inbound webhooks: store the raw delivery with its verdict first, answer at once, process later.

An app declares an endpoint by subclassing `WebhookView` (how a URL token maps to a `Target`,
how a signature is checked) and registers a processor for its `source` with
`register_processor`. Processing, leases, retries and replay live in `campaignhub.intake`.

Rules (DESIGN.md, "Intake never loses or forges"): the delivery is stored before anything that
can fail or refuse; the signature verdict is written in the same INSERT as the row, and any
error while verifying counts as invalid; only traffic that fails authentication is rate-limited.
"""

import json
import logging
import time

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import DisallowedHost, RequestDataTooBig
from django.db import close_old_connections, transaction
from django.http import Http404, JsonResponse
from django.urls import path
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from campaignhub.api import error
from campaignhub.cleaning import clean_json, clean_text
from campaignhub.inbound import SOURCE_LABELS
from campaignhub.models import DeliveryStatus, InboundDelivery
from campaignhub.ratelimit import over_limit

logger = logging.getLogger(__name__)
suspicious = logging.getLogger("campaignhub.webhooks.suspicious")

PROCESSORS = {}
# The endpoint class of each source, so stored deliveries can be verified again on replay.
ENDPOINTS = {}
# Per-process cache of resolved endpoints: (source, token) -> (expires, Target).
TARGETS = {}
TARGETS_MAX = 10_000
# Never kept with a delivery: they would store credentials of whoever called us.
DROPPED_HEADERS = {"cookie", "authorization", "proxy-authorization", "x-api-key"}
INVALID_SIGNATURE = "Signature did not match."


def register_processor(source: str, processor, *, label: str = "") -> None:
    """`processor(delivery) -> bool` (handled or ignored) runs for each stored delivery of
    `source`; it must be idempotent, since replay and lapsed leases run it again. `label` is
    the source's name on the Incoming deliveries page, where a source without one (its
    deliveries belong to no account) is not offered as a filter."""
    PROCESSORS[source] = processor
    SOURCE_LABELS[source] = label


class Target:
    """Who a delivery belongs to, as resolved from the endpoint's token.

    `account` (Account or None), `target_id` (the object the endpoint belongs to, when not the
    account), `campaign_id` (int or None: the campaign the endpoint belongs to, when it is one,
    stored with the delivery as `InboundDelivery.campaign_id` so the Incoming deliveries page
    names it even when the delivery is refused), `signing_key` (str or None),
    `ignore_reason`: when set, the delivery is stored as ignored with that reason (e.g. a
    paused campaign) and answered 200, so nothing is lost and an admin can replay it later.
    """

    def __init__(self, account, target_id="", signing_key=None, ignore_reason="", campaign_id=None):
        self.account = account
        self.target_id = str(target_id or "")
        self.campaign_id = campaign_id
        self.signing_key = signing_key
        self.ignore_reason = ignore_reason


def forget_targets() -> None:
    """Drop this process's cached endpoints (a signing key or token changed here)."""
    TARGETS.clear()


def webhook_path(route: str, view_class, name: str) -> list:
    """The URL patterns of an inbound endpoint: `route` (ending in "/") named `name`, and the
    same without its trailing slash (`<name>_unslashed`). Senders set up by hand often drop
    the slash, and Django's APPEND_SLASH would answer their POST with a redirect that loses
    its body (or, with DEBUG on, a 500)."""
    view = view_class.as_view()
    return [
        path(route, view, name=name),
        path(route.removesuffix("/"), view, name=f"{name}_unslashed"),
    ]


def header(delivery, name: str) -> str:
    """A stored header of `delivery` by case-insensitive name, or ""."""
    wanted = name.lower()
    for key, value in (delivery.headers or {}).items():
        if key.lower() == wanted:
            return value
    return ""


@method_decorator([csrf_exempt, login_not_required], name="dispatch")
class WebhookView(View):
    """Base of every inbound endpoint. Subclasses set `source` and override the hooks below.

    `signed = True` means deliveries are processed only with a verified signature
    (`signature_valid` True); otherwise an endpoint without a signing key is authenticated by
    its secret URL token alone (`signature_valid` None).
    """

    source = ""
    signed = False
    # Whether `resolve` may be served from a per-process cache: only where what it returns
    # cannot turn a good delivery away (not where it says a campaign is paused, say).
    cache_targets = False
    http_method_names = ["post"]
    invalid_signature_status = 400

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.source:
            ENDPOINTS[cls.source] = cls

    def http_method_not_allowed(self, request, *args, **kwargs):
        """405 in the JSON envelope, with `Allow: POST` (awaitable, as `post` is async)."""
        response = error(
            405, "Method not allowed: deliveries are POSTed.", headers={"Allow": "POST"}
        )

        async def answer():
            return response

        return answer()

    def resolve(self, token) -> Target:
        """Map the URL token to its Target, or raise Http404."""
        raise NotImplementedError

    def target_for(self, delivery) -> Target | None:
        """The Target of a stored delivery, to verify it again on replay; None if none."""
        return None

    def verify(self, delivery, target: Target) -> bool | None:
        """True/False when a signature was checked, None when no signing key is set.

        Reads only what is stored: `delivery.headers`, `delivery.body`, `delivery.path`.
        """
        return None

    def check(self, delivery) -> str | dict | None:
        """A problem with the payload the sender should hear about now (400), or None."""
        return None

    def hold_reason(self, delivery, target: Target) -> str:
        """Why a good delivery for a paused target is stored ignored: `target.ignore_reason`
        by default; an endpoint may add what the delivery is about, so that repeats of one
        thing can be told apart from different things held."""
        return target.ignore_reason

    def held(self, delivery, target: Target) -> None:
        """`delivery` was just stored ignored for `target.ignore_reason` (e.g. its campaign is
        paused): tell whoever should know, e.g. open pages. Nothing by default; a failure is
        logged, never answered."""

    def rejected(self, delivery) -> None:
        """`delivery` was just stored rejected for its signature: tell whoever should know,
        e.g. open pages. Nothing by default; a failure is logged, never answered."""

    def verdict(self, delivery, target) -> bool | None:
        """`verify`, where any error while verifying (a header that is not ASCII, a body that
        does not parse) counts as an invalid signature."""
        try:
            valid = self.verify(delivery, target)
        except Exception:
            suspicious.warning("%s signature could not be checked", self.source, exc_info=True)
            return False
        if self.signed and valid is not True:
            return False
        return valid

    async def post(self, request, token=""):
        """Accept on a pooled thread. Django runs each request's sync code on a new thread
        (requests do run side by side), and a new thread pays again for what is kept per
        thread (the broker producer, the database wrapper) before it can store and queue: a
        publish from a new thread took about 1.6 ms, from a pooled one about 1 ms.

        Served without middleware (`campaignhub.serving`), so the Host header is checked here:
        one not in ALLOWED_HOSTS is answered 400, and nothing is stored."""
        try:
            request.get_host()
        except DisallowedHost:
            suspicious.warning("%s delivery to a host not allowed refused", self.source)
            return error(400, "Invalid Host header.")
        if settings.WEBHOOK_INTAKE_THREADS:
            return await sync_to_async(self._accept_on_own_thread, thread_sensitive=False)(
                request, token
            )
        return await sync_to_async(self.accept)(request, token)

    def _accept_on_own_thread(self, request, token):
        try:
            return self.accept(request, token)
        finally:
            # This thread's connection goes back to the pool (or is closed) like a request's.
            close_old_connections()

    def accept(self, request, token):
        """Store the delivery with its verdict, answer at once; the HTTP answer."""
        try:
            # Django refuses to read a body over DATA_UPLOAD_MAX_MEMORY_SIZE at all.
            too_large = len(request.body) > settings.WEBHOOK_MAX_BODY_BYTES
        except RequestDataTooBig:
            too_large = True
        if too_large:
            suspicious.warning("%s delivery over the size limit refused", self.source)
            return error(413, "Payload too large.")
        try:
            target, cached = self._resolve_cached(token)
        except Http404:
            # Guessing endpoints is unauthenticated traffic: limited per address like bad
            # signatures are per endpoint, each guess costing a lookup.
            if over_limit(
                request,
                scope=f"webhook-unknown-endpoint:{self.source}",
                key=request.META.get("REMOTE_ADDR") or "",
                per_minute=settings.WEBHOOK_RATE_LIMIT_PER_MINUTE,
            ):
                suspicious.warning("%s: too many deliveries to unknown endpoints", self.source)
                return error(429, "Too many requests.")
            suspicious.warning("%s delivery to an unknown endpoint", self.source)
            return error(404, "Unknown webhook endpoint.")
        delivery = InboundDelivery(
            account=target.account,
            source=self.source,
            target_id=target.target_id,
            campaign_id=target.campaign_id,
            headers=clean_json(
                {k: v for k, v in request.headers.items() if k.lower() not in DROPPED_HEADERS}
            ),
            body=request.body,
            path=clean_text(request.get_full_path(), 500),
            remote_addr=request.META.get("REMOTE_ADDR") or None,
        )
        delivery.signature_valid = self.verdict(delivery, target)
        if delivery.signature_valid is False and cached:
            # The signing key may have changed since it was cached: ask the database.
            target, _ = self._resolve_cached(token, fresh=True)
            delivery.signature_valid = self.verdict(delivery, target)
        if delivery.signature_valid is False:
            return self._refuse_forged(request, token, delivery)
        # A delivery that could never become a lead is told so at once, paused target or not;
        # a good one for a paused target is kept (ignored, replayable).
        problem = self._problem(delivery)
        if not problem and target.ignore_reason:
            try:
                reason = self.hold_reason(delivery, target)
            except Exception:
                # The delivery is kept whatever its reason says.
                logger.exception("Naming why a %s delivery is held failed", self.source)
                reason = target.ignore_reason
            response = self._store(delivery, DeliveryStatus.IGNORED, reason)
            try:
                self.held(delivery, target)
            except Exception:
                # Telling open pages is a courtesy: the sender's answer never depends on it.
                logger.exception("Announcing a held %s delivery failed", self.source)
            return response
        if problem:
            self._store(delivery, DeliveryStatus.REJECTED, problem)
            if isinstance(problem, dict):
                return error(400, next(iter(problem.values()))[0], errors=problem)
            return error(400, problem)
        response = self._store(delivery, DeliveryStatus.RECEIVED)
        enqueue(delivery)
        return response

    def _resolve_cached(self, token, *, fresh=False):
        """`resolve(token)`, from this process's cache when the endpoint allows it
        (`cache_targets`); returns (target, whether it came from the cache). Safe with a
        stale entry: a failed signature is checked again with a fresh lookup, and a delivery
        accepted unsigned is verified again with today's key before it is processed."""
        key = (self.source, token)
        if self.cache_targets and not fresh:
            hit = TARGETS.get(key)
            if hit is not None and hit[0] > time.monotonic():
                return hit[1], True
        target = self.resolve(token)
        if self.cache_targets:
            if len(TARGETS) >= TARGETS_MAX:
                TARGETS.clear()
            TARGETS[key] = (time.monotonic() + settings.WEBHOOK_TARGET_CACHE_SECONDS, target)
        return target, False

    def _refuse_forged(self, request, token, delivery):
        # Only failed authentication is limited: past the limit it is not even stored.
        if over_limit(
            request,
            scope=f"webhook-auth-failures:{self.source}",
            key=str(token),
            per_minute=settings.WEBHOOK_RATE_LIMIT_PER_MINUTE,
        ):
            suspicious.warning("%s: too many bad signatures for one endpoint", self.source)
            return error(429, "Too many requests.")
        self._store(delivery, DeliveryStatus.REJECTED, INVALID_SIGNATURE)
        suspicious.warning("%s delivery %s has a bad signature", self.source, delivery.pk)
        try:
            self.rejected(delivery)
        except Exception:
            # Telling open pages is a courtesy: the sender's answer never depends on it.
            logger.exception("Announcing a rejected %s delivery failed", self.source)
        return error(self.invalid_signature_status, "Invalid signature.")

    def _problem(self, delivery):
        try:
            return self.check(delivery)
        except Exception:
            # The processor will meet the same problem and record it with the delivery.
            logger.exception("Checking a %s delivery failed; storing it as received", self.source)
            return None

    def _store(self, delivery, status, problem=None):
        delivery.status = status
        if problem:
            delivery.error = json.dumps(problem) if isinstance(problem, dict) else problem
        delivery.save(force_insert=True)
        answer = {"received": True, "id": delivery.pk}
        if status == DeliveryStatus.IGNORED:
            answer["ignored"] = delivery.error
        return JsonResponse(answer)


def enqueue(delivery) -> None:
    """Queue processing after commit; a broker outage is logged and left to the sweeper."""
    from campaignhub.tasks import process_inbound_delivery

    # robust: a broker outage must not fail the sender; the sweeper picks the delivery up.
    transaction.on_commit(lambda: process_inbound_delivery.delay(delivery.pk), robust=True)
