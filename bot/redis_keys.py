"""Every Redis key the project uses, with its type and content. Nothing else names keys.

Rasa's own keys use the prefix `hc` set in endpoints.yml:
  hc:tracker:<sender>          STRING  JSON window of the conversation (rasa_ext tracker store)
  hc:tracker:<sender>:archive  LIST    every event of the conversation, JSON, oldest first
  hc:tracker:<sender>:window_len STRING number of events in the window
  hc:lock:<sender>             Rasa's lock store ticket lock (its REST channel)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

PREFIX = "hc"

ACCOUNT = PREFIX + ":account:{user_id}"  # HASH user_id, name, account_id, plan, licensed, role
ACCOUNTS_LOADED = PREFIX + ":accounts:loaded"  # STRING sha256 of the accounts.yml loaded last
TICKET = PREFIX + ":ticket:{ticket_id}"  # HASH ticket fields (bot.tickets.Ticket)
TICKET_SEQ = PREFIX + ":ticket:seq"  # STRING counter behind ticket ids
USER_TICKETS = PREFIX + ":tickets:user:{user_id}"  # ZSET ticket_id -> created_at (epoch s)


def text(value: Any) -> str:
    """A Redis reply value as text, whether the client decodes responses or not."""
    return value.decode() if isinstance(value, bytes) else str(value)


def text_hash(raw: Mapping[Any, Any]) -> dict[str, str]:
    """An HGETALL / stream-entry reply as a str -> str dict."""
    return {text(k): text(v) for k, v in raw.items()}


def account(user_id: str) -> str:
    return ACCOUNT.format(user_id=user_id)


def ticket(ticket_id: str) -> str:
    return TICKET.format(ticket_id=ticket_id)


def user_tickets(user_id: str) -> str:
    return USER_TICKETS.format(user_id=user_id)

# -- handoff gateway --------------------------------------------------------------------
CHAT = PREFIX + ":chat:{chat_id}"  # HASH the chat record (fields: handoff/chat.py FIELDS)
CHAT_LOG = PREFIX + ":chat:{chat_id}:log"  # STREAM id 0-<seq>: seq, sender, text, extra, ts
CHAT_SEQ = PREFIX + ":chat:{chat_id}:seq"  # STRING last sequence number of the chat
CHAT_CLIENT_IDS = PREFIX + ":chat:{chat_id}:cids"  # HASH client_msg_id -> seq (idempotency)
CHAT_CONNS = PREFIX + ":chat:{chat_id}:conns"  # ZSET widget socket id -> last heartbeat (epoch s)
# STREAM id 0-<n>: a chat's internal notes (author, name, text, ts, after_seq); agents only
CHAT_NOTES = PREFIX + ":chat:{chat_id}:notes"
QUEUE = PREFIX + ":queue"  # ZSET chat_id -> priority * 1e13 + queued-at ms (P1 first, FIFO)
# ZSET chat_id -> priority * 1e13 + waiting-since ms: the same chats as QUEUE with their real
# waits (a requeued chat is at the front of QUEUE but waits from its requeue); lifecycle.lua
# keeps it beside QUEUE (its key is QUEUE's + ":waiting") for the supervisors' board
QUEUE_WAITING = QUEUE + ":waiting"
TURNS = PREFIX + ":turns"  # HASH "<chat_id>:<seq>" -> JSON pending bot turn (handoff/turns.py)
TURN_INDEX = PREFIX + ":turns:pending"  # ZSET "<chat_id>:<seq>" -> when the turn was (re)started
PROCESS = PREFIX + ":proc:{process_id}"  # STRING a live gateway process's heartbeat (short TTL)


def chat(chat_id: str) -> str:
    return CHAT.format(chat_id=chat_id)


def chat_log(chat_id: str) -> str:
    return CHAT_LOG.format(chat_id=chat_id)


def chat_seq(chat_id: str) -> str:
    return CHAT_SEQ.format(chat_id=chat_id)


def chat_client_ids(chat_id: str) -> str:
    return CHAT_CLIENT_IDS.format(chat_id=chat_id)


def chat_conns(chat_id: str) -> str:
    return CHAT_CONNS.format(chat_id=chat_id)


def chat_notes(chat_id: str) -> str:
    return CHAT_NOTES.format(chat_id=chat_id)


def process(process_id: str) -> str:
    return PROCESS.format(process_id=process_id)

AGENT = PREFIX + ":agent:{agent_id}"  # HASH name, status (online/away/offline), last_seen
AGENT_CHATS = PREFIX + ":agent:{agent_id}:chats"  # SET chat ids assigned to the agent
AGENT_CONNS = PREFIX + ":agent:{agent_id}:conns"  # ZSET socket id -> last heartbeat (epoch s)
AGENTS_ONLINE = PREFIX + ":agents:online"  # ZSET agent id -> active chats (online agents only)
HANDLE_TIMES = PREFIX + ":stats:handle_s"  # LIST recent chat handle times in seconds (newest first)
# HASH one UTC day's counters (handoff/board.py): first_response, resolution, handed_back,
# csat, each a count, `<name>_sum` (seconds; ratings for csat) and `<name>_max`, and the
# same per agent as `<name>:<agent>` / `<name>_sum:<agent>` (TTL 90 days)
DAY_STATS = PREFIX + ":stats:day:{day}"
# LIST one UTC day's ratings as JSON {chat_id, agent, rating, comment, language, ts}, newest
# first (at most 5,000, TTL 90 days)
DAY_CSAT = PREFIX + ":stats:day:{day}:csat"
AGENT_SESSION = PREFIX + ":agent_session:{session}"  # STRING username of a console sign-in (TTL)
LOGIN_FAILURES = PREFIX + ":login_fail:{kind}:{who}"  # STRING failed sign-ins in the window (TTL)
RATE_WINDOW = PREFIX + ":rate:{what}:{who}"  # STRING events in the current window (TTL)
TURN_LEASE = PREFIX + ":turn_lease:{sender}"  # STRING token of the running turn (TTL, renewed)
USER_HANDOFF = PREFIX + ":user:{user_id}:handoff"  # STRING the user's open handoff chat id (TTL)


def agent(agent_id: str) -> str:
    return AGENT.format(agent_id=agent_id)


def agent_chats(agent_id: str) -> str:
    return AGENT_CHATS.format(agent_id=agent_id)


def agent_conns(agent_id: str) -> str:
    return AGENT_CONNS.format(agent_id=agent_id)


def day_stats(day: str) -> str:
    return DAY_STATS.format(day=day)


def day_csat(day: str) -> str:
    return DAY_CSAT.format(day=day)


def agent_session(session: str) -> str:
    return AGENT_SESSION.format(session=session)


def login_failures(kind: str, who: str) -> str:
    return LOGIN_FAILURES.format(kind=kind, who=who)


def rate_window(what: str, who: str) -> str:
    return RATE_WINDOW.format(what=what, who=who)


def user_handoff(user_id: str) -> str:
    return USER_HANDOFF.format(user_id=user_id)


def turn_lease(sender: str) -> str:
    return TURN_LEASE.format(sender=sender)
