"""Rasa's Redis lock store, reached through REDIS_URL like every other process, so a
Sentinel-watched primary works too (Rasa's own takes only a host and port).

endpoints.yml:
    lock_store:
      type: rasa_ext.lock_store.UrlRedisLockStore
      redis_url: ${REDIS_URL}
      key_prefix: hc
"""

from __future__ import annotations

from typing import Any

from rasa.core.lock_store import RedisLockStore
from rasa.utils.endpoints import EndpointConfig

from bot.redis_url import client


class UrlRedisLockStore(RedisLockStore):
    def __init__(self, endpoint_config: EndpointConfig | None = None, **kwargs: Any) -> None:
        options = {**(endpoint_config.kwargs if endpoint_config else {}), **kwargs}
        url = options.pop("redis_url", None)
        if not url:
            raise ValueError("lock_store: redis_url is required (REDIS_URL)")
        super().__init__(key_prefix=options.get("key_prefix"),
                         socket_timeout=float(options.get("socket_timeout", 10)))
        self.red = client(url, socket_timeout=float(options.get("socket_timeout", 10)))
