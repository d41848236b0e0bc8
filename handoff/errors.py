"""Domain errors, raised in the domain and turned into socket/HTTP errors at the edge
(`handoff.edge`). Each carries its protocol code from the vocabulary."""

from __future__ import annotations

from handoff.vocabulary import Code


class HandoffError(Exception):
    code: str = Code.INTERNAL

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadRequest(HandoffError):
    code = Code.BAD_REQUEST


class TooLarge(HandoffError):
    code = Code.TOO_LARGE


class RateLimited(HandoffError):
    code = Code.RATE_LIMITED


class ChatNotFound(HandoffError):
    code = Code.CHAT_NOT_FOUND


class NotChatOwner(HandoffError):
    code = Code.NOT_CHAT_OWNER


class IllegalTransition(HandoffError):
    code = Code.ILLEGAL_TRANSITION


class Refused(HandoffError):
    """An agent action the rules forbid: at capacity, the target is not online, ..."""

    code = Code.REFUSED


class Forbidden(HandoffError):
    """The console user's role does not allow this (a supervisor's event from an agent,
    taking chats as a supervisor)."""

    code = Code.FORBIDDEN


class Busy(HandoffError):
    """Too many bot turns at once in this process: nothing was stored, retry soon."""

    code = Code.BUSY


class Unavailable(HandoffError):
    """Redis could not be reached: nothing was stored, the client may retry."""

    code = Code.UNAVAILABLE
