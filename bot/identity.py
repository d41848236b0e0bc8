"""Who is asking: the help center's signed identity token (JWT, HS256).

The help-center page signs `{"sub": <user id>, "exp": ...}` with `HELP_CENTER_SECRET`
and the widget passes it with every message. Verification fixes the algorithm to HS256
(so `alg: none` and key-confusion tricks fail), requires `sub` and `exp`, and allows a
little clock skew. Anything that fails is an anonymous visitor: never more access on an
unverified claim, and the reason is kept so the bot can say it could not confirm sign-in.
"""

from __future__ import annotations

import hashlib
import hmac
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


def derive_secret(secret: str, label: str) -> str:
    """HKDF-SHA256 (RFC 5869) of `secret` for one purpose: a key that reveals nothing of
    the secret and differs per label."""
    prk = hmac.new(b"help-center-assistant", secret.encode(), hashlib.sha256).digest()
    return hmac.new(prk, label.encode() + b"\x01", hashlib.sha256).digest().hex()


def expected_claims() -> dict[str, str]:
    """`aud` and `iss` a help center's tokens must carry, when it says so
    (HELP_CENTER_TOKEN_AUDIENCE, HELP_CENTER_TOKEN_ISSUER)."""
    wanted = {"audience": os.environ.get("HELP_CENTER_TOKEN_AUDIENCE", ""),
              "issuer": os.environ.get("HELP_CENTER_TOKEN_ISSUER", "")}
    return {k: v for k, v in wanted.items() if v}


def verify(token: object, secret: str, audience: str = "", issuer: str = "") -> Identity:
    """The help center's token; `audience`/`issuer`, when given, must match its claims."""
    if not token:
        return ANONYMOUS
    if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH:
        return Identity(None, "invalid")
    required = ["exp", "sub", *(["aud"] if audience else []), *(["iss"] if issuer else [])]
    try:
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM], leeway=LEEWAY_S,
                            audience=audience or None, issuer=issuer or None,
                            options={"require": required, "verify_aud": bool(audience)})
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


# -- from the gateway to the bot ------------------------------------------------------------
# The gateway verifies the help center's token and passes the bot only what it found,
# signed with a key of its own and good for minutes: Rasa keeps message metadata in its
# trackers for days, and the help center's token must not be kept there.
ASSERTION_TTL_S = 300
_ASSERTION_AUDIENCE = "help-center-bot"


def bot_key(secret: str) -> str:
    return derive_secret(secret, "gateway to bot identity v1")


def assertion(who: Identity, secret: str, now: float | None = None) -> str:
    """What the gateway found of the asker (`sub` when verified, else the reason)."""
    issued = int(now if now is not None else time.time())
    claims: dict[str, object] = {"aud": _ASSERTION_AUDIENCE, "reason": who.reason,
                                 "iat": issued, "exp": issued + ASSERTION_TTL_S}
    if who.user_id is not None:
        claims["sub"] = who.user_id
    return jwt.encode(claims, bot_key(secret), algorithm=ALGORITHM)


def verify_assertion(token: object, secret: str) -> Identity:
    """The gateway's assertion (see `assertion`); anything wrong is 'invalid'."""
    if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH:
        return Identity(None, "invalid")
    try:
        claims = jwt.decode(token, bot_key(secret), algorithms=[ALGORITHM], leeway=LEEWAY_S,
                            audience=_ASSERTION_AUDIENCE,
                            options={"require": ["exp", "aud", "reason"]})
    except jwt.PyJWTError:
        return Identity(None, "invalid")
    sub, reason = claims.get("sub"), claims.get("reason")
    if isinstance(sub, str) and sub and reason == "verified":
        return Identity(sub, "verified")
    if reason in ("missing", "expired", "invalid"):
        return Identity(None, str(reason))
    return Identity(None, "invalid")


class DevTokensDisabled(RuntimeError):
    """`/dev/token` does not exist in production."""


def dev_token(user_id: str, known_users: set[str], ttl_s: int = 3600) -> str:
    """The demo page's "sign in as": a token for a demo user, outside production only."""
    if os.environ.get("HANDOFF_ENV") == "production":
        raise DevTokensDisabled("dev tokens are disabled when HANDOFF_ENV=production")
    if user_id not in known_users:
        raise KeyError(f"unknown demo user '{user_id}'")
    return issue(user_id, secret_from_env(), ttl_s)
