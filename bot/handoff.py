"""The handoff payload a bot response carries to ask the gateway for a person.

`build` makes it (action side); `recheck` is what the gateway runs before queueing: the
payload must match what the policy allows this verified user right now, so a forged or
stale payload is refused.
"""

from __future__ import annotations

from typing import Any

from bot.entitlements import Asker, decide
from bot.policy import PRIORITIES, SupportPolicy
from bot.triage import Triage


def summary(asker: Asker, triage: Triage, policy: SupportPolicy) -> str:
    account = asker.account
    who = (f"{account.name} ({account.role}, {policy.plans[account.plan].name} plan, "
           f"account {account.account_id})" if account else "An anonymous visitor")
    impact = {"down": "the service is down or critically degraded",
              "many": "many people are affected", "few": "one or a few people are affected",
              "question": "it is a question or a request"}[triage.impact]
    workaround = {"none": "no workaround", "partial": "a partial workaround",
                  "full": "a working workaround"}[triage.workaround]
    meeting = f" Meeting ID {triage.meeting_id}." if triage.meeting_id else ""
    problem = triage.problem.strip()[:500]
    if problem and problem[-1] not in ".!?":
        problem += "."
    return (f"{who} reports: {problem} They say {impact}, with "
            f"{workaround}.{meeting} Priority {triage.priority} "
            f"({policy.priorities[triage.priority].name}).")


def build(asker: Asker, triage: Triage, policy: SupportPolicy,
          reason: str = "user_requested_agent") -> dict[str, Any]:
    return {
        "handoff": {
            "priority": triage.priority,
            "reason": reason,
            "summary": summary(asker, triage, policy),
            "triage": triage.as_dict(),
        }
    }


def recheck(payload: Any, asker: Asker, policy: SupportPolicy) -> str | None:
    """None if the gateway may queue this handoff, else why not."""
    if not isinstance(payload, dict) or not isinstance(payload.get("handoff"), dict):
        return "not a handoff payload"
    body = payload["handoff"]
    if body.get("priority") not in PRIORITIES:
        return "unknown priority"
    if not decide(policy, asker, "live_chat").allowed:
        return "not entitled to live chat"
    return None
