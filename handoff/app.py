"""The gateway's app factory: aiohttp + python-socketio. Redis, the HTTP client and every
component are opened in `cleanup_ctx` and handed to whoever needs them explicitly; the
Socket.IO namespaces are registered there too, before the server accepts a connection."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import socketio
from aiohttp import web
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from bot import policy as support_policy
from bot.accounts import RedisAccountDirectory, read_yaml
from bot.entitlements import Asker, resolve
from bot.redis_url import async_client
from handoff import keys
from handoff.agent_ns import AgentNamespace
from handoff.agents import (
    ConsoleAuth,
    LoginThrottle,
    PasswordCheck,
    Sessions,
    demo_passwords,
    load_agents,
)
from handoff.board import Board
from handoff.canned import load_canned
from handoff.desk import Desk, DeskConfig
from handoff.fanout import Fanout
from handoff.http_api import setup_routes
from handoff.lifecycle import Lifecycle
from handoff.metrics import Metrics
from handoff.presence import Presence
from handoff.rasa_client import RasaClient
from handoff.ratelimit import SharedLimits
from handoff.settings import Settings, SettingsError
from handoff.sio_manager import WatchedRedisManager
from handoff.sweeper import cancel, every, sweep_interval
from handoff.transcript import Transcript
from handoff.turns import BotTurns, Process
from handoff.widget_ns import WidgetLimits, WidgetNamespace

log = logging.getLogger(__name__)
REDIS_POOL = 64  # connections per process; a burst waits for one instead of failing


def create_app(settings: Settings) -> web.Application:
    manager = WatchedRedisManager(settings.redis_url,
                                  redis_options={"socket_connect_timeout": 2})

    def allow(origin: str | None, environ: dict[str, Any]) -> bool:
        return settings.origin_allowed(origin)

    sio = socketio.AsyncServer(
        async_mode="aiohttp", client_manager=manager,
        max_http_buffer_size=settings.max_frame_bytes,
        cors_allowed_origins=allow, cors_credentials=False,
    )
    app = web.Application(client_max_size=64 * 1024)
    app[keys.SETTINGS] = settings
    app[keys.POLICY] = support_policy.cached()
    app[keys.AGENTS] = load_agents(settings.agents_file)
    if settings.production and demo_passwords(app[keys.AGENTS]):
        raise SettingsError(f"production refuses agents whose password is their username: "
                            f"{', '.join(demo_passwords(app[keys.AGENTS]))} (data/agents.yml)")
    app[keys.METRICS] = metrics = Metrics()
    manager.on_restart.append(metrics.listener_restarted)
    app[keys.MANAGER] = manager
    sio.attach(app)
    app.cleanup_ctx.append(_resources(sio, load_canned()))
    setup_routes(app, settings.production)
    return app


async def _wait_for_redis(redis: Redis, timeout_s: float = 30.0) -> None:
    """Redis may be starting (or restarting) with us: wait for it rather than die."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    while True:
        try:
            await redis.ping()
            return
        except (RedisConnectionError, RedisTimeoutError, OSError):
            if asyncio.get_running_loop().time() > deadline:
                raise
            log.warning("waiting for Redis at start-up")
            await asyncio.sleep(0.5)


