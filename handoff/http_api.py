"""The gateway's HTTP routes (besides the pages): health, readiness, metrics, agent
sign-in, the supervisors' CSAT export, the development token endpoint and the
knowledge-base article pages."""

from __future__ import annotations

import asyncio
import html
import logging
import re
import time
from typing import Any

import aiohttp
from aiohttp import web

from bot import identity, knowledge, redis_keys
from bot.accounts import read_yaml
from bot.policy import PRIORITIES
from handoff import vocabulary as v
from handoff.agents import chat_takers
from handoff.board import MAX_EXPORT_DAYS
from handoff.keys import (
    AGENTS,
    AUTH,
    BOARD,
    HTTP,
    MANAGER,
    METRICS,
    POLICY,
    PRESENCE,
    RASA,
    REDIS,
    SETTINGS,
)
from handoff.lifecycle import priority_range
from handoff.metrics import ProcessRestarts, SharedState, read_restarts
from handoff.pages import setup_pages
from handoff.ratelimit import client_address

log = logging.getLogger(__name__)


def setup_routes(app: web.Application, production: bool) -> None:
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics)
    app.router.add_get("/kb/{language}/{article_id}", article_page)
    app.router.add_post("/agent/login", agent_login)
    app.router.add_post("/agent/refresh", agent_refresh)
    app.router.add_post("/agent/logout", agent_logout)
    app.router.add_get("/agent/csat.csv", csat_export)
    if not production:
        app.router.add_post("/dev/token", dev_token)
    setup_pages(app, production)


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    """200 only when Redis, Rasa (at least one of its servers), the action server (unless
    ACTIONS_URL is empty: on several machines each Rasa server has its own, on loopback)
    and this process's Socket.IO listener all answer; each check is reported."""
    settings = request.app[SETTINGS]
    checks: dict[str, bool] = {}
    try:
        checks["redis"] = bool(await asyncio.wait_for(request.app[REDIS].ping(), 2))
    except Exception:
        checks["redis"] = False
    rasa = await request.app[RASA].check()
    checks["rasa"] = any(rasa.values())
    if settings.actions_url:  # empty: each Rasa server's own, not reachable from here
        try:
            async with request.app[HTTP].get(f"{settings.actions_url}/health",
                                             timeout=aiohttp.ClientTimeout(total=2)) as resp:
                checks["actions"] = resp.status == 200
        except (aiohttp.ClientError, TimeoutError):
            checks["actions"] = False
    checks["socketio_listener"] = request.app[MANAGER].hearing
    ready = all(checks.values())
    body: dict[str, Any] = {"ready": ready}
    if settings.may_see_internals(request.headers.get("Authorization")):
        body["checks"] = checks  # which dependency failed: not for the public
        if len(rasa) > 1:
            body["rasa_servers"] = rasa
    return web.json_response(body, status=200 if ready else 503)


async def metrics(request: web.Request) -> web.Response:
    """Constant work per scrape, whatever the number of chats: a pipelined count per
    priority, the presence of the (configured) agents, and the metric files of this
    machine's gateway processes."""
    if not request.app[SETTINGS].may_see_internals(request.headers.get("Authorization")):
        raise web.HTTPNotFound()
    redis, policy = request.app[REDIS], request.app[POLICY]
    agents = [a.username for a in chat_takers(request.app[AGENTS])]  # not supervisors
    now_ms = int(time.time() * 1000)
    statuses = await request.app[PRESENCE].statuses(agents)
    async with redis.pipeline(transaction=False) as pipe:
        for priority in PRIORITIES:
            low, high = priority_range(priority)
            pipe.zcount(redis_keys.QUEUE, low, high)
            due = low + now_ms - int(policy.target_hours.get(priority, 24) * 3600_000)
            pipe.zcount(redis_keys.QUEUE, low, min(high, due))
        pipe.zcard(redis_keys.TURN_INDEX)
        replies = await pipe.execute()
    presence = dict.fromkeys(v.PRESENCES, 0)
    for status, _ in statuses.values():
        presence[status if status in presence else v.OFFLINE] += 1
    shared = SharedState(
        queued={p: int(replies[2 * i]) for i, p in enumerate(PRIORITIES)},
        with_agents=sum(n for _, n in statuses.values()), agents=presence,
        past_target=sum(int(replies[2 * i + 1]) for i in range(len(PRIORITIES))),
        pending_turns=int(replies[-1]))
    restarts = ProcessRestarts(read_restarts(request.app[SETTINGS].restarts_file))
    body, content_type = request.app[METRICS].exposition([shared, restarts],
                                                         request.headers.get("Accept"))
    return web.Response(body=body, headers={"Content-Type": content_type})


