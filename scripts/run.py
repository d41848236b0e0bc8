"""`make run`: start Redis (or use REDIS_URL), the action server and Rasa; print the URLs.

Output of every child goes to `var/log/<name>.log` and, prefixed, to this terminal.
Ctrl-C (or SIGTERM) stops every child this script started. A second `make run` while
one is running says so and exits.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO

from scripts import stack
from scripts.stack import ROOT, RedisTarget, Service

VAR = Path(os.environ.get("HC_VAR_DIR") or ROOT / "var")
LOGS = VAR / "log"
PIDFILE = VAR / "run.pid"


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


def _tee(name: str, pipe: IO[bytes], log_path: Path) -> None:
    with open(log_path, "ab") as log:
        for line in iter(pipe.readline, b""):
            log.write(line)
            log.flush()
            sys.stdout.write(f"{name:>8} | {line.decode(errors='replace')}")
            sys.stdout.flush()


def _start(name: str, starter, *args, **kwargs) -> Service:  # type: ignore[no-untyped-def]
    svc: Service = starter(*args, stdout=subprocess.PIPE, **kwargs)
    assert svc.proc.stdout is not None
    threading.Thread(target=_tee, args=(name, svc.proc.stdout, svc.log_path), daemon=True).start()
    return svc


def main() -> int:
    other = _already_running()
    if other:
        print(f"make run is already running (pid {other}); stop it with Ctrl-C in its terminal "
              f"or `kill {other}`.", file=sys.stderr)
        return 1
    VAR.mkdir(exist_ok=True)
    PIDFILE.write_text(f"{os.getpid()}\n")
    services: list[Service] = []
    stopping = threading.Event()

    def stop(*_: object) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    rasa_port = int(os.environ.get("RASA_PORT", "5005"))
    actions_port = int(os.environ.get("ACTIONS_PORT", "5055"))
    gateway_port = int(os.environ.get("HANDOFF_PORT", "8080"))
    try:
        for port, name in ((rasa_port, "RASA_PORT"), (actions_port, "ACTIONS_PORT"),
                           (gateway_port, "HANDOFF_PORT")):
            if stack.port_open(port):
                print(f"port {port} is already in use by another program; set {name} to a "
                      f"free port.", file=sys.stderr)
                return 1
        if os.environ.get("REDIS_URL"):
            target = RedisTarget.from_url(os.environ["REDIS_URL"])
            print(f"using Redis at {target.host}:{target.port}/{target.db} (REDIS_URL)")
        else:
            port = int(os.environ.get("HC_REDIS_PORT", "6390"))
            if stack.port_open(port):
                print(f"port {port} (embedded Redis) is in use; set HC_REDIS_PORT or REDIS_URL.",
                      file=sys.stderr)
                return 1
            LOGS.mkdir(parents=True, exist_ok=True)
            services.append(_start("redis", stack.start_redis, port, VAR / "redis", LOGS))
            target = RedisTarget("127.0.0.1", port)
            print(f"embedded Redis on 127.0.0.1:{port} (AOF in var/redis)")
        env = {**target.env(), "ACTIONS_PORT": str(actions_port),
               "RASA_URL": f"http://127.0.0.1:{rasa_port}",
               "ACTIONS_URL": f"http://127.0.0.1:{actions_port}",
               # the bot's article links point at the gateway, which serves /kb/
               "HELP_CENTER_URL": os.environ.get("HELP_CENTER_URL",
                                                 f"http://127.0.0.1:{gateway_port}")}
        started = time.monotonic()
        actions = _start("actions", stack.start_actions, actions_port, LOGS, env)
        services.append(actions)
        rasa = _start("rasa", stack.start_rasa, rasa_port, stack.MODEL, LOGS, env)
        services.append(rasa)
        stack.wait_actions(actions_port, actions)
        stack.wait_rasa(rasa_port, rasa, timeout=240)
        gateway = _start("gateway", stack.start_gateway, gateway_port, LOGS, env)
        services.append(gateway)
        stack.wait_gateway(gateway_port, gateway)
        print(
            f"\nready in {time.monotonic() - started:.0f} s\n"
            f"  help center:    http://127.0.0.1:{gateway_port}/        (demo page with the chat "
            f"widget; \"Sign in as\" a demo user)\n"
            f"  agent console:  http://127.0.0.1:{gateway_port}/agent   (agent1 / agent1, "
            f"agent2 / agent2)\n"
            f"  gateway health: http://127.0.0.1:{gateway_port}/readyz\n"
            f"  Rasa REST:      http://127.0.0.1:{rasa_port}/webhooks/rest/webhook\n"
            f"  action server:  http://127.0.0.1:{actions_port}/health\n"
            f"  chat here:      make shell   (in another terminal)\n"
            f"  logs:           var/log/\n"
            f"Ctrl-C stops everything.\n",
            flush=True,
        )
        while not stopping.wait(1.0):
            dead = [s for s in services if not s.alive()]
            if dead:
                print(f"{dead[0].name} exited ({dead[0].proc.returncode}); stopping.",
                      file=sys.stderr)
                return 1
        return 0
    except (RuntimeError, TimeoutError) as exc:
        print(f"start-up failed: {exc}", file=sys.stderr)
        return 1
    finally:
        print("stopping...", flush=True)
        for svc in reversed(services):
            svc.stop()
        PIDFILE.unlink(missing_ok=True)


if __name__ == "__main__":
    sys.exit(main())
