"""`make eval`: how often the bot answers unseen questions right, in English and in
Russian, and intent F1 per language.

1. Held-out questions (tests/eval/heldout*.yml, written apart from the training data and
   never copied into data/nlu) are asked one by one, each in a fresh conversation, through
   the real stack (Rasa REST + action server + Redis). An item may ask as a signed-in demo
   user (`user`: a token is signed as the help center would) and from a page country
   (`country`). It counts as right when the reply links the expected article first and
   contains every string in `facts`; a "did you mean" that offers it is reported apart and
   does not count. Shares are printed per file and per language (the question's language
   by bot.language.detect).
2. The NLU data is split 80/20 (fixed seed), an NLU-only model is trained on 80% and
   tested on the other 20%; intent F1 (weighted and macro) is printed for each language.

`--compare` also measures the other design (one NLU model per language, each trained on
its language's 80% only) on the same split and on the held-out questions (the share whose
predicted intent points at the expected article), beside the shipped single pipeline.
`--no-f1` skips the training part; `--no-heldout` skips the stack part.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import secrets
import subprocess
import sys
import tempfile
import urllib.request
import uuid
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import yaml

from bot import identity, knowledge
from bot.language import detect
from scripts import stack
from scripts.stack import MODEL, ROOT, VENV_BIN, RedisTarget, base_env

OUT = ROOT / "var" / "eval"
SETS = ("heldout.yml", "heldout.en.yml", "heldout.ru.yml")
TARGETS = {"en": 0.95, "ru": 0.90}
ARTICLE_LINK = re.compile(r"/kb/[a-z]{2}/([a-z0-9-]+)\)")
# Intents that are not answered by an article of their own, and the article they lead to.
INTENT_ARTICLE = {"phone_number": "phone-support", "request_human": "live-chat",
                  "ask_human_possible": "live-chat", "open_ticket": "web-tickets"}


def load_set(name: str) -> list[dict[str, Any]]:
    raw = yaml.safe_load((ROOT / "tests" / "eval" / name).read_text(encoding="utf-8"))
    return list(raw["questions"])


def question_language(item: dict[str, Any]) -> str:
    return detect(str(item["q"])) or "en"


def ask(port: int, sender: str, text: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
    body = json.dumps({"sender": sender, "message": text, "metadata": metadata}).encode()
    req = urllib.request.Request(f"http://127.0.0.1:{port}/webhooks/rest/webhook", body,
                                 {"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as resp:
        return list(json.load(resp))


def metadata_for(item: dict[str, Any]) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    if item.get("user"):
        meta["token"] = identity.issue(str(item["user"]), identity.secret_from_env(), 3600)
    if item.get("country"):
        meta["country"] = str(item["country"])
    return meta


def judge(item: dict[str, Any], replies: list[dict[str, Any]]) -> tuple[str, str]:
    """('right' | 'suggested' | 'wrong', what was got)."""
    text = "\n".join(str(r.get("text") or "") for r in replies)
    linked = ARTICLE_LINK.findall(text)
    payloads = [str(b.get("payload", "")) for r in replies for b in r.get("buttons") or []]
    missing = [f for f in item.get("facts") or [] if str(f).casefold() not in text.casefold()]
    if linked and linked[0] == item["article"]:
        if not missing:
            return "right", item["article"]
        return "wrong", f"{item['article']} without {missing}"
    offered = any(item["article"].replace("-", "_") in p for p in payloads)
    got = linked[0] if linked else ("did-you-mean" if payloads else "no answer")
    return ("suggested" if offered else "wrong"), got


def heldout() -> bool:
    sets = {name: load_set(name) for name in SETS if (ROOT / "tests" / "eval" / name).exists()}
    tmp = Path(tempfile.mkdtemp(prefix="hc-eval-"))
    redis_port, rasa_port, actions_port = stack.free_port(), stack.free_port(), stack.free_port()
    redis = stack.start_redis(redis_port, tmp / "redis", tmp, aof=False)
    env = {**RedisTarget("127.0.0.1", redis_port).env(), "ACTIONS_PORT": str(actions_port)}
    actions = stack.start_actions(actions_port, tmp, env)
    rasa = stack.start_rasa(rasa_port, MODEL, tmp, env)
    by_language: dict[str, Counter[str]] = defaultdict(Counter)
    misses: list[tuple[str, str, str, str]] = []
    try:
        stack.wait_actions(actions_port, actions)
        stack.wait_rasa(rasa_port, rasa, timeout=240)
        for name, items in sets.items():
            counts: Counter[str] = Counter()
            for item in items:
                replies = ask(rasa_port, f"eval-{uuid.uuid4().hex[:8]}", str(item["q"]),
                              metadata_for(item))
                verdict, got = judge(item, replies)
                counts[verdict] += 1
                by_language[question_language(item)][verdict] += 1
                if verdict != "right":
                    misses.append((name, str(item["q"]), item["article"], got))
            total = sum(counts.values())
            print(f"{name}: {counts['right']}/{total} = {counts['right'] / total:.1%} right "
                  f"(article and facts); {counts['suggested']} more under 'did you mean'")
    finally:
        for svc in (rasa, actions, redis):
            svc.stop()
    ok = True
    for lang, counts in sorted(by_language.items()):
        total = sum(counts.values())
        share = counts["right"] / total
        goal = TARGETS.get(lang, 0.9)
        ok &= share >= goal
        print(f"language {lang}: {counts['right']}/{total} = {share:.1%} (goal >= {goal:.0%})")
    for name, q, want, got in misses:
        print(f"  miss [{name}] {q!r}: want {want}, got {got}")
    by_article = Counter(m[2] for m in misses)
    if by_article:
        print("  misses by article:", dict(by_article.most_common()))
    return ok


# --- intent F1 -------------------------------------------------------------------------

def rasa(*args: str) -> None:
    subprocess.run([str(VENV_BIN / "rasa"), *args], cwd=ROOT, env=base_env(), check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def split() -> Path:
    out = OUT / "split"
    rasa("data", "split", "nlu", "--nlu", "data/nlu", "--training-fraction", "0.8",
         "--random-seed", "7", "--out", str(out))
    return out


def examples(path: Path) -> list[tuple[str, str]]:
    """(text, intent) of every example in a Rasa NLU YAML file."""
    found = []
    for block in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
        for line in str(block.get("examples", "")).splitlines():
            text = line.strip()
            if text.startswith("- "):
                found.append((text[2:].strip(), str(block["intent"])))
    return found


def write_examples(path: Path, items: list[tuple[str, str]]) -> None:
    grouped: dict[str, list[str]] = defaultdict(list)
    for text, intent in items:
        grouped[intent].append(text)
    data = {"version": "3.1", "nlu": [
        {"intent": intent, "examples": "".join(f"- {t}\n" for t in texts)}
        for intent, texts in grouped.items()]}
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
                    encoding="utf-8")


def train_nlu(training: Path, name: str, language: str = "en") -> Path:
    config = OUT / f"config-{language}.yml"
    raw = yaml.safe_load((ROOT / "config.yml").read_text())
    raw["language"] = language
    config.write_text(yaml.safe_dump(raw, sort_keys=False))
    rasa("train", "nlu", "--config", str(config), "--nlu", str(training),
         "--out", str(OUT / "models"), "--fixed-model-name", name)
    return OUT / "models" / f"{name}.tar.gz"


def predict(model: Path, texts: list[str]) -> list[str]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))

    async def run() -> list[str]:
        out = []
        for text in texts:
            parsed = await agent.parse_message(text)
            out.append(str((parsed.get("intent") or {}).get("name") or ""))
        return out

    return asyncio.run(run())


def f1_report(pairs: list[tuple[str, str]]) -> tuple[float, float]:
    """(weighted F1, macro F1) of (true, predicted) intent pairs."""
    labels = sorted({t for t, _ in pairs})
    scores, weights = [], []
    for label in labels:
        tp = sum(1 for t, p in pairs if t == label and p == label)
        fp = sum(1 for t, p in pairs if t != label and p == label)
        fn = sum(1 for t, p in pairs if t == label and p != label)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        scores.append(2 * precision * recall / (precision + recall) if tp else 0.0)
        weights.append(tp + fn)
    weighted = sum(s * w for s, w in zip(scores, weights, strict=True)) / max(1, sum(weights))
    return weighted, sum(scores) / max(1, len(scores))


def heldout_article_share(model_for: dict[str, Path]) -> dict[str, float]:
    """Share of held-out questions whose predicted intent points at the expected article."""
    kb = knowledge.load()
    items = [i for name in SETS if (ROOT / "tests" / "eval" / name).exists()
             for i in load_set(name)]
    shares = {}
    for lang in ("en", "ru"):
        mine = [i for i in items if question_language(i) == lang]
        model = model_for.get(lang, model_for.get("all"))
        if not mine or model is None:
            continue
        predicted = predict(model, [str(i["q"]) for i in mine])
        right = 0
        for item, intent in zip(mine, predicted, strict=True):
            article = kb.for_intent(intent)
            target = article.id if article else INTENT_ARTICLE.get(intent)
            right += target == item["article"] or (intent == "faq_support_options"
                                                   and item["article"] == "support-options")
        shares[lang] = right / len(mine)
    return shares


def intent_f1(compare: bool) -> None:
    print("\ntraining an NLU model on an 80% split of data/nlu (both languages)...", flush=True)
    parts = split()
    test = examples(parts / "test_data.yml")
    train = examples(parts / "training_data.yml")
    one = train_nlu(parts / "training_data.yml", "nlu-both")
    predicted = predict(one, [t for t, _ in test])
    results: dict[str, dict[str, Any]] = {"one pipeline (shipped)": {}}
    for lang in ("en", "ru"):
        pairs = [(intent, p) for (text, intent), p in zip(test, predicted, strict=True)
                 if (detect(text) or "en") == lang]
        weighted, macro = f1_report(pairs)
        results["one pipeline (shipped)"][lang] = (weighted, macro, len(pairs))
        print(f"intent F1 [{lang}] on the held-out 20% split: weighted {weighted:.3f}, "
              f"macro {macro:.3f} (support {len(pairs)})")
    if not compare:
        return
    print("\n(b) one NLU model per language, each on its language's 80% only...", flush=True)
    models: dict[str, Path] = {}
    results["one model per language"] = {}
    for lang in ("en", "ru"):
        own_train = [(t, i) for t, i in train if (detect(t) or "en") == lang]
        own_test = [(t, i) for t, i in test if (detect(t) or "en") == lang]
        path = OUT / f"train-{lang}.yml"
        write_examples(path, own_train)
        models[lang] = train_nlu(path, f"nlu-{lang}", lang)
        got = predict(models[lang], [t for t, _ in own_test])
        weighted, macro = f1_report([(i, p) for (_, i), p in zip(own_test, got, strict=True)])
        results["one model per language"][lang] = (weighted, macro, len(own_test))
        print(f"intent F1 [{lang}], own model: weighted {weighted:.3f}, macro {macro:.3f}")
    print("\nheld-out questions whose NLU intent points at the expected article:")
    for label, model_for in (("one pipeline (shipped)", {"all": one}),
                             ("one model per language", models)):
        shares = heldout_article_share(model_for)
        print(f"  {label}: " + ", ".join(f"{k} {v:.1%}" for k, v in shares.items()))


def main() -> int:
    # its own stack signs and verifies with a secret of its own (never one in the source)
    os.environ.setdefault("HELP_CENTER_SECRET", secrets.token_hex(32))
    ok = True
    if "--no-heldout" not in sys.argv:
        ok = heldout()
    if "--no-f1" not in sys.argv:
        OUT.mkdir(parents=True, exist_ok=True)
        intent_f1("--compare" in sys.argv)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
