"""`make shell`: chat with the running bot from a terminal, over Rasa's REST channel.

`make shell USER_ID=business-admin COUNTRY=JP` signs each message as that demo user and
passes the page country, as the help-center page does.
"""

from __future__ import annotations

import json
import os
import sys
import urllib.error
import urllib.request
import uuid
from typing import Any

from bot import identity
from scripts import stack


def send(url: str, sender: str, text: str, metadata: dict[str, Any] | None = None
         ) -> list[dict[str, Any]]:
    body = json.dumps({"sender": sender, "message": text, "metadata": metadata or {}}).encode()
    req = urllib.request.Request(url, body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        return list(json.load(resp))


def main() -> int:
    port = os.environ.get("RASA_PORT", "5005")
    url = f"http://127.0.0.1:{port}/webhooks/rest/webhook"
    sender = f"shell-{uuid.uuid4().hex[:8]}"
    user = os.environ.get("USER_ID") or None
    country = os.environ.get("COUNTRY")
    metadata: dict[str, Any] = {"country": country} if country else {}
    who = f"signed in as {user}" if user else "not signed in (set USER_ID=<demo user>)"
    print(f"Chatting with {url}, {who}. Type /quit or Ctrl-D to leave.")
    while True:
        try:
            text = input("you> ")
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        if text.strip() == "/quit":
            return 0
        try:
            if user:  # a fresh short-lived token per message, as the help center would
                metadata["token"] = identity.issue(user, stack.help_center_secret(), 600)
            replies = send(url, sender, text, metadata)
        except (urllib.error.URLError, OSError) as exc:
            print(f"cannot reach the bot at {url} ({exc}); is `make run` running?")
            return 1
        for reply in replies:
            if reply.get("text"):
                print(f"bot> {reply['text']}")
            for i, button in enumerate(reply.get("buttons") or [], 1):
                print(f"     [{i}] {button['title']}  ->  type: {button['payload']}")
            if (reply.get("custom") or {}).get("handoff"):
                print(f"     (handoff payload for the gateway: {reply['custom']['handoff']})")


if __name__ == "__main__":
    sys.exit(main())
