"""Counting what happened to every message: sent by a client, stored in the chat's
stream (once per client id), delivered to the widget and to the agent."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

import redis as redis_lib

from bot import redis_keys
from tests.chaos.clients import ChaosAgent, ChaosWidget


@dataclass
class Ledger:
    sent: int = 0  # messages clients sent (users' and agents')
    stored: int = 0  # of those, stored (found by client id)
    delivered: int = 0  # stored messages seen by every party that should see them
    lost: int = 0  # sent but not stored, or stored but not delivered
    duplicated: int = 0  # a client id stored more than once
    unanswered: int = 0  # user messages in bot chats without the bot's answer
    not_shown: int = 0  # stored messages of any sender (bot, system too) a widget never got
    problems: list[str] = field(default_factory=list)

    def figures(self) -> dict[str, Any]:
        body = asdict(self)
        body.pop("problems")
        return body


def stream(redis: redis_lib.Redis, chat_id: str) -> list[dict[str, Any]]:
    entries = []
    for _, fields in redis.xrange(redis_keys.chat_log(chat_id), count=1_000_000):
        extra = json.loads(fields.get("extra") or "{}")
        entries.append({"seq": int(fields["seq"]), "sender": fields["sender"],
                        "text": fields["text"], "cid": extra.get("client_msg_id", "")})
    return entries


def check(redis: redis_lib.Redis, widgets: list[ChaosWidget], agents: list[ChaosAgent],
          bot_chats: set[str] | None = None) -> Ledger:
    """The figures for these clients' chats as Redis and the clients have them now."""
    ledger = Ledger()
    agent_of = {chat: agent for agent in agents for chat in agent.seen}
    for widget in widgets:
        assert widget.chat_id is not None
        entries = stream(redis, widget.chat_id)
        by_cid = Counter(e["cid"] for e in entries if e["cid"])
        seqs = {e["seq"] for e in entries}
        agent = agent_of.get(widget.chat_id)
        agent_sent = agent.sent.get(widget.chat_id, []) if agent else []
        for cid in [*widget.sent, *agent_sent]:
            ledger.sent += 1
            if by_cid[cid] == 0:
                ledger.lost += 1
                ledger.problems.append(f"{widget.label}: {cid} never stored")
                continue
            ledger.stored += 1
            if by_cid[cid] > 1:
                ledger.duplicated += by_cid[cid] - 1
                ledger.problems.append(f"{widget.label}: {cid} stored {by_cid[cid]} times")
            seq = next(e["seq"] for e in entries if e["cid"] == cid)
            parties = [widget.seen.by_seq] + ([agent.seen[widget.chat_id].by_seq]
                                              if agent else [])
            if all(seq in seen for seen in parties):
                ledger.delivered += 1
            else:
                ledger.lost += 1
                ledger.problems.append(f"{widget.label}: {cid} (seq {seq}) not delivered")
        missing = seqs - set(widget.seen.by_seq)
        ledger.not_shown += len(missing)
        if missing:
            ledger.problems.append(f"{widget.label}: never saw seqs {sorted(missing)[:10]}")
        order = [widget.acked.get(cid) for cid in widget.sent if cid in widget.acked]
        if order != sorted(order):
            ledger.problems.append(f"{widget.label}: messages stored out of order {order}")
        if bot_chats and widget.chat_id in bot_chats:
            answers = set(redis.hkeys(redis_keys.chat_client_ids(widget.chat_id)))
            for e in entries:
                if e["sender"] == "user" and not ({f"b{e['seq']}.0", f"f{e['seq']}"} & answers):
                    ledger.unanswered += 1
                    ledger.problems.append(f"{widget.label}: seq {e['seq']} unanswered")
    return ledger
