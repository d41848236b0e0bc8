"""`make run`'s supervisor: starts everything, refuses a second copy, Ctrl-C stops all."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from scripts import stack
from scripts.stack import ROOT


@pytest.mark.timeout(300)
def test_run_starts_everything_refuses_a_second_copy_and_stops_on_ctrl_c(tmp_path: Path
                                                                        ) -> None:
    ports = {"RASA_PORT": stack.free_port(), "ACTIONS_PORT": stack.free_port(),
             "HC_REDIS_PORT": stack.free_port(), "HANDOFF_PORT": stack.free_port()}
    env = {**os.environ, "HC_VAR_DIR": str(tmp_path), "PYTHONPATH": str(ROOT),
           **{k: str(v) for k, v in ports.items()}}
    env.pop("REDIS_URL", None)
    out = open(tmp_path / "run.out", "w+b")  # noqa: SIM115 - read after the process ends
    first = subprocess.Popen([sys.executable, "-m", "scripts.run"], cwd=ROOT, env=env,
                             stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 240
        while b"ready in" not in (tmp_path / "run.out").read_bytes():
            assert first.poll() is None, (tmp_path / "run.out").read_text()
            assert time.monotonic() < deadline, "not ready in 240 s"
            time.sleep(0.5)
        for port in ports.values():
            assert stack.port_open(port)
        assert (tmp_path / "log" / "rasa.log").stat().st_size > 0
        # the append-only file (one file in Redis 6, a directory of parts in Redis 7)
        assert (tmp_path / "redis" / "appendonly.aof").exists() or \
            (tmp_path / "redis" / "appendonlydir").is_dir()
        # the pages answer where it says, and the bot's article links point at them
        gateway = f"http://127.0.0.1:{ports['HANDOFF_PORT']}"
        printed = (tmp_path / "run.out").read_text()
        assert f"{gateway}/ " in printed and f"{gateway}/agent " in printed
        assert "embedded Redis 7." in printed  # Debian's patched server, version said
        import redis as redis_lib  # and it wants a password (made for this run)
        with pytest.raises(redis_lib.AuthenticationError):
            redis_lib.Redis(port=ports["HC_REDIS_PORT"]).ping()
        assert "development mode" in printed
        for path in ("/", "/agent", "/widget.js", "/kb/en/response-times"):
            assert stack.http_ok(gateway + path), path
        req = urllib.request.Request(
            f"http://127.0.0.1:{ports['RASA_PORT']}/webhooks/rest/webhook",
            json.dumps({"sender": "run-test", "message": "how fast do you answer a P1"}
                       ).encode(), {"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as resp:
            answer = " ".join(str(r.get("text", "")) for r in json.load(resp))
        assert f"]({gateway}/kb/en/" in answer, answer

        # a process that dies is started again, counted, and nothing else stops
        conf = tmp_path / "run" / "supervisord.conf"
        ctl = [str(stack.GATEWAY_BIN / "supervisorctl"), "-c", str(conf)]
        old = int(subprocess.run([*ctl, "pid", "gateway"], capture_output=True, text=True,
                                 check=True).stdout)
        os.kill(old, signal.SIGKILL)
        deadline = time.monotonic() + 60
        while True:
            new = subprocess.run([*ctl, "pid", "gateway"], capture_output=True, text=True
                                 ).stdout.strip()
            if new.isdigit() and int(new) not in (0, old) and stack.http_ok(gateway + "/readyz"):
                break
            assert time.monotonic() < deadline, "the gateway was not restarted"
            time.sleep(0.3)
        assert first.poll() is None and stack.port_open(ports["RASA_PORT"])
        with urllib.request.urlopen(gateway + "/metrics", timeout=10) as resp:
            metrics = resp.read().decode()
        assert 'hc_process_restarts_total{process="gateway"} 1' in metrics
        # the gateways' shared metrics directory: the new process counts, the dead one
        # is out of the live figures
        assert f'hc_socket_connections{{pid="{new}"}} 0.0' in metrics
        assert f'pid="{old}"' not in metrics
        assert any((tmp_path / "run" / "metrics").glob(f"*_{new}.db"))

        second = subprocess.run([sys.executable, "-m", "scripts.run"], cwd=ROOT, env=env,
                                capture_output=True, text=True, timeout=60)
        assert second.returncode == 1
        assert f"already running (pid {first.pid})" in second.stderr

        first.send_signal(signal.SIGINT)
        assert first.wait(60) == 0
        for port in ports.values():
            assert not stack.port_open(port)
        assert not (tmp_path / "run.pid").exists()
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
        out.close()


def test_a_killed_starter_leaves_no_orphans(tmp_path: Path) -> None:
    """`make run` or a test run killed with SIGKILL takes what it started with it."""
    starter = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; from pathlib import Path; from scripts import stack; "
         f"s = stack.spawn('sleeper', ['sleep', '120'], Path({str(tmp_path)!r}), {{}}); "
         "print(s.proc.pid, flush=True); time.sleep(120)"],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE,
        text=True)
    try:
        assert starter.stdout is not None
        child = int(starter.stdout.readline())
        starter.kill()
        starter.wait(10)
        deadline = time.monotonic() + 10
        while _running(child):
            assert time.monotonic() < deadline, "the child outlived its starter"
            time.sleep(0.1)
    finally:
        if starter.poll() is None:
            starter.kill()
            starter.wait(10)
        if starter.stdout is not None:
            starter.stdout.close()


def _running(pid: int) -> bool:
    """Alive and not a zombie waiting for init to reap it."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except (FileNotFoundError, IndexError):
        return False
