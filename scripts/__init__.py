"""Developer tooling: start and stop the stack, train, chat, evaluate."""
