"""Every aiohttp AppKey of the gateway, in one place."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

if TYPE_CHECKING:
    from handoff.agent_ns import AgentNamespace
    from handoff.app import Gateway
    from handoff.widget import WidgetNamespace

GATEWAY: web.AppKey[Gateway] = web.AppKey("gateway")
AGENT_NS: web.AppKey[AgentNamespace] = web.AppKey("agent_namespace")
WIDGET_NS: web.AppKey[WidgetNamespace] = web.AppKey("widget_namespace")
