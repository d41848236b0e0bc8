"""What the person asking may use, and how to say it: one place for every decision.

`Asker` combines the verified identity with the account directory; `decide` answers
"may this asker use this channel?" from the support policy alone, with a one-sentence
reason and the alternatives they do have, so the bot never ends in a dead end.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.accounts import Account, AccountDirectory
from bot.identity import Identity, verify
from bot.policy import ANONYMOUS_PLAN, SupportPolicy

PAID_CHANNELS = ("live_chat", "web_ticket", "phone")


@dataclass(frozen=True)
class Asker:
    identity: Identity
    account: Account | None

    @property
    def signed_in(self) -> bool:
        return self.identity.verified and self.account is not None

    @property
    def plan(self) -> str:
        """The plan whose entitlements apply: unlicensed users get the free ones."""
        if not self.signed_in or self.account is None or not self.account.licensed:
            return ANONYMOUS_PLAN
        return self.account.plan

    @property
    def role(self) -> str:
        return self.account.role if self.signed_in and self.account else "member"


async def resolve(token: object, secret: str, directory: AccountDirectory) -> Asker:
    """Who is asking, from the signed token alone (never from anything the user typed)."""
    who = verify(token, secret)
    account = await directory.get(who.user_id) if who.user_id is not None else None
    return Asker(who, account)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str  # "ok", "not_signed_in", "unconfirmed", "free_plan", "unlicensed", "role", "plan"
    sentence: str  # one sentence for the user; empty when allowed
    alternatives: tuple[str, ...]


def a(word: str) -> str:
    """'a member', 'an admin'."""
    return f"{'an' if word[:1] in 'aeiou' else 'a'} {word}"


def _join(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def plan_names(policy: SupportPolicy, plans: list[str]) -> str:
    return _join([policy.plans[p].name for p in plans])


def sign_in_note(asker: Asker) -> str:
    """What to tell a visitor whose sign-in could not be confirmed (empty if it was)."""
    if asker.signed_in:
        return ""
    if asker.identity.reason == "expired":
        return "Your sign-in has expired, so I can't confirm your account."
    if asker.identity.reason == "invalid":
        return "I couldn't confirm your sign-in, so I can't see your account."
    if asker.identity.verified:  # valid token, unknown user
        return "I couldn't find your account, so I can only offer what every visitor gets."
    return "You're not signed in, so I can only offer what every visitor gets."


def decide(policy: SupportPolicy, asker: Asker, channel: str) -> Decision:
    if policy.allows(asker.plan, asker.role, channel):
        return Decision(True, "ok", "", ())
    label = policy.channels[channel]
    own = [c for c in PAID_CHANNELS if c != channel and policy.allows(asker.plan, asker.role, c)]
    alternatives = [*own, "knowledge_base", "self_service"]
    owners = policy.plans_with(channel, "owner")
    if not asker.signed_in:
        reason = "not_signed_in" if asker.identity.reason in ("missing", "verified") \
            else "unconfirmed"
        sentence = (f"{sign_in_note(asker)} {label.capitalize()} is for signed-in "
                    f"owners and admins of {plan_names(policy, owners)} accounts.")
        alternatives.append("sign_in")
    elif asker.account is not None and not asker.account.licensed and \
            policy.plans[asker.account.plan].licensed:
        reason = "unlicensed"
        sentence = (f"{label.capitalize()} needs a licence on your "
                    f"{policy.plans[asker.account.plan].name} account, and you don't have one.")
        alternatives += ["ask_owner"]
    elif asker.plan == ANONYMOUS_PLAN:
        reason = "free_plan"
        sentence = (f"{label.capitalize()} comes with licensed paid plans "
                    f"({plan_names(policy, owners)}); your account is on "
                    f"{policy.plans[asker.plan].name}.")
        alternatives.append("contact_sales")
    elif policy.roles_with(asker.plan, channel):
        reason = "role"
        roles = _join([r + "s" for r in policy.roles_with(asker.plan, channel)])
        sentence = (f"On {policy.plans[asker.plan].name} accounts, {label} is for {roles}, "
                    f"and you're {a(asker.role)}.")
        alternatives.append("ask_owner")
    else:
        reason = "plan"
        sentence = (f"{label.capitalize()} is for owners and admins of "
                    f"{plan_names(policy, owners)} accounts; yours is on "
                    f"{policy.plans[asker.plan].name}.")
        alternatives.append("contact_sales")
    return Decision(False, reason, sentence, tuple(dict.fromkeys(alternatives)))


ALTERNATIVE_TEXT = {
    "live_chat": "ask me to connect you with a support specialist by live chat",
    "web_ticket": "open a web ticket",
    "phone": "call phone support",
    "knowledge_base": "search the knowledge base (just ask me your question)",
    "self_service": "use self-service to report abuse, a billing discrepancy or contact sales",
    "sign_in": "sign in to the Help Center and ask again",
    "ask_owner": "ask your account owner or an admin to contact support for you",
    "contact_sales": "contact sales to upgrade your plan",
}


def alternatives_text(decision: Decision) -> str:
    items = [ALTERNATIVE_TEXT[a] for a in decision.alternatives if a in ALTERNATIVE_TEXT]
    return "Here's what you can do: " + "; ".join(items) + "."


def describe_support(policy: SupportPolicy, asker: Asker) -> str:
    """The support options of this asker, and nothing they do not have."""
    channels = policy.channels_for(asker.plan, asker.role)
    account = asker.account
    if not asker.signed_in or account is None:
        who = "You're not signed in"
    else:
        who = (f"You're {a(account.role)} on a "
               f"{policy.plans[account.plan].name} account")
        if not account.licensed and policy.plans[account.plan].licensed:
            who += " without a licence"
    lines = [f"{who}. You can use:"]
    lines += [f"- {policy.channels[c]}" for c in policy.channels if c in channels]
    if asker.signed_in and policy.has_response_targets(asker.plan, asker.role):
        hours = ", ".join(f"{p} {h} h" for p, h in policy.target_hours.items())
        lines.append(f"Target response times for your requests: {hours}.")
    note = sign_in_note(asker)
    if note and asker.identity.reason != "missing":
        lines.insert(0, note)
    return "\n".join(lines)


def response_note(policy: SupportPolicy, asker: Asker) -> str:
    """Target response times as they apply to this asker's own plan and role."""
    if asker.signed_in and policy.has_response_targets(asker.plan, asker.role):
        hours = ", ".join(f"{p} {h} h" for p, h in policy.target_hours.items())
        return (f"For you ({asker.role} on {policy.plans[asker.plan].name}): {hours}.")
    targets = plan_names(policy, [p for p in policy.plans if p in policy.target_plans])
    roles = _join(sorted(r + "s" for r in policy.target_roles))
    if not asker.signed_in:
        why = sign_in_note(asker)
    elif asker.plan not in policy.target_plans:
        why = f"Your account is on {policy.plans[asker.plan].name}."
    else:
        why = f"You're {a(asker.role)}."
    return f"{why} Target response times apply to {roles} of {targets} accounts."
