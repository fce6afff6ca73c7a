"""Publishing lateness: N deliveries all due at one instant T, published to the Sandbox
(a real HTTP service on 127.0.0.1 answering each publish after 200 ms) by real `roost
worker` processes. Lateness is measured from T to the start of each network call.

    python bench/publish.py --n 1000 --db sqlite
    python bench/publish.py --n 10000 --db postgres

The last line printed is one JSON object:
{"n", "db", "p50_s", "p99_s", "max_s", "per_s", "duplicates", "missing", ...}.
A baseline runs in the same process first: the same number of calls made straight from a
bounded thread pool (no database, no publisher), so `vs_baseline` shows the publisher's
overhead on this machine at this moment.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import harness  # noqa: E402
from bench.harness import cpu_seconds, machine, named_cpu_seconds  # noqa: E402
from roost.publishing.testing import (  # noqa: E402
    child_env,
    migrate,
    percentile,
    sandbox_process,
    start_worker,
)

PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"


def database_url(kind: str, tmp: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp / 'bench.sqlite3'}"
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS roost_bench WITH (FORCE)")
        conn.execute("CREATE DATABASE roost_bench")
    return "postgres://postgres@127.0.0.1:5432/roost_bench"


def baseline(url: str, n: int, concurrency: int) -> float:
    """Calls per second straight from a thread pool: the ceiling the publisher works under."""
    from roost.networks.base import Part, PublishRequest
    from roost.networks.sandbox.client import SandboxClient
    from roost.networks.sandbox.connector import SandboxConnector

    token = SandboxClient(url).create_account("Baseline").token
    connector = SandboxConnector({"base_url": url}, {"token": token})
    started = time.monotonic()
    with ThreadPoolExecutor(concurrency) as pool:
        results = list(
            pool.map(
                lambda i: connector.publish(
                    PublishRequest(idempotency_key=f"baseline-{i}", parts=(Part(text=f"b{i}"),))
                ),
                range(n),
            )
        )
    assert all(r.ok for r in results), "baseline calls failed"
    return n / (time.monotonic() - started)


def once(args: argparse.Namespace) -> dict[str, object]:
    channels = args.channels or max(10, args.n // 10)

    with tempfile.TemporaryDirectory(prefix="roost-bench-") as tmpdir:
        tmp = Path(tmpdir)
        url = database_url(args.db, tmp)
        env = child_env(url)
        os.environ.update(DATABASE_URL=url, DJANGO_SETTINGS_MODULE="roost.settings")
        migrate(env)
        import django

        django.setup()
        from roost.core import clock
        from roost.networks.sandbox.testing import SandboxHandle
        from roost.publishing.testing import outcome, published_count, seed

        with sandbox_process(env) as sandbox_url:
            control = SandboxHandle(sandbox_url)
            control.control(latency_ms=args.latency_ms)
            from django.conf import settings

            settings.ROOST_SANDBOX_URL = sandbox_url  # on the outbound allow-list

            base_per_s = baseline(
                sandbox_url, min(args.n, 2000), settings.ROOST_PUBLISH_CONCURRENCY * args.workers
            )
            control.control(reset=True, latency_ms=args.latency_ms)

            lead = args.lead or max(5.0, args.n / 2000)
            due_at = clock.now() + timedelta(seconds=60)  # moved to the real T below
            info = seed(sandbox_url=sandbox_url, channels=channels, posts=args.n, due_at=due_at)
            from roost.publishing.models import Delivery, Post

            # Workers start (and warm up) before T; T is set once they are running. They log
            # at INFO, so each publisher's stage breakdown reaches its log when it stops.
            worker_env = {**env, "ROOST_LOG_LEVEL": "INFO"}
            logs = [tmp / f"worker{i}.log" for i in range(args.workers)]
            workers = [start_worker(worker_env, log) for log in logs]
            time.sleep(lead)
            cpu_at_t = [cpu_seconds(w.pid) for w in workers]
            sandbox_at_t = control.stats()["server"]
            bench_cpu_at_t = cpu_seconds()
            db_cpu_at_t = named_cpu_seconds("postgres")
            due_at = clock.now()
            Delivery.objects.filter(channel__workspace_id=info["workspace"]).update(
                due_at=due_at, next_attempt_at=due_at
            )
            Post.objects.filter(workspace_id=info["workspace"]).update(scheduled_at=due_at)
            started = time.monotonic()
            deadline = started + max(120.0, args.n / 20)
            while time.monotonic() < deadline:
                # One cheap COUNT a poll: the bench's own CPU (and the database's for it)
                # is taken from what it measures.
                if published_count() >= args.n:
                    break
                time.sleep(0.25)
            elapsed = time.monotonic() - started
            cpu_at_end = [cpu_seconds(w.pid) for w in workers]
            db_cpu = named_cpu_seconds("postgres") - db_cpu_at_t
            bench_cpu = (cpu_seconds() or 0) - (bench_cpu_at_t or 0)
            for w in workers:
                w.terminate()
            for w in workers:
                try:
                    w.wait(timeout=40)
                except subprocess.TimeoutExpired:
                    w.kill()
            result = outcome(info["workspace"], due_at)
            stats = control.stats()
            stages = publisher_stages(logs)

    lateness = result["lateness"]
    per_s = result["published"] / max(max(lateness, default=elapsed), 1e-9)
    keys_once = sum(1 for c in stats["by_key"].values() if c == 1)
    summary = {
        "n": args.n,
        "db": args.db,
        "p50_s": round(percentile(lateness, 0.50), 3),
        "p99_s": round(percentile(lateness, 0.99), 3),
        "max_s": round(max(lateness, default=float("nan")), 3),
        "per_s": round(per_s, 1),
        "duplicates": stats["duplicates"],
        "missing": args.n - keys_once,
        "workers": args.workers,
        "channels": channels,
        "latency_ms": args.latency_ms,
        "baseline_per_s": round(base_per_s, 1),
        "vs_baseline": round(per_s / base_per_s, 2),
        "machine": machine(),
        # Where the time went (see docs/performance.md for how to read it).
        "stages": stages,
        "cpu_s": {
            "workers": round(
                sum((e or 0) - (t or 0) for t, e in zip(cpu_at_t, cpu_at_end, strict=True)), 2
            ),
            "sandbox": round(stats["server"]["cpu_s"] - sandbox_at_t["cpu_s"], 2),
            "bench": round(bench_cpu, 2),
            # PostgreSQL's processes (0 on SQLite, which runs inside the workers).
            "database": round(db_cpu, 2),
            "available": round(elapsed * (os.cpu_count() or 1), 2),
        },
        "sandbox": {
            "answer_p99_ms": stats["server"]["answer_ms"]["p99"],
            "loop_lag_p99_ms": stats["server"]["loop_lag_ms"]["p99"],
            # Requests after T by route: one POST per delivery when nothing is retried.
            "requests": {
                route: count - sandbox_at_t["requests"].get(route, 0)
                for route, count in stats["server"]["requests"].items()
                if count > sandbox_at_t["requests"].get(route, 0) and "/api/stats" not in route
            },
        },
    }
    return summary


def publisher_stages(logs: list[Path]) -> dict[str, Any]:
    """The publishers' own breakdown (logged when they stop), summed over the workers:
    seconds per stage of their loops and per delivery, and their network calls' times."""
    found = []
    for log in logs:
        for line in log.read_text(errors="replace").splitlines():
            marker = line.find(" stats {")
            if "publisher " in line and marker >= 0:
                found.append(json.loads(line[marker + len(" stats ") :]))
    if not found:
        return {}
    delivered = sum(f["deliveries"] for f in found) or 1
    seconds = {k: round(sum(f["seconds"][k] for f in found), 3) for k in found[0]["seconds"]}
    cpu = {k: round(sum(f["cpu_seconds"][k] for f in found), 3) for k in found[0]["seconds"]}
    return {
        "deliveries": delivered,
        "batches": sum(f["batches"] for f in found),
        "seconds": seconds,
        "ms_per_delivery": {k: round(v * 1000 / delivered, 3) for k, v in seconds.items()},
        # Of those seconds, the ones on the loop thread's CPU; the rest is waiting (the
        # database, its locks, or the GIL held by the network thread).
        "cpu_seconds": cpu,
        "network_p50_s": max(f["network_s"]["p50"] or 0 for f in found),
        "network_p99_s": max(f["network_s"]["p99"] or 0 for f in found),
        "loop_thread_cpu_s": round(sum(f["cpu_s"]["loop_thread"] for f in found), 2),
        "network_thread_cpu_s": round(sum(f["cpu_s"]["network_thread"] or 0 for f in found), 2),
    }


def headline(s: dict[str, object]) -> str:
    return (
        f"n {s['n']} {s['db']}: lateness p50 {s['p50_s']}s p99 {s['p99_s']}s max {s['max_s']}s; "
        f"{s['per_s']}/s vs baseline {s['baseline_per_s']}/s ({s['vs_baseline']}x)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--channels", type=int, default=0, help="default: n/10, at least 10")
    parser.add_argument("--workers", type=int, default=2, help="roost worker processes")
    parser.add_argument("--latency-ms", type=int, default=200)
    parser.add_argument("--lead", type=float, default=0, help="seconds from seeding to T")
    harness.run(parser, once, headline)


if __name__ == "__main__":
    main()
