"""Rasa as the gateway uses it: one user turn in, the bot's replies out.

It posts to the `gateway` channel (`rasa_ext/channel.py`), which is Rasa's REST channel
plus two things a reliable relay needs: the turn's `message_id`, so a turn that is run
again after a crash is answered from the conversation instead of being processed twice
(`replay`), and an HTTP error instead of an empty 200 when Rasa fails inside.
"""

from __future__ import annotations

from typing import Any

import aiohttp


class RasaUnavailable(Exception):
    """Rasa did not answer in time, answered with an error, or could not be reached."""


class RasaClient:
    def __init__(self, session: aiohttp.ClientSession, base_url: str, timeout_s: float) -> None:
        self.session = session
        self.url = f"{base_url}/webhooks/gateway/webhook"
        self.timeout = aiohttp.ClientTimeout(total=timeout_s)

    async def turn(self, sender: str, text: str, metadata: dict[str, Any], *,
                   message_id: str, replay: bool = False) -> list[dict[str, Any]]:
        """The bot's replies to one user message. `replay`: the turn may have run
        before; Rasa answers with what it said then if so."""
        body = {"sender": sender, "message": text, "metadata": metadata,
                "message_id": message_id, "replay": replay}
        try:
            async with self.session.post(self.url, json=body, timeout=self.timeout) as resp:
                if resp.status != 200:
                    raise RasaUnavailable(f"Rasa answered HTTP {resp.status}")
                answer = await resp.json()
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise RasaUnavailable(str(exc) or type(exc).__name__) from exc
        replies = answer.get("messages") if isinstance(answer, dict) else None
        if not isinstance(replies, list):
            raise RasaUnavailable("Rasa's answer has no messages list")
        return [r for r in replies if isinstance(r, dict)]
