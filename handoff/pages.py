"""The pages people use, served by the gateway: the demo help-center page with the chat
widget (`/`), the embeddable widget script (`/widget.js`), the agent console (`/agent`)
and their static files (`/static/`, the pages' ES modules among them). Every response
gets defensive headers; HTML pages also a Content-Security-Policy that allows no inline
script or style, so a message that somehow became markup still could not run."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from aiohttp import web

from bot.accounts import read_yaml
from handoff.keys import POLICY

STATIC = Path(__file__).resolve().parent / "static"
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; "
       "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; "
       "object-src 'none'")


def setup_pages(app: web.Application, production: bool) -> None:
    app.router.add_get("/", _file("index.html"))
    app.router.add_get("/agent", _file("agent.html"))
    app.router.add_get("/widget.js", _file("widget.js", cache="no-cache"))
    app.router.add_get("/favicon.ico", _file("favicon.ico", cache="max-age=86400"))
    app.router.add_static("/static/", STATIC, append_version=False)
    if not production:
        app.router.add_get("/dev/users", dev_users)
    app.on_response_prepare.append(_headers)


def _file(name: str, cache: str = "no-cache"
          ) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    path = STATIC / name

    async def serve(request: web.Request) -> web.StreamResponse:
        if not path.is_file():
            raise web.HTTPNotFound(text=f"{name} is missing from handoff/static")
        return web.FileResponse(path, headers={"Cache-Control": cache})
    return serve


async def _headers(request: web.Request, response: web.StreamResponse) -> None:
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    if response.content_type == "text/html":
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Frame-Options", "DENY")
    elif request.path == "/widget.js" or request.path.startswith("/static/"):
        # the widget and its files are loaded by help-center pages on other origins; its
        # ES modules are fetched in CORS mode, so they need Access-Control-Allow-Origin
        # (public files, never credentials: "*")
        response.headers.setdefault("Cross-Origin-Resource-Policy", "cross-origin")
        response.headers.setdefault("Access-Control-Allow-Origin", "*")


async def dev_users(request: web.Request) -> web.Response:
    """Outside production only: the demo users the demo page can "sign in as"."""
    return web.json_response({"users": [
        {"user": a.user_id, "name": a.name, "plan": a.plan, "role": a.role}
        for a in read_yaml(request.app[POLICY])]})
