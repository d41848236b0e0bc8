#!/usr/bin/env bash
# Print the path of a Python 3.10 interpreter (Rasa 3.6 needs it), or explain what to install.
set -euo pipefail
for candidate in "${PYTHON310:-}" python3.10 "$HOME/.pyenv/versions/"3.10*/bin/python3.10 \
                 /usr/local/bin/python3.10 /usr/bin/python3.10; do
  [ -n "$candidate" ] || continue
  path=$(command -v "$candidate" 2>/dev/null || true)
  [ -n "$path" ] || continue
  if "$path" -c 'import sys, venv; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
    echo "$path"; exit 0
  fi
done
cat >&2 <<'MSG'
error: Python 3.10 not found. Rasa 3.6 runs only on Python 3.10 (it does not support 3.11+).
Install it, then run make again, for example:
  pyenv install 3.10.13          # with pyenv, or
  apt-get install python3.10 python3.10-venv
or point PYTHON310=/path/to/python3.10 at an existing interpreter.
MSG
exit 1
