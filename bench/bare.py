"""The baseline server: a bare python-socketio relay between a widget and an agent, with
the gateway's event names and shapes but none of its work: no Redis, no state of its
own, no checks, no storage. Socket.IO's in-memory rooms are the only bookkeeping.

Widget namespace "/":
  session_request {session_id?} -> session_confirm <id> (the client's id, or a new one);
    the socket joins room chat:<id>
  user_uttered {message, session_id, client_msg_id?} -> ack {ok, seq}; the agents of the
    chat get chat_message {chat_id, message: {sender: "user", text, seq}}
Agent namespace "/agent":
  accept {chat_id} -> ack {ok, chat_id}; the agent socket joins room chat:<id>
  agent_message {chat_id, text} -> ack {ok, seq}; the widget gets bot_uttered
    {text, metadata: {sender: "agent", seq}}

`python -m bench.bare --port N` serves it on 127.0.0.1 with aiohttp, as the gateway is
served (same python-socketio, engine.io and aiohttp versions).
"""

from __future__ import annotations

import argparse
import itertools
import uuid
from typing import Any

import socketio
from aiohttp import web


def create_app() -> web.Application:
    sio = socketio.AsyncServer(async_mode="aiohttp", cors_allowed_origins="*")
    app = web.Application()
    sio.attach(app)
    seq = itertools.count(1)

    async def healthz(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    app.router.add_get("/healthz", healthz)

    @sio.on("session_request", namespace="/")
    async def session_request(sid: str, data: Any = None) -> dict[str, Any]:
        wanted = data.get("session_id") if isinstance(data, dict) else None
        chat_id = wanted if isinstance(wanted, str) and wanted else uuid.uuid4().hex
        await sio.enter_room(sid, f"chat:{chat_id}", namespace="/")
        await sio.emit("session_confirm", chat_id, to=sid, namespace="/")
        return {"ok": True}

    @sio.on("user_uttered", namespace="/")
    async def user_uttered(sid: str, data: Any = None) -> dict[str, Any]:
        n = next(seq)
        chat_id = data["session_id"]
        await sio.emit("chat_message", {"chat_id": chat_id, "message": {
            "sender": "user", "text": data["message"], "seq": n}},
            room=f"chat:{chat_id}", namespace="/agent")
        return {"ok": True, "seq": n}

    @sio.on("connect", namespace="/agent")
    async def agent_connect(sid: str, environ: Any, auth: Any = None) -> None:
        return None

    @sio.on("accept", namespace="/agent")
    async def accept(sid: str, data: Any = None) -> dict[str, Any]:
        await sio.enter_room(sid, f"chat:{data['chat_id']}", namespace="/agent")
        return {"ok": True, "chat_id": data["chat_id"]}

    @sio.on("agent_message", namespace="/agent")
    async def agent_message(sid: str, data: Any = None) -> dict[str, Any]:
        n = next(seq)
        await sio.emit("bot_uttered", {"text": data["text"], "metadata": {
            "sender": "agent", "seq": n}}, room=f"chat:{data['chat_id']}", namespace="/")
        return {"ok": True, "seq": n}

    return app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    web.run_app(create_app(), host="127.0.0.1", port=args.port, print=lambda _: None,
                access_log=None, shutdown_timeout=5)


if __name__ == "__main__":
    main()
