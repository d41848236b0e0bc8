"""Helpers to run a Rasa SDK action on a tracker snapshot, as the action server would."""

from __future__ import annotations

from typing import Any

import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot import identity
from scripts.stack import ROOT

DOMAIN: dict[str, Any] = yaml.safe_load((ROOT / "domain.yml").read_text())


def token(user_id: str, ttl_s: int = 600, secret: str | None = None) -> str:
    """A help-center token for a demo user, signed like the help center would."""
    return identity.issue(user_id, secret or identity.secret_from_env(), ttl_s)


def tracker(text: str = "", intent: str | None = None, confidence: float = 1.0,
            ranking: list[tuple[str, float]] | None = None, slots: dict[str, Any] | None = None,
            metadata: dict[str, Any] | None = None, sender: str = "test-user",
            user: str | None = None, active_loop: str | None = None,
            requested_slot: str | None = None) -> Tracker:
    """A tracker whose latest message is `text`, classified as `intent`."""
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": confidence} if intent else {},
        "intent_ranking": [{"name": n, "confidence": c} for n, c in (ranking or [])],
        "entities": [],
        "metadata": {**({"token": token(user)} if user else {}), **(metadata or {})},
    }
    all_slots = {name: None for name in DOMAIN.get("slots", {})}
    all_slots.update(slots or {})
    all_slots["requested_slot"] = requested_slot
    loop = {"name": active_loop} if active_loop else {}
    return Tracker(sender, all_slots, latest, [], False, None, loop, "action_listen")


async def run(action: Action, trk: Tracker) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Run the action; return (messages dispatched, events returned)."""
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, trk, DOMAIN)
    return dispatcher.messages, list(events)
