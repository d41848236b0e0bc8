"""The channel the handoff gateway talks to: Rasa's REST channel, made safe to retry.

POST /webhooks/gateway/webhook
  {"sender", "message", "metadata", "message_id", "replay": bool}
  -> 200 {"messages": [REST-shaped replies], "replayed": bool}
  -> 503 {"error"} when the model is not loaded, 500 {"error"} when the turn failed

A gateway that crashed in the middle of a bot turn runs it again with the same
`message_id` and `replay: true`. Holding the conversation's turn lease (`turn_lease.py`:
one turn at a time across every Rasa server, released within 3 s if its server dies),
this channel first looks in the tracker for a user message with that id: if the
turn ran before, the bot's replies to it are sent back as they were, and nothing is
processed twice; if not, the turn runs as usual. The stock REST channel also answers
`200 []` when the turn failed inside Rasa; this one answers 500, so the gateway can tell
the user instead of leaving them in silence.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from rasa_ext.turn_lease import lease

log = logging.getLogger(__name__)
MAX_MESSAGE_CHARS = 10_000


def replies_to(tracker: DialogueStateTracker, message_id: str) -> list[BotUttered] | None:
    """The bot's utterances after the user message `message_id`, up to the next user
    message; None when the tracker has no such message (the turn never ran)."""
    found = False
    replies: list[BotUttered] = []
    for event in tracker.events:
        if isinstance(event, UserUttered):
            if found:
                break
            found = event.message_id == message_id
        elif found and isinstance(event, BotUttered):
            replies.append(event)
    return replies if found else None


class GatewayInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "gateway"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
                  ) -> Blueprint:
        hook = Blueprint("gateway_webhook", __name__)

        @hook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @hook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            body = request.json if isinstance(request.json, dict) else {}
            sender, text = body.get("sender"), body.get("message")
            message_id = body.get("message_id")
            if not isinstance(sender, str) or not sender or not isinstance(text, str) \
                    or not isinstance(message_id, str) or not message_id \
                    or len(text) > MAX_MESSAGE_CHARS:
                return response.json({"error": "expected sender, message, message_id"},
                                     status=400)
            metadata = body.get("metadata") if isinstance(body.get("metadata"), dict) else {}
            agent = request.app.ctx.agent
            if agent is None or not agent.is_ready():
                return response.json({"error": "no model loaded"}, status=503)
            collector = CollectingOutputChannel()
            replayed = False
            try:
                async with lease(agent.lock_store, sender):
                    earlier = None
                    if body.get("replay"):
                        tracker = await agent.tracker_store.retrieve(sender)
                        earlier = replies_to(tracker, message_id) if tracker else None
                    if earlier is not None:
                        replayed = True
                        for event in earlier:
                            await collector.send_response(sender, event.message())
                    else:
                        await agent.processor.handle_message(UserMessage(
                            text, collector, sender, input_channel=self.name(),
                            message_id=message_id, metadata=metadata))
            except Exception:
                log.exception("gateway turn %s of %s failed", message_id, sender)
                return response.json({"error": "the turn failed inside Rasa"}, status=500)
            return response.json({"messages": collector.messages, "replayed": replayed})

        return hook
