"""`make chaos` ends here: the figures of the last run (var/chaos/results.jsonl) as the
table in docs/reliability.md, between its `chaos:begin` and `chaos:end` markers."""

from __future__ import annotations

import json
import sys

from scripts.stack import ROOT
from tests.chaos.conftest import RESULTS

DOC = ROOT / "docs" / "reliability.md"
BEGIN, END = "<!-- chaos:begin -->", "<!-- chaos:end -->"
COUNTS = ("sent", "stored", "delivered", "lost", "duplicated", "unanswered", "not_shown")


def render(rows: list[dict[str, object]]) -> str:
    lines = ["| scenario | chats | sent | stored | delivered | lost | duplicated | "
             "unanswered | not shown | recovery and other figures |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for row in rows:
        extra = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in row.items()
                          if k not in (*COUNTS, "scenario", "scale", "at", "chats"))
        lines.append(f"| {row['scenario']} | {row.get('chats', 1)} | "
                     + " | ".join(str(row.get(k, "")) for k in COUNTS) + f" | {extra} |")
    when = max(str(r["at"]) for r in rows) if rows else "never"
    scales = sorted({str(r["scale"]) for r in rows})
    return "\n".join([f"Last run: {when} (scale: {', '.join(scales)}; `make chaos`).", "",
                      *lines])


def main() -> int:
    rows: dict[str, dict[str, object]] = {}
    for line in RESULTS.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        rows[str(row["scenario"])] = row  # the latest of each
    text = DOC.read_text(encoding="utf-8")
    if BEGIN not in text or END not in text:
        print(f"{DOC} has no {BEGIN} ... {END} section", file=sys.stderr)
        return 1
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    DOC.write_text(f"{head}{BEGIN}\n{render(list(rows.values()))}\n{END}{tail}",
                   encoding="utf-8")
    print(render(list(rows.values())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
