"""Prometheus text exposition of the gateway's state, built at scrape time."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Metrics:
    connections: int = 0
    user_messages: int = 0
    handoffs_refused: int = 0


def render(gauges: dict[str, list[tuple[dict[str, str], float]]], helps: dict[str, str]) -> str:
    lines = []
    for name, samples in gauges.items():
        lines.append(f"# HELP {name} {helps.get(name, name)}")
        lines.append(f"# TYPE {name} gauge")
        for labels, value in samples:
            label = ",".join(f'{k}="{v}"' for k, v in labels.items())
            lines.append(f"{name}{{{label}}} {value:g}" if label else f"{name} {value:g}")
    return "\n".join(lines) + "\n"
