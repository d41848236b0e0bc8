"""`make shell`: chat with the running bot from a terminal, over Rasa's REST channel."""

from __future__ import annotations

import json
import os
import sys
import urllib.error
import urllib.request
import uuid
from typing import Any


def send(url: str, sender: str, text: str) -> list[dict[str, Any]]:
    body = json.dumps({"sender": sender, "message": text}).encode()
    req = urllib.request.Request(url, body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        return list(json.load(resp))


def main() -> int:
    port = os.environ.get("RASA_PORT", "5005")
    url = f"http://127.0.0.1:{port}/webhooks/rest/webhook"
    sender = f"shell-{uuid.uuid4().hex[:8]}"
    print(f"Chatting as {sender} with {url}. Type /quit or Ctrl-D to leave.")
    while True:
        try:
            text = input("you> ")
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        if text.strip() == "/quit":
            return 0
        try:
            replies = send(url, sender, text)
        except (urllib.error.URLError, OSError) as exc:
            print(f"cannot reach the bot at {url} ({exc}); is `make run` running?")
            return 1
        for reply in replies:
            if reply.get("text"):
                print(f"bot> {reply['text']}")
            for i, button in enumerate(reply.get("buttons") or [], 1):
                print(f"     [{i}] {button['title']}  ->  type: {button['payload']}")


if __name__ == "__main__":
    sys.exit(main())
