"""Schemas for every client event: small, explicit checks with clear error messages."""

from __future__ import annotations

import json
import re
from typing import Any

from handoff.errors import BadRequest, TooLarge

SESSION_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
CLIENT_MSG_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
HEX = re.compile(r"^[0-9a-fA-F]+$")
MAX_SEQ = 2**53  # sequence numbers are exact integers in JSON and Lua below this
RATING = re.compile(r"^\s*([1-5])\s*(?:/\s*5\s*)?[.!]?\s*$")


def within(data: Any, limit: int, event: str) -> None:
    """An event's payload at most `limit` bytes as JSON (larger frames, up to the
    transport's limit, get `too_large` instead of a dropped connection)."""
    try:
        size = len(json.dumps(data, ensure_ascii=False, default=str).encode())
    except (TypeError, ValueError) as exc:
        raise BadRequest(f"{event}: the payload is not JSON") from exc
    if size > limit:
        raise TooLarge(f"{event}: {size} bytes; at most {limit} bytes per event")


def as_dict(data: Any, event: str) -> dict[str, Any]:
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise BadRequest(f"{event}: expected an object")
    return data


def optional_str(data: dict[str, Any], key: str, max_len: int, event: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise BadRequest(f"{event}: {key} must be a string")
    if len(value) > max_len:
        raise TooLarge(f"{event}: {key} is longer than {max_len} characters")
    return value


def session_id(data: dict[str, Any], event: str, required: bool) -> str | None:
    value = data.get("session_id")
    if value is None or value == "":
        if required:
            raise BadRequest(f"{event}: session_id is required")
        return None
    if not isinstance(value, str) or not SESSION_ID.match(value):
        raise BadRequest(f"{event}: session_id must be 8-64 letters, digits, _ or -")
    return value


def proposable(session_id: str) -> bool:
    """Whether a client may choose this id for a new chat: at least 128 bits of it
    (32 hex digits such as a uuid4 hex, or 22 of A-Za-z0-9_-), so nobody can guess
    another's; shorter ones get a server-made id."""
    return len(session_id) >= (32 if HEX.match(session_id) else 22)


def rating(text: str) -> int:
    """A message that is nothing but a rating ("4", " 5 ", "3/5", "5!") -> 1..5, else 0:
    "3 of my colleagues still cannot join" is a question, not a rating."""
    match = RATING.match(text)
    return int(match.group(1)) if match else 0


def client_msg_id(data: dict[str, Any], event: str) -> str | None:
    value = data.get("client_msg_id")
    if value is None:
        return None
    if not isinstance(value, str) or not CLIENT_MSG_ID.match(value):
        raise BadRequest(f"{event}: client_msg_id must be 1-64 letters, digits or _.:-")
    return value


def custom_data(data: dict[str, Any], event: str) -> dict[str, str]:
    """The page context: token, country, language (Rasa webchat's `customData`)."""
    raw = data.get("customData")
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise BadRequest(f"{event}: customData must be an object")
    out: dict[str, str] = {}
    token = optional_str(raw, "token", 4096, event)
    if token:
        out["token"] = token
    country = optional_str(raw, "country", 2, event)
    if country:
        if not country.isalpha():
            raise BadRequest(f"{event}: customData.country must be an ISO 3166 code")
        out["country"] = country.upper()
    language = optional_str(raw, "language", 8, event)
    if language:
        if not re.match(r"^[A-Za-z]{2}([-_][A-Za-z]{2})?$", language):
            raise BadRequest(f"{event}: customData.language must look like 'en' or 'en-GB'")
        out["language"] = language[:2].lower()
    return out


def last_seq(data: dict[str, Any], event: str) -> int:
    value = data.get("last_seq", 0)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < MAX_SEQ:
        raise BadRequest(f"{event}: last_seq must be a whole number from 0 to 2^53")
    return value
