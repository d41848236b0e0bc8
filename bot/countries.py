"""Recognise a country in a user's words (English or Russian, any case ending) or in the
page's metadata, and name it in either language.

The phone directory (data/support_policy.yml) has numbers for a few countries only; the
others are here so that "I'm in Germany" / «звоню из Германии» is understood and answered
with "there is no local number for Germany", not "I didn't recognise that country".
"""

from __future__ import annotations

import re

from bot.text import fold

# ISO code -> (English name, Russian name, English aliases, Russian word pattern).
# Russian patterns match the word's start, so every case ending is covered.
_TABLE: dict[str, tuple[str, str, tuple[str, ...], str]] = {
    "US": ("the United States", "США",
           ("us", "the us", "the usa", "usa", "u.s", "u.s.a", "united states", "america",
            "the states", "united states of america", "new york", "san francisco",
            "los angeles", "chicago", "boston", "seattle", "austin", "san jose"),
           r"сша|штат(?:ы|ах|ов)\b|америк\w*|соединенн\w* штат\w*|нью-йорк\w*"),
    "AU": ("Australia", "Австралия", ("australia", "aus", "sydney", "melbourne", "brisbane",
                                      "perth", "adelaide", "canberra"),
           r"австрали\w*|сидне\w*|сидней\w*|мельбурн\w*"),
    "FR": ("France", "Франция", ("france", "french", "paris", "lyon", "marseille",
                               "toulouse"), r"франци\w*|париж\w*|лион\w*"),
    "IN": ("India", "Индия", ("india", "mumbai", "bombay", "delhi", "new delhi", "bangalore",
                             "bengaluru", "chennai", "hyderabad", "pune", "kolkata"),
           r"инди(?:я|и|ю|ей)\b|мумба\w*|дели\b|бангалор\w*"),
    "JP": ("Japan", "Япония", ("japan", "japanese", "tokyo", "osaka", "kyoto", "yokohama",
                              "nagoya"), r"япони\w*|токио|осак\w*|киото"),
    "NZ": ("New Zealand", "Новая Зеландия", ("new zealand", "nz", "auckland", "wellington",
                                            "christchurch"),
           r"нов\w* зеланди\w*|зеланди\w*|окленд\w*|веллингтон\w*"),
    "SG": ("Singapore", "Сингапур", ("singapore",), r"сингапур\w*"),
    "GB": ("the United Kingdom", "Великобритания",
           ("uk", "the uk", "u.k", "united kingdom", "britain", "great britain", "england",
            "scotland", "wales", "london", "manchester", "birmingham", "edinburgh",
            "glasgow", "leeds", "bristol", "liverpool"),
           r"великобритани\w*|британи\w*|англи(?:я|и|ю|ей)\b|лондон\w*|шотланди\w*|"
           r"манчестер\w*|эдинбург\w*"),
    "DE": ("Germany", "Германия", ("germany", "german", "berlin"), r"германи\w*|берлин\w*"),
    "RU": ("Russia", "Россия", ("russia", "moscow"), r"росси(?:я|и|ю|ей)\b|рф\b|москв\w*"),
    "UA": ("Ukraine", "Украина", ("ukraine", "kyiv", "kiev"), r"украин\w*|киев\w*"),
    "BY": ("Belarus", "Беларусь", ("belarus",), r"беларус\w*|белорусси\w*|минск\w*"),
    "KZ": ("Kazakhstan", "Казахстан", ("kazakhstan",), r"казахстан\w*|алмат\w*"),
    "CA": ("Canada", "Канада", ("canada",), r"канад\w*"),
    "MX": ("Mexico", "Мексика", ("mexico",), r"мексик\w*"),
    "BR": ("Brazil", "Бразилия", ("brazil",), r"бразили\w*"),
    "AR": ("Argentina", "Аргентина", ("argentina",), r"аргентин\w*"),
    "ES": ("Spain", "Испания", ("spain",), r"испани\w*"),
    "PT": ("Portugal", "Португалия", ("portugal",), r"португали\w*"),
    "IT": ("Italy", "Италия", ("italy",), r"итали\w*"),
    "NL": ("the Netherlands", "Нидерланды", ("netherlands", "holland"),
           r"нидерланд\w*|голланди\w*"),
    "BE": ("Belgium", "Бельгия", ("belgium",), r"бельги\w*"),
    "CH": ("Switzerland", "Швейцария", ("switzerland",), r"швейцари\w*"),
    "AT": ("Austria", "Австрия", ("austria",), r"австри(?:я|и|ю|ей)\b"),
    "PL": ("Poland", "Польша", ("poland",), r"польш\w*"),
    "CZ": ("Czechia", "Чехия", ("czechia", "czech republic"), r"чехи\w*"),
    "SE": ("Sweden", "Швеция", ("sweden",), r"швеци\w*"),
    "NO": ("Norway", "Норвегия", ("norway",), r"норвеги\w*"),
    "FI": ("Finland", "Финляндия", ("finland",), r"финлянди\w*"),
    "DK": ("Denmark", "Дания", ("denmark",), r"дани(?:я|и|ю|ей)\b"),
    "IE": ("Ireland", "Ирландия", ("ireland",), r"ирланди\w*"),
    "GR": ("Greece", "Греция", ("greece",), r"греци\w*"),
    "TR": ("Turkey", "Турция", ("turkey", "turkiye"), r"турци\w*"),
    "IL": ("Israel", "Израиль", ("israel",), r"израил\w*"),
    "AE": ("the United Arab Emirates", "ОАЭ", ("uae", "united arab emirates", "dubai"),
           r"оаэ|эмират\w*|дуба\w*"),
    "EG": ("Egypt", "Египет", ("egypt",), r"египт\w*|египет"),
    "ZA": ("South Africa", "ЮАР", ("south africa",), r"юар|южн\w* африк\w*"),
    "NG": ("Nigeria", "Нигерия", ("nigeria",), r"нигери\w*"),
    "CN": ("China", "Китай", ("china",), r"кита(?:й|я|е|ю|ем)\b"),
    "KR": ("South Korea", "Южная Корея", ("korea", "south korea"), r"коре(?:я|и|ю|ей)\b"),
    "HK": ("Hong Kong", "Гонконг", ("hong kong",), r"гонконг\w*"),
    "TW": ("Taiwan", "Тайвань", ("taiwan",), r"тайван\w*"),
    "TH": ("Thailand", "Таиланд", ("thailand",), r"таиланд\w*|тайланд\w*"),
    "VN": ("Vietnam", "Вьетнам", ("vietnam",), r"вьетнам\w*"),
    "MY": ("Malaysia", "Малайзия", ("malaysia",), r"малайзи\w*"),
    "ID": ("Indonesia", "Индонезия", ("indonesia",), r"индонези\w*"),
    "PH": ("the Philippines", "Филиппины", ("philippines",), r"филиппин\w*"),
    "PK": ("Pakistan", "Пакистан", ("pakistan",), r"пакистан\w*"),
    "GE": ("Georgia", "Грузия", ("georgia",), r"грузи(?:я|и|ю|ей)\b"),
    "AM": ("Armenia", "Армения", ("armenia",), r"армени\w*"),
    "UZ": ("Uzbekistan", "Узбекистан", ("uzbekistan",), r"узбекистан\w*"),
}
# Two-letter codes that are also ordinary words only count when the whole answer is the code.
_AMBIGUOUS = {"in", "us", "au", "fr", "jp", "sg", "gb", "nz", "it", "no", "be", "at", "id",
              "my", "ie", "ch", "es", "pt", "de", "ca"}
