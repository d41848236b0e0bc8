"""One turn at a time per conversation, across every Rasa server, that a dead server
cannot hold: a lease in Redis (`SET NX PX`) renewed while the turn runs.

Rasa's own ticket lock would do for one server, but a server killed in the middle of a
turn leaves its ticket for the ticket's whole lifetime (60 s), so the gateway's retry
of that turn on another server would wait for a minute. A lease lasts `LEASE_MS` and is
renewed every `RENEW_S` while its holder lives: a dead holder's lease is gone within
3 s. Taking, renewing and releasing are each one Redis command or script, checked
against the holder's random token, so a holder whose lease expired never releases or
extends another's.

Without a Redis lock store (Rasa's in-memory one), the conversation is guarded by the
lock store Rasa has.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections.abc import AsyncIterator
from typing import Any

from bot import redis_keys

log = logging.getLogger(__name__)
LEASE_MS = 3000
RENEW_S = 1.0
POLL_S = 0.05
_RENEW = "if redis.call('GET', KEYS[1]) == ARGV[1] then " \
         "return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0"
_RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then " \
           "return redis.call('DEL', KEYS[1]) end return 0"


class LeaseTimeout(Exception):
    """Another turn of the conversation held it for longer than we could wait."""


@contextlib.asynccontextmanager
async def lease(lock_store: Any, sender: str, wait_s: float = 30.0) -> AsyncIterator[None]:
    """Hold the conversation `sender` for one turn."""
    red = getattr(lock_store, "red", None)  # Rasa's RedisLockStore's (sync) client
    if red is None:
        async with lock_store.lock(sender):
            yield
        return
    key, token = redis_keys.turn_lease(sender), secrets.token_hex(16)
    deadline = time.monotonic() + wait_s
    while not red.set(key, token, nx=True, px=LEASE_MS):
        if time.monotonic() > deadline:
            raise LeaseTimeout(f"conversation {sender} busy for {wait_s} s")
        await asyncio.sleep(POLL_S)

    async def renew() -> None:
        while True:
            await asyncio.sleep(RENEW_S)
            try:
                red.eval(_RENEW, 1, key, token, LEASE_MS)
            except Exception as exc:  # Redis away: the turn fails on its own if it must
                log.warning("could not renew the turn lease of %s: %s", sender, exc)

    renewing = asyncio.ensure_future(renew())
    try:
        yield
    finally:
        renewing.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await renewing
        try:
            red.eval(_RELEASE, 1, key, token)
        except Exception as exc:  # it expires on its own within LEASE_MS
            log.warning("could not release the turn lease of %s: %s", sender, exc)
