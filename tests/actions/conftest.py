from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import redis as redis_lib

from actions import context
from scripts.stack import RedisTarget


@pytest.fixture(autouse=True)
async def action_redis(redis_server: RedisTarget, redis: redis_lib.Redis,
                       monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[redis_lib.Redis]:
    """Actions talk to the throwaway Redis (emptied around each test), in every test here:
    any answer may add a line about who is asking, which reads the account directory."""
    monkeypatch.setenv("REDIS_URL", redis_server.url)
    await context.close_clients()
    yield redis
    await context.close_clients()
