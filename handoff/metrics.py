"""Prometheus text exposition of the gateway's state, built at scrape time."""

from __future__ import annotations

from dataclasses import dataclass, field

WAIT_BUCKETS = (30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0)


@dataclass
class Metrics:
    """Counters of this process (gauges of shared state are read from Redis)."""

    connections: int = 0
    wait_counts: list[int] = field(default_factory=lambda: [0] * (len(WAIT_BUCKETS) + 1))
    wait_sum: float = 0.0

    def observe_wait(self, seconds: float) -> None:
        """A chat waited `seconds` in the queue before an agent took it."""
        index = next((i for i, b in enumerate(WAIT_BUCKETS) if seconds <= b),
                     len(WAIT_BUCKETS))
        self.wait_counts[index] += 1
        self.wait_sum += seconds

    def wait_histogram(self) -> str:
        name = "hc_queue_wait_seconds"
        lines = [f"# HELP {name} Time chats waited in the queue before an agent took them "
                 f"(this process)", f"# TYPE {name} histogram"]
        total = 0
        for bound, count in zip((*WAIT_BUCKETS, float("inf")), self.wait_counts, strict=True):
            total += count
            label = "+Inf" if bound == float("inf") else f"{bound:g}"
            lines.append(f'{name}_bucket{{le="{label}"}} {total}')
        lines += [f"{name}_sum {self.wait_sum:g}", f"{name}_count {total}"]
        return "\n".join(lines) + "\n"


def render(gauges: dict[str, list[tuple[dict[str, str], float]]], helps: dict[str, str]) -> str:
    lines = []
    for name, samples in gauges.items():
        lines.append(f"# HELP {name} {helps.get(name, name)}")
        lines.append(f"# TYPE {name} gauge")
        for labels, value in samples:
            label = ",".join(f'{k}="{v}"' for k, v in labels.items())
            lines.append(f"{name}{{{label}}} {value:g}" if label else f"{name} {value:g}")
    return "\n".join(lines) + "\n"
