"""What the person asking may use, and how to say it: one place for every decision.

`Asker` combines the verified identity with the account directory; `decide` answers
"may this asker use this channel?" from the support policy alone, with a one-sentence
reason and the alternatives they do have, so the bot never ends in a dead end. Every
sentence comes in each of the assistant's languages (`language`, default English); the
wording is in bot/messages.py, the names of plans, roles and channels in the policy.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.accounts import Account, AccountDirectory
from bot.identity import Identity, expected_claims, verify
from bot.messages import capital, hours, join, say
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
    """Who is asking, from the help center's signed token alone (never from anything
    the user typed); its `aud`/`iss` are checked when the help center sets them."""
    return await asker_for(verify(token, secret, **expected_claims()), directory)


async def asker_for(who: Identity, directory: AccountDirectory) -> Asker:
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


# Plural roles after "for" (English) and in the genitive (Russian: «для владельцев»).
_ROLES_PLURAL = {
    "en": {"owner": "owners", "admin": "admins", "member": "members"},
    "ru": {"owner": "владельцев", "admin": "администраторов", "member": "участников"},
}


def _roles(roles: list[str], language: str) -> str:
    plural = _ROLES_PLURAL.get(language, _ROLES_PLURAL["en"])
    return join([plural.get(r, r) for r in roles], language)


def plan_names(policy: SupportPolicy, plans: list[str], language: str = "en") -> str:
    return join([policy.name("plans", p, language) for p in plans], language)


def sign_in_note(asker: Asker, language: str = "en") -> str:
    """What to tell a visitor whose sign-in could not be confirmed (empty if it was)."""
    if asker.signed_in:
        return ""
    if asker.identity.reason == "expired":
        return say(language, "sign_in.expired")
    if asker.identity.reason == "invalid":
        return say(language, "sign_in.invalid")
    if asker.identity.verified:  # valid token, unknown user
        return say(language, "sign_in.unknown")
    return say(language, "sign_in.missing")


def _who(policy: SupportPolicy, asker: Asker, language: str) -> dict[str, str]:
    """Placeholders naming the asker's role and plan."""
    role = policy.name("roles", asker.role, language)
    return {"role": role, "a_role": a(role) if language == "en" else role,
            "plan": policy.name("plans", asker.plan, language)}


def decide(policy: SupportPolicy, asker: Asker, channel: str, language: str = "en"
           ) -> Decision:
    if policy.allows(asker.plan, asker.role, channel):
        return Decision(True, "ok", "", ())
    label = policy.name("channels", channel, language)
    words = {"channel": label, "Channel": capital(label), **_who(policy, asker, language)}
    own = [c for c in PAID_CHANNELS if c != channel and policy.allows(asker.plan, asker.role, c)]
    alternatives = [*own, "knowledge_base", "self_service"]
    owners = plan_names(policy, policy.plans_with(channel, "owner"), language)
    if not asker.signed_in:
        reason = "not_signed_in" if asker.identity.reason in ("missing", "verified") \
            else "unconfirmed"
        sentence = say(language, "refuse.not_signed_in", note=sign_in_note(asker, language),
                       plans=owners, **words)
        alternatives.append("sign_in")
    elif asker.account is not None and not asker.account.licensed and \
            policy.plans[asker.account.plan].licensed:
        reason = "unlicensed"
        words["plan"] = policy.name("plans", asker.account.plan, language)
        sentence = say(language, "refuse.unlicensed", **words)
        alternatives += ["ask_owner"]
    elif asker.plan == ANONYMOUS_PLAN:
        reason = "free_plan"
        sentence = say(language, "refuse.free_plan", plans=owners, **words)
        alternatives.append("contact_sales")
    elif policy.roles_with(asker.plan, channel):
        reason = "role"
        sentence = say(language, "refuse.role",
                       roles=_roles(policy.roles_with(asker.plan, channel), language), **words)
        alternatives.append("ask_owner")
    else:
        reason = "plan"
        sentence = say(language, "refuse.plan", plans=owners, **words)
        alternatives.append("contact_sales")
    return Decision(False, reason, sentence, tuple(dict.fromkeys(alternatives)))


ALTERNATIVES = ("live_chat", "web_ticket", "phone", "knowledge_base", "self_service", "sign_in",
                "ask_owner", "contact_sales")
ALTERNATIVE_TEXT = {key: say("en", f"alt.{key}") for key in ALTERNATIVES}


def alternatives_text(decision: Decision, language: str = "en") -> str:
    items = [say(language, f"alt.{a}") for a in decision.alternatives if a in ALTERNATIVES]
    return say(language, "alternatives", items="; ".join(items))


def target_hours(policy: SupportPolicy, language: str = "en") -> str:
    """'P1 1 hour, P2 4 hours, ...' / 'P1 — 1 час, P2 — 4 часа, ...'."""
    sep = " — " if language == "ru" else " "
    return ", ".join(f"{p}{sep}{hours(h, language)}" for p, h in policy.target_hours.items())


def describe_support(policy: SupportPolicy, asker: Asker, language: str = "en") -> str:
    """The support options of this asker, and nothing they do not have."""
    channels = policy.channels_for(asker.plan, asker.role)
    account = asker.account
    if not asker.signed_in or account is None:
        who = say(language, "support.anonymous")
    else:
        role = policy.name("roles", account.role, language)
        who = say(language, "support.who", role=role,
                  a_role=a(role) if language == "en" else role,
                  plan=policy.name("plans", account.plan, language))
        if not account.licensed and policy.plans[account.plan].licensed:
            who += say(language, "support.unlicensed")
    lines = [say(language, "support.you_can_use", who=who)]
    lines += [f"- {policy.name('channels', c, language)}" for c in policy.channels
              if c in channels]
    if asker.signed_in and policy.has_response_targets(asker.plan, asker.role):
        lines.append(say(language, "support.targets", hours=target_hours(policy, language)))
    note = sign_in_note(asker, language)
    if note and asker.identity.reason != "missing":
        lines.insert(0, note)
    return "\n".join(lines)


def response_note(policy: SupportPolicy, asker: Asker, language: str = "en") -> str:
    """Target response times as they apply to this asker's own plan and role."""
    words = _who(policy, asker, language)
    if asker.signed_in and policy.has_response_targets(asker.plan, asker.role):
        return say(language, "targets.yours", hours=target_hours(policy, language), **words)
    targets = plan_names(policy, [p for p in policy.plans if p in policy.target_plans],
                         language)
    if not asker.signed_in:
        why = sign_in_note(asker, language)
    elif asker.plan not in policy.target_plans:
        why = say(language, "targets.plan", **words)
    else:
        why = say(language, "targets.role", **words)
    return say(language, "targets.who_has", why=why, plans=targets)


def access_note(policy: SupportPolicy, asker: Asker, channel: str, language: str = "en"
                ) -> str:
    """One line on whether this asker may use `channel`: how to start it, or why not."""
    decision = decide(policy, asker, channel, language)
    if decision.allowed:
        return say(language, f"access.yes.{channel}", **_who(policy, asker, language))
    return decision.sentence
