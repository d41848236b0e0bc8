"""Prometheus text exposition of the gateway: this process's counters and histograms,
and gauges of shared state read from Redis at scrape time in constant work."""

from __future__ import annotations

from dataclasses import dataclass, field

WAIT_BUCKETS = (30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0)
TURN_BUCKETS = (0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


@dataclass
class Histogram:
    name: str
    help: str
    buckets: tuple[float, ...]
    counts: list[int] = field(default_factory=list)
    total: float = 0.0

    def __post_init__(self) -> None:
        self.counts = [0] * (len(self.buckets) + 1)

    def observe(self, value: float) -> None:
        index = next((i for i, b in enumerate(self.buckets) if value <= b), len(self.buckets))
        self.counts[index] += 1
        self.total += value

    def render(self) -> str:
        lines = [f"# HELP {self.name} {self.help}", f"# TYPE {self.name} histogram"]
        running = 0
        for bound, count in zip((*self.buckets, float("inf")), self.counts, strict=True):
            running += count
            label = "+Inf" if bound == float("inf") else f"{bound:g}"
            lines.append(f'{self.name}_bucket{{le="{label}"}} {running}')
        lines += [f"{self.name}_sum {self.total:g}", f"{self.name}_count {running}"]
        return "\n".join(lines) + "\n"


@dataclass
class Metrics:
    """Counters of this process (gauges of shared state are read from Redis)."""

    connections: int = 0
    turn_failures: int = 0  # bot turns answered with "the assistant can't answer"
    listener_restarts: int = 0  # Socket.IO Redis listener found deaf and restarted
    wait: Histogram = field(default_factory=lambda: Histogram(
        "hc_queue_wait_seconds", "Time chats waited in the queue before an agent took them "
        "(this process)", WAIT_BUCKETS))
    turn: Histogram = field(default_factory=lambda: Histogram(
        "hc_bot_turn_seconds", "Time Rasa took to answer a user message (this process)",
        TURN_BUCKETS))

    def observe_wait(self, seconds: float) -> None:
        """A chat waited `seconds` in the queue before an agent took it."""
        self.wait.observe(seconds)

    def observe_turn(self, seconds: float) -> None:
        self.turn.observe(seconds)


def render(gauges: dict[str, list[tuple[dict[str, str], float]]], helps: dict[str, str],
           kinds: dict[str, str] | None = None) -> str:
    lines = []
    for name, samples in gauges.items():
        lines.append(f"# HELP {name} {helps.get(name, name)}")
        lines.append(f"# TYPE {name} {(kinds or {}).get(name, 'gauge')}")
        for labels, value in samples:
            label = ",".join(f'{k}="{v}"' for k, v in labels.items())
            lines.append(f"{name}{{{label}}} {value:g}" if label else f"{name} {value:g}")
    return "\n".join(lines) + "\n"
