"""Lua scripts from handoff/lua/, registered once per Redis client at start-up."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from redis.asyncio import Redis
from redis.commands.core import AsyncScript

LUA = Path(__file__).with_name("lua")


@dataclass(frozen=True)
class Scripts:
    append_message: AsyncScript
    transition: AsyncScript
    claim: AsyncScript

    @classmethod
    def register(cls, redis: Redis) -> Scripts:
        def load(name: str) -> AsyncScript:
            return redis.register_script((LUA / f"{name}.lua").read_text())

        return cls(append_message=load("append_message"), transition=load("transition"),
                   claim=load("claim"))
