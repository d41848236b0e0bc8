"""Every fact the bot can say must agree with data/kb/ and data/support_policy.yml.

The bot's answers come from the articles (actions quote them) and from domain responses,
so checking both sources covers every phone number, time and plan statement it can utter.
"""

from __future__ import annotations

import re

import pytest
import yaml

from bot import knowledge
from scripts.stack import ROOT

POLICY = yaml.safe_load((ROOT / "data" / "support_policy.yml").read_text())
DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text())
KB = knowledge.load()
PHONE = re.compile(r"(?<![\w.])\+?\d{2,3}(?:\.\d{2,4}){2,4}(?!\w|\.\d)")
HOURS = re.compile(r"P([1-4])\b[^:\n]*:\s*(\d+)\s*hours?", re.I)
PLAN_WORDS = {"pro": "Pro", "business": "Business", "education": "Education",
              "enterprise": "Enterprise", "api": "API"}
PAID = [p for p, spec in POLICY["plans"].items() if spec["licensed"]]


def article_text(article_id: str) -> str:
    article = KB.articles[article_id]
    return "\n".join(p.text for p in article.passages())


def all_bot_texts() -> list[str]:
    texts = [p.text for p in KB.passages]
    for variants in DOMAIN["responses"].values():
        texts.extend(v.get("text", "") for v in variants)
    return texts


def plans_with(channel: str, role: str = "owner") -> set[str]:
    return {plan for plan, roles in POLICY["entitlements"].items() if channel in roles[role]}


def test_every_phone_number_the_bot_can_say_is_in_the_directory() -> None:
    directory = {n for numbers in POLICY["phone"]["numbers"].values() for n in numbers}
    said = {m for text in all_bot_texts() for m in PHONE.findall(text)}
    assert said, "the phone article must list numbers"
    assert said <= directory, f"numbers not in support_policy.yml: {said - directory}"


def test_every_directory_number_is_in_the_phone_article_with_its_extension() -> None:
    text = article_text("phone-support")
    ext = POLICY["phone"]["extension"]
    for country, numbers in POLICY["phone"]["numbers"].items():
        for number in numbers:
            assert re.search(re.escape(number) + rf", ext\. {ext}\b", text), (country, number)
    for item in POLICY["phone"]["prepare"]:
        assert item in text


def test_domain_responses_state_no_facts() -> None:
    for name, variants in DOMAIN["responses"].items():
        for variant in variants:
            text = variant.get("text", "")
            assert not PHONE.search(text), name
            assert not re.search(r"\d+\s*hours?", text), name


def test_response_times_match_the_policy() -> None:
    text = article_text("response-times")
    stated = {f"P{p}": int(h) for p, h in HOURS.findall(text)}
    assert stated == POLICY["target_response"]["hours"]
    for plan in POLICY["target_response"]["plans"]:
        assert PLAN_WORDS[plan] in text


def test_no_article_contradicts_the_response_times() -> None:
    hours = POLICY["target_response"]["hours"]
    for passage in KB.passages:
        for level, stated in HOURS.findall(passage.text):
            assert int(stated) == hours[f"P{level}"], passage.article_id


@pytest.mark.parametrize(
    ("article_id", "channel"),
    [("phone-support", "phone"), ("business-plan-support", "phone"),
     ("live-chat", "live_chat"), ("web-tickets", "web_ticket"),
     ("paid-plan-support", "live_chat")],
)
def test_channel_articles_name_exactly_the_entitled_plans(article_id: str, channel: str) -> None:
    article = KB.articles[article_id]
    entitled = plans_with(channel)
    assert set(article.plans) == entitled, f"{article_id} front matter plans"
    lead = article.lead
    if entitled != set(PAID):  # an article about a subset of paid plans names each of them
        named = {p for p, word in PLAN_WORDS.items() if re.search(rf"\b{word}\b", lead)}
        assert named == entitled, f"{article_id} lead names {named}, policy says {entitled}"


def test_channels_are_for_owners_and_admins_only_by_default() -> None:
    for channel in ("phone", "live_chat", "web_ticket"):
        assert plans_with(channel, "member") == set()
        assert plans_with(channel, "admin") == plans_with(channel, "owner")
        for article_id in ("phone-support", "live-chat", "web-tickets"):
            assert re.search(r"owners and admins", KB.articles[article_id].lead, re.I)


def test_priority_levels_match_the_policy() -> None:
    text = article_text("priority-levels")
    for level, spec in POLICY["priorities"].items():
        assert re.search(rf"\*\*{level} {spec['name']}:\*\*", text), level
    assert "24/7" in text.split("P2")[0], "P1 is worked on around the clock"


def test_basic_plan_gets_only_the_shared_channels() -> None:
    assert POLICY["entitlements"]["basic"] == {"owner": [], "admin": [], "member": []}
    lead = KB.articles["basic-plan-support"].lead
    assert "knowledge base" in lead and "chatbot" in lead