def _resources(sio: socketio.AsyncServer, canned: Any) -> Any:
    async def resources(app: web.Application) -> AsyncIterator[None]:
        settings, policy, metrics = app[keys.SETTINGS], app[keys.POLICY], app[keys.METRICS]
        agents = app[keys.AGENTS]
        # Fail fast when Redis is away (the clients retry with backoff, and say so),
        # instead of redis-py's default of several retries backing off up to 10 s each.
        # A burst waits for a free connection (up to 10 s) instead of failing.
        redis: Redis = async_client(
            settings.redis_url, max_connections=REDIS_POOL, pool_timeout=10,
            decode_responses=True, socket_connect_timeout=2, socket_timeout=5,
            retry=Retry(ExponentialBackoff(cap=0.5, base=0.05), 2))
        http = aiohttp.ClientSession()
        loops: list[asyncio.Task[None]] = []
        turns: BotTurns | None = None
        desk: Desk | None = None
        widget_ns: WidgetNamespace | None = None
        agent_ns: AgentNamespace | None = None
        try:
            await _wait_for_redis(redis)
            accounts = RedisAccountDirectory(redis, seed=read_yaml(policy))
            await accounts.seed_if_lost()
            lifecycle = Lifecycle(redis, settings.agent_capacity, settings.chat_ttl_s)
            transcript = Transcript(redis)
            presence = Presence(redis, settings.agent_capacity)
            desk = Desk(lifecycle, transcript, Fanout(sio), presence, accounts, policy,
                        agents, DeskConfig(settings.agent_capacity,
                                                     settings.grace_period_s), metrics)
            process = Process(redis)
            await process.beat()

            async def asker_of(context: dict[str, str]) -> Asker:
                return await resolve(context.get("token"), settings.help_center_secret,
                                     accounts)

            limits = SharedLimits(redis, settings.limit_scale)
            rasa = RasaClient(http, settings.rasa_url, settings.rasa_timeout_s)
            turns = BotTurns(lifecycle, desk, rasa,
                             policy, asker_of, process, metrics, limits,
                             settings.help_center_secret, settings.max_bot_turns)

            def allow(origin: str | None, environ: dict[str, Any]) -> bool:
                return settings.origin_allowed(origin)

            widget_ns = WidgetNamespace(
                desk=desk, lifecycle=lifecycle, transcript=transcript, turns=turns,
                asker_of=asker_of, origin_allowed=allow, metrics=metrics, shared=limits,
                limits=WidgetLimits(settings.max_message_chars, settings.rate_limit_events,
                                    settings.rate_limit_window_s, settings.max_event_bytes,
                                    settings.max_connections_per_address,
                                    settings.trusted_proxies))
            auth = ConsoleAuth(PasswordCheck(agents), Sessions(redis), LoginThrottle(redis),
                               settings.agent_token_secret, settings.agent_token_ttl_s)
            board = Board(redis, presence, agents, policy, settings.agent_capacity)
            agent_ns = AgentNamespace(
                desk=desk, presence=presence, agents=agents, canned=canned, auth=auth,
                origin_allowed=allow,
                capacity=settings.agent_capacity,
                max_message_chars=settings.max_message_chars, board=board)
            sio.register_namespace(widget_ns)
            sio.register_namespace(agent_ns)
            app[keys.REDIS], app[keys.HTTP], app[keys.RASA] = redis, http, rasa
            app[keys.LIFECYCLE], app[keys.PRESENCE], app[keys.DESK] = lifecycle, presence, desk
            app[keys.TURNS] = turns
            app[keys.AUTH] = auth
            app[keys.BOARD] = board
            app[keys.WIDGET_NS], app[keys.AGENT_NS] = widget_ns, agent_ns
            async def catch_up() -> None:
                """After a deaf spell: every local socket reconnects and resumes."""
                for sid in list(widget_ns.sessions):
                    await sio.disconnect(sid, namespace=widget_ns.namespace)
                for sids in list(agent_ns.local.values()):
                    for sid in list(sids):
                        await sio.disconnect(sid, namespace=agent_ns.namespace)

            app[keys.MANAGER].on_restored.append(catch_up)
            grace = settings.grace_period_s
            loops = [
                asyncio.ensure_future(every(1.0, [("process heartbeat", process.beat),
                                                  ("turn recovery", turns.recover)])),
                asyncio.ensure_future(every(sweep_interval(grace), [
                    ("agent sweep", lambda: agent_ns.sweep(grace)),
                    ("widget sweep", lambda: widget_ns.sweep(grace)),
                    ("accounts", accounts.seed_if_lost),
                    ("auto-assign", desk.auto_assign)])),
                asyncio.ensure_future(app[keys.MANAGER].watch()),
            ]
            yield
        finally:  # whatever failed, everything opened is closed
            for loop in loops:
                await cancel(loop)
            if turns is not None:
                await turns.stop()
            if desk is not None:
                await desk.stop()
            try:
                await sio.shutdown()
                for namespace in (widget_ns, agent_ns):  # what they are still doing
                    if namespace is not None:
                        await namespace.in_flight.drained(5.0)
            except Exception:
                log.warning("stopping Socket.IO failed", exc_info=True)
            finally:
                await app[keys.MANAGER].aclose()
                await http.close()
                await redis.aclose()
    return resources
