"""Action-server replies are still validated after the compiled-validator patch."""

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

import rasa_ext  # noqa: F401 - installs the patch, as the Rasa server does


def action() -> RemoteAction:
    return RemoteAction("action_answer_faq", None)


def test_patch_is_installed() -> None:
    assert RemoteAction._validate_action_result.__module__ == "rasa_ext.action_validation"


def test_valid_reply_passes() -> None:
    reply = {"events": [{"event": "slot", "name": "kb_suggested", "value": None}],
             "responses": [{"text": "hi"}]}
    assert action()._validate_action_result(reply) is True


def test_invalid_reply_is_refused_with_rasa_hint() -> None:
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        action()._validate_action_result({"events": "not a list", "responses": []})
