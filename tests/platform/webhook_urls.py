"""A webhook endpoint used only by the platform's webhook tests."""

import hashlib
import hmac
import json

from django.http import Http404
from django.urls import include, path

from campaignhub.models import Account
from campaignhub.webhooks import Target, WebhookView, register_processor

SIGNING_KEY = "test-signing-key"
processed = []


class ExampleWebhook(WebhookView):
    source = "example"

    def resolve(self, token):
        account = Account.objects.filter(name=token).first()
        if account is None:
            raise Http404
        return Target(account, signing_key=SIGNING_KEY if token.startswith("Signed") else None)

    def verify(self, request, target):
        if not target.signing_key:
            return None
        expected = hmac.new(target.signing_key.encode(), request.body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, request.headers.get("X-Signature", ""))


def process(delivery):
    payload = json.loads(delivery.text)
    delivery.event = payload.get("event", "")
    if payload.get("explode"):
        raise RuntimeError("processor failed")
    if delivery.event == "ignored":
        return False
    processed.append(delivery.pk)
    return True


register_processor("example", process)

urlpatterns = [
    path("webhooks/example/<str:token>/", ExampleWebhook.as_view()),
    path("", include("campaignhub.urls")),
]
