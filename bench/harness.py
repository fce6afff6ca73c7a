"""What every bench shares: repeated runs with medians and spread, a quiet-machine check,
and CPU time per process.

A bench defines `once(args) -> dict` (one run, returning its summary) and calls
`run(parser, once, headline)`. With `--runs K` (default 3) the bench runs itself K times,
each in a fresh process (a fresh database and fresh servers), prints each run's figures,
then the median and the spread (min to max) of every figure. The last line printed is one
JSON object with the same keys as a single run, holding medians, plus `runs`, `spread`
and `load_before`.

Before the first run the machine's 1-minute load average is recorded; a busy machine
(above `--max-load`, 0.5 per core by default) is waited on for up to `--settle` seconds,
then refused unless `--busy-ok` is given — a figure measured beside other work is not a
figure of Roost.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

CHILD_FLAG = "--one-run-of-several"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--runs", type=int, default=3, help="runs, each in a fresh process")
    parser.add_argument(
        "--max-load",
        type=float,
        default=0.5 * (os.cpu_count() or 1),
        help="highest 1-minute load average counted as quiet (default 0.5 per core)",
    )
    parser.add_argument("--settle", type=float, default=120.0, help="seconds to wait for quiet")
    parser.add_argument("--busy-ok", action="store_true", help="report even on a busy machine")
    parser.add_argument(CHILD_FLAG, dest="child", action="store_true", help=argparse.SUPPRESS)


def machine() -> str:
    return f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}"


def cpu_seconds(pid: int | None = None) -> float | None:
    """User + system CPU seconds used so far by a process (this one by default); None when
    the process is gone or /proc is not there."""
    if pid is None:
        t = os.times()
        return t.user + t.system
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks  # utime, stime


def named_cpu_seconds(name: str) -> float:
    """CPU seconds used so far by every process named `name` (e.g. "postgres": the
    server's backends and its background writers), 0 when there are none."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        head = text.rpartition(")")[0]
        if head.partition("(")[2] == name:
            total += cpu_seconds(int(stat.parent.name)) or 0.0
    return total


def wait_for_quiet(max_load: float, settle: float, busy_ok: bool) -> tuple[float, bool]:
    """The load average before the bench starts, and whether the machine counts as busy."""
    deadline = time.monotonic() + settle
    load = os.getloadavg()[0]
    told = False
    while load > max_load and time.monotonic() < deadline:
        if not told:
            print(f"waiting for a quiet machine: load {load:.2f} > {max_load:.2f}", flush=True)
            told = True
        time.sleep(5)
        load = os.getloadavg()[0]
    busy = load > max_load
    if busy and not busy_ok:
        sys.exit(
            f"refusing to measure: the 1-minute load average is {load:.2f} (quiet is at most "
            f"{max_load:.2f}); stop the other work, or pass --busy-ok to report anyway"
        )
    return round(load, 2), busy


def aggregate(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Medians of numeric figures (others from the first run) and their spread."""
    out: dict[str, Any] = {}
    spread: dict[str, list[float]] = {}
    for key, first in runs[0].items():
        values = [r.get(key) for r in runs]
        numeric = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
        if isinstance(first, int | float) and not isinstance(first, bool) and numeric:
            whole = all(isinstance(v, int) for v in numeric)
            median = statistics.median_low(numeric) if whole else statistics.median(numeric)
            out[key] = round(median, 3) if isinstance(median, float) else median
            if min(numeric) != max(numeric):
                spread[key] = [min(numeric), max(numeric)]
        elif isinstance(first, dict):
            out[key] = aggregate([r[key] for r in runs if isinstance(r.get(key), dict)])
            spread.update({f"{key}.{k}": v for k, v in out[key].pop("spread", {}).items()})
        else:
            out[key] = first
    out["spread"] = spread
    return out


def last_json(text: str) -> dict[str, Any]:
    for line in reversed(text.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            return dict(json.loads(line))
    raise ValueError("no JSON summary in the output")


def run(
    parser: argparse.ArgumentParser,
    once: Callable[[argparse.Namespace], dict[str, Any]],
    headline: Callable[[dict[str, Any]], str],
) -> None:
    add_arguments(parser)
    args = parser.parse_args()
    if args.child:
        summary = once(args)
        print(headline(summary))
        print(json.dumps(summary))
        return
    load, busy = wait_for_quiet(args.max_load, args.settle, args.busy_ok)
    if args.runs <= 1:
        summary = once(args)
        summary.update(runs=1, load_before=load, busy=busy)
        print(headline(summary))
        print(json.dumps(summary))
        return
    argv = [a for a in sys.argv[1:]]
    runs = []
    for k in range(args.runs):
        print(f"--- run {k + 1} of {args.runs}", flush=True)
        done = subprocess.run(  # noqa: S603 - this same script, with our own interpreter
            [sys.executable, sys.argv[0], *argv, CHILD_FLAG],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            sys.stderr.write(done.stderr[-5000:])
            sys.exit(f"run {k + 1} failed with exit code {done.returncode}")
        summary = last_json(done.stdout)
        runs.append(summary)
        print(headline(summary))
        print(json.dumps(summary), flush=True)
    result = aggregate(runs)
    result.update(runs=len(runs), load_before=load, busy=busy)
    print(f"=== median of {len(runs)} runs: {headline(result)}")
    spread = ", ".join(f"{k} {lo} to {hi}" for k, (lo, hi) in result["spread"].items())
    print(f"    spread: {spread or 'none'}")
    print(json.dumps(result))
