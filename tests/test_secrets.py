"""No secret is written in the source, and nothing starts without one: the action
server silently fell back to the development secret when its environment lacked it."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from scripts import stack
from scripts.stack import ROOT


def test_the_action_server_refuses_to_start_without_its_secret() -> None:
    env = {k: v for k, v in stack.base_env().items() if k != "HELP_CENTER_SECRET"}
    done = subprocess.run(stack.actions_argv(stack.free_port()), cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode != 0
    assert "HELP_CENTER_SECRET is not set" in done.stdout + done.stderr


def test_make_run_makes_a_development_secret_once(tmp_path: Path) -> None:
    var = tmp_path
    saved = os.environ.pop("HELP_CENTER_SECRET", None)
    try:
        first = stack.help_center_secret(var)
        assert len(first) == 64 and stack.help_center_secret(var) == first
        assert oct((var / "secrets.env").stat().st_mode & 0o777) == "0o600"
    finally:
        if saved is not None:
            os.environ["HELP_CENTER_SECRET"] = saved