_RU = [(code, re.compile(rf"(?<![а-я])(?:{spec[3]})")) for code, spec in _TABLE.items()]


def find(text: str) -> str | None:
    """ISO code of the first country named in `text` (either language), or None."""
    lowered = fold(text).strip()
    bare = lowered.strip(" .!?")
    if bare.upper() in _TABLE or bare == "uk":
        return "GB" if bare == "uk" else bare.upper()
    # Keep dots inside abbreviations (u.s.a) but not at the end of a word ("Japan.").
    padded = " " + re.sub(r"\.(?![a-z])|[^a-z. ]+", " ", lowered) + " "
    best: tuple[int, str] | None = None
    for code, spec in _TABLE.items():
        for name in spec[2]:
            if name in _AMBIGUOUS:
                continue
            pos = padded.find(f" {name} ")
            if pos >= 0 and (best is None or pos < best[0]):
                best = (pos, code)
    if best:
        return best[1]
    found = [(m.start(), code) for code, pattern in _RU if (m := pattern.search(lowered))]
    return min(found)[1] if found else None


def from_metadata(value: object) -> str | None:
    if isinstance(value, str) and len(value) == 2 and value.isalpha():
        code = value.upper()
        return "GB" if code == "UK" else code
    return None


def name(code: str, language: str = "en") -> str:
    """The country's name in `language` (the code itself for a country not listed)."""
    spec = _TABLE.get(code)
    if spec is None:
        return code
    return spec[1] if language == "ru" else spec[0]
