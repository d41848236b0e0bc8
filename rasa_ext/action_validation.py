"""Validate action-server replies with a schema compiled once, not on every call.

Rasa 3.6 checks each custom action's reply with `jsonschema.validate(result, schema)`,
which first validates the *schema itself* against its meta-schema: about 20 ms of CPU per
custom action on this machine, most of a bot turn. This module swaps in a validator built
once per process; the reply is checked against the same schema and a bad reply raises the
same `ValidationError` with the same hint. Applied when the Rasa server imports
`rasa_ext` (the tracker store and the NLU fallback live here).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jsonschema import ValidationError
from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL


@lru_cache(maxsize=1)
def _validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)  # once, at first use
    return cls(schema)


def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    error = best_match(_validator().iter_errors(result))
    if error is None:
        return True
    error.message += (
        ". Failed to validate Action server response from API, make sure your response "
        "from the Action endpoint is valid. For more information about the format visit "
        f"{DOCS_BASE_URL}/custom-actions"
    )
    raise error


def apply() -> None:
    RemoteAction._validate_action_result = _validate_action_result


__all__ = ["ValidationError", "apply"]
