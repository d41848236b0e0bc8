"""The handoff gateway: the only public process (aiohttp + python-socketio).

Runs in its own environment (.venv-gw, current aiohttp / python-socketio / redis); talks
to Rasa over REST and keeps chats, transcripts and the queue in Redis.
"""
