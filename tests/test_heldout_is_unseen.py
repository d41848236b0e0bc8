"""The held-out evaluation questions must appear nowhere in the training data, in any of
the held-out files and in either language."""

import re

import pytest
import yaml

from scripts.stack import ROOT

SETS = sorted((ROOT / "tests" / "eval").glob("heldout*.yml"))


def normalise(text: str) -> str:
    return re.sub(r"[^a-z0-9а-я]+", " ", text.lower().replace("ё", "е")).strip()


def training_examples() -> set[str]:
    found = set()
    for path in (ROOT / "data" / "nlu").rglob("*.yml"):
        for block in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
            for line in block.get("examples", "").splitlines():
                found.add(normalise(line.strip().removeprefix("- ")))
    return found


def test_all_three_held_out_sets_are_there() -> None:
    assert {p.name for p in SETS} >= {"heldout.yml", "heldout.en.yml", "heldout.ru.yml"}


@pytest.mark.parametrize("path", SETS, ids=[p.name for p in SETS])
def test_no_heldout_question_is_in_the_training_data(path: object) -> None:
    questions = yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]  # type: ignore[attr-defined]
    assert len(questions) >= 60
    training = training_examples()
    assert any(re.search("[а-я]", t) for t in training)  # Russian examples are compared too
    leaked = [q["q"] for q in questions if normalise(q["q"]) in training]
    assert leaked == []
