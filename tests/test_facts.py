"""Every fact the product states must agree with the guidelines, as kept in
data/support_policy.yml and data/kb/, in both languages and everywhere it is said: the
articles, the domain responses, the actions' texts (bot/messages.py), the agents' canned
replies (data/canned.yml) and the demo help-center page (handoff/static/index.html). And
every fact of the guidelines (DESIGN.md's table) must be said somewhere.
"""

from __future__ import annotations

import html
import re

import pytest
import yaml

from bot import knowledge
from bot.messages import TEXTS
from scripts.stack import ROOT

POLICY = yaml.safe_load((ROOT / "data" / "support_policy.yml").read_text())
DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text())
CANNED = yaml.safe_load((ROOT / "data" / "canned.yml").read_text())["canned"]
PAGE = (ROOT / "handoff" / "static" / "index.html").read_text(encoding="utf-8")
KB = {lang: knowledge.load(lang) for lang in ("en", "ru")}
PHONE = re.compile(r"(?<![\w.])\+?\d{1,3}(?:\.\d{2,4}){2,4}(?!\w|\.\d)")
HOURS = {
    "en": re.compile(r"P([1-4])\b[^:\n]*:\s*(\d+)\s*hours?", re.I),
    "ru": re.compile(r"\(P([1-4])\):\s*(\d+)\s*час", re.I),
}
ANY_HOURS = re.compile(r"(\d+)\s*(?:hours?|h\b|час\w*)", re.I)
PLAN_WORDS = {
    "en": {"pro": "Pro", "business": "Business", "education": "Education",
           "enterprise": "Enterprise", "api": "API"},
    "ru": {"pro": "«Профессиональный»", "business": "«Бизнес»", "education": "«Образование»",
           "enterprise": "«Предприятие»", "api": "API"},
}
OWNERS_AND_ADMINS = {"en": r"owners and admins", "ru": r"владел\w* и администратор\w*"}
PAID = [p for p, spec in POLICY["plans"].items() if spec["licensed"]]
DIRECTORY = {n for numbers in POLICY["phone"]["numbers"].values() for n in numbers}


def page_text() -> str:
    """The demo page's visible text (tags dropped, entities decoded)."""
    return html.unescape(re.sub(r"<[^>]+>", " ", PAGE))


def article_text(lang: str, article_id: str) -> str:
    return "\n".join(p.text for p in KB[lang].articles[article_id].passages())


def domain_texts() -> list[str]:
    return [v.get("text", "") for variants in DOMAIN["responses"].values() for v in variants]


def decision_texts() -> list[str]:
    """The sentences the actions build with the policy's names filled in: why a channel
    is not open to someone, for every plan x role x channel, licensed or not, and for a
    visitor who is not signed in, in both languages."""
    from bot import policy
    from bot.accounts import Account
    from bot.entitlements import Asker, decide
    from bot.identity import ANONYMOUS, Identity

    loaded = policy.load()
    askers = [Asker(ANONYMOUS, None)] + [
        Asker(Identity(f"{plan}-{role}", "verified"),
              Account(f"{plan}-{role}", "Demo", "acct", plan, licensed, role))
        for plan in loaded.plans for role in loaded.roles for licensed in (True, False)]
    return [decide(loaded, who, channel, lang).sentence
            for who in askers for channel in loaded.channels for lang in ("en", "ru")]


def product_texts() -> dict[str, list[str]]:
    """Everything the product can show, by where it lives."""
    return {
        "kb": [p.text for kb in KB.values() for p in kb.passages],
        "domain": domain_texts(),
        "actions": [t for variants in TEXTS.values() for t in variants.values()]
        + decision_texts(),
        "canned": [c["text"] for c in CANNED],
        "page": [page_text()],
    }


def plans_with(channel: str, role: str = "owner") -> set[str]:
    return {plan for plan, roles in POLICY["entitlements"].items() if channel in roles[role]}


# --- numbers and times, everywhere ------------------------------------------------------

@pytest.mark.parametrize("where", ["kb", "domain", "actions", "canned", "page"])
def test_every_phone_number_said_anywhere_is_in_the_directory(where: str) -> None:
    said = {m for text in product_texts()[where] for m in PHONE.findall(text)}
    assert said <= DIRECTORY, f"{where}: numbers not in support_policy.yml: {said - DIRECTORY}"


