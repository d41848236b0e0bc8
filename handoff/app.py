"""The gateway's app factory: aiohttp + python-socketio, Redis opened in cleanup_ctx."""

from __future__ import annotations

import asyncio
import contextlib
import html
import logging
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import socketio
from aiohttp import web
from redis.asyncio import Redis

from bot import identity, knowledge
from bot import policy as support_policy
from bot.accounts import RedisAccountDirectory, read_yaml
from bot.policy import SupportPolicy
from handoff import metrics as prom
from handoff.agent_ns import AgentNamespace
from handoff.agents import Agent, Presence, QueueOutlook, check_password, issue_token, load_agents
from handoff.canned import CannedReply, load_canned
from handoff.desk import Desk
from handoff.keys import AGENT_NS, GATEWAY, WIDGET_NS
from handoff.pages import setup_pages
from handoff.queue import Queue
from handoff.rasa_client import RasaClient
from handoff.scripts import Scripts
from handoff.settings import Settings
from handoff.sio_manager import ClosingRedisManager
from handoff.switchboard import STATES, Switchboard
from handoff.transcript import Transcript
from handoff.widget import WidgetNamespace

log = logging.getLogger(__name__)


@dataclass
class Gateway:
    """Everything a request or socket handler needs, opened for the app's lifetime."""

    settings: Settings
    sio: socketio.AsyncServer
    policy: SupportPolicy
    redis: Redis = field(init=False)
    http: aiohttp.ClientSession = field(init=False)
    rasa: RasaClient = field(init=False)
    transcript: Transcript = field(init=False)
    switchboard: Switchboard = field(init=False)
    queue: Queue = field(init=False)
    presence: Presence = field(init=False)
    desk: Desk = field(init=False)
    agents: dict[str, Agent] = field(default_factory=load_agents)
    canned: tuple[CannedReply, ...] = field(default_factory=load_canned)
    metrics: prom.Metrics = field(default_factory=prom.Metrics)

    def origin_allowed(self, origin: str | None, environ: dict[str, Any]) -> bool:
        own = None
        if environ.get("HTTP_HOST"):
            own = f"{environ.get('wsgi.url_scheme', 'http')}://{environ['HTTP_HOST']}"
        return self.settings.origin_allowed(origin, own)

    @staticmethod
    def queued_status(position: int | None, outlook: QueueOutlook) -> dict[str, Any]:
        """The `handoff_status` of a queued chat at `position`."""
        wait = outlook.wait(position or 1)
        return {"state": "queued", "position": position, "agents_online": outlook.online,
                "estimated_wait_s": round(wait) if wait is not None else None}

    async def status(self, chat_id: str) -> dict[str, Any]:
        """The `handoff_status` payload of a chat."""
        chat = await self.switchboard.get(chat_id)
        if chat.state == "queued":
            return self.queued_status(await self.queue.position(chat_id),
                                      await self.presence.outlook())
        body: dict[str, Any] = {"state": chat.state}
        if chat.state == "agent" and chat.assignee:
            body["agent"] = await self.presence.name(chat.assignee)
        if chat.state == "bot" and chat.csat_pending:
            body["csat_pending"] = True
        return body


def create_app(settings: Settings) -> web.Application:
    policy = support_policy.cached()
    holder: dict[str, Gateway] = {}

    def allow(origin: str | None, environ: dict[str, Any]) -> bool:
        return holder["gateway"].origin_allowed(origin, environ)

    sio = socketio.AsyncServer(
        async_mode="aiohttp",
        client_manager=ClosingRedisManager(settings.redis_url),
        max_http_buffer_size=settings.max_event_bytes,
        cors_allowed_origins=allow,
        cors_credentials=False,
    )
    gateway = holder["gateway"] = Gateway(settings=settings, sio=sio, policy=policy)
    app = web.Application(client_max_size=64 * 1024)
    app[GATEWAY] = gateway
    sio.attach(app)
    widget_ns = WidgetNamespace(gateway)
    sio.register_namespace(widget_ns)
    app[WIDGET_NS] = widget_ns
    agent_ns = AgentNamespace(gateway)
    sio.register_namespace(agent_ns)
    app[AGENT_NS] = agent_ns
    app.cleanup_ctx.append(_resources)
    setup_routes(app, settings)
    return app


