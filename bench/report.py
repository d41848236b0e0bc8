"""The report of `make bench`: a Markdown table of every figure beside its baseline from the
same run and the ratio, and PNG plots (matplotlib), written into docs/performance.md
between the `bench:begin` and `bench:end` markers (the rest of that file is prose and
other figures, left as they are). Reads bench/results/latest.json.

`python -m bench.report` rewrites the section from the last results without measuring.
"""

from __future__ import annotations

import json
import math
import re
import sys
from typing import Any

from bench.common import LATEST, RESULTS
from scripts.stack import ROOT

DOC = ROOT / "docs" / "performance.md"
PLOTS = RESULTS / "plots"
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"


def fmt(value: Any, unit: str = "", digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    text = f"{value:,.{digits}f}" if isinstance(value, float) else f"{value:,}"
    return f"{text} {unit}".strip()


def met(ok: bool | None) -> str:
    return "" if ok is None else ("**met**" if ok else "**not met**")


Row = tuple[str, str, str, str, str, str]


def rows(parts: dict[str, Any]) -> list[Row]:
    out: list[Row] = []
    turn = parts.get("turn")
    if turn:
        for c in ("c1", "c20"):
            n = c[1:]
            for p, target in (("p50", 1.05), ("p99", 1.15)):
                r = turn[c][f"{p}_ratio"]
                out.append((f"bot turn {p}, concurrency {n} (socket vs REST)",
                            fmt(turn[c]["socket_ms"][p], "ms"), fmt(turn[c]["rest_ms"][p], "ms"),
                            fmt(r, digits=2), f"<= {target}", met(r <= target)))
    relay = parts.get("relay")
    if relay:
        for n, level in relay["levels"].items():
            for d, label in (("user_to_agent", "user -> agent"), ("agent_to_user",
                                                                  "agent -> user")):
                r = level[f"p99_ratio_{d}"]
                out.append((f"relay {label} p99, {n} chat{'s' if n != '1' else ''} "
                            f"(vs bare relay)", fmt(level["gateway"][f"{d}_ms"]["p99"], "ms"),
                            fmt(level["bare"][f"{d}_ms"]["p99"], "ms"), fmt(r, digits=2),
                            "<= 1.5", met(r <= 1.5)))
    queue = parts.get("queue")
    if queue:
        small, large = queue["sizes"]["10"], queue["sizes"]["100000"]
        for op, label in (("enqueue", "enqueue (request)"), ("claim", "claim (take next)"),
                          ("position", "one waiting user's position"),
                          ("broadcast", "every waiting user's position + agents' queue"),
                          ("snapshot", "agents' queue snapshot")):
            r = queue["ratio_100000_vs_10"][op]["p50"]
            out.append((f"queue: {label} p50, 100,000 waiting (vs 10 waiting)",
                        fmt(large[op]["p50"], "ms", 2), fmt(small[op]["p50"], "ms", 2),
                        fmt(r, digits=2), "<= 1.3", met(r <= 1.3)))
    burst = parts.get("burst")
    if burst:
        gw, base = burst["gateway"], burst["bare"]
        out.append(("2,000 chats opened within 10 s: confirmed",
                    f"{gw['confirmed']:,} / {burst['widgets']:,}",
                    f"{base['confirmed']:,} / {burst['widgets']:,}", "", "all",
                    met(gw["confirmed"] == burst["widgets"])))
        out.append(("... errors in the gateway's log", fmt(burst["gateway_log"]["problems"]),
                    "", "", "0", met(burst["gateway_log"]["problems"] == 0)))
        out.append(("... p99 time to session_confirm", fmt(gw["start_to_confirm_ms"]["p99"], "ms"),
                    fmt(base["start_to_confirm_ms"]["p99"], "ms"), fmt(burst["p99_ratio"],
                                                                        digits=2), "", ""))
        out.append(("... server CPU per chat opened", fmt(gw["server_cpu_ms_per_open"], "ms", 2),
                    fmt(base["server_cpu_ms_per_open"], "ms", 2),
                    fmt(gw["server_cpu_ms_per_open"] / base["server_cpu_ms_per_open"], digits=2),
                    "", ""))
        at_once = burst.get("at_once")
        if at_once:
            out.append(("2,000 opened at once: confirmed; p99 to confirm",
                        f"{at_once['gateway']['confirmed']:,}; "
                        f"{fmt(at_once['gateway']['start_to_confirm_ms']['p99'], 'ms')}",
                        f"{at_once['bare']['confirmed']:,}; "
                        f"{fmt(at_once['bare']['start_to_confirm_ms']['p99'], 'ms')}",
                        fmt(at_once["p99_ratio"], digits=2), "", ""))
    idle = parts.get("idle")
    if idle:
        one, base = idle["one_process"]["gateway"], idle["one_process"]["bare"]
        out.append(("5,000 idle chats on one process: memory per connection",
                    fmt(one["kib_per_connection"], "KiB"), fmt(base["kib_per_connection"], "KiB"),
                    fmt(idle["one_process"]["kib_ratio"], digits=2), "<= 32 KiB",
                    met(one["kib_per_connection"] <= 32)))
        errors = one["failed"] + one["error_events"] + one["gateway_log"]["problems"]
        out.append(("... failures + error events + log errors; dropped before close",
                    f"{errors}; {one['connections'] - one['still_connected_at_close']}",
                    f"{base['failed'] + base['error_events']}; "
                    f"{base['connections'] - base['still_connected_at_close']}", "", "0",
                    met(errors == 0 and one["still_connected_at_close"] == one["connections"])))
        out.append(("... CPU while idle", fmt(one["idle_cpu_pct"], "%"),
                    fmt(base["idle_cpu_pct"], "%"), "", "", ""))
        many = idle["several_processes"]
        bad = many["failed"] + many["error_events"] + many["gateway_log"]["problems"]
        out.append((f"20,000 idle chats on {many['processes']} gateway processes: open; "
                    "errors; dropped", f"{many['connections']:,}; {bad}; "
                    f"{many['connections'] - many['still_connected_at_close']}",
                    "", "", "20,000; 0; 0",
                    met(many["connections"] == 20000 and bad == 0
                        and many["still_connected_at_close"] == 20000)))
    sustained = parts.get("sustained")
    if sustained:
        gw, base = sustained["gateway"], sustained["bare"]
        out.append((f"500 messages/s for {gw['seconds']:.0f} s: lost; reordered",
                    f"{gw['lost']}; {gw['reordered']}", f"{base['lost']}; {base['reordered']}",
                    "", "0; 0", met(gw["lost"] == 0 and gw["reordered"] == 0)))
        out.append(("... server CPU per message", fmt(gw["cpu_ms_per_message"], "ms", 2),
                    fmt(base["cpu_ms_per_message"], "ms", 2),
                    fmt(sustained["cpu_per_message_ratio"], digits=2), "", ""))
        out.append(("... p99 user -> agent under that load",
                    fmt(gw["user_to_agent_ms"]["p99"], "ms"),
                    fmt(base["user_to_agent_ms"]["p99"], "ms"),
                    fmt(gw["user_to_agent_ms"]["p99"] / base["user_to_agent_ms"]["p99"],
                        digits=2), "", ""))
    startup = parts.get("startup")
    if startup:
        out.append(("start-up, trained model -> gateway /readyz (vs stock `rasa run` alone)",
                    fmt(startup["stack_to_readyz_s"], "s"),
                    fmt(startup["stock_rasa_to_answer_s"], "s"), fmt(startup["ratio"], digits=2),
                    "", ""))
    clone = parts.get("clone")
    if clone:
        out.append((f"fresh clone -> ready (vs `make run` when installed; run of "
                    f"{clone['machine']['at'][:10]})", fmt(clone["fresh_clone_to_ready_s"], "s"),
                    fmt(clone["installed_and_trained_make_run_to_ready_s"], "s"),
                    fmt(clone["ratio"], digits=1), "", ""))
    return out


def table(parts: dict[str, Any]) -> str:
    lines = ["| figure | gateway | baseline | ratio | target | |",
             "|---|---|---|---|---|---|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows(parts)]
    return "\n".join(lines)


# -- plots -------------------------------------------------------------------------------------
def plots(parts: dict[str, Any]) -> list[tuple[str, str]]:
    """PNG files written under bench/results/plots/ and their captions."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    PLOTS.mkdir(parents=True, exist_ok=True)
    made: list[tuple[str, str]] = []
    colours = {"gateway": "#c0392b", "baseline": "#7f8c8d"}

    def save(fig: Any, name: str, caption: str) -> None:
        fig.tight_layout()
        fig.savefig(PLOTS / name, dpi=90)
        plt.close(fig)
        made.append((name, caption))

    turn = parts.get("turn")
    if turn:
        fig, axes = plt.subplots(1, 2, figsize=(8, 3))
        for ax, c in zip(axes, ("c1", "c20"), strict=True):
            xs = ["p50", "p90", "p99"]
            for i, (key, label, colour) in enumerate((
                    ("socket_ms", "gateway socket", colours["gateway"]),
                    ("rest_ms", "Rasa REST (baseline)", colours["baseline"]))):
                ax.bar([j + 0.4 * i for j in range(3)], [turn[c][key][x] for x in xs], 0.4,
                       label=label, color=colour)
            ax.set_xticks([j + 0.2 for j in range(3)], xs)
            ax.set_title(f"bot turn, concurrency {c[1:]}")
            ax.set_ylabel("ms")
        axes[0].legend(fontsize=8)
        save(fig, "turn.png", "Bot turn latency: widget socket through the gateway vs Rasa REST")
    relay = parts.get("relay")
    if relay:
        fig, axes = plt.subplots(1, 2, figsize=(8, 3))
        levels = list(relay["levels"])
        for ax, d, label in zip(axes, ("user_to_agent", "agent_to_user"),
                                ("user -> agent", "agent -> user"), strict=True):
            for i, (side, colour) in enumerate((("gateway", colours["gateway"]),
                                                ("bare", colours["baseline"]))):
                ax.bar([j + 0.4 * i for j in range(len(levels))],
                       [relay["levels"][n][side][f"{d}_ms"]["p99"] for n in levels], 0.4,
                       label="gateway" if side == "gateway" else "bare relay (baseline)",
                       color=colour)
            ax.set_xticks([j + 0.2 for j in range(len(levels))],
                          [f"{n} chat{'s' if n != '1' else ''}" for n in levels])
            ax.set_title(f"relay p99, {label}")
            ax.set_ylabel("ms")
        axes[0].legend(fontsize=8)
        save(fig, "relay.png", "Relay p99 latency by chats open at once, gateway vs bare relay")
    queue = parts.get("queue")
    if queue:
        fig, ax = plt.subplots(figsize=(6, 3.2))
        sizes = [int(s) for s in queue["sizes"]]
        for op in ("enqueue", "claim", "broadcast", "snapshot", "position"):
            ax.plot(sizes, [queue["sizes"][str(s)][op]["p50"] for s in sizes], marker="o",
                    label=op)
        ax.set_xscale("log")
        ax.set_xlabel("chats waiting")
        ax.set_ylabel("p50 ms")
        ax.set_title("queue operations by queue length")
        ax.legend(fontsize=8)
        save(fig, "queue.png", "Queue operations' latency with 10 to 100,000 chats waiting")
    burst, idle, sustained = parts.get("burst"), parts.get("idle"), parts.get("sustained")
    if burst and idle and sustained:
        fig, axes = plt.subplots(1, 3, figsize=(9, 3))
        pairs = [
            (axes[0], "burst: time to confirm (ms)",
             [burst["gateway"]["start_to_confirm_ms"]["p50"],
              burst["gateway"]["start_to_confirm_ms"]["p99"]],
             [burst["bare"]["start_to_confirm_ms"]["p50"],
              burst["bare"]["start_to_confirm_ms"]["p99"]], ["p50", "p99"]),
            (axes[1], "idle: KiB per connection",
             [idle["one_process"]["gateway"]["kib_per_connection"]],
             [idle["one_process"]["bare"]["kib_per_connection"]], ["5,000 idle"]),
            (axes[2], "500 msg/s: CPU ms per message",
             [sustained["gateway"]["cpu_ms_per_message"]],
             [sustained["bare"]["cpu_ms_per_message"]], ["CPU"])]
        for ax, title, ours, base, xs in pairs:
            ax.bar([j for j in range(len(xs))], ours, 0.4, label="gateway",
                   color=colours["gateway"])
            ax.bar([j + 0.4 for j in range(len(xs))], base, 0.4, label="bare (baseline)",
                   color=colours["baseline"])
            ax.set_xticks([j + 0.2 for j in range(len(xs))], xs)
            ax.set_title(title, fontsize=9)
        axes[0].legend(fontsize=7)
        save(fig, "connections.png",
             "2,000 chats opened in 10 s, 5,000 idle connections, 500 messages/s: gateway vs "
             "bare python-socketio")
    return made


def _mix(report: dict[str, Any], process: str = "gateway") -> str:
    mix = report.get("per_process", {}).get(process, {}).get("mix_per_unit", {})
    return ", ".join(f"{k} {v:g}" for k, v in mix.items() if v >= 0.2)


def profiles(parts: dict[str, Any]) -> str:
    """Redis round trips per unit of work, a bot turn's timeline, and py-spy's areas."""
    lines: list[str] = []
    units: list[tuple[str, dict[str, Any], str]] = []
    turn, relay, burst = parts.get("turn"), parts.get("relay"), parts.get("burst")
    if turn:
        units.append(("bot turn", turn["profile"]["redis"],
                      fmt(turn["c1"].get("gateway_cpu_ms_per_turn"), "ms", 2)))
    if relay and "profile" in relay:
        for key, label in (("user_message", "relayed message, user -> agent"),
                           ("agent_message", "relayed message, agent -> user")):
            if key in relay["profile"]["redis"]:
                units.append((label, relay["profile"]["redis"][key], ""))
    if burst and "open" in burst.get("gateway", {}).get("redis_per_open", {}):
        units.append(("chat opened (connect + session_request)",
                      burst["gateway"]["redis_per_open"]["open"],
                      fmt(burst["gateway"]["server_cpu_ms_per_open"], "ms", 2)))
        units.append(("chat's socket closed", burst["gateway"]["redis_per_open"]["close"], ""))
    if units:
        lines += ["Redis per unit of work, from `redis-cli MONITOR` (each command attributed to "
                  "the process whose connection sent it; a pipeline or MULTI..EXEC is one round "
                  "trip):", "",
                  "| unit | gateway round trips | commands sent | run inside scripts | "
                  "gateway CPU | commands (per unit) |", "|---|---|---|---|---|---|"]
        for label, rep, cpu in units:
            gw = rep.get("per_process", {}).get("gateway", {})
            inside = sum(rep.get("inside_scripts_per_unit", {}).values())
            lines.append(f"| {label} | {fmt(gw.get('round_trips_per_unit'), digits=1)} | "
                         f"{fmt(gw.get('commands_per_unit'), digits=1)} | {inside:.1f} | {cpu} | "
                         f"{_mix(rep)} |")
        if turn and "rasa" in turn["profile"]["redis"].get("per_process", {}):
            rasa = turn["profile"]["redis"]["per_process"]["rasa"]
            lines += ["", f"In a bot turn Rasa itself makes {rasa['round_trips_per_unit']:g} "
                      f"round trips ({rasa['commands_per_unit']:g} commands: "
                      f"{_mix(turn['profile']['redis'], 'rasa')}); they are in both the "
                      f"socket and the REST figures."]
        lines.append("")
    if turn:
        tl = turn["profile"]["redis"].get("timeline", {}).get("median_ms", {})
        rt = turn["profile"]["redis"].get("rest_timeline", {}).get("median_ms", {})
        if tl:
            lines += ["A bot turn's timeline at concurrency 1 (medians of 15 turns each, cut by "
                      "the Redis commands' timestamps, which share the client's clock):", "",
                      "| segment | through the gateway | REST direct |", "|---|---|---|",
                      f"| client -> gateway's first Redis command | "
                      f"{fmt(tl.get('client_to_gateway_first_redis'), 'ms', 2)} | |",
                      f"| gateway: rate limits, message stored (to its `EVALSHA`) | "
                      f"{fmt(tl.get('gateway_before_rasa'), 'ms', 2)} | |",
                      f"| -> Rasa's first Redis command | "
                      f"{fmt(tl.get('gateway_to_rasa_first_redis'), 'ms', 2)} | "
                      f"{fmt(rt.get('client_to_rasa_first_redis'), 'ms', 2)} |",
                      f"| Rasa and the action server | {fmt(tl.get('rasa_and_actions'), 'ms', 2)} "
                      f"| {fmt(rt.get('rasa_and_actions'), 'ms', 2)} |",
                      f"| Rasa's last Redis command -> gateway stores the replies | "
                      f"{fmt(tl.get('rasa_last_redis_to_gateway_finish'), 'ms', 2)} | |",
                      f"| -> first reply at the client | "
                      f"{fmt(tl.get('gateway_finish_to_client'), 'ms', 2)} | "
                      f"{fmt(rt.get('rasa_last_redis_to_client'), 'ms', 2)} |",
                      f"| total | {fmt(tl.get('total'), 'ms', 2)} | "
                      f"{fmt(rt.get('total'), 'ms', 2)} |",
                      ""]
    spies = [(label, p) for label, p in (
        ("bot turns, c=1", turn and turn["profile"].get("pyspy")),
        ("relay, 100 chats", relay and relay.get("profile", {}).get("pyspy")),
        ("2,000 chats opened", burst and burst.get("gateway", {}).get("pyspy"))) if p]
    if spies:
        lines += ["py-spy on the gateway process (share of its busy samples by the library of "
                  "the innermost frame; idle samples left out):", "",
                  "| library | " + " | ".join(label for label, _ in spies) + " |",
                  "|---|" + "---|" * len(spies)]
        names = []
        for _, spy in spies:
            for name, _ in spy["areas_pct"]:
                if name not in names:
                    names.append(name)
        for name in names:
            cells = [f"{dict(spy['areas_pct']).get(name, 0):.0f}%" for _, spy in spies]
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
        lines += ["", "Gateway functions by share of busy samples (including callees):", ""]
        for label, spy in spies:
            top = "; ".join(f"`{n.split(' (')[0]}` {p:.0f}%" for n, p in spy["inclusive_pct"][:8])
            lines.append(f"- {label}: {top}")
        lines.append("")
    return "\n".join(lines)


def section(latest: dict[str, Any]) -> str:
    parts = latest.get("parts", {})
    made = plots(parts)
    when = sorted({p["machine"]["at"] for p in parts.values() if "machine" in p})
    loads = [p["machine"]["load_avg"][0] for p in parts.values() if "machine" in p]
    commits = sorted({p["machine"].get("commit", "") for p in parts.values() if "machine" in p})
    lines = [BEGIN, "",
             f"Generated by `make bench` (`bench/report.py`) from `bench/results/latest.json`; "
             f"parts run {when[0] if when else '?'} to {when[-1] if when else '?'}, "
             f"commit {', '.join(c for c in commits if c)}, 2 cores shared with other jobs "
             f"(1-minute load average {min(loads, default=0):.1f} to {max(loads, default=0):.1f} "
             f"at the parts' starts). Every baseline was measured in the same run.", "",
             table(parts), ""]
    for name, caption in made:
        lines += [f"![{caption}](../bench/results/plots/{name})", ""]
    lines += ["### Where the gateway's time goes (same run)", "", profiles(parts), END]
    return "\n".join(lines)


def main() -> int:
    latest = json.loads(LATEST.read_text())
    text = DOC.read_text()
    new = section(latest)
    if BEGIN in text and END in text:
        text = re.sub(re.escape(BEGIN) + r".*?" + re.escape(END), lambda _: new, text,
                      flags=re.S)
    else:
        text = text.rstrip() + "\n\n" + new + "\n"
    DOC.write_text(text)
    print(table(latest.get("parts", {})))
    return 0


if __name__ == "__main__":
    sys.exit(main())
