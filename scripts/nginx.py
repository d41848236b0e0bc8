"""nginx in front of local gateway processes, from the reference site file
(deploy/nginx/help-center.conf) with its `server` lines and `listen` replaced: what the
deployment tests run, so the configuration they prove is the one docs/deploy.md gives."""

from __future__ import annotations

import os
import pwd
import re
from pathlib import Path

from scripts import stack
from scripts.stack import ROOT, Service

SITE = ROOT / "deploy" / "nginx" / "help-center.conf"
NGINX = Path("/usr/sbin/nginx")


def site(listen: int, gateways: list[int]) -> str:
    """The reference site file, listening on 127.0.0.1:`listen`, for these gateways."""
    text = SITE.read_text()
    servers = "".join(f"    server 127.0.0.1:{port} max_fails=1 fail_timeout=5s;\n"
                      for port in gateways)
    text, n = re.subn(r"(    server 127\.0\.0\.1:\d+ [^\n]*\n)+", servers, text)
    assert n == 1, "the site file's upstream servers were not found"
    text, n = re.subn(r"listen 80;", f"listen 127.0.0.1:{listen};", text)
    assert n == 1, "the site file's listen line was not found"
    return text


def start(prefix: Path, listen: int, gateways: list[int]) -> Service:
    """nginx (in the foreground, its files under `prefix`) on 127.0.0.1:`listen`."""
    if not NGINX.exists():
        raise RuntimeError(f"{NGINX} is missing: `make {NGINX}` installs Debian's nginx")
    (prefix / "logs").mkdir(parents=True, exist_ok=True)
    (prefix / "help-center.conf").write_text(site(listen, gateways))
    user = f"user {pwd.getpwuid(0).pw_name};\n" if os.geteuid() == 0 else ""  # test dirs
    (prefix / "nginx.conf").write_text(
        f"{user}worker_processes 1;\npid {prefix}/logs/nginx.pid;\n"
        f"error_log {prefix}/logs/error.log warn;\n"
        "events { worker_connections 4096; }\n"
        f"http {{\n  access_log {prefix}/logs/access.log;\n"
        f"  include {prefix}/help-center.conf;\n}}\n")
    service = stack.spawn("nginx", [str(NGINX), "-p", str(prefix), "-c",
                                    str(prefix / "nginx.conf"), "-g", "daemon off;"],
                          prefix / "logs", {})
    stack.wait_until(lambda: stack.port_open(listen), service, "nginx", 20)
    return service
