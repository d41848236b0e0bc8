"""The gateway's Prometheus metrics, kept and exposed by `prometheus_client`.

Two kinds of numbers:

- **This process's** counters, histograms and its widget-connection gauge (`Metrics`).
  Several gateway processes run on one machine; with `PROMETHEUS_MULTIPROC_DIR` set
  (`make run` makes a fresh one per run, `var/run/metrics/`, and gives it to every
  gateway) `prometheus_client` keeps each process's values in memory-mapped files there
  (`<kind>_<pid>.db`), and any process's `/metrics` shows the machine's aggregate
  (`MultiProcessCollector`): counters and histograms summed over every process that ran
  since the directory was made, the connection gauge per live process (`pid` label).
  Without the variable (one process alone, as in most tests) the process's own registry
  is exposed: its numbers are then the machine's. The gateway does not make a directory
  of its own in that case: a directory only one process knows aggregates nothing, and
  would be left behind by every crash.
- **Shared state** (queue, chats, agents, pending bot turns) read from Redis at scrape
  time in constant work (`SharedState`), and the supervisor's restart counts
  (`ProcessRestarts`): the same for every process, so never stored per process.

`prometheus_client` decides between the two storages when it is imported, from the
environment; `MULTIPROCESS_DIR` below is read at the same moment from the same variable.
A process that died leaves its files: its counters keep counting in the sums (they never
go back), its live gauge is removed (`mark_process_dead`) by the supervisor's event
listener (`scripts/restart_listener.py`), at a gateway's start, at each scrape for
processes that are gone, and by the process itself when it stops.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import prometheus_client
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, multiprocess
from prometheus_client.exposition import choose_encoder
from prometheus_client.metrics_core import CounterMetricFamily, GaugeMetricFamily, Metric

from bot.policy import PRIORITIES
from handoff import vocabulary as v

MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"
MULTIPROCESS_DIR = os.environ.get(MULTIPROCESS_ENV, "")  # as prometheus_client read it

WAIT_BUCKETS = (30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0)
TURN_BUCKETS = (0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
RELAY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
USER_TO_AGENT = "user_to_agent"
AGENT_TO_USER = "agent_to_user"
DIRECTIONS = (USER_TO_AGENT, AGENT_TO_USER)
# the few functions of prometheus_client that carry no annotations
_client: Any = prometheus_client
_multiprocess: Any = multiprocess

# `_created` series (a counter's start time) mean nothing once several processes' values
# are summed, and multiprocess mode has none: none in either mode.
_client.disable_created_metrics()


def alive(pid: int) -> bool:
    """The process exists and is not a zombie (a killed child its parent has not reaped
    yet still answers signal 0)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    with contextlib.suppress(OSError, IndexError):
        return Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1][:1] != "Z"
    return True


def prune_dead(directory: Path) -> list[int]:
    """`mark_process_dead` for every process whose live gauges are in `directory` and
    that is gone: work in the number of processes, not of chats."""
    dead = set()
    for path in directory.glob("gauge_live*_*.db"):
        number = path.stem.rsplit("_", 1)[-1]
        if number.isdigit() and not alive(int(number)):
            dead.add(int(number))
    for pid in sorted(dead):
        _multiprocess.mark_process_dead(pid, str(directory))
    return sorted(dead)


