"""A Redis tracker store whose per-turn cost does not grow with the conversation.

Rasa's stock `RedisTrackerStore` keeps one JSON blob per conversation with every event
ever seen, and reads, merges and rewrites all of it on every turn (twice with an event
broker). Turn 200 of a chat therefore costs several times turn 10.

This store keeps a bounded *window* of the conversation as the tracker Rasa sees: the
most recent `window_events` events, cut at a user-turn boundary, preceded by a short
synthetic prefix that restores the state the cut-off events had built (slot values and
an active form). Policies only look a few turns back (rules and memoization use a small
`max_history`), so they predict exactly as before. Every event is also appended, once, to
an archive list (`archive_max` newest kept), so the full history remains available for
audit without being re-read on each turn.

endpoints.yml:
    tracker_store:
      type: rasa_ext.tracker_store.WindowedRedisTrackerStore
      redis_url: ${REDIS_URL}  # redis:// or redis+sentinel:// (bot/redis_url.py)
      record_exp: 604800     # seconds of inactivity before a conversation is forgotten
      window_events: 80
      archive_max: 5000
"""

from __future__ import annotations

import json
import logging
from typing import Any

from rasa.core.tracker_store import RedisTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.redis_url import client as redis_url_client

logger = logging.getLogger(__name__)

ARCHIVE_SUFFIX = ":archive"  # LIST of JSON events, oldest first, capped at archive_max
LENGTH_FIELD = "window_len"
DEFAULT_SOCKET_TIMEOUT = 10.0


class WindowedRedisTrackerStore(RedisTrackerStore):
    def __init__(
        self,
        domain: Domain,
        host: str = "localhost",
        port: int = 6379,
        db: int = 0,
        window_events: int = 80,
        archive_max: int = 5000,
        redis_url: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(domain, host=host or "localhost", port=int(port), db=int(db),
                         **kwargs)
        if redis_url:  # one server or a Sentinel-watched primary, as every process
            self.red = redis_url_client(redis_url, socket_timeout=kwargs.get(
                "socket_timeout", DEFAULT_SOCKET_TIMEOUT))
        if int(window_events) < 20:
            raise ValueError("window_events must be at least 20 to keep a few turns")
        self.window_events = int(window_events)
        self.archive_max = int(archive_max)
        expiry = kwargs.get("record_exp")
        self.record_exp: float | None = float(expiry) if expiry is not None else None

    # -- reading ---------------------------------------------------------------------
    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        stored = self.red.get(self.key_prefix + sender_id)
        if stored is None:
            return None
        return self.deserialise_tracker(sender_id, stored)

    async def retrieve_full_tracker(self, sender_id: str) -> DialogueStateTracker | None:
        """The archived history (bounded by `archive_max`), for audits and exports."""
        raw = self.red.lrange(self.key_prefix + sender_id + ARCHIVE_SUFFIX, 0, -1)
        if not raw:
            return await self.retrieve(sender_id)
        events = [Event.from_parameters(json.loads(item)) for item in raw]
        return DialogueStateTracker.from_events(sender_id, events, self.domain.slots)

    # -- writing ---------------------------------------------------------------------
    async def save(self, tracker: DialogueStateTracker, timeout: float | None = None) -> None:
        timeout = timeout or self.record_exp
        key = self.key_prefix + tracker.sender_id
        events = list(tracker.events)
        stored_len = self._stored_length(key)
        new_events = events[stored_len:] if stored_len <= len(events) else events

        window = self._window(tracker, events)
        serialised = json.dumps(
            {"sender_id": tracker.sender_id, "events": [e.as_dict() for e in window]}
        )
        pipe = self.red.pipeline()
        pipe.set(key, serialised, ex=int(timeout) if timeout else None)
        pipe.set(key + ":" + LENGTH_FIELD, len(window), ex=int(timeout) if timeout else None)
        if new_events and self.archive_max > 0:
            archive = key + ARCHIVE_SUFFIX
            pipe.rpush(archive, *[json.dumps(e.as_dict()) for e in new_events])
            pipe.ltrim(archive, -self.archive_max, -1)
            if timeout:
                pipe.expire(archive, int(timeout))
        pipe.execute()
        if self.event_broker is not None:
            await self._stream_new_events(self.event_broker, new_events, tracker.sender_id)

    def _stored_length(self, key: str) -> int:
        raw = self.red.get(key + ":" + LENGTH_FIELD)
        return int(raw) if raw is not None else 0

    def _window(self, tracker: DialogueStateTracker, events: list[Event]) -> list[Event]:
        """The events to keep: all of them while short, else a restored-state prefix plus
        the newest events starting at a user message."""
        if len(events) <= self.window_events:
            return events
        cut = None
        for i in range(len(events) - self.window_events // 2, len(events)):
            if isinstance(events[i], UserUttered):
                cut = i
                break
        if cut is None:  # no user turn in the newest half: keep the newest half as is
            cut = len(events) - self.window_events // 2
            while cut < len(events) and not isinstance(events[cut], (UserUttered, ActionExecuted)):
                cut += 1
        return self._state_prefix(tracker, events[cut - 1].timestamp) + events[cut:]

    @staticmethod
    def _state_prefix(tracker: DialogueStateTracker, timestamp: float) -> list[Event]:
        """Events that rebuild, from nothing, the state the dropped events had built."""
        prefix: list[Event] = [
            ActionExecuted("action_session_start", timestamp=timestamp),
            SessionStarted(timestamp=timestamp),
        ]
        for name, slot in tracker.slots.items():
            if slot.value != slot.initial_value:
                prefix.append(SlotSet(name, slot.value, timestamp=timestamp))
        active = tracker.active_loop_name
        if active:
            prefix.append(ActiveLoop(active, timestamp=timestamp))
        prefix.append(ActionExecuted("action_listen", timestamp=timestamp))
        return prefix