async def _resources(app: web.Application) -> AsyncIterator[None]:
    gw = app[GATEWAY]
    gw.redis = Redis.from_url(gw.settings.redis_url, decode_responses=True)
    await gw.redis.ping()
    await RedisAccountDirectory(gw.redis).load(read_yaml(gw.policy))
    scripts = Scripts.register(gw.redis)
    gw.transcript = Transcript(gw.redis, scripts)
    gw.switchboard = Switchboard(gw.redis, scripts)
    gw.queue = Queue(gw.redis)
    gw.presence = Presence(gw.redis, scripts, gw.settings.agent_capacity)
    gw.desk = Desk(gw)
    gw.http = aiohttp.ClientSession()
    gw.rasa = RasaClient(gw.http, gw.settings.rasa_url, gw.settings.rasa_timeout_s)
    sweeper = asyncio.ensure_future(_sweep_forever(app))
    yield
    sweeper.cancel()
    try:
        with contextlib.suppress(asyncio.CancelledError):
            await sweeper
        await _stop_socketio(gw.sio)
    finally:  # whatever failed above, the connections are closed
        await gw.http.close()
        await gw.redis.aclose()


async def _sweep_forever(app: web.Application) -> None:
    """Every process refreshes the heartbeats of its own sockets, and requeues the chats
    of agents, or drops the queued chats of users, gone past the grace period, whichever
    process they were on (a process that died stops refreshing, so its sockets expire)."""
    grace = app[GATEWAY].settings.grace_period_s
    interval = max(0.2, min(5.0, grace / 3))
    while True:
        await asyncio.sleep(interval)
        for sweep in (app[AGENT_NS].sweep, app[WIDGET_NS].sweep):
            try:
                await sweep(grace)
            except Exception:
                log.exception("sweep failed")


async def _stop_socketio(sio: socketio.AsyncServer) -> None:
    """Disconnect clients, then stop the Redis pub/sub listener and close every Redis
    client the manager made (python-socketio leaves them open otherwise)."""
    try:
        await sio.shutdown()
    finally:
        await sio.manager.aclose()


def setup_routes(app: web.Application, settings: Settings) -> None:
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics)
    app.router.add_get("/kb/{language}/{article_id}", article_page)
    app.router.add_post("/agent/login", agent_login)
    if not settings.production:
        app.router.add_post("/dev/token", dev_token)
    setup_pages(app, settings.production)


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    gw = request.app[GATEWAY]
    checks: dict[str, bool] = {}
    try:
        checks["redis"] = bool(await gw.redis.ping())
    except Exception:
        checks["redis"] = False
    timeout = aiohttp.ClientTimeout(total=2)
    for name, url in (("rasa", f"{gw.settings.rasa_url}/webhooks/rest/"),
                      ("actions", f"{gw.settings.actions_url}/health")):
        try:
            async with gw.http.get(url, timeout=timeout) as resp:
                checks[name] = resp.status == 200
        except (aiohttp.ClientError, TimeoutError):
            checks[name] = False
    ready = all(checks.values())
    return web.json_response({"ready": ready, "checks": checks}, status=200 if ready else 503)


async def metrics(request: web.Request) -> web.Response:
    gw = request.app[GATEWAY]
    states: dict[str, int] = dict.fromkeys(STATES, 0)
    async for key in gw.redis.scan_iter(match="hc:chat:*", count=500):
        if key.count(":") == 2:
            state = await gw.redis.hget(key, "state")
            if state in states:
                states[state] += 1
    queued = await gw.queue.by_priority()
    body = prom.render(
        {
            "hc_socket_connections": [({}, gw.metrics.connections)],
            "hc_chats": [({"state": s}, n) for s, n in states.items()],
            "hc_queue_length": [({"priority": p}, n) for p, n in queued.items()],
            "hc_agents": [({"presence": p}, n) for p, n in (await agent_presence(gw)).items()],
            "hc_target_response_breaches": [({}, sum(
                1 for c in (await gw.desk.queue_snapshot())["chats"] if c["due_in_s"] < 0))],
        },
        {
            "hc_socket_connections": "Socket.IO connections to this gateway process",
            "hc_chats": "Chats by owner state",
            "hc_queue_length": "Chats waiting for an agent, by priority",
            "hc_agents": "Agents by presence",
            "hc_target_response_breaches": "Queued chats past their target response time",
        },
    )
    body += gw.metrics.wait_histogram()
    return web.Response(text=body, content_type="text/plain", charset="utf-8")


