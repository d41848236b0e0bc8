"""Support agents: login against salted password hashes, signed session tokens,
presence, capacity and assignment (the atomic claim in lua/claim.lua)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
import yaml
from redis.asyncio import Redis
from redis.exceptions import ResponseError

from bot import redis_keys
from bot.paths import data_dir
from handoff.liveness import Liveness, refresh
from handoff.scripts import Scripts

TOKEN_TTL_S = 8 * 3600
AUDIENCE = "agent-console"
ITERATIONS = 200_000


class AgentError(ValueError):
    pass


@dataclass(frozen=True)
class Agent:
    username: str
    name: str
    password_hash: str


def hash_password(password: str, salt: bytes | None = None,
                  iterations: int = ITERATIONS) -> str:
    salt = salt or os.urandom(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    return (f"pbkdf2_sha256${iterations}${base64.b64encode(salt).decode()}$"
            f"{base64.b64encode(digest).decode()}")


def check_password(password: str, stored: str) -> bool:
    try:
        scheme, iterations, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "pbkdf2_sha256":
        return False
    actual = hashlib.pbkdf2_hmac("sha256", password.encode(), base64.b64decode(salt),
                                 int(iterations))
    return hmac.compare_digest(actual, base64.b64decode(digest))


def load_agents(path: Path | None = None) -> dict[str, Agent]:
    path = path or data_dir() / "agents.yml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    agents = {}
    for i, entry in enumerate(raw.get("agents") or []):
        try:
            agent = Agent(str(entry["username"]), str(entry["name"]), str(entry["password"]))
        except (KeyError, TypeError) as exc:
            raise AgentError(f"{path}: agents[{i}] needs username, name and password") from exc
        if not agent.password_hash.startswith("pbkdf2_sha256$"):
            raise AgentError(f"{path}: agents[{i}].password must be a pbkdf2_sha256 hash")
        agents[agent.username] = agent
    return agents


def issue_token(username: str, secret: str, now: float | None = None) -> str:
    issued = int(now if now is not None else time.time())
    return jwt.encode({"sub": username, "aud": AUDIENCE, "iat": issued,
                       "exp": issued + TOKEN_TTL_S}, secret, algorithm="HS256")


def verify_token(token: Any, secret: str) -> str | None:
    if not isinstance(token, str) or len(token) > 4096:
        return None
    try:
        claims = jwt.decode(token, secret, algorithms=["HS256"], audience=AUDIENCE,
                            options={"require": ["exp", "sub", "aud"]})
    except jwt.PyJWTError:
        return None
    sub = claims.get("sub")
    return sub if isinstance(sub, str) else None


class Presence:
    """Agents' presence and load in Redis, shared by every gateway process."""

    def __init__(self, redis: Redis, scripts: Scripts, capacity: int) -> None:
        self.redis = redis
        self.scripts = scripts
        self.capacity = capacity

    def liveness(self, username: str) -> Liveness:
        return Liveness(self.redis, redis_keys.agent_conns(username),
                        redis_keys.agent(username), "gone_since")

    async def connected(self, agent: Agent, sid: str, now: float | None = None) -> None:
        now = now if now is not None else time.time()
        await self.redis.hset(redis_keys.agent(agent.username),
                              mapping={"name": agent.name, "last_seen": str(now)})
        await self.liveness(agent.username).joined(sid, now)

    async def disconnected(self, username: str, sid: str, now: float | None = None) -> int:
        """Forget one connection; returns how many the agent still has. The moment the
        last one goes is kept: the grace period runs from there."""
        return await self.liveness(username).left(sid, now if now is not None else time.time())

    async def heartbeat(self, sockets: dict[str, list[str]], now: float) -> None:
        """Refresh this process's live connections: {agent: its socket ids}."""
        await refresh(self.redis, {redis_keys.agent_conns(u): sids
                                   for u, sids in sockets.items()}, now)

    async def lost(self, username: str, grace_s: float, now: float) -> bool:
        """True if the agent has had no live connection for longer than the grace period.
        Connections not refreshed for `grace_s` (their process died) no longer count."""
        return await self.liveness(username).gone(grace_s, now)

    async def connections(self, username: str) -> int:
        return await self.liveness(username).sockets()

    async def set_status(self, username: str, status: str) -> None:
        if status not in ("online", "away", "offline"):
            raise AgentError(f"unknown presence {status!r}")
        await self.redis.hset(redis_keys.agent(username), "status", status)
        if status == "online":
            active = await self.redis.scard(redis_keys.agent_chats(username))
            await self.redis.zadd(redis_keys.AGENTS_ONLINE, {username: active})
        else:
            await self.redis.zrem(redis_keys.AGENTS_ONLINE, username)

    async def status(self, username: str) -> str:
        return str(await self.redis.hget(redis_keys.agent(username), "status") or "offline")

    async def online(self) -> list[str]:
        """Online agents, fewest active chats first."""
        return [str(a) for a in await self.redis.zrange(redis_keys.AGENTS_ONLINE, 0, -1)]

    async def count_online(self) -> int:
        return int(await self.redis.zcard(redis_keys.AGENTS_ONLINE))

    async def name(self, username: str) -> str:
        return str(await self.redis.hget(redis_keys.agent(username), "name") or username)

    async def chats(self, username: str) -> set[str]:
        return {str(c) for c in await self.redis.smembers(redis_keys.agent_chats(username))}

    async def claim(self, username: str, chat_id: str = "") -> str | None:
        """Give `chat_id` (or the next queued chat) to the agent; None if there is none,
        the agent is full, or the chat is no longer queued (AgentError says which)."""
        try:
            claimed = await self.scripts.claim(
                keys=[redis_keys.QUEUE, redis_keys.agent_chats(username),
                      redis_keys.AGENTS_ONLINE, redis_keys.chat("")],
                args=[username, self.capacity, chat_id])
        except ResponseError as exc:
            reason = str(exc)
            if "empty" in reason:
                return None
            if "full" in reason:
                raise AgentError(f"you already have {self.capacity} chats") from exc
            raise AgentError("that chat is no longer waiting") from exc
        return str(claimed)

    async def release(self, username: str, chat_id: str) -> None:
        await self.redis.srem(redis_keys.agent_chats(username), chat_id)
        if await self.redis.zscore(redis_keys.AGENTS_ONLINE, username) is not None:
            active = await self.redis.scard(redis_keys.agent_chats(username))
            await self.redis.zadd(redis_keys.AGENTS_ONLINE, {username: active})

    async def record_handle_time(self, seconds: float) -> None:
        await self.redis.lpush(redis_keys.HANDLE_TIMES, f"{seconds:.0f}")
        await self.redis.ltrim(redis_keys.HANDLE_TIMES, 0, 49)

    async def outlook(self) -> QueueOutlook:
        """What the estimated waits are made of, read once for any number of chats."""
        recent = [float(x) for x in await self.redis.lrange(redis_keys.HANDLE_TIMES, 0, 49)]
        return QueueOutlook(online=await self.count_online(), capacity=self.capacity,
                            handle_s=sorted(recent)[len(recent) // 2] if recent else 300.0)


@dataclass(frozen=True)
class QueueOutlook:
    online: int  # agents online
    capacity: int  # chats per agent
    handle_s: float  # median of the last 50 handle times (300 s until there are some)

    def wait(self, position: int) -> float | None:
        """Median recent handle time x chats ahead / online agents' capacity; None with
        nobody online."""
        if self.online == 0:
            return None
        return self.handle_s * position / (self.online * self.capacity)


if __name__ == "__main__" and len(sys.argv) == 3 and sys.argv[1] == "hash":
    print(hash_password(sys.argv[2]))
