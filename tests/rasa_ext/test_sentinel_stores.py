"""Rasa's stores through a Sentinel URL (REDIS_URL=redis+sentinel://...): conversations
and turn leases live on the primary, and when it dies the promoted replica has them and
takes the next turn."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.utils.endpoints import EndpointConfig

from rasa_ext.lock_store import UrlRedisLockStore
from rasa_ext.tracker_store import WindowedRedisTrackerStore
from rasa_ext.turn_lease import lease
from scripts import sentinel
from scripts.stack import ROOT

DOMAIN = Domain.load(str(ROOT / "domain.yml"))


async def turn(store: WindowedRedisTrackerStore, sender: str, n: int) -> None:
    tracker = await store.retrieve(sender) or store.init_tracker(sender)
    tracker.update(UserUttered(f"question {n}", {"name": "faq_phone_support"}))
    tracker.update(ActionExecuted("action_answer_faq"))
    tracker.update(BotUttered(f"answer {n}"))
    await store.save(tracker)


async def test_stores_follow_the_primary_through_a_failover(tmp_path: Path) -> None:
    group = sentinel.start(tmp_path / "redis")
    try:
        store = WindowedRedisTrackerStore(DOMAIN, redis_url=group.url, key_prefix="hc",
                                          window_events=40)
        locks = UrlRedisLockStore(EndpointConfig(redis_url=group.url, key_prefix="hc"))
        async with lease(locks, "chat-1"):
            await turn(store, "chat-1", 0)
        group.wait_replicated()
        group.kill(group.primary())
        started = time.monotonic()
        while True:  # Rasa answers 500 meanwhile; the gateway tells the user, who retries
            try:
                async with lease(locks, "chat-1", wait_s=5):
                    await turn(store, "chat-1", 1)
                break
            except Exception:
                assert time.monotonic() - started < 30, "no primary again within 30 s"
                await asyncio.sleep(0.2)
        tracker = await store.retrieve("chat-1")
        assert tracker is not None
        said = [e.text for e in tracker.events if isinstance(e, BotUttered)]
        assert said == ["answer 0", "answer 1"]  # the first turn survived the failover
        store.red.close()
        locks.red.close()
    finally:
        group.stop()
