"""The supervisors' view: the live board (queue by priority, the oldest wait, chats past
their target response time, every agent's status and load, today's first-response and
resolution times and ratings) and the CSAT report and its CSV export.

Every figure is read from keys the lifecycle script keeps in the same step as the change
it counts (`hc:queue:waiting`, the day's counters and ratings, the agents' sets), so a
board costs a few pipelined reads whatever the number of chats, and nothing scans the
keyspace: the queue by range counts, the agents from the configured directory, a day
from its own hash and its ratings list (at most 5,000 a day)."""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from redis.asyncio import Redis

from bot import redis_keys
from bot.policy import PRIORITIES, SupportPolicy
from handoff.agents import Agent, chat_takers
from handoff.lifecycle import STATS_TTL_S, day_of, priority_range
from handoff.presence import Presence

MAX_REPORT_DAYS: Final = 31  # the console's CSAT report
MAX_EXPORT_DAYS: Final = STATS_TTL_S // 86400  # the CSV: as far back as ratings are kept
REPORT_COMMENTS: Final = 100  # the newest ratings (with their comments) in the report
FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet would run these


def _average(total: int, count: int) -> float | None:
    return round(total / count, 2) if count else None


def _days(n: int, now: float) -> list[str]:
    """The last `n` UTC days, today first."""
    return [day_of(now - i * 86400) for i in range(n)]


@dataclass(frozen=True)
class DayFigures:
    """One day's counters (`hc:stats:day:<day>`), overall and per agent."""

    raw: Mapping[str, str]

    def n(self, name: str) -> int:
        try:
            return int(self.raw.get(name) or 0)
        except ValueError:
            return 0

    def figure(self, name: str, agent: str | None = None) -> dict[str, Any]:
        suffix = f":{agent}" if agent is not None else ""
        count, total = self.n(name + suffix), self.n(f"{name}_sum{suffix}")
        out: dict[str, Any] = {"count": count, "average": _average(total, count)}
        if agent is None:
            out["max"] = self.n(f"{name}_max") if count else None
        return out