@pytest.mark.parametrize("where", ["kb", "canned", "page", "actions", "domain"])
def test_every_number_of_hours_said_anywhere_is_a_target_response_time(where: str) -> None:
    allowed = {int(h) for h in POLICY["target_response"]["hours"].values()}
    for text in product_texts()[where]:
        for stated in ANY_HOURS.findall(text):
            assert int(stated) in allowed, (where, text[:80])


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_every_directory_number_is_in_the_phone_article_with_its_extension(lang: str) -> None:
    text = article_text(lang, "phone-support")
    ext = POLICY["phone"]["extension"]
    label = {"en": "ext.", "ru": "доб."}[lang]
    for country, numbers in POLICY["phone"]["numbers"].items():
        for number in numbers:
            assert re.search(re.escape(number) + rf", {label} {ext}\b", text), (country, number)
    assert set(PHONE.findall(text)) == DIRECTORY


def test_phone_article_says_what_to_prepare_in_the_guidelines_terms() -> None:
    for item in POLICY["phone"]["prepare"]:
        assert item in article_text("en", "phone-support")
    ru = article_text("ru", "phone-support")
    assert "персональный идентификатор конференции" in ru and "ключ организатора" in ru


def test_domain_responses_and_action_texts_state_no_facts() -> None:
    for text in domain_texts() + [t for v in TEXTS.values() for t in v.values()]:
        assert not PHONE.search(text), text
        assert not re.search(r"\d+\s*(hours?|час)", text), text


def test_every_action_text_exists_in_both_languages_with_the_same_placeholders() -> None:
    from bot.messages import placeholders

    def names(template: str) -> set[str]:  # "a member", "Web tickets": grammar of a name
        return {{"a_role": "role", "Channel": "channel"}.get(n, n)
                for n in placeholders(template)}

    for key, variants in TEXTS.items():
        assert set(variants) == {"en", "ru"}, key
        assert names(variants["en"]) == names(variants["ru"]), key


def test_every_domain_response_has_a_russian_and_an_english_variant() -> None:
    for name, variants in DOMAIN["responses"].items():
        conditions = [v.get("condition") for v in variants]
        assert [{"type": "slot", "name": "language", "value": "ru"}] in conditions, name
        assert None in conditions, name  # the English default
        buttons = [len(v.get("buttons") or []) for v in variants]
        assert len(set(buttons)) == 1, f"{name}: both languages offer the same buttons"


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_response_times_match_the_policy(lang: str) -> None:
    text = article_text(lang, "response-times")
    stated = {f"P{p}": int(h) for p, h in HOURS[lang].findall(text)}
    assert stated == POLICY["target_response"]["hours"]
    for plan in POLICY["target_response"]["plans"]:
        assert PLAN_WORDS[lang][plan] in text


def test_canned_reply_on_tickets_states_the_policy_times() -> None:
    (ticket,) = [c["text"] for c in CANNED if c["shortcut"] == "ticket"]
    hours = POLICY["target_response"]["hours"]
    assert f"{hours['P1']} hour for Urgent (P1)" in ticket
    assert f"{hours['P2']} hours for High (P2)" in ticket
    assert "registered" in ticket  # what the target measures


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_no_article_contradicts_the_response_times(lang: str) -> None:
    hours = POLICY["target_response"]["hours"]
    for passage in KB[lang].passages:
        for level, stated in HOURS[lang].findall(passage.text):
            assert int(stated) == hours[f"P{level}"], passage.article_id


@pytest.mark.parametrize("lang", ["en", "ru"])
@pytest.mark.parametrize(
    ("article_id", "channel"),
    [("phone-support", "phone"), ("business-plan-support", "phone"),
     ("live-chat", "live_chat"), ("web-tickets", "web_ticket"),
     ("paid-plan-support", "live_chat")],
)
def test_channel_articles_name_exactly_the_entitled_plans(article_id: str, channel: str,
                                                          lang: str) -> None:
    article = KB[lang].articles[article_id]
    entitled = plans_with(channel)
    assert set(article.plans) == entitled, f"{article_id} front matter plans"
    if entitled != set(PAID):  # an article about a subset of paid plans names each of them
        named = {p for p, word in PLAN_WORDS[lang].items() if re.search(
            rf"(?<!\w){re.escape(word)}(?!\w)", article.lead)}
        assert named == entitled, f"{article_id} lead names {named}, policy says {entitled}"


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_channels_are_for_owners_and_admins_only_by_default(lang: str) -> None:
    for channel in ("phone", "live_chat", "web_ticket"):
        assert plans_with(channel, "member") == set()
        assert plans_with(channel, "admin") == plans_with(channel, "owner")
    for article_id in ("phone-support", "live-chat", "web-tickets", "chatbot"):
        text = article_text(lang, article_id)
        assert re.search(OWNERS_AND_ADMINS[lang], text, re.I), (lang, article_id)


