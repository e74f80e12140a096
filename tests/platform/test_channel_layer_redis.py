"""The production channel layer keeps an idle socket's wait alive (redis-py 8 and channels-redis).

redis-py 8 gives every connection a 5 s read timeout by default, and channels-redis waits for a
socket's next message with a 5 s BZPOPMIN: the read used to time out first, the consumer died
and the browser's socket dropped and reconnected every few seconds while nothing happened.
"""

import asyncio
import os
import runpy
from pathlib import Path

import pytest
from channels_redis.core import RedisChannelLayer

from campaignhub import settings as settings_module

REDIS_URL = os.environ.get("REDIS_URL", "")

pytestmark = pytest.mark.skipif(
    not REDIS_URL, reason="REDIS_URL is not set; the channels-redis run happens in the scaled suite"
)


def production_layer(monkeypatch):
    monkeypatch.setenv("REDIS_URL", REDIS_URL)
    config = runpy.run_path(str(Path(settings_module.__file__)))["CHANNEL_LAYERS"]["default"]
    assert config["BACKEND"] == "channels_redis.core.RedisChannelLayer"
    return RedisChannelLayer(**config["CONFIG"])


async def test_a_socket_idle_longer_than_one_wait_still_gets_its_next_message(monkeypatch):
    layer = production_layer(monkeypatch)
    channel = await layer.new_channel()
    waiting = asyncio.create_task(layer.receive(channel))
    try:
        # Idle past one BZPOPMIN wait (and past redis-py 8's default read timeout).
        await asyncio.sleep(layer.brpop_timeout + 1.5)
        assert not waiting.done(), "the wait for the next message failed while idle"
        await layer.send(channel, {"type": "live.event", "html": "<p>after a pause</p>"})
        message = await asyncio.wait_for(waiting, timeout=5)
    finally:
        waiting.cancel()
        await layer.flush()

    assert message["html"] == "<p>after a pause</p>"