async def agent_login(request: web.Request) -> web.Response:
    """`{"username", "password"}` -> `{"token"}` for the agent namespace's `auth`."""
    try:
        data = await request.json()
    except ValueError:
        return web.json_response({"error": "body must be JSON"}, status=400)
    gw = request.app[GATEWAY]
    if not isinstance(data, dict):
        return web.json_response({"error": "expected {username, password}"}, status=400)
    username, password = data.get("username"), data.get("password")
    agent = gw.agents.get(username) if isinstance(username, str) else None
    if agent is None or not isinstance(password, str) or len(password) > 256 or \
            not check_password(password, agent.password_hash):
        await asyncio.sleep(0.2)  # slow down guessing
        return web.json_response({"error": "wrong username or password"}, status=401)
    token = issue_token(agent.username, gw.settings.agent_token_secret)
    return web.json_response({"token": token, "name": agent.name})


async def agent_presence(gw: Gateway) -> dict[str, int]:
    counts = dict.fromkeys(("online", "away", "offline"), 0)
    for username in gw.agents:
        status = await gw.presence.status(username)
        counts[status if status in counts else "offline"] += 1
    return counts


async def dev_token(request: web.Request) -> web.Response:
    """Outside production only: the demo page's "sign in as" a demo user."""
    try:
        data = await request.json()
    except ValueError:
        return web.json_response({"error": "body must be JSON"}, status=400)
    user = data.get("user") if isinstance(data, dict) else None
    if not isinstance(user, str):
        return web.json_response({"error": "expected {\"user\": \"<demo user id>\"}"},
                                 status=400)
    gw = request.app[GATEWAY]
    known = {a.user_id for a in read_yaml(gw.policy)}
    try:
        token = identity.dev_token(user, known)
    except KeyError:
        return web.json_response({"error": f"unknown demo user {user!r}"}, status=404)
    return web.json_response({"token": token, "user": user})


async def article_page(request: web.Request) -> web.Response:
    """A knowledge-base article as a small HTML page (the bot links here)."""
    language = request.match_info["language"]
    article_id = request.match_info["article_id"]
    if not re.match(r"^[a-z]{2}$", language):
        raise web.HTTPNotFound()
    try:
        kb = knowledge.cached(language)
    except knowledge.ArticleError:
        raise web.HTTPNotFound() from None
    article = kb.get(article_id)
    if article is None:
        raise web.HTTPNotFound()
    parts = [f"<h1>{html.escape(article.title)}</h1>", _markdown(article.lead)]
    for heading, body in article.sections:
        parts += [f"<h2>{html.escape(heading)}</h2>", _markdown(body)]
    page = (f"<!doctype html><html lang=\"{language}\"><head><meta charset=\"utf-8\">"
            f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{html.escape(article.title)} - Help Center</title></head>"
            f"<body><main>{''.join(parts)}</main></body></html>")
    return web.Response(text=page, content_type="text/html")


def _markdown(text: str) -> str:
    """Paragraphs, '-' lists and **bold**: all the articles use; everything escaped."""
    out, items = [], []

    def inline(s: str) -> str:
        return re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", html.escape(s))

    for line in [*text.splitlines(), ""]:
        if line.startswith("- "):
            items.append(f"<li>{inline(line[2:])}</li>")
            continue
        if items:
            out.append("<ul>" + "".join(items) + "</ul>")
            items = []
        if line.strip():
            out.append(f"<p>{inline(line)}</p>")
    return "".join(out)
