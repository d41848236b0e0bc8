"""Extensions loaded by the Rasa server itself (Python 3.10 environment only)."""
