"""Text helpers shared by search and the actions: normalising, tokenising, language guess.

Tokens work for both of the assistant's languages: Latin words get a light English
stemmer, Cyrillic words the Snowball Russian one (bot/russian_stem.py), ё is read as е.
"""

from __future__ import annotations

import re
import unicodedata

from bot.russian_stem import stem as stem_ru

_TOKEN = re.compile(r"[a-z0-9а-я]+(?:[.'][a-z0-9а-я]+)*")
_CYRILLIC = re.compile(r"[а-я]")
_CONTROL = {"Cc", "Cf", "Cs", "Co", "Cn"}

STOPWORDS = frozenset(
    """
    a about above after again all am an and any are as at be been being below between
    both but by can could did do does doing down during each few for from further had
    has have having he her here hers herself him himself his how i if in into is it its
    itself just me more most my myself no nor not now of off on once only or other our
    ours ourselves out over own same she should so some such than that the their theirs
    them themselves then there these they this those through to too under until up very
    was we were what when where which while who whom why will with would you your yours
    yourself yourselves im ive id dont cant wont pls please hi hello hey thanks thank
    get got want need tell know let lets us s t u ur r ok okay yes
    """.split()  # noqa: SIM905 - a word list reads better as text
)
STOPWORDS_RU = frozenset(
    """
    и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только
    ее мне было вот от меня еще нет о об из ему теперь когда даже ну ли если уже или ни быть
    был него до вас нибудь уж вам ведь там потом себя ей может они тут где есть надо ней для
    мы тебя их чем была сам чтоб чтобы без будто чего раз тоже себе под будет ж тогда кто этот
    того потому этого какой какая какие каким какое совсем ним здесь этом почти мой тем нее
    сейчас были куда зачем всех никогда при хоть после над через эти нас про всего них много
    разве эту моя свою этой перед иногда чуть том такой им более всегда конечно всю между
    пожалуйста здравствуйте привет добрый день подскажите скажите хочу хотел хотела нужно
    нужен нужна мою наш наша наши нам наше ваш ваша ваши вашей вашего это эта эти мои мой
    можно ок окей спасибо
    """.split()  # noqa: SIM905 - a word list reads better as text
)


def clean(text: str, limit: int = 4000) -> str:
    """Drop control and format characters (keeping newlines and tabs), trim, bound length."""
    kept = []
    for ch in text[: limit * 2]:
        if ch in "\n\t" or unicodedata.category(ch) not in _CONTROL:
            kept.append(ch)
    return "".join(kept).strip()[:limit]


def stem(word: str) -> str:
    """A deliberately light English stemmer: enough to match ticket/tickets, call/calling."""
    for suffix, repl in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            if suffix == "es" and not word.endswith(("ches", "shes", "xes", "sses")):
                continue
            return word[: -len(suffix)] + repl
    return word


def fold(text: str) -> str:
    """Lower case, Latin accents dropped (café -> cafe), ё -> е; й stays й."""
    kept: list[str] = []
    for ch in unicodedata.normalize("NFKD", text.lower().replace("ё", "е")):
        if unicodedata.combining(ch) and not (kept and _CYRILLIC.match(kept[-1])):
            continue
        kept.append(ch)
    return unicodedata.normalize("NFC", "".join(kept))


def stem_word(word: str) -> str:
    """The stem of one folded word, by its script: Russian Snowball or light English."""
    return stem_ru(word) if _CYRILLIC.search(word) else stem(word)


def tokens(text: str) -> list[str]:
    """Folded word tokens in either language, stop words removed, stemmed."""
    return [stem_word(t) for t in _TOKEN.findall(fold(text))
            if t not in STOPWORDS and t not in STOPWORDS_RU and len(t) > 1]


def has_letters(text: str) -> bool:
    return any(ch.isalpha() for ch in text)


def looks_unsupported(text: str) -> bool:
    """True when most letters are in neither of the assistant's scripts (Latin for English,
    Cyrillic for Russian): CJK, Arabic, Greek..."""
    letters = [ch for ch in text if ch.isalpha()]
    if len(letters) < 3:
        return False
    known = sum(1 for ch in letters
                if unicodedata.name(ch, "").startswith(("LATIN", "CYRILLIC")))
    return known / len(letters) < 0.5


def looks_non_english(text: str) -> bool:
    """True when most letters are outside the Latin script (Cyrillic, CJK, Arabic...)."""
    letters = [ch for ch in text if ch.isalpha()]
    if len(letters) < 3:
        return False
    latin = sum(1 for ch in letters if "LATIN" in unicodedata.name(ch, ""))
    return latin / len(letters) < 0.5


def quoted(text: str, limit: int = 200) -> str:
    """A user's own words echoed in a bot message, as literal text: a code span (which the
    pages render as text, never as a link or markup), backticks and line breaks taken
    out so the words cannot end it early. A customer cannot plant a link or formatting in
    an assistant bubble by choosing what the bot repeats."""
    words = " ".join(text.replace("`", "'").split())[:limit]
    return f"`{words}`" if words else "``"


_PERSONAL = re.compile(
    r"\b(?:my|our|me|mine|i|i'm|im|we|we're|us)\b"
    r"|(?<!\w)(?:мой|моя|моё|мое|мои|моего|моей|моему|моём|моем|моих|наш|наша|наше|наши|"
    r"нашего|нашей|нашем|нам|нас|мне|меня|я)(?!\w)", re.IGNORECASE)


def is_personal(text: str) -> bool:
    """Whether a question is about the asker ("what does my plan include", "что мне
    положено") rather than about plans in general."""
    return bool(_PERSONAL.search(text))


# The plans' names as people write them, in both languages ("business hours" and the like
# are not the Business plan); not paying names the free plan too.
_PLAN_NAMES = {
    "basic": r"basic|free|unpaid|non-paying|(?:don't|do not|not) pay(?:ing)?|without paying"
             r"|бесплатн\w*|базов\w*|не плач\w*|не плат\w*|без оплаты",
    "pro": r"pro|профессиональн\w*",
    # paid or licensed plans in general: all of them (so "free or paid" names two articles)
    "paid": r"paid|licensed|платн\w*|лицензированн\w*",
    "business": r"business(?!\s+(?:hours?|days?|impact))|бизнес\w*",
    "education": r"education\w*|образовани\w*",
    "enterprise": r"enterprise|предприяти\w*|корпоративн\w*",
    "api": r"api",
}
_PLAN = {plan: re.compile(rf"(?<!\w)(?:{words})(?!\w)", re.IGNORECASE)
         for plan, words in _PLAN_NAMES.items()}


_PAID = ("pro", "business", "education", "enterprise", "api")


def named_plans(text: str) -> set[str]:
    """The support plans a message names ("we're on Enterprise", «на тарифе Pro»; "paid"
    names every paid plan)."""
    folded = text.replace("ё", "е").replace("Ё", "Е")
    found = {plan for plan, pattern in _PLAN.items() if pattern.search(folded)}
    if "paid" in found:
        found = (found - {"paid"}) | set(_PAID)
    return found
