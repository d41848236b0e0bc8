"""`make validate`: `rasa data validate`, failing on every warning it prints.

Two exceptions, checked rather than ignored: Rasa warns that a response "is not used in
any story or rule" when only a custom action dispatches it, or when a form asks for a
slot with it. Such a warning passes only if an action in `actions/` really sends that
response (`response="utter_..."`), or if it is `utter_ask_<slot>` /
`utter_ask_<form>_<slot>` for a slot that a form in domain.yml requires.
"""

from __future__ import annotations

import re
import subprocess
import sys

import yaml

from scripts.stack import ROOT, VENV_BIN, base_env

UNUSED = re.compile(r"The utterance '(utter_\w+)' is not used in any story or rule")
WARNING = re.compile(r"UserWarning: (.*)")


def dispatched_by_actions() -> set[str]:
    found: set[str] = set()
    for path in (ROOT / "actions").rglob("*.py"):
        found.update(re.findall(r"response=\"(utter_\w+)\"", path.read_text()))
    return found


def asked_by_forms() -> set[str]:
    domain = yaml.safe_load((ROOT / "domain.yml").read_text())
    found: set[str] = set()
    for form, spec in (domain.get("forms") or {}).items():
        for slot in spec.get("required_slots") or []:
            found.update({f"utter_ask_{slot}", f"utter_ask_{form}_{slot}"})
    return found


def main() -> int:
    result = subprocess.run(
        [str(VENV_BIN / "rasa"), "data", "validate", "--config", "config.yml",
         "--domain", "domain.yml", "--data", "data/nlu", "data/rules", "data/stories"],
        cwd=ROOT, env={**base_env(), "PYTHONWARNINGS": "default::UserWarning"},
        capture_output=True, text=True, check=False,
    )
    output = result.stdout + result.stderr
    allowed = dispatched_by_actions() | asked_by_forms()
    problems = []
    for message in WARNING.findall(output):
        unused = UNUSED.search(message)
        if unused and unused.group(1) in allowed:
            continue
        problems.append(message.strip())
    if result.returncode != 0:
        print(output[-4000:])
        print(f"rasa data validate failed (exit {result.returncode})")
        return 1
    for problem in problems:
        print(f"warning: {problem}")
    if problems:
        print(f"rasa data validate: {len(problems)} warning(s); failing.")
        return 1
    print(f"rasa data validate: no warnings (responses sent by actions or forms: {len(allowed)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
