"""`python -m handoff`: serve the gateway (make run starts it after Rasa is ready)."""

from __future__ import annotations

import logging
import sys

from aiohttp import web

from handoff import keys
from handoff.app import create_app
from handoff.settings import Settings, SettingsError


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"handoff gateway: {exc}", file=sys.stderr)
        return 2
    # SIGTERM (supervisord, Ctrl-C): open sockets get 10 s to finish, then the process
    # exits; anything unfinished is picked up from Redis by the next process
    app = create_app(settings)
    try:
        web.run_app(app, host=settings.host, port=settings.port, print=lambda _: None,
                    shutdown_timeout=10)
    finally:  # its live gauges leave the machine's figures with it
        app[keys.METRICS].stopped()
    return 0


if __name__ == "__main__":
    sys.exit(main())
