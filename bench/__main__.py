"""`make bench`: the gateway against baselines measured in the same run, then the report.

Each part runs in its own process, starts and stops its own Redis, Rasa and gateway
processes, and writes bench/results/<part>.json (merged into bench/results/latest.json):

  turn       bot turn through the widget socket vs Rasa REST, c=1 and c=20; profile of a
             turn; start-up to /readyz vs stock `rasa run`                  (~2 min)
  relay      user <-> agent relay at 1, 100, 500 chats vs a bare python-socketio relay;
             profile of a relayed message                                      (~1.5 min)
  queue      enqueue, claim, positions, queue snapshot at 10 .. 100,000 waiting (~0.5 min)
  burst      2,000 chats opened within 10 s (and all at once) vs the bare relay (~1 min)
  idle       5,000 idle chats on one process vs the bare relay; 20,000 on four
             processes                                                         (~3 min)
  sustained  500 relayed messages/s for 60 s: lost, reordered, CPU per message (~2 min)
  clone      fresh clone to ready (make install, train, run); not by default (5-10 min)

`python -m bench` runs the default parts then writes the report into docs/performance.md;
`python -m bench relay queue` runs only those (the others' last results stay in the
report); `python -m bench.<part>` runs one part without the report;
`python -m bench.report` rewrites the report from the last results.
"""

from __future__ import annotations

import sys
import time

from bench import common, report

DEFAULT = ["turn", "relay", "queue", "burst", "idle", "sustained"]
KNOWN = [*DEFAULT, "clone"]


def main(argv: list[str]) -> int:
    parts = argv or DEFAULT
    unknown = [p for p in parts if p not in KNOWN]
    if unknown:
        print(f"unknown part(s): {', '.join(unknown)}; known: {', '.join(KNOWN)}")
        return 2
    started = time.monotonic()
    failed = common.run_parts(parts)
    print(f"\nall parts: {time.monotonic() - started:.0f} s\n")
    report.main()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
