"""When a knowledge-base passage is a confident answer, shared by the bot's fallback
action and the gateway (articles offered while a user waits in the queue)."""

# A passage answers when it covers most of what the question says, with a clear score.
STRONG_SCORE = 6.0
STRONG_COVERAGE = 0.6
