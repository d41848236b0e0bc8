"""Who is asking: the help center's signed identity token (JWT, HS256).

The help-center page signs `{"sub": <user id>, "exp": ...}` with `HELP_CENTER_SECRET`
and the widget passes it with every message. Verification fixes the algorithm to HS256
(so `alg: none` and key-confusion tricks fail), requires `sub` and `exp`, and allows a
little clock skew. Anything that fails is an anonymous visitor: never more access on an
unverified claim, and the reason is kept so the bot can say it could not confirm sign-in.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

import jwt

ALGORITHM = "HS256"
LEEWAY_S = 30
MAX_TOKEN_LENGTH = 4096
MIN_SECRET_BYTES = 32  # RFC 7518 3.2: an HS256 key at least as long as the hash


@dataclass(frozen=True)
class Identity:
    user_id: str | None
    reason: str  # "verified", "missing", "expired", "invalid"

    @property
    def verified(self) -> bool:
        return self.user_id is not None


ANONYMOUS = Identity(None, "missing")


class SecretMissing(RuntimeError):
    """HELP_CENTER_SECRET is not set or too short: nothing starts without it."""


def secret_from_env() -> str:
    """`HELP_CENTER_SECRET`, in every mode: no secret is written in the source. `make run`
    makes one once for development (kept in var/secrets.env); production sets its own."""
    secret = os.environ.get("HELP_CENTER_SECRET", "")
    if not secret:
        raise SecretMissing("HELP_CENTER_SECRET is not set (make run makes one for "
                            "development in var/secrets.env; production must set its own)")
    if len(secret.encode()) < MIN_SECRET_BYTES:
        raise SecretMissing(f"HELP_CENTER_SECRET must be at least {MIN_SECRET_BYTES} bytes")
    return secret


def verify(token: object, secret: str) -> Identity:
    if not token:
        return ANONYMOUS
    if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH:
        return Identity(None, "invalid")
    try:
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM], leeway=LEEWAY_S,
                            options={"require": ["exp", "sub"]})
    except jwt.ExpiredSignatureError:
        return Identity(None, "expired")
    except jwt.PyJWTError:
        return Identity(None, "invalid")
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject or len(subject) > 128:
        return Identity(None, "invalid")
    return Identity(subject, "verified")


def issue(user_id: str, secret: str, ttl_s: int = 3600, now: float | None = None) -> str:
    """A signed token for `user_id` (the help center's job; `/dev/token` in demos)."""
    issued = int(now if now is not None else time.time())
    return jwt.encode({"sub": user_id, "iat": issued, "exp": issued + ttl_s}, secret,
                      algorithm=ALGORITHM)


class DevTokensDisabled(RuntimeError):
    """`/dev/token` does not exist in production."""


def dev_token(user_id: str, known_users: set[str], ttl_s: int = 3600) -> str:
    """The demo page's "sign in as": a token for a demo user, outside production only."""
    if os.environ.get("HANDOFF_ENV") == "production":
        raise DevTokensDisabled("dev tokens are disabled when HANDOFF_ENV=production")
    if user_id not in known_users:
        raise KeyError(f"unknown demo user '{user_id}'")
    return issue(user_id, secret_from_env(), ttl_s)
