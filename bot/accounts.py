"""The account directory: who a verified user is (plan, licence, role).

An interface with one Redis-backed implementation. The demo directory is loaded from
`data/accounts.yml` when the action server starts; loading validates plans and roles
against the support policy so a typo cannot silently downgrade or upgrade anyone.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

import yaml
from redis.asyncio import Redis

from bot import redis_keys
from bot.paths import data_dir
from bot.policy import SupportPolicy


class AccountsError(ValueError):
    """The accounts file is invalid; the message names the file and entry."""


@dataclass(frozen=True)
class Account:
    user_id: str
    name: str
    account_id: str
    plan: str
    licensed: bool
    role: str


class AccountDirectory(Protocol):
    async def get(self, user_id: str) -> Account | None: ...


def read_yaml(policy: SupportPolicy, path: Path | None = None) -> list[Account]:
    path = path or data_dir() / "accounts.yml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    entries = raw.get("accounts") if isinstance(raw, dict) else None
    if not isinstance(entries, list):
        raise AccountsError(f"{path}: expected 'accounts:' with a list of accounts")
    accounts, seen = [], set()
    for i, entry in enumerate(entries):
        where = f"{path}: accounts[{i}]"
        if not isinstance(entry, dict):
            raise AccountsError(f"{where}: expected a mapping")
        missing = {"user_id", "name", "account_id", "plan", "licensed", "role"} - set(entry)
        if missing:
            raise AccountsError(f"{where}: missing {sorted(missing)}")
        if entry["plan"] not in policy.plans:
            raise AccountsError(f"{where}: unknown plan '{entry['plan']}'")
        if entry["role"] not in policy.roles:
            raise AccountsError(f"{where}: unknown role '{entry['role']}'")
        if not isinstance(entry["licensed"], bool):
            raise AccountsError(f"{where}: licensed must be true or false")
        if entry["user_id"] in seen:
            raise AccountsError(f"{where}: duplicate user_id '{entry['user_id']}'")
        seen.add(entry["user_id"])
        accounts.append(Account(str(entry["user_id"]), str(entry["name"]),
                                str(entry["account_id"]), str(entry["plan"]),
                                entry["licensed"], str(entry["role"])))
    return accounts


class RedisAccountDirectory:
    """Accounts in Redis. With `seed` (the accounts it was loaded from), it loads them
    again by itself when Redis has lost them (a restart without persistence, a
    FLUSHALL): a lookup that misses while the "loaded" marker is gone re-seeds first, so
    paid users are never treated as unknown until someone restarts a process."""

    def __init__(self, redis: Redis, seed: Sequence[Account] = ()) -> None:
        self.redis = redis
        self.seed = list(seed)

    async def get(self, user_id: str) -> Account | None:
        raw = await self.redis.hgetall(redis_keys.account(user_id))
        if not raw and await self.seed_if_lost():
            raw = await self.redis.hgetall(redis_keys.account(user_id))
        if not raw:
            return None
        data = redis_keys.text_hash(raw)
        return Account(data["user_id"], data["name"], data["account_id"], data["plan"],
                       data["licensed"] == "1", data["role"])

    async def put(self, account: Account) -> None:
        fields: dict[Any, Any] = {k: (("1" if v else "0") if isinstance(v, bool) else v)
                  for k, v in asdict(account).items()}
        await self.redis.hset(redis_keys.account(account.user_id), mapping=fields)

    async def seed_if_lost(self) -> bool:
        """Load the seed accounts when Redis no longer has the marker of a load (cheap
        otherwise: one EXISTS). True if they were written."""
        if not self.seed or await self.redis.exists(redis_keys.ACCOUNTS_LOADED):
            return False
        return await self.load(self.seed)

    async def load(self, accounts: list[Account]) -> bool:
        """Store `accounts` unless this exact set was loaded already. True if written."""
        digest = hashlib.sha256(repr(sorted(map(asdict, accounts), key=str)).encode()).hexdigest()
        if await self.redis.get(redis_keys.ACCOUNTS_LOADED) in (digest, digest.encode()):
            return False
        for account in accounts:
            await self.put(account)
        await self.redis.set(redis_keys.ACCOUNTS_LOADED, digest)
        return True
