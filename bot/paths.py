"""Where the project's data lives, overridable for tests and deployments."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def data_dir() -> Path:
    """The `data/` folder: `HC_DATA_DIR` if set, else the one beside this package."""
    return Path(os.environ.get("HC_DATA_DIR") or PROJECT_ROOT / "data")
