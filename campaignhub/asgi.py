"""ASGI entry point: HTTP through Django (webhook deliveries on a lean handler, see
`campaignhub.serving`), websockets through Channels with the session user."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "campaignhub.settings")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from campaignhub.origins import SiteOriginValidator  # noqa: E402
from campaignhub.routing import websocket_urlpatterns  # noqa: E402
from campaignhub.serving import http_application  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": http_application(django_asgi_app),
        "websocket": SiteOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)
