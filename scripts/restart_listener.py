"""supervisord event listener: counts the processes that died and were restarted, and
takes dead gateway processes out of the machine's live metrics.

Every PROCESS_STATE_EXITED event with `expected:0` (a process exited that should have
kept running; supervisord starts it again) adds one to that process's count in a JSON
file, written atomically (temporary file, then rename). The gateway reports the counts
in /metrics as `hc_process_restarts_total{process}` (it is told the file by
`HC_RESTARTS_FILE`).

With a second argument, the gateways' shared metrics directory
(`PROMETHEUS_MULTIPROC_DIR`), every exited process (expected or not) is marked dead
there (`prometheus_client.multiprocess.mark_process_dead`): its live gauges, such as its
widget connections, leave the figures every gateway shows. It runs with supervisord's
Python (.venv-gw), which has prometheus_client.
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


def mark_dead(directory: Path, pid: str) -> None:
    """The process `pid` is gone: its live gauges in `directory` go too."""
    if not pid.isdigit():
        return
    try:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(int(pid), str(directory))
    except Exception as exc:  # counting restarts matters more: never stop listening
        sys.stderr.write(f"could not mark process {pid} dead in {directory}: {exc}\n")


def main() -> int:
    path = Path(sys.argv[1])
    metrics_dir = Path(sys.argv[2]) if len(sys.argv) > 2 else None
    while True:
        sys.stdout.write("READY\n")
        sys.stdout.flush()
        header = parse(sys.stdin.readline())
        payload = parse(sys.stdin.read(int(header.get("len", "0"))))
        exited = header.get("eventname") == "PROCESS_STATE_EXITED"
        if exited and metrics_dir is not None:
            mark_dead(metrics_dir, payload.get("pid", ""))
        if exited and payload.get("expected") == "0":
            name = payload.get("processname", "?")
            counts = record(path, name)
            sys.stderr.write(f"{name} died (pid {payload.get('pid')}); supervisord restarts "
                             f"it; {counts[name]} restart(s) so far\n")
            sys.stderr.flush()
        sys.stdout.write("RESULT 2\nOK")
        sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main())
