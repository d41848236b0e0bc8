"""Extensions loaded by the Rasa server itself (Python 3.10 environment only).

Importing this package (Rasa does, to load the tracker store and the NLU component named
in endpoints.yml and config.yml) also installs the faster action-reply validation from
`action_validation`.
"""

from rasa_ext import action_validation

action_validation.apply()
