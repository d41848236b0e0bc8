"""Support agents: the directory (data/agents.yml), login against salted password
hashes, and signed session tokens for the console. Presence lives in handoff.presence,
assignment in handoff.lifecycle."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
import yaml

from bot.paths import data_dir

TOKEN_TTL_S = 8 * 3600
AUDIENCE = "agent-console"
ITERATIONS = 200_000


class AgentError(ValueError):
    pass


@dataclass(frozen=True)
class Agent:
    username: str
    name: str
    password_hash: str


def hash_password(password: str, salt: bytes | None = None,
                  iterations: int = ITERATIONS) -> str:
    salt = salt or os.urandom(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    return (f"pbkdf2_sha256${iterations}${base64.b64encode(salt).decode()}$"
            f"{base64.b64encode(digest).decode()}")


def check_password(password: str, stored: str) -> bool:
    try:
        scheme, iterations, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "pbkdf2_sha256":
        return False
    actual = hashlib.pbkdf2_hmac("sha256", password.encode(), base64.b64decode(salt),
                                 int(iterations))
    return hmac.compare_digest(actual, base64.b64decode(digest))


def load_agents(path: Path | None = None) -> dict[str, Agent]:
    path = path or data_dir() / "agents.yml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    agents = {}
    for i, entry in enumerate(raw.get("agents") or []):
        try:
            agent = Agent(str(entry["username"]), str(entry["name"]), str(entry["password"]))
        except (KeyError, TypeError) as exc:
            raise AgentError(f"{path}: agents[{i}] needs username, name and password") from exc
        if not agent.password_hash.startswith("pbkdf2_sha256$"):
            raise AgentError(f"{path}: agents[{i}].password must be a pbkdf2_sha256 hash")
        agents[agent.username] = agent
    return agents


def issue_token(username: str, secret: str, now: float | None = None) -> str:
    issued = int(now if now is not None else time.time())
    return jwt.encode({"sub": username, "aud": AUDIENCE, "iat": issued,
                       "exp": issued + TOKEN_TTL_S}, secret, algorithm="HS256")


def verify_token(token: Any, secret: str) -> str | None:
    if not isinstance(token, str) or len(token) > 4096:
        return None
    try:
        claims = jwt.decode(token, secret, algorithms=["HS256"], audience=AUDIENCE,
                            options={"require": ["exp", "sub", "aud"]})
    except jwt.PyJWTError:
        return None
    sub = claims.get("sub")
    return sub if isinstance(sub, str) else None


if __name__ == "__main__" and len(sys.argv) == 3 and sys.argv[1] == "hash":
    print(hash_password(sys.argv[2]))
