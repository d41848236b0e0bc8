"""The protocol's vocabulary is the one source: every client event has its handler in
its namespace, and every event, state and error code is documented in protocol.md."""

from __future__ import annotations

import re

import pytest

from handoff import vocabulary as v
from handoff.agent_ns import AgentNamespace
from handoff.vocabulary import AgentEvent, Code, WidgetEvent
from handoff.widget_ns import WidgetNamespace
from scripts.stack import ROOT

PROTOCOL = (ROOT / "docs" / "protocol.md").read_text(encoding="utf-8")
CLIENT_WIDGET = (WidgetEvent.SESSION_REQUEST, WidgetEvent.USER_UTTERED, WidgetEvent.RESUME,
                 WidgetEvent.TYPING, WidgetEvent.HANDOFF_CANCEL, WidgetEvent.CSAT,
                 WidgetEvent.TRANSCRIPT)
CLIENT_AGENT = (AgentEvent.AUTH, AgentEvent.PRESENCE, AgentEvent.AGENTS, AgentEvent.ACCEPT,
                AgentEvent.TAKE_NEXT, AgentEvent.AGENT_MESSAGE, AgentEvent.HISTORY,
                AgentEvent.TYPING, AgentEvent.TRANSFER, AgentEvent.CLOSE,
                AgentEvent.HAND_BACK, AgentEvent.ADD_NOTE, AgentEvent.NOTES, AgentEvent.ASSIST,
                AgentEvent.BOARD, AgentEvent.CSAT_REPORT, AgentEvent.REASSIGN)


def names(cls: type) -> list[str]:
    return [value for key, value in vars(cls).items() if key.isupper()]


@pytest.mark.parametrize(("namespace", "events"), [(WidgetNamespace, CLIENT_WIDGET),
                                                   (AgentNamespace, CLIENT_AGENT)])
def test_every_client_event_has_a_handler(namespace: type, events: tuple[str, ...]) -> None:
    handlers = {name[3:] for name in dir(namespace) if name.startswith("on_")}
    assert set(events) <= handlers
    assert handlers - {"connect", "disconnect"} <= set(events)  # and nothing unlisted


def test_every_word_of_the_protocol_is_documented() -> None:
    words = [*names(WidgetEvent), *names(AgentEvent), *names(Code), *v.STATES,
             *v.PRESENCES, *v.SENDERS]
    missing = [w for w in words if not re.search(rf"`[^`]*\b{re.escape(w)}\b[^`]*`", PROTOCOL)]
    assert missing == []