def test_no_text_says_paid_users_in_general_get_live_chat() -> None:
    """The guidelines' chatbot section says "users of paid accounts"; the policy follows
    the overview (owners and admins), and so must every article, in both languages."""
    for lang, kb in KB.items():
        for passage in kb.passages:
            text = passage.text.lower()
            for claim in ("users on paid plans can move", "paid users can",
                          "пользователи платных учетных записей могут перейти"):
                assert claim not in text, (lang, passage.article_id)


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_priority_levels_match_the_policy(lang: str) -> None:
    text = article_text(lang, "priority-levels")
    for level, spec in POLICY["priorities"].items():
        name = spec["name"] if lang == "en" else POLICY["translations"]["ru"]["priorities"][level]
        pattern = (rf"\*\*{level} {name}:\*\*" if lang == "en"
                   else rf"\*\*Приоритет {level[1]} — {name} \({level}\):\*\*")
        assert re.search(pattern, text), (lang, level)
    assert "24/7" in text.split("P2")[0], "P1 is worked on around the clock"


def test_basic_plan_gets_only_the_shared_channels() -> None:
    assert POLICY["entitlements"]["basic"] == {"owner": [], "admin": [], "member": []}
    lead = KB["en"].articles["basic-plan-support"].lead
    assert "knowledge base" in lead and "chatbot" in lead


# --- statements the guidelines do not support ------------------------------------------

UNSUPPORTED = [
    # (what was said, why it goes)
    ("updates by email", "the guidelines promise no e-mail updates"),
    ("profile on the web portal", "the guidelines do not say where the host key is"),
    ("reset password", "self-service is abuse, billing and sales only"),
    ("account settings", "self-service is abuse, billing and sales only"),
    ("How quickly we answer", "the target is until the request is registered, not an answer"),
    ("Phone numbers and hours", "the guidelines give no phone hours"),
    ("from self-service to 24/7 live chat and phone", "phone is not 24/7 in the guidelines"),
    ("1 hours", "grammar: 1 hour"),
    ("Web tickets is", "grammar"),
    ("Web tickets comes", "grammar"),
    ("Web tickets needs", "grammar"),
    ("web tickets is for", "grammar"),
    ("follow it until it's resolved", "tickets are not promised a resolution"),
    ("Here's what to send us", "the guidelines list nothing to send for billing"),
    ("escalating it to our engineers", "not in the guidelines"),
    ("step-by-step guides", "the guidelines name training videos, knowledge base, guides"),
    ("to upgrade your plan", "contact sales: the guidelines give no reason"),
    ("zoombombing", "not in the guidelines"),
]


@pytest.mark.parametrize(("phrase", "why"), UNSUPPORTED)
def test_statements_the_guidelines_do_not_support_are_gone(phrase: str, why: str) -> None:
    for where, texts in product_texts().items():
        for text in texts:
            assert phrase.lower() not in text.lower(), f"{where}: {phrase!r} ({why})"


def test_demo_page_cards_link_existing_articles_under_their_titles() -> None:
    cards = re.findall(r'<a href="/kb/en/([a-z0-9-]+)">\s*<h3>([^<]+)</h3>', PAGE)
    assert len(cards) >= 8
    for article_id, title in cards:
        assert KB["en"].articles[article_id].title == html.unescape(title), article_id


# --- every fact of the guidelines is said somewhere -------------------------------------