class Board:
    def __init__(self, redis: Redis, presence: Presence, agents: Mapping[str, Agent],
                 policy: SupportPolicy, capacity: int) -> None:
        self.redis = redis
        self.presence = presence
        self.agents = agents
        self.policy = policy
        self.capacity = capacity

    async def snapshot(self, now: float | None = None) -> dict[str, Any]:
        """The live board: `{generated_at, queue, agents, today}` (docs/protocol.md)."""
        now = now if now is not None else time.time()
        now_ms = int(now * 1000)
        takers = chat_takers(dict(self.agents))
        day = day_of(now)
        async with self.redis.pipeline(transaction=False) as pipe:
            for priority in PRIORITIES:
                low, high = priority_range(priority)
                target_ms = int(self.policy.target_hours.get(priority, 24) * 3600_000)
                pipe.zcount(redis_keys.QUEUE_WAITING, low, high)
                pipe.zrangebyscore(redis_keys.QUEUE_WAITING, low, high, start=0, num=1,
                                   withscores=True)
                pipe.zcount(redis_keys.QUEUE_WAITING, low, min(high, low + now_ms - target_ms))
            for agent in takers:
                pipe.hget(redis_keys.agent(agent.username), "status")
                pipe.smembers(redis_keys.agent_chats(agent.username))
                pipe.zcard(redis_keys.agent_conns(agent.username))
            pipe.hgetall(redis_keys.day_stats(day))
            replies = await pipe.execute()
        queue: dict[str, Any] = {"by_priority": {}, "oldest_wait_s": None, "past_target": 0,
                                 "total": 0}
        for i, priority in enumerate(PRIORITIES):
            count, first, late = replies[3 * i: 3 * i + 3]
            low, _ = priority_range(priority)
            oldest = round(now - (float(first[0][1]) - low) / 1000) if first else None
            queue["by_priority"][priority] = {
                "waiting": int(count), "oldest_wait_s": oldest, "past_target": int(late),
                "target_s": int(self.policy.target_hours.get(priority, 24) * 3600)}
            queue["total"] += int(count)
            queue["past_target"] += int(late)
            if oldest is not None and (queue["oldest_wait_s"] is None or
                                       oldest > queue["oldest_wait_s"]):
                queue["oldest_wait_s"] = oldest
        rest = replies[3 * len(PRIORITIES):]
        agents = []
        for i, agent in enumerate(takers):
            status, chats, sockets = rest[3 * i: 3 * i + 3]
            agents.append({"username": agent.username, "name": agent.name,
                           "status": str(status or "offline"), "active_chats": len(chats),
                           "capacity": self.capacity, "chats": sorted(str(c) for c in chats),
                           "connected": int(sockets) > 0})
        figures = DayFigures(redis_keys.text_hash(rest[-1] or {}))
        today = {"day": day, "first_response_s": figures.figure("first_response"),
                 "resolution_s": figures.figure("resolution"),
                 "handed_back": figures.n("handed_back"), "csat": figures.figure("csat"),
                 "by_agent": {a.username: {
                     "first_response_s": figures.figure("first_response", a.username),
                     "resolution_s": figures.figure("resolution", a.username),
                     "handed_back": figures.n(f"handed_back:{a.username}"),
                     "csat": figures.figure("csat", a.username)} for a in takers}}
        return {"generated_at": round(now, 3), "queue": queue, "agents": agents,
                "today": today}

    async def ratings(self, days: int, per_day: int, now: float | None = None
                      ) -> list[tuple[str, list[dict[str, Any]]]]:
        """`[(day, [rating, newest first])]` for the last `days` UTC days, today first."""
        names = _days(days, now if now is not None else time.time())
        async with self.redis.pipeline(transaction=False) as pipe:
            for day in names:
                pipe.lrange(redis_keys.day_csat(day), 0, per_day - 1)
            lists = await pipe.execute()
        out = []
        for day, raw in zip(names, lists, strict=True):
            entries = []
            for item in raw:
                try:
                    entry = json.loads(item)
                except ValueError:
                    continue
                if isinstance(entry, dict):
                    entries.append(entry)
            out.append((day, entries))
        return out

    async def csat_report(self, days: int, now: float | None = None) -> dict[str, Any]:
        """Ratings by day and by agent over the last `days` days, with the newest
        ratings and their comments: `{days: [...], agents: [...], ratings: [...]}`."""
        now = now if now is not None else time.time()
        names = _days(days, now)
        async with self.redis.pipeline(transaction=False) as pipe:
            for day in names:
                pipe.hgetall(redis_keys.day_stats(day))
            hashes = await pipe.execute()
        per_day: list[dict[str, Any]] = []
        per_agent: dict[str, list[int]] = {}
        for day, raw in zip(names, hashes, strict=True):
            figures = DayFigures(redis_keys.text_hash(raw or {}))
            per_day.append({"day": day, **figures.figure("csat")})
            for agent in self.agents.values():
                count = figures.n(f"csat:{agent.username}")
                total = figures.n(f"csat_sum:{agent.username}")
                seen = per_agent.setdefault(agent.username, [0, 0])
                seen[0] += count
                seen[1] += total
        newest: list[dict[str, Any]] = []
        for day, entries in await self.ratings(days, REPORT_COMMENTS, now):
            newest.extend({"day": day, **self._row(e)} for e in entries)
            if len(newest) >= REPORT_COMMENTS:
                break
        return {"days": per_day,
                "agents": [{"username": name, "name": self.agents[name].name,
                            "count": count, "average": _average(total, count)}
                           for name, (count, total) in per_agent.items() if count],
                "ratings": newest[:REPORT_COMMENTS]}

    def _row(self, entry: dict[str, Any]) -> dict[str, Any]:
        agent = str(entry.get("agent") or "")
        known = self.agents.get(agent)
        return {"chat_id": str(entry.get("chat_id") or ""), "agent": agent,
                "agent_name": known.name if known else agent,
                "rating": entry.get("rating"), "comment": str(entry.get("comment") or ""),
                "language": str(entry.get("language") or ""),
                "ts": entry.get("ts")}

    async def csat_csv(self, days: int, now: float | None = None) -> str:
        """Every rating of the last `days` days as CSV (UTC), oldest day first, with
        every cell a spreadsheet could take for a formula made inert."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(["date", "time_utc", "chat_id", "agent", "agent_name", "rating",
                         "comment", "language"])
        per_day = await self.ratings(days, 5000, now)
        for day, entries in reversed(per_day):
            for entry in reversed(entries):  # oldest first within the day
                row = self._row(entry)
                ts = row["ts"]
                clock = time.strftime("%H:%M:%S", time.gmtime(float(ts))) \
                    if isinstance(ts, int | float) else ""
                writer.writerow([safe_cell(x) for x in (
                    day, clock, row["chat_id"], row["agent"], row["agent_name"],
                    row["rating"], row["comment"], row["language"])])
        return out.getvalue()


def safe_cell(value: Any) -> str:
    """A CSV cell a spreadsheet shows as text: one starting with = + - @ (or a tab or
    carriage return) gets a leading apostrophe, so "=HYPERLINK(...)" in a comment is
    never run (OWASP's CSV injection advice)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text
