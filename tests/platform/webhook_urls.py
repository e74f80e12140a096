"""A webhook endpoint used only by the platform's webhook tests."""

import hashlib
import hmac
import json

from django.http import Http404
from django.urls import include, path

from campaignhub.models import Account
from campaignhub.webhooks import Target, WebhookView, header, register_processor

SIGNING_KEY = "test-signing-key"
processed = []


class ExampleWebhook(WebhookView):
    source = "example"

    def resolve(self, token):
        account = Account.objects.filter(name=token).first()
        if account is None:
            raise Http404
        return self._target(account)

    def target_for(self, delivery):
        return self._target(delivery.account)

    def _target(self, account):
        return Target(
            account, signing_key=SIGNING_KEY if account.name.startswith("Signed") else None
        )

    def verify(self, delivery, target):
        if not target.signing_key:
            return None
        body = bytes(delivery.body)
        expected = hmac.new(target.signing_key.encode(), body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, header(delivery, "X-Signature"))


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
