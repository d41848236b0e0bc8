"""The protocol's words, in one place: namespaces, event names, chat states, presence
values, senders and error codes. Both namespaces, the domain and the tests use these
names, so a renamed event or a new error code is changed here and nowhere else.
docs/protocol.md describes every one of them."""

from __future__ import annotations

from typing import Final

# -- namespaces and rooms -----------------------------------------------------------------
WIDGET_NS: Final = "/"
AGENT_NS: Final = "/agent"
ALL_AGENTS_ROOM: Final = "agents"  # every agent socket, for the live queue


def user_room(chat_id: str) -> str:
    """Every widget socket of one chat (the user's tabs, on any gateway process)."""
    return f"chat:{chat_id}"


def agent_room(username: str) -> str:
    """Every console socket of one agent."""
    return f"agent:{username}"


# -- widget namespace events ----------------------------------------------------------------
class WidgetEvent:
    # client -> server
    SESSION_REQUEST: Final = "session_request"
    USER_UTTERED: Final = "user_uttered"
    RESUME: Final = "resume"
    TYPING: Final = "typing"  # both ways: the user types; the agent types
    HANDOFF_CANCEL: Final = "handoff_cancel"
    CSAT: Final = "csat"
    TRANSCRIPT: Final = "transcript"  # the customer's copy of the chat, without notes
    # server -> client
    SESSION_CONFIRM: Final = "session_confirm"
    BOT_UTTERED: Final = "bot_uttered"
    HANDOFF_STATUS: Final = "handoff_status"
    ERROR: Final = "error"


# -- agent namespace events -----------------------------------------------------------------
class AgentEvent:
    # client -> server
    AUTH: Final = "auth"  # a refreshed token for the connection
    PRESENCE: Final = "presence"
    AGENTS: Final = "agents"
    ACCEPT: Final = "accept"
    TAKE_NEXT: Final = "take_next"
    AGENT_MESSAGE: Final = "agent_message"
    HISTORY: Final = "history"
    TYPING: Final = "typing"  # both ways: the agent types; the customer types
    TRANSFER: Final = "transfer"
    CLOSE: Final = "close"
    HAND_BACK: Final = "hand_back"  # back to the bot without closing (no rating asked)
    ADD_NOTE: Final = "add_note"  # an internal note: never shown to the customer
    NOTES: Final = "notes"  # a chat's internal notes
    ASSIST: Final = "assist"  # knowledge-base suggestions for one of the agent's chats
    BOARD: Final = "board"  # both ways: supervisors only, the live board
    CSAT_REPORT: Final = "csat_report"  # supervisors only: ratings by agent and by day
    REASSIGN: Final = "reassign"  # supervisors only: a chat to another agent
    # server -> client
    ME: Final = "me"
    QUEUE: Final = "queue"
    ASSIGNED: Final = "assigned"
    CHAT_MESSAGE: Final = "chat_message"
    CHAT_CLOSED: Final = "chat_closed"
    CUSTOMER_PRESENCE: Final = "customer_presence"
    ASSIST_SUGGESTIONS: Final = "assist_suggestions"
    CHAT_NOTE: Final = "chat_note"


# -- console roles ----------------------------------------------------------------------------
ROLE_AGENT: Final = "agent"  # takes chats from the queue
ROLE_SUPERVISOR: Final = "supervisor"  # watches the board, reassigns, reads every chat's notes
ROLES: Final = (ROLE_AGENT, ROLE_SUPERVISOR)


# -- chat ownership states (the switchboard) ------------------------------------------------
BOT: Final = "bot"
QUEUED: Final = "queued"
AGENT: Final = "agent"
STATES: Final = (BOT, QUEUED, AGENT)

# -- agent presence ---------------------------------------------------------------------------
ONLINE: Final = "online"
AWAY: Final = "away"
OFFLINE: Final = "offline"
PRESENCES: Final = (ONLINE, AWAY, OFFLINE)
SETTABLE_PRESENCES: Final = (ONLINE, AWAY)  # what an agent may choose; offline is ours

# -- who wrote a message --------------------------------------------------------------------
USER: Final = "user"
SYSTEM: Final = "system"
SENDERS: Final = (USER, BOT, AGENT, SYSTEM)

# -- bot turns --------------------------------------------------------------------------------
TURN_PENDING: Final = "pending"  # stored, the bot has not answered yet
TURN_ANSWERED: Final = "answered"  # the bot's replies (or a plain failure notice) stored


# -- error codes (the `code` of `error` events and of {ok: false} acknowledgements) ----------
class Code:
    BAD_REQUEST: Final = "bad_request"
    TOO_LARGE: Final = "too_large"
    RATE_LIMITED: Final = "rate_limited"
    CHAT_NOT_FOUND: Final = "chat_not_found"
    NOT_CHAT_OWNER: Final = "not_chat_owner"
    ILLEGAL_TRANSITION: Final = "illegal_transition"
    REFUSED: Final = "refused"  # an agent action the rules forbid (capacity, offline target)
    FORBIDDEN: Final = "forbidden"  # the console user's role does not allow this event
    UNAVAILABLE: Final = "unavailable"  # Redis could not be reached: nothing was stored
    BUSY: Final = "busy"  # too many bot turns at once: nothing was stored, retry soon
    INTERNAL: Final = "internal"


# Codes after which the same event may simply be sent again (nothing was stored, or it
# was stored and a retry is recognised by its client_msg_id).
RETRYABLE: Final = (Code.RATE_LIMITED, Code.UNAVAILABLE, Code.BUSY, Code.INTERNAL)
