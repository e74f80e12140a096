"""How HTTP requests reach Django under ASGI: webhook intake on a lean handler, the rest on the
full stack.

Django's ASGI handler runs every request's sync code on a thread it starts for that request
(`ThreadSensitiveContext`), and through the whole middleware chain: sessions, CSRF, login,
messages, lockouts, the account. A webhook delivery needs none of it (its URL token says whose it
is; `WebhookView` checks the host, the signature and the size itself), and a new thread per
delivery cost the event loop about half a millisecond each time. So a POST to a `WebhookView` goes
to `WebhookHandler`: Django's own request handling (URL resolving, `request_started` and
`request_finished`, errors turned into responses) with no middleware and no per-request thread;
the accept itself runs on a pooled thread (`WebhookView.post`).
"""

from django.conf import settings
from django.core.handlers.asgi import ASGIHandler
from django.core.handlers.exception import convert_exception_to_response
from django.urls import Resolver404, resolve

from campaignhub.webhooks import WebhookView


class WebhookHandler(ASGIHandler):
    """Django's ASGI handler without middleware, for `WebhookView` endpoints only.

    Without a per-request thread context, the little sync work Django does around the view
    (`request_started` receivers, closing the response) runs on asgiref's one shared thread.
    """

    def load_middleware(self, is_async=False):
        self._view_middleware = []
        self._template_response_middleware = []
        self._exception_middleware = []
        self._middleware_chain = convert_exception_to_response(self._get_response_async)

    async def __call__(self, scope, receive, send):
        await self.handle(scope, receive, send)


def is_webhook(scope) -> bool:
    """Whether an ASGI `scope` is a POST to a `WebhookView` endpoint of ROOT_URLCONF."""
    if scope["type"] != "http" or scope["method"] != "POST":
        return False
    path, root = scope["path"], scope.get("root_path", "")
    if root and path.startswith(root):
        path = path[len(root) :]
    try:
        match = resolve(path, urlconf=settings.ROOT_URLCONF)
    except Resolver404:
        return False
    view_class = getattr(match.func, "view_class", None)
    return isinstance(view_class, type) and issubclass(view_class, WebhookView)


def http_application(django_app):
    """The ASGI app for HTTP: webhook deliveries to `WebhookHandler`, the rest to `django_app`
    (Django's full ASGI handler)."""
    webhooks = WebhookHandler()

    async def application(scope, receive, send):
        handler = webhooks if is_webhook(scope) else django_app
        await handler(scope, receive, send)

    return application
