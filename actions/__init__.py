"""Rasa SDK custom actions: thin adapters that call `bot/` and turn results into messages.

One module per feature. `rasa run actions --actions actions` imports every module here.
"""
