"""Support agents: the directory (data/agents.yml), sign-in against salted password
hashes (off the event loop, the same cost for unknown usernames, throttled per username
and address), server-side sessions that sign-out ends, and short-lived signed tokens
for the console. Presence lives in handoff.presence, assignment in handoff.lifecycle."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import math
import os
import secrets
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
import yaml
from redis.asyncio import Redis

from bot import redis_keys
from bot.paths import data_dir
from handoff import vocabulary as v

TOKEN_TTL_S = 15 * 60  # a console token lives 15 minutes; the console refreshes it
SESSION_TTL_S = 12 * 3600  # a sign-in lasts at most 12 hours (sign-out ends it at once)
AUDIENCE = "agent-console"
ITERATIONS = 600_000  # OWASP's current figure for PBKDF2-HMAC-SHA256


class AgentError(ValueError):
    pass


@dataclass(frozen=True)
class Agent:
    username: str
    name: str
    password_hash: str
    role: str = v.ROLE_AGENT  # agent (takes chats) or supervisor (the board, reassigning)

    @property
    def supervisor(self) -> bool:
        return self.role == v.ROLE_SUPERVISOR


def chat_takers(agents: dict[str, Agent]) -> list[Agent]:
    """The agents who take chats (supervisors watch and reassign, they are not given any)."""
    return [a for a in agents.values() if not a.supervisor]


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


# Unknown usernames are checked against this, so they cost what known ones cost: the
# answer time does not tell which usernames exist.
_UNKNOWN = hash_password(os.urandom(16).hex())


class PasswordCheck:
    """Password hashing off the event loop, at most two at a time, so a burst of
    sign-ins cannot stall the gateway's sockets."""

    def __init__(self, agents: dict[str, Agent], parallel: int = 2) -> None:
        self.agents = agents
        self.slots = asyncio.Semaphore(parallel)

    async def __call__(self, username: Any, password: Any) -> Agent | None:
        """The agent if the password is right; the same work whether or not it exists."""
        agent = self.agents.get(username) if isinstance(username, str) else None
        if not isinstance(password, str) or len(password) > 256:
            password = ""
        async with self.slots:
            ok = await asyncio.to_thread(check_password, password,
                                         agent.password_hash if agent else _UNKNOWN)
        return agent if ok and agent is not None else None


def load_agents(path: Path | None = None) -> dict[str, Agent]:
    path = path or data_dir() / "agents.yml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    agents = {}
    for i, entry in enumerate(raw.get("agents") or []):
        try:
            agent = Agent(str(entry["username"]), str(entry["name"]), str(entry["password"]),
                          str(entry.get("role", v.ROLE_AGENT)))
        except (KeyError, TypeError, AttributeError) as exc:
            raise AgentError(f"{path}: agents[{i}] needs username, name and password") from exc
        if agent.role not in v.ROLES:
            raise AgentError(f"{path}: agents[{i}].role must be one of {', '.join(v.ROLES)}")
        if not agent.password_hash.startswith("pbkdf2_sha256$"):
            raise AgentError(f"{path}: agents[{i}].password must be a pbkdf2_sha256 hash")
        agents[agent.username] = agent
    return agents


@dataclass(frozen=True)
class Claims:
    username: str
    session: str  # the server-side session (sign-out revokes it)
    expires: float  # epoch seconds


def issue_token(username: str, session: str, secret: str, now: float | None = None,
                ttl_s: int = TOKEN_TTL_S) -> str:
    issued = now if now is not None else time.time()
    return jwt.encode({"sub": username, "sid": session, "aud": AUDIENCE, "iat": int(issued),
                       "exp": math.ceil(issued + ttl_s)}, secret, algorithm="HS256")


def verify_token(token: Any, secret: str) -> Claims | None:
    """The token's claims if it is ours, for the console, and not expired (the session
    it names must still be checked: `Sessions.alive`)."""
    if not isinstance(token, str) or len(token) > 4096:
        return None
    try:
        claims = jwt.decode(token, secret, algorithms=["HS256"], audience=AUDIENCE,
                            options={"require": ["exp", "sub", "aud", "sid"]})
    except jwt.PyJWTError:
        return None
    sub, sid, exp = claims.get("sub"), claims.get("sid"), claims.get("exp")
    if not isinstance(sub, str) or not isinstance(sid, str) or not isinstance(exp, int):
        return None
    return Claims(sub, sid, float(exp))


