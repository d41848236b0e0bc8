"""The windowed tracker store keeps turn cost flat without losing state or history."""

from __future__ import annotations

import json

import pytest
import redis as redis_lib
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    SlotSet,
    UserUttered,
)

from rasa_ext.tracker_store import WindowedRedisTrackerStore
from scripts.stack import ROOT, RedisTarget

DOMAIN = Domain.load(str(ROOT / "domain.yml"))


@pytest.fixture
def store(redis_server: RedisTarget, redis: redis_lib.Redis) -> WindowedRedisTrackerStore:
    return WindowedRedisTrackerStore(DOMAIN, host=redis_server.host, port=redis_server.port,
                                     password=redis_server.password, key_prefix="hc",
                                     window_events=40, archive_max=10_000)


async def chat(store: WindowedRedisTrackerStore, sender: str, turns: int, start: int = 0
               ) -> None:
    """Play `turns` user turns the way Rasa does: retrieve, append, save."""
    for n in range(start, start + turns):
        tracker = await store.retrieve(sender) or store.init_tracker(sender)
        tracker.update(UserUttered(f"question {n}", {"name": "faq_phone_support"}))
        if n == 0:
            tracker.update(SlotSet("kb_suggested", True))
        tracker.update(ActionExecuted("action_answer_faq"))
        tracker.update(BotUttered(f"answer {n}"))
        tracker.update(ActionExecuted("action_listen"))
        await store.save(tracker)


def stored_events(redis: redis_lib.Redis, sender: str) -> list[dict[str, object]]:
    return list(json.loads(redis.get(f"hc:tracker:{sender}"))["events"])


async def test_window_stays_bounded_and_keeps_state(store: WindowedRedisTrackerStore,
                                                    redis: redis_lib.Redis) -> None:
    await chat(store, "u1", 200)
    events = stored_events(redis, "u1")
    assert len(events) <= 40 + len(DOMAIN.slots) + 4
    tracker = await store.retrieve("u1")
    assert tracker is not None
    assert tracker.get_slot("kb_suggested") is True  # set in turn 0, long cut off
    users = [e.text for e in tracker.events if isinstance(e, UserUttered)]
    assert users[-1] == "question 199"
    assert users == [f"question {n}" for n in range(200 - len(users), 200)]
    assert tracker.latest_action_name == "action_listen"


async def test_every_event_is_archived_exactly_once(store: WindowedRedisTrackerStore) -> None:
    await chat(store, "u2", 120)
    full = await store.retrieve_full_tracker("u2")
    assert full is not None
    users = [e.text for e in full.events if isinstance(e, UserUttered)]
    assert users == [f"question {n}" for n in range(120)]
    assert sum(isinstance(e, BotUttered) for e in full.events) == 120


async def test_payload_size_does_not_grow_with_the_conversation(
    store: WindowedRedisTrackerStore, redis: redis_lib.Redis
) -> None:
    await chat(store, "u3", 30)
    early = len(redis.get("hc:tracker:u3") or "")
    await chat(store, "u3", 270, start=30)
    late = len(redis.get("hc:tracker:u3") or "")
    assert late < early * 1.3


async def test_an_active_form_survives_the_cut(store: WindowedRedisTrackerStore) -> None:
    tracker = store.init_tracker("u4")
    tracker.update(ActiveLoop("ticket_form"))
    await store.save(tracker)
    await chat(store, "u4", 60)
    restored = await store.retrieve("u4")
    assert restored is not None
    assert restored.active_loop_name == "ticket_form"


async def test_conversations_are_kept_apart_and_expire(store: WindowedRedisTrackerStore,
                                                       redis: redis_lib.Redis) -> None:
    store.record_exp = 60
    await chat(store, "a", 3)
    await chat(store, "b", 1)
    a, b = await store.retrieve("a"), await store.retrieve("b")
    assert a is not None and b is not None
    assert [e.text for e in b.events if isinstance(e, UserUttered)] == ["question 0"]
    assert 0 < redis.ttl("hc:tracker:a") <= 60
    assert 0 < redis.ttl("hc:tracker:a:archive") <= 60
    assert await store.retrieve("nobody") is None


def test_too_small_a_window_is_refused(redis_server: RedisTarget) -> None:
    with pytest.raises(ValueError, match="window_events must be at least 20"):
        WindowedRedisTrackerStore(DOMAIN, host=redis_server.host, port=redis_server.port,
                                  window_events=5)
