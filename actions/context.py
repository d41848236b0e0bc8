"""What every action needs: the user's text, the page's metadata, who is asking, the KB."""

from __future__ import annotations

import asyncio
import os
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from redis.asyncio import Redis

from bot import accounts, entitlements, identity, knowledge, text
from bot import policy as support_policy
from bot.entitlements import Asker
from bot.knowledge import KnowledgeBase
from bot.language import DEFAULT, SUPPORTED, next_language
from bot.messages import say
from bot.policy import SupportPolicy
from bot.redis_url import async_client

MAX_TEXT = 4000


def policy() -> SupportPolicy:
    """The support policy (data/support_policy.yml), read once per data directory."""
    return support_policy.cached()


# Fail at start-up, naming file and key, if the policy or the directory is invalid, or if
# there is no HELP_CENTER_SECRET (no secret falls back to one written in the source).
accounts.read_yaml(policy())
identity.secret_from_env()

_redis: Redis | None = None
_loaded: asyncio.Event | None = None
_seed: list[accounts.Account] | None = None


def redis_client() -> Redis:
    global _redis
    if _redis is None:
        _redis = async_client(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
                              decode_responses=True)
    return _redis


async def close_clients() -> None:
    """Close and forget the Redis client (tests point REDIS_URL at a new server)."""
    global _redis, _loaded
    client, _redis, _loaded = _redis, None, None
    if client is not None:
        closer = getattr(client, "aclose", None) or client.close
        await closer()
        await client.connection_pool.disconnect()


async def directory() -> accounts.RedisAccountDirectory:
    """The account directory, loaded from data/accounts.yml on first use (and again by
    itself if Redis loses it)."""
    global _loaded, _seed
    if _seed is None:
        _seed = accounts.read_yaml(policy())
    seed = _seed
    found = accounts.RedisAccountDirectory(redis_client(), seed=seed)
    if _loaded is None:
        _loaded = asyncio.Event()
        await found.load(seed)
        _loaded.set()
    await _loaded.wait()
    return found


def user_text(tracker: Tracker) -> str:
    """The latest user message, without control characters and bounded in length."""
    raw = tracker.latest_message.get("text") or ""
    return text.clean(str(raw), limit=MAX_TEXT)


def metadata(tracker: Tracker) -> dict[str, Any]:
    meta = tracker.latest_message.get("metadata") or {}
    return meta if isinstance(meta, dict) else {}


async def asker(tracker: Tracker) -> Asker:
    """Who is asking, from this message's metadata only, never from slots or anything
    the user typed: the gateway's short-lived signed assertion (`identity`: it verified
    the help center's token, which is not passed on, so Rasa's trackers never hold it),
    or the help center's own token (`token`) from a direct REST client."""
    meta = metadata(tracker)
    if "identity" in meta:
        who = identity.verify_assertion(meta.get("identity"), identity.secret_from_env())
        return await entitlements.asker_for(who, await directory())
    return await entitlements.resolve(meta.get("token"), identity.secret_from_env(),
                                      await directory())


def language(tracker: Tracker) -> str:
    """The chat's language: the `language` slot, which action_set_language sets on every
    user turn; the same rule (bot/language.py) if it is not set yet."""
    slot = tracker.get_slot("language")
    if slot in SUPPORTED:
        return str(slot)
    page = metadata(tracker).get("language")
    return next_language(None, page if isinstance(page, str) else None, user_text(tracker))


def kb_for(tracker: Tracker) -> KnowledgeBase:
    """The knowledge base in the chat's language, falling back to English."""
    try:
        return knowledge.cached(language(tracker))
    except knowledge.ArticleError:
        return knowledge.cached(DEFAULT)


def article_reply(title: str, body: str, url: str, lang: str = DEFAULT) -> str:
    """An answer followed by a link to the article it came from, as one message (Rasa
    splits a text on blank lines into several)."""
    return f"{body}\n" + say(lang, "source", title=title, url=url)


def source_line(tracker: Tracker, article_id: str) -> str:
    article = kb_for(tracker).get(article_id)
    if article is None:
        return ""
    return "\n" + say(language(tracker), "source", title=article.title, url=article.url())


ALTERNATIVE_PAYLOADS = {
    "live_chat": "/request_human",
    "web_ticket": "/open_ticket",
    "phone": "/faq_phone_support",
    "self_service": "/faq_self_service",
    "contact_sales": "/faq_contact_sales",
}


def button(lang: str, key: str, payload: str) -> dict[str, str]:
    return {"title": say(lang, f"button.{key}"), "payload": payload}


def refusal(tracker: Tracker, decision: entitlements.Decision, article_id: str,
            extra: str = "") -> dict[str, Any]:
    """Why not, in one sentence, what they can do instead, and buttons for it."""
    lang = language(tracker)
    body = "\n".join(part for part in (
        decision.sentence, extra, entitlements.alternatives_text(decision, lang)) if part)
    buttons = [button(lang, a, ALTERNATIVE_PAYLOADS[a])
               for a in decision.alternatives if a in ALTERNATIVE_PAYLOADS]
    return {"text": body + source_line(tracker, article_id), "buttons": buttons}


async def entitled(dispatcher: Any, tracker: Tracker, channel: str, article_id: str,
                   extra: str = "") -> Asker | None:
    """The asker if they may use `channel`; otherwise tell them why not and what they
    have instead (with a link to the channel's article), and return None."""
    who = await asker(tracker)
    decision = entitlements.decide(policy(), who, channel, language(tracker))
    if decision.allowed:
        return who
    dispatcher.utter_message(**refusal(tracker, decision, article_id, extra))
    return None


# Slots that only mean something for the very next user turn: the "did you mean" offer
# and the offer to connect to a person.
ONE_TURN_SLOTS = ("kb_suggested", "person_offered")


def cleared(tracker: Tracker, *slots: str) -> list[EventType]:
    """SlotSet None for each of `slots` (default: the one-turn ones) that is set."""
    return [SlotSet(s, None) for s in (slots or ONE_TURN_SLOTS)
            if tracker.get_slot(s) is not None]
