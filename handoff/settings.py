"""Gateway settings: one frozen dataclass built from the environment and checked at start."""

from __future__ import annotations

import hmac
import os
import re
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.identity import MIN_SECRET_BYTES, derive_secret
from bot.redis_url import parse_sentinel

_LOOPBACK_ORIGIN = re.compile(r"^http://(127\.0\.0\.1|localhost)(:\d{1,5})?$")


class SettingsError(ValueError):
    """A setting is missing or invalid; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    production: bool
    host: str
    port: int
    redis_url: str
    rasa_url: str
    actions_url: str
    allowed_origins: tuple[str, ...]
    help_center_secret: str
    agent_token_secret: str
    agent_capacity: int = 3
    grace_period_s: float = 60.0
    max_message_chars: int = 4000
    max_event_bytes: int = 16_384  # one event's payload; larger ones answer too_large
    max_frame_bytes: int = 65_536  # the transport drops a connection sending more
    rate_limit_events: int = 20  # per connection, per rate_limit_window_s
    rate_limit_window_s: float = 10.0
    rasa_timeout_s: float = 10.0
    restarts_file: Path | None = None  # the supervisor's restart counts (make run sets it)
    agent_token_ttl_s: int = 900  # console tokens; the console refreshes them before
    agents_file: Path | None = None  # the agent directory (default data/agents.yml)
    limit_scale: float = 1.0  # multiplies the shared abuse limits (a load test raises it)
    max_connections_per_address: int = 50  # widget sockets per address, per process
    max_bot_turns: int = 100  # bot turns at once per process; more answer "busy"
    trusted_proxies: tuple[str, ...] = ()  # whose X-Forwarded-For is believed
    metrics_token: str = ""  # production: /metrics and /readyz details need it
    chat_ttl_s: int = 30 * 24 * 3600  # a chat, its transcript and fields, after its last write

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> Settings:
        mode = environ.get("HANDOFF_ENV", "development")
        if mode not in ("production", "development"):
            raise SettingsError(f"HANDOFF_ENV must be 'production' or 'development', got "
                                f"{mode!r}")
        production = mode == "production"

        def number(name: str, default: str, kind: type[int] | type[float] = int) -> float:
            raw = environ.get(name, default)
            try:
                value = kind(raw)
            except ValueError as exc:
                raise SettingsError(f"{name} must be a number, got {raw!r}") from exc
            if value <= 0:
                raise SettingsError(f"{name} must be positive, got {raw!r}")
            return value

        secret = environ.get("HELP_CENTER_SECRET", "")
        # The console's tokens are signed with their own key: AGENT_TOKEN_SECRET, else one
        # derived from HELP_CENTER_SECRET (HKDF with a label), never a written default.
        agent_secret = environ.get("AGENT_TOKEN_SECRET") or (
            derive_secret(secret, "help-center agent console tokens v1") if secret else "")
        for name, value in (("HELP_CENTER_SECRET", secret), ("AGENT_TOKEN_SECRET",
                                                             agent_secret)):
            if len(value.encode()) < MIN_SECRET_BYTES:
                raise SettingsError(f"{name} must be set to at least {MIN_SECRET_BYTES} bytes"
                                    + ("" if production else " (make run makes one for "
                                       "development in var/secrets.env)"))
        origins = tuple(o.strip().rstrip("/") for o in
                        environ.get("HANDOFF_ALLOWED_ORIGINS", "").split(",") if o.strip())
        if production and not origins:
            raise SettingsError("HANDOFF_ALLOWED_ORIGINS must be set in production")
        token = environ.get("HANDOFF_METRICS_TOKEN", "")
        if token and len(token.encode()) < MIN_SECRET_BYTES:
            raise SettingsError(f"HANDOFF_METRICS_TOKEN must be at least {MIN_SECRET_BYTES} "
                                f"bytes")
        for origin in origins:
            if not re.match(r"^https?://[^/\s]+$", origin):
                raise SettingsError(f"HANDOFF_ALLOWED_ORIGINS: {origin!r} is not an origin")
        if "PROMETHEUS_MULTIPROC_DIR" in environ and not environ["PROMETHEUS_MULTIPROC_DIR"]:
            # prometheus_client would write its files into the working directory
            raise SettingsError("PROMETHEUS_MULTIPROC_DIR is set but empty: unset it (one "
                                "process) or name the machine's metrics directory")
        redis_url = environ.get("REDIS_URL", "")
        if not redis_url:
            raise SettingsError("REDIS_URL must be set (make run sets it)")
        try:
            if parse_sentinel(redis_url) is None and \
                    urllib.parse.urlsplit(redis_url).scheme not in ("redis", "rediss"):
                raise ValueError("expected redis://, rediss:// or redis+sentinel://")
        except ValueError as exc:
            raise SettingsError(f"REDIS_URL: {exc}") from None
        return cls(
            production=production,
            host=environ.get("HANDOFF_HOST", "127.0.0.1"),
            port=int(number("HANDOFF_PORT", "8080")),
            redis_url=redis_url,
            rasa_url=environ.get("RASA_URL", "http://127.0.0.1:5005").rstrip("/"),
            actions_url=environ.get("ACTIONS_URL", "http://127.0.0.1:5055").rstrip("/"),
            allowed_origins=origins,
            help_center_secret=secret,
            agent_token_secret=agent_secret,
            agent_capacity=int(number("AGENT_CAPACITY", "3")),
            grace_period_s=float(number("HANDOFF_GRACE_S", "60", float)),
            rate_limit_events=int(number("HANDOFF_RATE_LIMIT", "20")),
            rasa_timeout_s=float(number("RASA_TIMEOUT_S", "10", float)),
            restarts_file=Path(environ["HC_RESTARTS_FILE"]) if environ.get(
                "HC_RESTARTS_FILE") else None,
            agent_token_ttl_s=int(number("AGENT_TOKEN_TTL_S", "900")),
            agents_file=Path(environ["HANDOFF_AGENTS_FILE"]) if environ.get(
                "HANDOFF_AGENTS_FILE") else None,
            limit_scale=float(number("HANDOFF_LIMIT_SCALE", "1", float)),
            max_connections_per_address=int(number("HANDOFF_MAX_CONNECTIONS_PER_ADDRESS",
                                                   "50")),
            max_bot_turns=int(number("HANDOFF_MAX_BOT_TURNS", "100")),
            trusted_proxies=tuple(p.strip() for p in environ.get(
                "HANDOFF_TRUSTED_PROXIES", "").split(",") if p.strip()),
            metrics_token=environ.get("HANDOFF_METRICS_TOKEN", ""),
            chat_ttl_s=int(number("HANDOFF_CHAT_TTL_DAYS", "30", float) * 24 * 3600),
        )

    def may_see_internals(self, authorization: str | None) -> bool:
        """/metrics and the details of /readyz: open outside production; in production
        only with `Authorization: Bearer $HANDOFF_METRICS_TOKEN` (never without one)."""
        if not self.production:
            return True
        if not self.metrics_token or not authorization:
            return False
        return hmac.compare_digest(authorization.encode(),
                                   f"Bearer {self.metrics_token}".encode())

    def origin_allowed(self, origin: str | None) -> bool:
        """The socket Origin check, against configuration only (never the request's Host,
        which the client chooses): the allow-list (`HANDOFF_ALLOWED_ORIGINS`, which in
        production names the gateway's own public origin too, for its own pages), and
        loopback outside production. A missing Origin (non-browser clients) is allowed:
        browsers always send it, which is what the check protects."""
        if origin is None:
            return True
        origin = origin.rstrip("/")
        if origin in self.allowed_origins:
            return True
        return not self.production and bool(_LOOPBACK_ORIGIN.match(origin))
