"""Train the Rasa model only when its inputs changed.

Inputs: config.yml, domain.yml and the training data under data/ (nlu, rules, stories).
Articles (data/kb), the support policy and the demo directory are read at run time by the
actions, so editing them needs no retraining. The fingerprint of the inputs is stored
beside the model; `--force` retrains anyway.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import time

from scripts.stack import MODEL, ROOT, VENV_BIN, base_env

INPUTS = ["config.yml", "domain.yml", "data/nlu", "data/rules", "data/stories"]
FINGERPRINT = MODEL.with_name("current.fingerprint")


def fingerprint() -> str:
    digest = hashlib.sha256()
    for entry in INPUTS:
        path = ROOT / entry
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            digest.update(str(file.relative_to(ROOT)).encode())
            digest.update(file.read_bytes())
    digest.update(b"rasa==3.6.21")
    return digest.hexdigest()


def main() -> int:
    wanted = fingerprint()
    force = "--force" in sys.argv
    if not force and MODEL.exists() and FINGERPRINT.exists() and \
            FINGERPRINT.read_text().strip() == wanted:
        print(f"model up to date: {MODEL.relative_to(ROOT)} (inputs unchanged)")
        return 0
    print("training the model (config, domain or training data changed)...", flush=True)
    start = time.monotonic()
    cmd = [str(VENV_BIN / "rasa"), "train", "--config", "config.yml", "--domain", "domain.yml",
           "--data", "data/nlu", "data/rules", "data/stories", "--out", str(MODEL.parent),
           "--fixed-model-name", MODEL.name.removesuffix(".tar.gz")]
    if force:
        cmd.append("--force")
    result = subprocess.run(cmd, cwd=ROOT, env=base_env(), check=False)
    if result.returncode != 0 or not MODEL.exists():
        print("training failed", file=sys.stderr)
        return result.returncode or 1
    FINGERPRINT.write_text(wanted + "\n")
    print(f"trained {MODEL.relative_to(ROOT)} in {time.monotonic() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
