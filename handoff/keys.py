"""Every aiohttp AppKey of the gateway, in one place: what the HTTP handlers and the
background loops reach through the app, each a single collaborator."""

from __future__ import annotations

import aiohttp
from aiohttp import web
from redis.asyncio import Redis

from bot.policy import SupportPolicy
from handoff.agent_ns import AgentNamespace
from handoff.agents import Agent, ConsoleAuth
from handoff.board import Board
from handoff.desk import Desk
from handoff.lifecycle import Lifecycle
from handoff.metrics import Metrics
from handoff.presence import Presence
from handoff.rasa_client import RasaClient
from handoff.settings import Settings
from handoff.sio_manager import WatchedRedisManager
from handoff.turns import BotTurns
from handoff.widget_ns import WidgetNamespace

SETTINGS = web.AppKey("settings", Settings)
POLICY = web.AppKey("policy", SupportPolicy)
AGENTS = web.AppKey("agents", dict[str, Agent])
AUTH = web.AppKey("console_auth", ConsoleAuth)
METRICS = web.AppKey("metrics", Metrics)
MANAGER = web.AppKey("sio_manager", WatchedRedisManager)
REDIS = web.AppKey("redis", Redis)
HTTP = web.AppKey("http", aiohttp.ClientSession)
RASA = web.AppKey("rasa", RasaClient)
LIFECYCLE = web.AppKey("lifecycle", Lifecycle)
PRESENCE = web.AppKey("presence", Presence)
DESK = web.AppKey("desk", Desk)
BOARD = web.AppKey("board", Board)
TURNS = web.AppKey("turns", BotTurns)
WIDGET_NS = web.AppKey("widget_namespace", WidgetNamespace)
AGENT_NS = web.AppKey("agent_namespace", AgentNamespace)
