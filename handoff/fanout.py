"""Delivery: who gets which event after a change. Every emit goes through the Socket.IO
server's Redis manager, so a user and an agent may be on different gateway processes.

Delivery is at least once: a message is emitted after it is stored, and again when a
retry of the same event arrives (the first emit may have died with its process); clients
keep messages by `seq`, so a message shown twice is shown once. What a crashed process
never emitted, clients get from `resume` (widget) or `assigned` (console) on reconnect.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import socketio

from handoff import vocabulary as v
from handoff.chat import Chat
from handoff.transcript import Message
from handoff.vocabulary import AgentEvent, WidgetEvent

# One emit of a batch: (event, data, room, namespace, skip_sid).
Emit = tuple[str, Any, str, str, str | None]


class Fanout:
    def __init__(self, sio: socketio.AsyncServer) -> None:
        self.sio = sio

    async def emit_all(self, emits: list[Emit]) -> None:
        """Several emits in order, as one message to the other processes when the
        manager can (`WatchedRedisManager.emit_many`): one Redis round trip, not one per
        emit."""
        if not emits:
            return
        many = getattr(getattr(self.sio, "manager", None), "emit_many", None)
        if many is not None and len(emits) > 1:
            await many(emits)
            return
        for event, data, room, namespace, skip_sid in emits:
            await self.sio.emit(event, data, room=room, skip_sid=skip_sid,
                                namespace=namespace)

    # -- the customer's side ------------------------------------------------------------
    @staticmethod
    def _user_emits(chat_id: str, messages: Iterable[Message], skip_sid: str | None = None
                    ) -> list[Emit]:
        return [(WidgetEvent.BOT_UTTERED, m.as_event(), v.user_room(chat_id), v.WIDGET_NS,
                 skip_sid) for m in messages]

    @staticmethod
    def _agent_emits(username: str, chat_id: str, messages: Iterable[Message]
                     ) -> list[Emit]:
        return [(AgentEvent.CHAT_MESSAGE, {"chat_id": chat_id, "message": m.for_agent()},
                 v.agent_room(username), v.AGENT_NS, None) for m in messages]

    async def to_user(self, chat_id: str, messages: Iterable[Message],
                      skip_sid: str | None = None) -> None:
        await self.emit_all(self._user_emits(chat_id, messages, skip_sid))

    async def to_both(self, chat_id: str, messages: list[Message], username: str | None,
                      skip_sid: str | None = None) -> None:
        """New messages to the chat's user (but `skip_sid`) and to its agent, if any, in
        one go."""
        await self.emit_all(self._user_emits(chat_id, messages, skip_sid) + (
            self._agent_emits(username, chat_id, messages) if username else []))

    async def to_socket(self, sid: str, messages: Iterable[Message]) -> None:
        for message in messages:
            await self.sio.emit(WidgetEvent.BOT_UTTERED, message.as_event(), to=sid,
                                namespace=v.WIDGET_NS)

    async def status(self, chat_id: str, body: dict[str, Any], sid: str | None = None
                     ) -> None:
        await self.sio.emit(WidgetEvent.HANDOFF_STATUS, body,
                            to=sid or v.user_room(chat_id), namespace=v.WIDGET_NS)

    async def statuses(self, items: list[tuple[str, dict[str, Any]]]) -> None:
        """A `handoff_status` to each of several chats (e.g. every waiting user's new
        position): one message to the other processes, not one per chat."""
        await self.emit_all([(WidgetEvent.HANDOFF_STATUS, body, v.user_room(chat_id),
                              v.WIDGET_NS, None) for chat_id, body in items])

    async def typing_to_user(self, chat_id: str, agent_name: str) -> None:
        await self.sio.emit(WidgetEvent.TYPING, {"sender": v.AGENT, "agent": agent_name},
                            room=v.user_room(chat_id), namespace=v.WIDGET_NS)

    # -- the agents' side -----------------------------------------------------------------
    async def to_agent(self, username: str, chat_id: str, messages: Iterable[Message]
                       ) -> None:
        await self.emit_all(self._agent_emits(username, chat_id, messages))

    async def deliver(self, chat: Chat | None, chat_id: str, messages: list[Message],
                      skip_sid: str | None = None) -> None:
        """New messages to the chat's user, and to its agent when it has one (`chat` is
        the chat after the change)."""
        agent = chat.assignee if chat is not None and chat.state == v.AGENT else None
        await self.to_both(chat_id, messages, agent or None, skip_sid)

    async def queue(self, snapshot: dict[str, Any], sid: str | None = None) -> None:
        await self.sio.emit(AgentEvent.QUEUE, snapshot, to=sid or v.ALL_AGENTS_ROOM,
                            namespace=v.AGENT_NS)

    async def assigned(self, username: str, body: dict[str, Any]) -> None:
        await self.sio.emit(AgentEvent.ASSIGNED, body, room=v.agent_room(username),
                            namespace=v.AGENT_NS)

    async def chat_closed(self, username: str, chat_id: str,
                          transferred_to: str | None = None) -> None:
        body: dict[str, Any] = {"chat_id": chat_id}
        if transferred_to:
            body["transferred_to"] = transferred_to
        await self.sio.emit(AgentEvent.CHAT_CLOSED, body, room=v.agent_room(username),
                            namespace=v.AGENT_NS)

    async def customer_presence(self, username: str, chat_id: str, online: bool) -> None:
        await self.sio.emit(AgentEvent.CUSTOMER_PRESENCE, {"chat_id": chat_id,
                                                           "online": online},
                            room=v.agent_room(username), namespace=v.AGENT_NS)

    async def typing_to_agent(self, username: str, chat_id: str) -> None:
        await self.sio.emit(AgentEvent.TYPING,
                            {"chat_id": chat_id, "sender": v.USER},
                            room=v.agent_room(username), namespace=v.AGENT_NS)

    async def assist(self, username: str, body: dict[str, Any]) -> None:
        """Agent assist's suggestions for one of the agent's chats."""
        await self.sio.emit(AgentEvent.ASSIST_SUGGESTIONS, body, room=v.agent_room(username),
                            namespace=v.AGENT_NS)

    async def note(self, username: str, body: dict[str, Any]) -> None:
        """An internal note, to a console user's sockets (never to a widget)."""
        await self.sio.emit(AgentEvent.CHAT_NOTE, body, room=v.agent_room(username),
                            namespace=v.AGENT_NS)

    async def board(self, sid: str, body: dict[str, Any]) -> None:
        """The supervisors' board, to one supervisor's socket."""
        await self.sio.emit(AgentEvent.BOARD, body, to=sid, namespace=v.AGENT_NS)
