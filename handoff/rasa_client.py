"""Rasa as the gateway uses it: one user turn in, the bot's replies out.

It posts to the `gateway` channel (`rasa_ext/channel.py`), which is Rasa's REST channel
plus two things a reliable relay needs: the turn's `message_id`, so a turn that is run
again after a crash is answered from the conversation instead of being processed twice
(`replay`), and an HTTP error instead of an empty 200 when Rasa fails inside.

Several Rasa servers (RASA_URL with commas) share the same tracker and lock stores in
Redis, so any of them can answer any chat: turns go round robin over the servers that
answer, and a turn whose server cannot be reached (refused, reset, 502-504 from a proxy)
is tried once more on the next one with `replay` (if the first got as far as running it,
the second answers it from the conversation under Rasa's lock instead of running it
again). A turn that timed out is not tried again: the server may still be running it,
and the user has already waited the whole timeout.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from typing import Any

import aiohttp

log = logging.getLogger(__name__)
DOWN_FOR_S = 5.0  # a server that failed is skipped this long (unless all are down)


class RasaUnavailable(Exception):
    """Rasa did not answer in time, answered with an error, or could not be reached."""

    def __init__(self, reason: str, *, unreachable: bool = False) -> None:
        super().__init__(reason)
        self.unreachable = unreachable  # another server may well take the turn


class RasaClient:
    def __init__(self, session: aiohttp.ClientSession, base_urls: str | list[str],
                 timeout_s: float) -> None:
        self.session = session
        bases = base_urls.split(",") if isinstance(base_urls, str) else base_urls
        self.bases = [b.strip().rstrip("/") for b in bases if b.strip()]
        self.timeout = aiohttp.ClientTimeout(total=timeout_s)
        self.down_until: dict[str, float] = {}
        self._next = itertools.cycle(range(len(self.bases)))

    def _order(self) -> list[str]:
        """The servers to try for one turn: round robin, those marked down last."""
        start = next(self._next)
        ring = self.bases[start:] + self.bases[:start]
        now = time.monotonic()
        up = [b for b in ring if self.down_until.get(b, 0) <= now]
        return up + [b for b in ring if b not in up]

    async def turn(self, sender: str, text: str, metadata: dict[str, Any], *,
                   message_id: str, replay: bool = False) -> list[dict[str, Any]]:
        """The bot's replies to one user message. `replay`: the turn may have run
        before; Rasa answers with what it said then if so."""
        failures = []
        for attempt, base in enumerate(self._order()[:2]):
            try:
                return await self._post(base, sender, text, metadata, message_id,
                                        replay or attempt > 0)
            except RasaUnavailable as exc:
                failures.append(f"{base}: {exc}")
                log.warning("Rasa at %s failed a turn (%s)", base, exc)
                if not exc.unreachable:
                    break
                self.down_until[base] = time.monotonic() + DOWN_FOR_S
        raise RasaUnavailable("; ".join(failures))

    async def _post(self, base: str, sender: str, text: str, metadata: dict[str, Any],
                    message_id: str, replay: bool) -> list[dict[str, Any]]:
        body = {"sender": sender, "message": text, "metadata": metadata,
                "message_id": message_id, "replay": replay}
        try:
            async with self.session.post(f"{base}/webhooks/gateway/webhook", json=body,
                                         timeout=self.timeout) as resp:
                if resp.status != 200:
                    raise RasaUnavailable(f"Rasa answered HTTP {resp.status}",
                                          unreachable=resp.status in (502, 503, 504))
                answer = await resp.json()
        except TimeoutError as exc:  # aiohttp's timeouts are TimeoutErrors too
            raise RasaUnavailable(f"no answer in {self.timeout.total} s") from exc
        except (aiohttp.ClientConnectionError, aiohttp.ClientPayloadError) as exc:
            raise RasaUnavailable(str(exc) or type(exc).__name__,
                                  unreachable=True) from exc
        except (aiohttp.ClientError, ValueError) as exc:
            raise RasaUnavailable(str(exc) or type(exc).__name__) from exc
        replies = answer.get("messages") if isinstance(answer, dict) else None
        if not isinstance(replies, list):
            raise RasaUnavailable("Rasa's answer has no messages list")
        return [r for r in replies if isinstance(r, dict)]

    async def check(self) -> dict[str, bool]:
        """Ask every server's health route; a server that does not answer is skipped by
        turns until it does (readiness: at least one answers)."""
        timeout = aiohttp.ClientTimeout(total=2)

        async def one(base: str) -> bool:
            try:
                async with self.session.get(f"{base}/webhooks/gateway/",
                                            timeout=timeout) as resp:
                    return resp.status == 200
            except (aiohttp.ClientError, TimeoutError):
                return False

        results = dict(zip(self.bases, await asyncio.gather(*map(one, self.bases)),
                           strict=True))
        now = time.monotonic()
        for base, ok in results.items():
            if ok:
                self.down_until.pop(base, None)
            else:
                self.down_until[base] = now + DOWN_FOR_S
        return results
