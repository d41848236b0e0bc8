"""The chat record, defined once: every field of the Redis hash `hc:chat:<id>`, its type,
and who writes it. `lua/lifecycle.lua` gets the field names from `FIELDS` (as its table
`F`), so the script and this module cannot drift apart; a test checks that every `F.name`
the script uses is declared here.

Reading is tolerant: a field that does not parse is logged and defaulted, so one bad
value never makes a chat that nobody can open. Writing is bounded: free text is cut to
a number of *characters* before it is serialised, and the triage is rebuilt from
bounded parts, so a stored JSON value is never cut in the middle.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from handoff import vocabulary as v

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Field:
    kind: type  # str, float, int, bool or dict (JSON)
    writers: str  # the lifecycle commands (or module) that write it
    doc: str


FIELDS: Final[dict[str, Field]] = {
    "state": Field(str, "open (new chat), request, cancel, abandon, claim, close, requeue",
                   "who owns the chat: bot, queued or agent"),
    "user_id": Field(str, "open", "the verified user's id; empty for an anonymous visitor"),
    "plan": Field(str, "open", "the account's plan when the chat was last opened"),
    "role": Field(str, "open", "the user's role in the account"),
    "language": Field(str, "open, user_message", "the chat's language (en, ru)"),
    "created_at": Field(float, "open", "epoch seconds"),
    "priority": Field(str, "request", "P1..P4, from the bot's triage"),
    "reason": Field(str, "request", "why a person was asked for"),
    "summary": Field(str, "request", "the bot's summary for the agent"),
    "triage": Field(dict, "request", "the triage answers, JSON of bounded text"),
    "waiting_since": Field(float, "request, requeue", "when the chat (re)joined the queue"),
    "handoff_seq": Field(int, "request",
                         "the user message whose bot turn asked for a person: a re-run "
                         "of that turn never queues the chat twice"),
    "assignee": Field(str, "claim, transfer, close, requeue", "the agent's username"),
    "assigned_at": Field(float, "claim", "when the current agent took the chat"),
    "requested_at": Field(float, "request",
                          "when the customer asked for a person (the handoff's start: first "
                          "response and resolution times run from here; a requeue keeps it)"),
    "first_reply_at": Field(float, "agent_message (set once per handoff), request (cleared)",
                            "when an agent first wrote to the customer in this handoff"),
    "resolution": Field(str, "close", "the agent's resolution"),
    "closed_at": Field(float, "close", "when the agent closed the chat"),
    "closed_by": Field(str, "close", "the agent who closed the chat (its rating is theirs)"),
    "handed_back_at": Field(float, "hand_back",
                            "when an agent last handed the chat back to the bot unclosed"),
    "csat_pending": Field(bool, "close (set), rate and request (cleared)",
                          "a rating of the closed agent chat is asked for"),
    "csat_rating": Field(int, "rate", "1..5"),
    "csat_comment": Field(str, "rate", "the user's comment with the rating"),
    "csat_at": Field(float, "rate", "when the rating was given"),
    "user_gone_since": Field(float, "liveness (widget sockets)",
                             "when the user's last widget socket went"),
    "bot_down_at": Field(float, "finish_turn",
                         "the bot failed to answer this chat's last turn (set) or answered "
                         "(cleared): the user may then ask for a person without the bot"),
}

# Bounds, in characters, applied before anything is serialised.
MAX_SUMMARY: Final = 2000
MAX_REASON: Final = 200
MAX_RESOLUTION: Final = 200
MAX_COMMENT: Final = 1000
MAX_TRIAGE_KEYS: Final = 20
MAX_TRIAGE_KEY: Final = 64
MAX_TRIAGE_VALUE: Final = 2000
MAX_NOTE: Final = 2000  # an internal note
MAX_NOTES: Final = 200  # internal notes per chat


def bounded(text: Any, limit: int) -> str:
    """`text` as a string of at most `limit` characters (never cut inside a surrogate
    pair: Python strings are code points)."""
    return str(text if text is not None else "")[:limit]


def bounded_triage(triage: Any) -> dict[str, Any]:
    """The triage answers with every part bounded: at most 20 keys of 64 characters,
    scalar values as they are, text cut to 2,000 characters, anything nested as bounded
    text. The result always serialises to valid JSON."""
    if not isinstance(triage, Mapping):
        return {}
    out: dict[str, Any] = {}
    for key, value in list(triage.items())[:MAX_TRIAGE_KEYS]:
        name = bounded(key, MAX_TRIAGE_KEY)
        if value is None or isinstance(value, bool | int):
            out[name] = value
        elif isinstance(value, float):
            out[name] = value if math.isfinite(value) else None
        elif isinstance(value, str):
            out[name] = bounded(value, MAX_TRIAGE_VALUE)
        else:
            out[name] = bounded(json.dumps(value, ensure_ascii=False, default=str),
                                MAX_TRIAGE_VALUE)
    return out


@dataclass(frozen=True)
class Chat:
    chat_id: str
    state: str = v.BOT
    user_id: str = ""
    plan: str = ""
    role: str = ""
    language: str = ""
    created_at: float = 0.0
    priority: str = ""
    reason: str = ""
    summary: str = ""
    triage: dict[str, Any] = field(default_factory=dict)
    waiting_since: float = 0.0
    handoff_seq: int = 0
    assignee: str = ""
    assigned_at: float = 0.0
    requested_at: float = 0.0
    first_reply_at: float = 0.0
    resolution: str = ""
    closed_at: float = 0.0
    closed_by: str = ""
    handed_back_at: float = 0.0
    csat_pending: bool = False
    csat_rating: int = 0
    csat_comment: str = ""
    csat_at: float = 0.0
    user_gone_since: float = 0.0
    bot_down_at: float = 0.0

    @classmethod
    def from_hash(cls, chat_id: str, data: Mapping[str, str]) -> Chat:
        """Parse a stored hash; a field that does not parse is logged and defaulted."""
        values: dict[str, Any] = {}
        for name, spec in FIELDS.items():
            raw = data.get(name)
            if raw is None or raw == "":
                continue
            try:
                values[name] = _parse(spec.kind, raw)
            except (ValueError, TypeError) as exc:
                log.warning("chat %s: field %s=%r is not a valid %s (%s); using the default",
                            chat_id, name, raw[:80], spec.kind.__name__, exc)
        if values.get("state", v.BOT) not in v.STATES:
            log.warning("chat %s: unknown state %r; treating it as %s", chat_id,
                        values["state"], v.BOT)
            values["state"] = v.BOT
        return cls(chat_id=chat_id, **values)


def _parse(kind: type, raw: str) -> Any:
    if kind is str:
        return raw
    if kind is float:
        value = float(raw)
        if not math.isfinite(value):
            raise ValueError("not finite")
        return value
    if kind is int:
        return int(raw)
    if kind is bool:
        return raw not in ("0", "false")
    parsed = json.loads(raw)
    if not isinstance(parsed, dict):
        raise TypeError("expected a JSON object")
    return parsed


def lua_field_table() -> str:
    """`local F = {state = 'state', ...}`: the field names for lua/lifecycle.lua."""
    pairs = ", ".join(f"{name} = '{name}'" for name in FIELDS)
    return f"local F = {{{pairs}}}\n"
