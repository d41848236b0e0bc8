"""The pages' texts in both languages, without a browser: the widget's and the console's
message catalogue (handoff/static/i18n.js, checked by node's test runner) and the demo
help-center page's Russian texts (the JSON block of handoff/static/index.html)."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot import knowledge

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
PAGE = (ROOT / "handoff" / "static" / "index.html").read_text(encoding="utf-8")


@pytest.fixture(autouse=True)
def fresh() -> Iterator[None]:
    """These tests need no stack (this replaces the suite's Redis reset)."""
    yield


def test_message_catalogues_with_nodes_test_runner() -> None:
    node = shutil.which("node")
    assert node, "node is missing (Debian: apt-get install nodejs)"
    run = subprocess.run([node, "--test", str(HERE / "i18n.test.js")], capture_output=True,
                         text=True, timeout=120, cwd=ROOT, check=False)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert re.search(r"^# pass [1-9]", run.stdout, re.M), run.stdout[-2000:]
    assert re.search(r"^# fail 0$", run.stdout, re.M), run.stdout[-2000:]


def page_texts() -> dict[str, dict[str, object]]:
    block = re.search(r'<script type="application/json" id="page-texts">(.*?)</script>',
                      PAGE, re.S)
    assert block, "index.html has no #page-texts block"
    texts = json.loads(block.group(1))
    assert set(texts) == {"en", "ru"}
    return dict(texts)


def test_demo_page_has_every_text_in_russian() -> None:
    texts = page_texts()
    marked = set(re.findall(r'data-i18n(?:-[a-z-]+)?="([^"]+)"', PAGE))
    cards = re.findall(r'data-card="([a-z0-9-]+)"', PAGE)
    assert len(cards) >= 8
    for card in cards:
        marked |= {f"card.{card}.title", f"card.{card}.text", f"card.{card}.keywords"}
    made_by_script = set(texts["en"])  # demo.js's own texts: English lives in the block
    assert not marked & made_by_script
    assert set(texts["ru"]) == marked | made_by_script | {"page.title"}
    for lang, table in texts.items():
        for key, value in table.items():
            forms = value.values() if isinstance(value, dict) else [value]
            assert all(isinstance(f, str) and f.strip() for f in forms), (lang, key)
            words = [re.sub(r"\{\w+\}", "", f) for f in forms]
            if lang == "ru" and any(re.search(r"[^\W\d_]", w) for w in words):
                assert all(re.search("[а-яё]", w, re.I) for w in words), (key, value)


def test_demo_page_cards_name_the_russian_articles_by_their_titles() -> None:
    ru = page_texts()["ru"]
    kb = knowledge.load("ru")
    for card in re.findall(r'data-card="([a-z0-9-]+)"', PAGE):
        assert card in kb.articles, card
        assert ru[f"card.{card}.title"] == kb.articles[card].title, card
        # the English card under the same id links the same article
        assert re.search(rf'data-card="{card}"[^>]*>\s*<a href="/kb/en/{card}">', PAGE), card


def test_demo_page_russian_texts_state_no_number_the_guidelines_lack() -> None:
    """tests/test_facts.py reads index.html whole (so the JSON block too); here the
    Russian texts alone: no phone numbers or hours at all, "24/7" said in words."""
    for key, value in page_texts()["ru"].items():
        for text in value.values() if isinstance(value, dict) else [value]:
            assert not re.search(r"\d+\s*час", str(text)), key
            assert not re.search(r"\+?\d[\d.]{6,}", html.unescape(str(text))), key