async def _body(request: web.Request) -> dict[str, Any] | None:
    try:
        data = await request.json()
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


async def agent_login(request: web.Request) -> web.Response:
    """`{"username", "password"}` -> `{"token", "name", "expires_in"}` for the agent
    namespace's `auth`. Failed attempts are counted per username and per address; past
    the limit the answer is 429 with Retry-After."""
    data = await _body(request)
    if data is None:
        return web.json_response({"error": "expected {username, password}"}, status=400)
    auth = request.app[AUTH]
    raw = data.get("username")
    username = raw if isinstance(raw, str) else ""
    address = client_address(request.remote, request.headers.get("X-Forwarded-For"),
                             request.app[SETTINGS].trusted_proxies)  # not nginx's own
    wait = await auth.throttle.retry_after(username, address)
    if wait:
        return web.json_response(
            {"error": f"too many failed sign-ins; try again in {wait} s"}, status=429,
            headers={"Retry-After": str(wait)})
    agent = await auth.passwords(username, data.get("password"))
    if agent is None:
        await auth.throttle.failed(username, address)
        return web.json_response({"error": "wrong username or password"}, status=401)
    await auth.throttle.succeeded(agent.username)
    session = await auth.sessions.start(agent.username)
    return web.json_response({"token": auth.token(agent.username, session), "name": agent.name,
                              "expires_in": auth.token_ttl_s})


async def agent_refresh(request: web.Request) -> web.Response:
    """`{"token"}` of a live session -> a fresh `{"token", "expires_in"}`."""
    data = await _body(request)
    auth = request.app[AUTH]
    claims = await auth.claims(data.get("token") if data else None)
    if claims is None:
        return web.json_response({"error": "signed out or expired; sign in again"},
                                 status=401)
    return web.json_response({"token": auth.token(claims.username, claims.session),
                              "expires_in": auth.token_ttl_s})


async def agent_logout(request: web.Request) -> web.Response:
    """`{"token"}`: ends its session at once; its sockets are closed within seconds."""
    data = await _body(request)
    auth = request.app[AUTH]
    claims = await auth.claims(data.get("token") if data else None)
    if claims is not None:
        await auth.sessions.end(claims)
    return web.Response(status=204)


async def csat_export(request: web.Request) -> web.Response:
    """Supervisors: every rating of the last `days` (1..90, default 30) UTC days as a CSV
    download. `Authorization: Bearer <console token>` of a live session: 401 without one,
    403 for an agent who is not a supervisor."""
    auth = request.app[AUTH]
    header = request.headers.get("Authorization", "")
    claims = await auth.claims(header[7:] if header.startswith("Bearer ") else None)
    if claims is None:
        return web.json_response({"error": "sign in to the console first"}, status=401,
                                 headers={"WWW-Authenticate": "Bearer"})
    agent = request.app[AGENTS].get(claims.username)
    if agent is None or not agent.supervisor:
        return web.json_response({"error": "only supervisors may export ratings",
                                  "code": v.Code.FORBIDDEN}, status=403)
    raw = request.query.get("days", "30")
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_EXPORT_DAYS:
        return web.json_response({"error": f"days must be 1 to {MAX_EXPORT_DAYS}"},
                                 status=400)
    days = int(raw)
    body = await request.app[BOARD].csat_csv(days)
    today = time.strftime("%Y-%m-%d", time.gmtime())
    log.info("supervisor %s exported %d days of ratings", claims.username, days)
    return web.Response(
        body=body.encode("utf-8-sig"),  # the BOM: spreadsheets then read UTF-8 (Cyrillic)
        headers={"Content-Type": "text/csv; charset=utf-8",
                 "Content-Disposition": f'attachment; filename="csat-{days}d-{today}.csv"',
                 "Cache-Control": "no-store"})


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
    known = {a.user_id for a in read_yaml(request.app[POLICY])}
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
