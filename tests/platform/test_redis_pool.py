"""The Redis cache keeps its connections across requests (`campaignhub.redis_pool`)."""

import runpy
import threading
from pathlib import Path

from django.core.cache.backends.redis import RedisCache

from campaignhub import settings as settings_module
from campaignhub.redis_pool import SharedConnectionPool

SERVER = "redis://127.0.0.1:6379/7"
OPTIONS = {"OPTIONS": {"pool_class": "campaignhub.redis_pool.SharedConnectionPool"}}


def _pool_of_a_cache_made_on_its_own_thread():
    """What one request's cache uses: under ASGI each request's sync code has a thread of its
    own, and Django builds the cache (and its client) anew for it. No server is contacted."""
    found = []

    def run():
        found.append(RedisCache(SERVER, OPTIONS)._cache._get_connection_pool(write=True))

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return found[0]


def test_caches_built_for_different_requests_share_one_pool():
    first = _pool_of_a_cache_made_on_its_own_thread()
    second = _pool_of_a_cache_made_on_its_own_thread()

    assert first is second
    assert isinstance(first, SharedConnectionPool)


def test_each_server_and_option_set_has_a_pool_of_its_own():
    pool = SharedConnectionPool.from_url(SERVER)

    assert SharedConnectionPool.from_url(SERVER) is pool
    assert SharedConnectionPool.from_url("redis://127.0.0.1:6379/8") is not pool
    assert SharedConnectionPool.from_url(SERVER, socket_timeout=5) is not pool
    assert pool.connection_kwargs["db"] == 7


def test_production_settings_give_the_redis_cache_the_shared_pool(monkeypatch):
    """With REDIS_URL set (production, CI), the cache is Redis with the shared pool."""
    monkeypatch.setenv("REDIS_URL", SERVER)
    production = runpy.run_path(str(Path(settings_module.__file__)))

    cache = production["CACHES"]["default"]
    assert cache["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    pool = RedisCache(cache["LOCATION"], cache)._cache._get_connection_pool(write=True)
    assert isinstance(pool, SharedConnectionPool)
