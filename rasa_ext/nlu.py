"""NLU fallback that also catches input no intent classifier should guess on.

An empty message, emoji only, punctuation, or text mostly in another script gets some
intent from DIET with misleading confidence ("" scored as `affirm`). This classifier
behaves exactly like Rasa's FallbackClassifier, and additionally routes such input to
`nlu_fallback`, whose action then asks to rephrase or says which language it speaks.
"""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.fallback_classifier import FallbackClassifier
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from bot import text


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False
)
class GuardedFallbackClassifier(FallbackClassifier):
    def _should_fallback(self, message: Message) -> bool:
        raw = message.get(TEXT) or ""
        if not text.has_letters(raw) or text.looks_non_english(raw):
            return True
        return bool(super()._should_fallback(message))
