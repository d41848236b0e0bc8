"""Domain errors, raised in the domain and turned into socket/HTTP errors at the edge."""

from __future__ import annotations


class HandoffError(Exception):
    code = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadRequest(HandoffError):
    code = "bad_request"


class ChatNotFound(HandoffError):
    code = "chat_not_found"


class NotChatOwner(HandoffError):
    code = "not_chat_owner"


class IllegalTransition(HandoffError):
    code = "illegal_transition"


class RateLimited(HandoffError):
    code = "rate_limited"


class TooLarge(HandoffError):
    code = "too_large"
