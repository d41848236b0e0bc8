"""Rasa's REST channel as the gateway uses it: one user turn in, the bot's replies out."""

from __future__ import annotations

from typing import Any

import aiohttp


class RasaUnavailable(Exception):
    """Rasa did not answer in time or answered with an error."""


class RasaClient:
    def __init__(self, session: aiohttp.ClientSession, base_url: str, timeout_s: float) -> None:
        self.session = session
        self.url = f"{base_url}/webhooks/rest/webhook"
        self.timeout = aiohttp.ClientTimeout(total=timeout_s)

    async def turn(self, sender: str, text: str, metadata: dict[str, Any]
                   ) -> list[dict[str, Any]]:
        body = {"sender": sender, "message": text, "metadata": metadata}
        try:
            async with self.session.post(self.url, json=body, timeout=self.timeout) as resp:
                if resp.status != 200:
                    raise RasaUnavailable(f"Rasa answered HTTP {resp.status}")
                replies = await resp.json()
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise RasaUnavailable(str(exc) or type(exc).__name__) from exc
        return [r for r in replies if isinstance(r, dict)] if isinstance(replies, list) else []
