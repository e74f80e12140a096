"""Websocket URL routes."""

from django.urls import path

from campaignhub.consumers import LiveConsumer

websocket_urlpatterns = [
    path("ws/live/", LiveConsumer.as_asgi()),
]
