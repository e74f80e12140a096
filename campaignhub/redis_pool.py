"""One Redis connection pool per server for the whole process, for Django's Redis cache.

Django's `RedisCache` keeps a client per thread or async context, and each client a pool of
its own. Under ASGI every request runs its sync code on a thread of its own, so each request
opened (and later dropped) a Redis connection before its first cache read: about 1-2 ms of
connect and handshake on a request that reads one key (`live.watching`). Sharing the pool keeps
the connections open across requests. redis-py pools reset themselves in a forked child, so
server and worker processes never share a socket.
"""

import threading

import redis


class SharedConnectionPool(redis.ConnectionPool):
    """`RedisCache`'s `pool_class` (OPTIONS): `from_url` answers the same pool for the same
    server URL and options every time it is asked in this process."""

    _pools: dict = {}
    _lock = threading.Lock()

    @classmethod
    def from_url(cls, url, **options):
        key = (url, repr(sorted(options.items())))
        with cls._lock:
            pool = cls._pools.get(key)
            if pool is None:
                pool = cls._pools[key] = super().from_url(url, **options)
            return pool
