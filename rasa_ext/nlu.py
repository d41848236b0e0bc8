"""NLU components for one pipeline that serves English and Russian.

- `StemmingTokenizer`: Rasa's whitespace tokenizer whose tokens carry a stem as their
  lemma (Snowball for Cyrillic words, a light stemmer for Latin ones; ё read as е), so the
  word CountVectorsFeaturizer (`use_lemma`, its default) sees «заявку», «заявки», «заявкой»
  as one feature. Character n-grams (`char_wb`) take care of typos in both languages.
- `GuardedFallbackClassifier`: Rasa's FallbackClassifier that also routes input no intent
  classifier should guess on: an empty message, emoji only, punctuation, or text mostly in
  a script the assistant does not speak (its action asks to rephrase or names the
  languages it speaks), and a short answer naming a country that the classifier took for
  "cancel", "yes" or the like.
"""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.fallback_classifier import FallbackClassifier
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot import countries, text


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER], is_trainable=False
)
class StemmingTokenizer(WhitespaceTokenizer):
    @staticmethod
    def not_supported_languages() -> list[str] | None:
        return None

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        tokens: list[Token] = super().tokenize(message, attribute)
        for token in tokens:
            token.lemma = text.stem_word(text.fold(token.text))
        return tokens


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False
)
class GuardedFallbackClassifier(FallbackClassifier):
    def _should_fallback(self, message: Message) -> bool:
        raw = message.get(TEXT) or ""
        if not text.has_letters(raw) or text.looks_unsupported(raw):
            return True
        if _names_a_place(raw) and message.get(INTENT, {}).get(INTENT_NAME_KEY) in CONTROL:
            return True
        return bool(super()._should_fallback(message))


# Intents that steer the conversation ("cancel", "yes", "thanks"): a short answer that
# names a country ("France", "from Italy", «из Германии») is an answer, never one of
# these, whatever the classifier thought of a word it has rarely seen; in a form it fills
# the slot asked for (the phone form's country), elsewhere it goes to the search.
CONTROL = frozenset({"cancel", "affirm", "deny", "thank", "greet", "goodbye",
                     "out_of_scope", "bot_challenge", "switch_language"})
PLACE_ANSWER_WORDS = 4


def _names_a_place(raw: str) -> bool:
    return len(raw.split()) <= PLACE_ANSWER_WORDS and countries.find(raw) is not None


__all__ = ["GuardedFallbackClassifier", "StemmingTokenizer"]
