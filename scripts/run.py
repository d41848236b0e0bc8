"""`make run`: Redis (or REDIS_URL), the action server, Rasa and the gateway under
supervisord; print the URLs when everything answers.

A process that dies is started again by supervisord (with a log line, and counted in the
gateway's /metrics); the stack stops only on Ctrl-C (or SIGTERM). Every program's output
goes to `var/log/<name>.log` and, prefixed, to this terminal. A second `make run` while
one is running says so and exits.

The gateway processes of this machine share one metrics directory
(`PROMETHEUS_MULTIPROC_DIR`, `var/run/metrics/`), emptied at each start: any gateway's
/metrics shows the figures of all of them since this run began (`handoff/metrics.py`).
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import sys
import threading
import time
from pathlib import Path
from typing import IO

from scripts import stack, supervise
from scripts.stack import ROOT, RedisTarget
from scripts.supervise import Program, Supervisor

VAR = Path(os.environ.get("HC_VAR_DIR") or ROOT / "var")
LOGS = VAR / "log"
RUN = VAR / "run"
PIDFILE = VAR / "run.pid"
METRICS = RUN / "metrics"  # the gateways' shared prometheus_client directory
NAMES = ("redis", "actions", "rasa", "gateway", "restarts")


def _already_running() -> int | None:
    try:
        pid = int(PIDFILE.read_text().strip())
    except (OSError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return pid
    return pid


def _follow(names: tuple[str, ...], stopping: threading.Event) -> None:
    """Print new lines of each program's log, prefixed with its name (logs are appended
    to across restarts, so a restarted process shows up here too)."""
    handles: dict[str, IO[bytes]] = {}
    # what the logs held before this run is not shown again
    start = {n: (LOGS / f"{n}.log").stat().st_size if (LOGS / f"{n}.log").exists() else 0
             for n in names}
    while not stopping.is_set():
        idle = True
        for name in names:
            path = LOGS / f"{name}.log"
            handle = handles.get(name)
            if handle is None:
                if not path.exists():
                    continue
                handle = handles[name] = open(path, "rb")  # noqa: SIM115 - closed below
                handle.seek(start[name])
            for line in iter(handle.readline, b""):
                idle = False
                sys.stdout.write(f"{name:>8} | {line.decode(errors='replace')}")
            sys.stdout.flush()
        if idle:
            stopping.wait(0.3)
    for handle in handles.values():
        handle.close()


def _programs(ports: dict[str, int], redis_url: str, embedded: RedisTarget | None
              ) -> list[Program]:
    env = {"REDIS_URL": redis_url, "ACTIONS_PORT": str(ports["actions"]),
           "HELP_CENTER_SECRET": stack.help_center_secret(VAR),
           "RASA_URL": f"http://127.0.0.1:{ports['rasa']}",
           "ACTIONS_URL": f"http://127.0.0.1:{ports['actions']}",
           "HC_RESTARTS_FILE": str(RUN / "restarts.json"),
           # the bot's article links point at the gateway, which serves /kb/
           "HELP_CENTER_URL": os.environ.get("HELP_CENTER_URL",
                                             f"http://127.0.0.1:{ports['gateway']}")}
    programs = []
    if embedded is not None:
        programs.append(Program("redis", stack.redis_argv(embedded.port, VAR / "redis",
                                                          password=embedded.password),
                                priority=10, startsecs=1))
    programs += [
        Program("actions", stack.actions_argv(ports["actions"]), env, priority=20),
        Program("rasa", stack.rasa_argv(ports["rasa"], stack.MODEL), stack.rasa_env(env),
                priority=30, startsecs=5, stopwaitsecs=20),
        Program("gateway", stack.GATEWAY_ARGV, {**env, "HANDOFF_PORT": str(ports["gateway"]),
                                                "PROMETHEUS_MULTIPROC_DIR": str(METRICS)},
                priority=40),
    ]
    return programs


def main() -> int:
    other = _already_running()
    if other:
        print(f"make run is already running (pid {other}); stop it with Ctrl-C in its terminal "
              f"or `kill {other}`.", file=sys.stderr)
        return 1
    ports = {"rasa": int(os.environ.get("RASA_PORT", "5005")),
             "actions": int(os.environ.get("ACTIONS_PORT", "5055")),
             "gateway": int(os.environ.get("HANDOFF_PORT", "8080"))}
    variables = {"rasa": "RASA_PORT", "actions": "ACTIONS_PORT", "gateway": "HANDOFF_PORT"}
    for name, port in ports.items():
        if stack.port_open(port):
            print(f"port {port} is already in use by another program; set {variables[name]} "
                  f"to a free port.", file=sys.stderr)
            return 1
    embedded = not os.environ.get("REDIS_URL")
    if embedded:  # a password made for this run: only our processes get it
        target = RedisTarget("127.0.0.1", int(os.environ.get("HC_REDIS_PORT", "6390")),
                             password=secrets.token_hex(16))
        if stack.port_open(target.port):
            print(f"port {target.port} (embedded Redis) is in use; set HC_REDIS_PORT or "
                  f"REDIS_URL.", file=sys.stderr)
            return 1
    VAR.mkdir(exist_ok=True)
    PIDFILE.write_text(f"{os.getpid()}\n")
    # a fresh metrics directory per run (only now: a copy already running still uses it)
    shutil.rmtree(METRICS, ignore_errors=True)
    METRICS.mkdir(parents=True)
    stopping = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    follower = threading.Event()
    threading.Thread(target=_follow, args=(NAMES, follower), daemon=True).start()
    supervisor = None
    try:
        print("development mode (HANDOFF_ENV=development): demo users, demo agents and "
              "/dev/token are on; production needs HANDOFF_ENV=production and its secrets")
        redis_url = target.url if embedded else os.environ["REDIS_URL"]
        print(f"embedded Redis {stack.redis_version()} on 127.0.0.1:{target.port} (AOF in "
              f"{VAR / 'redis'})" if embedded
              else f"using Redis at {stack.without_password(redis_url)} (REDIS_URL)")
        conf = supervise.write_config(RUN, LOGS, _programs(ports, redis_url,
                                                           target if embedded else None),
                                      metrics_dir=METRICS)
        started = time.monotonic()
        supervisor = Supervisor(conf)
        print(f"supervisord (pid {supervisor.proc.pid}) runs every process and restarts any "
              f"that dies", flush=True)
        checks = [(f"http://127.0.0.1:{ports['actions']}/health", "action server"),
                  (f"http://127.0.0.1:{ports['rasa']}/webhooks/gateway/", "rasa server"),
                  (f"http://127.0.0.1:{ports['gateway']}/readyz", "gateway")]
        deadline = time.monotonic() + 300
        for url, what in checks:
            while not stack.http_ok(url):
                if stopping.is_set():
                    return 0
                if not supervisor.alive():
                    raise RuntimeError("supervisord exited")
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{what} not ready after 300 s; see {LOGS}")
                time.sleep(0.3)
        gateway = f"http://127.0.0.1:{ports['gateway']}"
        print(
            f"\nready in {time.monotonic() - started:.0f} s\n"
            f"  help center:    {gateway}/        (demo page with the chat widget; \"Sign in "
            f"as\" a demo user)\n"
            f"  agent console:  {gateway}/agent   (agent1 / agent1, agent2 / agent2)\n"
            f"  gateway health: {gateway}/readyz\n"
            f"  Rasa REST:      http://127.0.0.1:{ports['rasa']}/webhooks/rest/webhook\n"
            f"  action server:  http://127.0.0.1:{ports['actions']}/health\n"
            f"  chat here:      make shell   (in another terminal)\n"
            f"  logs:           {LOGS}/\n"
            f"Ctrl-C stops everything.\n",
            flush=True,
        )
        while not stopping.wait(1.0):
            if not supervisor.alive():
                print(f"supervisord exited ({supervisor.proc.returncode}); stopping.",
                      file=sys.stderr)
                return 1
        return 0
    except (RuntimeError, TimeoutError) as exc:
        print(f"start-up failed: {exc}", file=sys.stderr)
        return 1
    finally:
        print("stopping...", flush=True)
        if supervisor is not None:
            supervisor.stop()
        follower.set()
        PIDFILE.unlink(missing_ok=True)


if __name__ == "__main__":
    sys.exit(main())