# DESIGN.md's table, as the words that carry each fact (English | Russian). A fact counts
# as said when every one of its words appears in one article passage of that language.
GUIDELINE_FACTS = {
    "help center at support.zoom.us, 24/7": (["support.zoom.us", "24/7"],
                                             ["support.zoom.us", "24/7"]),
    "chatbot on the right side of every page": (["right side", "every Help Center page"],
                                                ["правой части", "каждой страницы"]),
    "Basic: unlimited online resources": (["unlimited", "training videos", "knowledge base",
                                           "user guides"],
                                          ["неограниченный", "обучающим видео", "базе знаний",
                                           "руководствам пользователя"]),
    "Basic: virtual support through the chatbot": (["virtual support", "chatbot"],
                                                   ["виртуальная поддержка", "чат-бота"]),
    "licensed paid: full web support": (["full web support"], ["полную веб-поддержку"]),
    "paid owners/admins: live chat and web tickets": (
        ["owners and admins", "live chat", "web tickets"],
        ["владельцам и администраторам", "чат", "веб-заявки"]),
    "Business/Education/Enterprise/API: phone as an option": (
        ["Business", "Education", "Enterprise", "API", "phone", "option"],
        ["«Бизнес»", "«Образование»", "«Предприятие»", "API", "телефону", "опци"]),
    "everyone: self-service for abuse, billing, sales": (
        ["self-service", "abuse", "billing discrepancy", "sales"],
        ["самообслуживания", "оскорбительных действиях", "расхождениях в оплате",
         "отдел продаж"]),
    "social media news and tips": (["news", "tips", "social networks"],
                                   ["новости", "советы", "социальных сетях"]),
    "web ticket: describe in detail": (["web ticket", "in detail"], ["веб-заявку", "Подробно"]),
    "live chat 24/7 with a specialist": (["live chat", "support specialist", "24/7"],
                                         ["чат", "специалистом группы поддержки", "24/7"]),
    "phone: prepare meeting ID and host key": (["personal meeting ID", "host key"],
                                               ["персональный идентификатор конференции",
                                                "ключ организатора"]),
    "phone: extension 2": (["extension 2"], ["добавочный номер 2"]),
    "P1: down or critically degraded, no workaround, 24/7": (
        ["P1 Urgent", "down", "no workaround", "24/7"],
        ["Срочный", "не работает", "обходных решений нет", "24/7"]),
    "P1 examples: transmission services, software functions": (
        ["transmission services", "software functions"],
        ["сервисов передачи", "функций программного обеспечения"]),
    "P2: significant components, partial or no workaround": (
        ["P2 High", "significant components", "partial"],
        ["Высокий", "значимые компоненты", "частичные"]),
    "P2 cause: insufficient network capacity or other software problems": (
        ["insufficient network capacity", "other software problems"],
        ["недостаточная пропускная способность сети", "другие проблемы, связанные с ПО"]),
    "P2 resources: business hours plus off-hours when justified": (
        ["business hours", "off-hours", "justified"],
        ["рабочее время", "внерабочее время", "обоснованной необходимости"]),
    "P3: a feature, no performance degradation": (
        ["P3 Normal", "feature", "not degraded"],
        ["Нормальный", "функцией", "не снижается"]),
    "P4: information, installation, configuration, feature and alpha/beta requests": (
        ["P4 Low", "installation", "configuration", "feature requests", "alpha/beta"],
        ["Низкий", "установке", "настройке", "функций", "альфа/бета"]),
    "P4: little or no business impact": (["little or no impact on your business"],
                                         ["незначительном влиянии"]),
    "target response time: until notified that it is registered": (
        ["receives", "notified", "registered"],
        ["получает", "уведомление о регистрации"]),
    "target response times: 1, 4, 24, 24 hours": (
        ["1 hour", "4 hours", "24 hours"], ["1 час", "4 часа", "24 часа"]),
}


def missing_facts(lang: str) -> list[str]:
    passages = [p.text for p in KB[lang].passages]
    index = 0 if lang == "en" else 1
    return [fact for fact, words in GUIDELINE_FACTS.items()
            if not any(all(w.lower() in text.lower() for w in words[index])
                       for text in passages)]


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_every_guideline_fact_is_said_somewhere(lang: str) -> None:
    assert missing_facts(lang) == [], f"guideline facts the {lang} product never states"


def test_every_phone_number_of_the_guidelines_is_said_in_both_languages() -> None:
    guidelines = (ROOT.parent / "shared" / "seed" / "support-guidelines.ru.txt")
    numbers = set(PHONE.findall(guidelines.read_text(encoding="utf-8"))) \
        if guidelines.exists() else DIRECTORY
    assert numbers == DIRECTORY
    for lang in KB:
        assert numbers <= set(PHONE.findall(article_text(lang, "phone-support")))
