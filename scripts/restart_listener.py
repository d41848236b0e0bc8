"""supervisord event listener: counts the processes that died and were restarted.

Every PROCESS_STATE_EXITED event with `expected:0` (a process exited that should have
kept running; supervisord starts it again) adds one to that process's count in a JSON
file, written atomically (temporary file, then rename). The gateway reports the counts
in /metrics as `hc_process_restarts_total{process}` (it is told the file by
`HC_RESTARTS_FILE`). Standard library only: it runs with supervisord's Python.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path


def parse(line: str) -> dict[str, str]:
    return dict(part.split(":", 1) for part in line.split() if ":" in part)


def record(path: Path, process: str) -> dict[str, int]:
    try:
        counts = json.loads(path.read_text())
    except (OSError, ValueError):
        counts = {}
    if not isinstance(counts, dict):
        counts = {}
    counts[process] = int(counts.get(process, 0)) + 1
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(counts, sort_keys=True))
    os.replace(tmp, path)
    return counts


def main() -> int:
    path = Path(sys.argv[1])
    while True:
        sys.stdout.write("READY\n")
        sys.stdout.flush()
        header = parse(sys.stdin.readline())
        payload = parse(sys.stdin.read(int(header.get("len", "0"))))
        if header.get("eventname") == "PROCESS_STATE_EXITED" and payload.get("expected") == "0":
            name = payload.get("processname", "?")
            counts = record(path, name)
            sys.stderr.write(f"{name} died (pid {payload.get('pid')}); supervisord restarts "
                             f"it; {counts[name]} restart(s) so far\n")
            sys.stderr.flush()
        sys.stdout.write("RESULT 2\nOK")
        sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main())
