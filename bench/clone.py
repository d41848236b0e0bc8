"""From a fresh clone to ready: `git clone` of this repository's HEAD into a temporary
directory, then the Makefile's own steps there, each timed:
  make install  (both virtual environments from the pinned lock files)
  make train    (a fresh clone has no model)
  make run      (Redis, the action server, Rasa, the gateway) until /readyz answers 200.
The baseline is `make run` started again in the same clone once everything is installed
and trained (what a restart costs), in the same run.

What was cached is reported: pip's own cache before and after (what pip downloaded and
kept), and how many pinned packages this machine's local package index holds (pip's
configuration points at it; the rest come from PyPI).

Not part of `make bench` by default (it takes 5 to 10 minutes):
`make bench PARTS=clone` or `.venv-gw/bin/python -m bench.clone`.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import common
from scripts import stack
from scripts.stack import ROOT

LOCKS = ["requirements/rasa.lock.txt", "requirements/gateway.lock.txt",
         "requirements/gateway-dev.lock.txt"]


def du(path: Path) -> int:
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            with contextlib.suppress(OSError):
                total += (Path(root) / name).stat().st_size
    return total


def pip_config_indexes() -> list[Path]:
    """Local (file://) indexes in pip's configuration, if any."""
    out = subprocess.run([str(stack.GATEWAY_BIN / "pip"), "config", "list"], capture_output=True,
                         text=True, timeout=30, check=False).stdout
    paths = []
    for line in out.splitlines():
        for word in line.replace("'", " ").split():
            if word.startswith("file://"):
                paths.append(Path(word[len("file://"):]))
    return paths


def locally_indexed(repo: Path) -> tuple[int, int]:
    """(pinned packages found in a local index, pinned packages in all)."""
    indexes = [p for p in pip_config_indexes() if p.is_dir()]
    names = []
    for lock in LOCKS:
        for line in (repo / lock).read_text().splitlines():
            if line and not line.startswith("#") and "==" in line:
                names.append(line.split("==")[0].strip().lower().replace("_", "-")
                             .replace(".", "-"))
    found = sum(1 for n in names if any((idx / n).is_dir() for idx in indexes))
    return found, len(names)


def timed(argv: list[str], cwd: Path, log: Path, env: dict[str, str], timeout: float
          ) -> float:
    started = time.monotonic()
    with open(log, "ab") as out:
        subprocess.run(argv, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, env=env,
                       timeout=timeout, check=True)
    return time.monotonic() - started


def run_until_ready(repo: Path, log: Path, env: dict[str, str], port: int) -> float:
    """`make run` in the clone until its gateway's /readyz answers; then Ctrl-C (SIGINT
    to the process group we started), bounded."""
    started = time.monotonic()
    with open(log, "ab") as out:
        proc = subprocess.Popen(["make", "run"], cwd=repo, stdout=out,
                                stderr=subprocess.STDOUT, env=env, start_new_session=True)
        try:
            stack.wait_until(lambda: stack.http_ok(f"http://127.0.0.1:{port}/readyz"), None,
                             "make run in the clone", 600)
            return time.monotonic() - started
        finally:
            os.killpg(proc.pid, signal.SIGINT)
            try:
                proc.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(10)


def run() -> dict[str, Any]:
    machine = common.machine()
    tmp = Path(tempfile.mkdtemp(prefix="hc-bench-clone-"))
    repo = tmp / "repo"
    log = tmp / "clone.log"
    cache = Path(os.environ.get("PIP_CACHE_DIR") or Path.home() / ".cache" / "pip")
    cache_before = du(cache)
    ports = {"RASA_PORT": stack.free_port(), "ACTIONS_PORT": stack.free_port(),
             "HANDOFF_PORT": stack.free_port(), "HC_REDIS_PORT": stack.free_port()}
    env = {k: v for k, v in os.environ.items()
           if k not in ("VIRTUAL_ENV", "PYTHONPATH", "REDIS_URL", "RASA_VENV", "GATEWAY_VENV")}
    env.update({k: str(v) for k, v in ports.items()})
    env["HC_VAR_DIR"] = str(repo / "var")
    env.pop("HELP_CENTER_SECRET", None)  # make run makes the clone's own
    steps: dict[str, float] = {}
    try:
        steps["git_clone_s"] = timed(["git", "clone", "--quiet", "--no-local", str(ROOT),
                                      str(repo)], tmp, log, env, 300)
        steps["make_install_s"] = timed(["make", "install"], repo, log, env, 1800)
        steps["make_train_s"] = timed(["make", "train"], repo, log, env, 1800)
        steps["make_run_to_readyz_s"] = run_until_ready(repo, log, env, ports["HANDOFF_PORT"])
        restart = run_until_ready(repo, log, env, ports["HANDOFF_PORT"])
        found, pinned = locally_indexed(repo)
    finally:
        shutil.rmtree(repo / ".venv", ignore_errors=True)
        shutil.rmtree(repo / ".venv-gw", ignore_errors=True)
    total = sum(steps.values())
    return common.save("clone", {
        "machine": machine, **{k: round(v, 1) for k, v in steps.items()},
        "fresh_clone_to_ready_s": round(total, 1),
        "installed_and_trained_make_run_to_ready_s": round(restart, 1),
        "ratio": common.ratio(total, restart),
        "cached": {"pip_cache_before_mb": round(cache_before / 2**20, 1),
                   "pip_cache_after_mb": round(du(cache) / 2**20, 1),
                   "pinned_packages_in_local_index": found, "pinned_packages": pinned,
                   "redis_server_installed_already": Path("/usr/bin/redis-server").exists()},
        "log": str(log)})


if __name__ == "__main__":
    sys.exit(common.main_guard(run))
