"""The held-out evaluation questions must appear nowhere in the training data."""

import re

import yaml

from scripts.stack import ROOT


def normalise(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def test_no_heldout_question_is_in_the_training_data() -> None:
    questions = yaml.safe_load((ROOT / "tests" / "eval" / "heldout.yml").read_text())["questions"]
    assert len(questions) >= 60
    training = set()
    for path in (ROOT / "data" / "nlu").rglob("*.yml"):
        for block in yaml.safe_load(path.read_text())["nlu"]:
            for line in block.get("examples", "").splitlines():
                training.add(normalise(line.lstrip("- ")))
    leaked = [q["q"] for q in questions if normalise(q["q"]) in training]
    assert leaked == []
