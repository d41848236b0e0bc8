"""Where domain errors become protocol errors: one mapping for both namespaces.

A client gets `{ok: false, code, message}` (and widget clients an `error` event too).
The message says honestly what happened to what the client sent: `unavailable` means
nothing was stored and the same event may be sent again; `internal` means we do not know,
and a retry is safe because every stored message is recognised by its client id.
"""

from __future__ import annotations

import logging
from typing import Any

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from handoff.errors import HandoffError, Unavailable
from handoff.vocabulary import Code

log = logging.getLogger(__name__)
UNAVAILABLE = ("We can't reach our message store right now, so this was not saved. "
               "It will be sent again automatically.")
INTERNAL = "Something went wrong on our side. Please try again."


def error_reply(exc: BaseException, event: str) -> dict[str, Any]:
    """`{ok: false, code, message}` for an exception raised while handling `event`."""
    if isinstance(exc, Unavailable | RedisConnectionError | RedisTimeoutError):
        log.warning("%s: Redis unavailable: %s", event, exc)
        return {"ok": False, "code": Code.UNAVAILABLE, "message": UNAVAILABLE}
    if isinstance(exc, HandoffError):
        return {"ok": False, "code": exc.code, "message": exc.message}
    log.error("%s failed", event, exc_info=exc)
    return {"ok": False, "code": Code.INTERNAL, "message": INTERNAL}