class Sessions:
    """Server-side console sessions: a token is only good while its session lives, so
    signing out (or an operator) ends it everywhere at once."""

    def __init__(self, redis: Redis, ttl_s: int = SESSION_TTL_S) -> None:
        self.redis = redis
        self.ttl_s = ttl_s

    async def start(self, username: str) -> str:
        session = secrets.token_urlsafe(24)
        await self.redis.set(redis_keys.agent_session(session), username, ex=self.ttl_s)
        return session

    async def alive(self, claims: Claims) -> bool:
        owner = await self.redis.get(redis_keys.agent_session(claims.session))
        return owner == claims.username

    async def alive_many(self, sessions: list[Claims]) -> list[bool]:
        async with self.redis.pipeline(transaction=False) as pipe:
            for claims in sessions:
                pipe.get(redis_keys.agent_session(claims.session))
            owners = await pipe.execute()
        return [owner == c.username for owner, c in zip(owners, sessions, strict=True)]

    async def end(self, claims: Claims) -> None:
        await self.redis.delete(redis_keys.agent_session(claims.session))


class LoginThrottle:
    """Failed sign-ins counted in Redis, per username and per address, over a window:
    past the limit, sign-in answers 429 with Retry-After until the window ends (a
    success clears the username's count). Shared by every gateway process."""

    def __init__(self, redis: Redis, per_user: int = 5, per_address: int = 20,
                 window_s: int = 900) -> None:
        self.redis = redis
        self.limits = {"user": per_user, "address": per_address}
        self.window_s = window_s

    def _keys(self, username: str, address: str) -> dict[str, str]:
        return {"user": redis_keys.login_failures("user", username[:64]),
                "address": redis_keys.login_failures("address", address[:64])}

    async def retry_after(self, username: str, address: str) -> int:
        """Seconds until sign-in may be tried again (0: now)."""
        keys = self._keys(username, address)
        async with self.redis.pipeline(transaction=False) as pipe:
            for key in keys.values():
                pipe.get(key)
                pipe.ttl(key)
            replies = await pipe.execute()
        wait = 0
        for i, kind in enumerate(keys):
            count, ttl = replies[2 * i], replies[2 * i + 1]
            if count is not None and int(count) >= self.limits[kind]:
                wait = max(wait, int(ttl) if int(ttl) > 0 else self.window_s)
        return wait

    async def failed(self, username: str, address: str) -> None:
        async with self.redis.pipeline(transaction=True) as pipe:
            for key in self._keys(username, address).values():
                pipe.set(key, 0, ex=self.window_s, nx=True)  # the window starts now
                pipe.incr(key)
            await pipe.execute()

    async def succeeded(self, username: str) -> None:
        await self.redis.delete(redis_keys.login_failures("user", username[:64]))


@dataclass
class ConsoleAuth:
    """Everything about who may use the console: passwords, throttling, sessions and
    tokens. Used by the sign-in routes and by the agent namespace."""

    passwords: PasswordCheck
    sessions: Sessions
    throttle: LoginThrottle
    secret: str
    token_ttl_s: int = TOKEN_TTL_S

    def token(self, username: str, session: str) -> str:
        return issue_token(username, session, self.secret, ttl_s=self.token_ttl_s)

    async def claims(self, token: Any) -> Claims | None:
        """The claims of a valid token whose session is still alive; else None."""
        claims = verify_token(token, self.secret)
        if claims is None or claims.username not in self.passwords.agents:
            return None
        return claims if await self.sessions.alive(claims) else None


def demo_passwords(agents: dict[str, Agent]) -> list[str]:
    """Agents whose password is their username (the demo ones): refused in production."""
    return [a.username for a in agents.values() if check_password(a.username,
                                                                  a.password_hash)]


if __name__ == "__main__" and len(sys.argv) == 3 and sys.argv[1] == "hash":
    print(hash_password(sys.argv[2]))
