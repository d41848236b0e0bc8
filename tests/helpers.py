"""Helpers to run a Rasa SDK action on a tracker snapshot, as the action server would."""

from __future__ import annotations

from typing import Any

import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from scripts.stack import ROOT

DOMAIN: dict[str, Any] = yaml.safe_load((ROOT / "domain.yml").read_text())


def tracker(text: str = "", intent: str | None = None, confidence: float = 1.0,
            ranking: list[tuple[str, float]] | None = None, slots: dict[str, Any] | None = None,
            metadata: dict[str, Any] | None = None, sender: str = "test-user") -> Tracker:
    """A tracker whose latest message is `text`, classified as `intent`."""
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": confidence} if intent else {},
        "intent_ranking": [{"name": n, "confidence": c} for n, c in (ranking or [])],
        "entities": [],
        "metadata": metadata or {},
    }
    all_slots = {name: None for name in DOMAIN.get("slots", {})}
    all_slots.update(slots or {})
    return Tracker(sender, all_slots, latest, [], False, None, {}, "action_listen")


async def run(action: Action, trk: Tracker) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Run the action; return (messages dispatched, events returned)."""
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, trk, DOMAIN)
    return dispatcher.messages, list(events)