class Metrics:
    """This process's counters, histograms and connection gauge."""

    def __init__(self) -> None:
        self.directory = Path(MULTIPROCESS_DIR) if MULTIPROCESS_DIR else None
        if self.directory is not None:  # before the first value is written there
            self.directory.mkdir(parents=True, exist_ok=True)
            prune_dead(self.directory)
        self.registry = r = CollectorRegistry()  # this instance's own (tests make many)
        self.connections = Gauge(
            "hc_socket_connections", "Widget Socket.IO connections to a gateway process "
            "(one sample per live process when processes share a metrics directory)",
            registry=r, multiprocess_mode="liveall")
        self.turn_failures = Counter(
            "hc_bot_turn_failures", "Bot turns answered with a notice that the assistant "
            "could not answer", registry=r)
        self.listener_restarts = Counter(
            "hc_socketio_listener_restarts", "Times a gateway process found its Socket.IO "
            "Redis listener deaf and restarted it", registry=r)
        self.taken_late = Counter(
            "hc_target_response_missed", "Chats an agent took after their target response "
            "time (the support policy's, per priority) had passed", ["priority"], registry=r)
        self.turn = Histogram(
            "hc_bot_turn_seconds", "Time Rasa took to answer a user message",
            buckets=TURN_BUCKETS, registry=r)
        self.relay = Histogram(
            "hc_relay_seconds", "Time from a message's arrival at the gateway (from a user "
            "or an agent) to its emit to the other side", ["direction"],
            buckets=RELAY_BUCKETS, registry=r)
        self.wait = Histogram(
            "hc_queue_wait_seconds", "Time chats waited in the queue before an agent took "
            "them", buckets=WAIT_BUCKETS, registry=r)
        # every series exists from the start, at 0 (a value a reused pid's old file may
        # hold is overwritten)
        self.connections.set(0)
        for counter in (self.turn_failures, self.listener_restarts):
            counter.inc(0)
        for priority in PRIORITIES:
            self.taken_late.labels(priority).inc(0)
        for direction in DIRECTIONS:
            self.relay.labels(direction)

    # -- what the gateway tells it ---------------------------------------------------------
    def connected(self) -> None:
        self.connections.inc()

    def disconnected(self) -> None:
        self.connections.dec()

    def turn_failed(self) -> None:
        """A bot turn answered with "the assistant can't answer"."""
        self.turn_failures.inc()

    def listener_restarted(self) -> None:
        self.listener_restarts.inc()

    def observe_turn(self, seconds: float) -> None:
        self.turn.observe(seconds)

    def observe_relay(self, direction: str, seconds: float) -> None:
        self.relay.labels(direction).observe(seconds)

    def observe_wait(self, seconds: float) -> None:
        """A chat waited `seconds` in the queue before an agent took it."""
        self.wait.observe(seconds)

    def taken(self, priority: str, waited_s: float, target_s: float) -> None:
        """An agent took a chat of `priority` after `waited_s` in the queue; its target
        response time was `target_s`."""
        self.observe_wait(waited_s)
        if waited_s > target_s:
            self.taken_late.labels(priority if priority in PRIORITIES else "other").inc()

    def stopped(self) -> None:
        """This process is exiting: its live gauge leaves the machine's figures now."""
        if self.directory is not None:
            _multiprocess.mark_process_dead(os.getpid(), str(self.directory))

    # -- what a scrape shows ---------------------------------------------------------------
    def own(self) -> Any:
        """The collector of the per-process metrics: every process's files when they
        share a directory, else this instance's registry."""
        if self.directory is None:
            return self.registry
        prune_dead(self.directory)
        return _multiprocess.MultiProcessCollector(None, str(self.directory))

    def exposition(self, shared: Iterable[Any], accept: str | None) -> tuple[bytes, str]:
        """The body and content type of /metrics: the per-process metrics and `shared`
        collectors, in the format the scraper asks for (Prometheus text by default)."""
        encoder, content_type = choose_encoder(accept or "")
        return encoder(_Together([self.own(), *shared])), content_type


class _Together:
    """Several collectors as one (what prometheus_client's encoders take)."""

    def __init__(self, collectors: list[Any]) -> None:
        self.collectors = collectors

    def collect(self) -> Iterator[Metric]:
        for collector in self.collectors:
            yield from collector.collect()


@dataclass(frozen=True)
class SharedState:
    """Gauges of the state every process shares, as read from Redis for one scrape."""

    queued: Mapping[str, int]  # priority -> chats waiting for an agent
    with_agents: int  # chats talking to an agent
    agents: Mapping[str, int]  # presence -> agents
    past_target: int  # queued chats past their target response time
    pending_turns: int  # user messages the bot has not answered yet

    def collect(self) -> Iterator[Metric]:
        chats = GaugeMetricFamily("hc_chats", "Chats waiting for or talking to an agent",
                                  labels=["state"])
        chats.add_metric([v.QUEUED], sum(self.queued.values()))
        chats.add_metric([v.AGENT], self.with_agents)
        yield chats
        queue = GaugeMetricFamily("hc_queue_length", "Chats waiting for an agent, by "
                                  "priority", labels=["priority"])
        for priority, n in self.queued.items():
            queue.add_metric([priority], n)
        yield queue
        agents = GaugeMetricFamily("hc_agents", "Agents by presence", labels=["presence"])
        for presence, n in self.agents.items():
            agents.add_metric([presence], n)
        yield agents
        yield GaugeMetricFamily("hc_target_response_breaches", "Queued chats past their "
                                "target response time", value=self.past_target)
        yield GaugeMetricFamily("hc_pending_bot_turns", "User messages the bot has not "
                                "answered yet", value=self.pending_turns)


def read_restarts(path: Path | None) -> dict[str, int]:
    """{process: restarts} as the supervisor's event listener records them."""
    if path is None:
        return {}
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return {str(k): int(n) for k, n in data.items() if isinstance(n, int)} \
        if isinstance(data, dict) else {}


@dataclass(frozen=True)
class ProcessRestarts:
    """The supervisor's restart counts (`HC_RESTARTS_FILE`), one per program."""

    counts: Mapping[str, int]

    def collect(self) -> Iterator[Metric]:
        family = CounterMetricFamily("hc_process_restarts", "Processes restarted by the "
                                     "supervisor after they died", labels=["process"])
        for process, n in sorted(self.counts.items()):
            family.add_metric([process], n)
        yield family
