"""Run processes under supervisord (the `supervisor` package, in .venv-gw): a process that
dies is started again (immediately if it had been up, with growing back-off if it keeps
dying at start), each restart is logged and counted, and stopping supervisord stops
every process it runs. `make run` and the fault-injection tests use this module, so they
supervise the very same way.

The configuration is generated (`write_config`) from `Program`s; restarts are counted by
an event listener (`scripts/restart_listener.py`) into `<run dir>/restarts.json`, which
the gateway reports in /metrics (`HC_RESTARTS_FILE`). Given the gateways' shared metrics
directory, the listener also marks every process that exits dead there, so its live
gauges leave the machine's figures (`handoff/metrics.py`).
"""

from __future__ import annotations

import contextlib
import os
import shlex
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from scripts.stack import GATEWAY_BIN, ROOT, base_env, die_with_parent


@dataclass(frozen=True)
class Program:
    name: str
    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)
    priority: int = 100  # lower starts first, stops last
    startsecs: int = 2  # up this long counts as started; dying sooner backs off
    stopwaitsecs: int = 15


def _quote_env(env: dict[str, str]) -> str:
    parts = []
    for key, value in sorted(env.items()):
        if '"' in value or "\n" in value:
            raise ValueError(f"environment value of {key} cannot be passed to supervisord")
        parts.append(f'{key}="{value.replace("%", "%%")}"')
    return ",".join(parts)


def write_config(run_dir: Path, log_dir: Path, programs: list[Program],
                 metrics_dir: Path | None = None) -> Path:
    """supervisord.conf in `run_dir` (socket there, mode 0700), logs in `log_dir`;
    `metrics_dir`: the programs' PROMETHEUS_MULTIPROC_DIR, for the restart listener."""
    run_dir.mkdir(parents=True, exist_ok=True)
    log_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(run_dir, 0o700)
    listener = shlex.join([str(GATEWAY_BIN / "python"), "-m", "scripts.restart_listener",
                           str(run_dir / "restarts.json"),
                           *([str(metrics_dir)] if metrics_dir else [])])
    lines = [
        "[supervisord]", "nodaemon=true", f"logfile={log_dir / 'supervisord.log'}",
        "logfile_maxbytes=10MB", f"pidfile={run_dir / 'supervisord.pid'}",
        f"childlogdir={log_dir}", "loglevel=info", "",
        "[unix_http_server]", f"file={run_dir / 'supervisor.sock'}", "chmod=0700", "",
        "[rpcinterface:supervisor]",
        "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface", "",
        "[supervisorctl]", f"serverurl=unix://{run_dir / 'supervisor.sock'}", "",
        "[eventlistener:restarts]",
        f"command={listener}",
        f"directory={ROOT}", f"environment={_quote_env({'PYTHONPATH': str(ROOT)})}",
        "events=PROCESS_STATE_EXITED", "autorestart=true",
        f"stderr_logfile={log_dir / 'restarts.log'}", "",
    ]
    for program in programs:
        env = base_env(program.env)
        lines += [
            f"[program:{program.name}]", f"command={shlex.join(program.argv)}",
            f"directory={ROOT}", f"environment={_quote_env(env)}",
            "autostart=true", "autorestart=true", f"startsecs={program.startsecs}",
            "startretries=1000", f"priority={program.priority}",
            "stopsignal=TERM", f"stopwaitsecs={program.stopwaitsecs}",
            "stopasgroup=true", "killasgroup=true", "redirect_stderr=true",
            f"stdout_logfile={log_dir / (program.name + '.log')}",
            "stdout_logfile_maxbytes=20MB", "stdout_logfile_backups=2", "",
        ]
    conf = run_dir / "supervisord.conf"
    conf.write_text("\n".join(lines))
    return conf


class Supervisor:
    """A running supervisord, started and stopped by us (by pid)."""

    def __init__(self, conf: Path) -> None:
        self.conf = conf
        out = open(conf.parent / "supervisord.out", "ab")  # noqa: SIM115 - closed in stop
        self.proc = subprocess.Popen([str(GATEWAY_BIN / "supervisord"), "-n", "-c", str(conf)],
                                     cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                     start_new_session=True, env=base_env(),
                                     preexec_fn=die_with_parent)
        self._out = out
        self._wait_for_socket()

    def _wait_for_socket(self, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"supervisord exited with {self.proc.returncode}: "
                                   f"{(self.conf.parent / 'supervisord.out').read_text()}")
            if self.ctl("pid").returncode == 0:
                return
            time.sleep(0.1)
        raise TimeoutError("supervisord did not start")

    def ctl(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(GATEWAY_BIN / "supervisorctl"), "-c", str(self.conf), *args],
                              capture_output=True, text=True, timeout=60, check=False)

    def pid(self, name: str) -> int:
        """The pid of a running program (0 while it is not running)."""
        out = self.ctl("pid", name).stdout.strip()
        return int(out) if out.isdigit() else 0

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self, timeout: float = 60) -> int:
        """SIGTERM to supervisord: it stops its programs (last started first) and exits."""
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        self._out.close()
        return self.proc.returncode
