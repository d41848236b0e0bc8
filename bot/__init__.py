"""The support domain, free of any framework: knowledge base, search and support policy.

Runs in both Python environments (Rasa's 3.10 one and the gateway's), so it imports only
the standard library, PyYAML, redis and PyJWT.
"""
