"""Paid media: import an N-row Meta Ads Manager CSV export through the real services
(preview, then import), import it again (nothing may change), then compute pacing for
10,000 campaigns with `roost.paid.pacing.pacing_many`.

    python bench/paid.py --rows 1000000 --db sqlite
    python bench/paid.py --rows 1000000 --db postgres --runs 3

The export: `--days` days (100) per campaign, so rows / days campaigns, written to a
temporary folder as Meta writes it (comma-separated, "Amount spent (EUR)", thousands
separators in quotes). `import_per_s` is rows per second of the import itself (the stored
file scanned, checked and written in one transaction); `preview_per_s` is the upload and
preview before it. The second import must add no AdDay row: `duplicates` is the rows it
added (0) and `unchanged` the rows it found as they were. Pacing runs over `--campaigns`
campaigns (10,000: the imported ones plus planned ones with budgets and flights);
`pacing_ms` is the median of `--pacing-calls` calls.

The last line printed is one JSON object:
{"rows", "db", "import_per_s", "duplicates", "pacing_ms", ...}. With `--runs K` (default
3) each run is a fresh process; see bench/harness.py.
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import harness  # noqa: E402
from bench.harness import cpu_seconds, machine, named_cpu_seconds  # noqa: E402
from roost.publishing.testing import child_env, fresh_postgres_database, migrate  # noqa: E402

FIRST_DAY = date(2026, 1, 1)
HEADER = [
    "Reporting starts",
    "Reporting ends",
    "Campaign name",
    "Campaign ID",
    "Amount spent (EUR)",
    "Impressions",
    "Reach",
    "Link clicks",
    "Results",
]


def bench_database(kind: str, tmp: Path) -> str:
    """SQLite in the temporary folder; PostgreSQL in a database of this bench's own."""
    if kind == "sqlite":
        return f"sqlite:///{tmp / 'bench.sqlite3'}"
    return fresh_postgres_database("roost_bench_paid")


def write_export(path: Path, rows: int, days: int) -> int:
    """A Meta export of `rows` rows (campaigns × days, day by day); the campaigns made."""
    campaigns = max(1, rows // days)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        written = 0
        for d in range(days):
            day = (FIRST_DAY + timedelta(days=d)).isoformat()
            for c in range(campaigns):
                if written == rows:
                    break
                impressions = 1000 + (c * 37 + d * 11) % 9000
                writer.writerow(
                    [
                        day,
                        day,
                        f"Campaign {c}",
                        f"2385{c:07d}",
                        f"{(impressions * 7) / 1000:.2f}",
                        f"{impressions:,}",
                        impressions * 3 // 4,
                        impressions // 50,
                        impressions // 900,
                    ]
                )
                written += 1
        # Rows left over (rows not a multiple of days) go to one more campaign.
        d = 0
        while written < rows:
            day = (FIRST_DAY + timedelta(days=d)).isoformat()
            writer.writerow([day, day, "Campaign extra", "2385extra", "1.00", "100", 80, 2, 0])
            written += 1
            d += 1
    return campaigns


class FileUpload:
    """A file on disk as the import service takes an upload."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.name: str | None = path.name
        self.size: int | None = path.stat().st_size

    def chunks(self, chunk_size: int | None = None) -> Iterator[bytes]:
        with self.path.open("rb") as raw:
            while chunk := raw.read(chunk_size or 1 << 20):
                yield chunk


def seed() -> tuple[Any, Any]:
    """A workspace, its owner's membership and a Meta ad account in EUR."""
    from roost.accounts.models import User
    from roost.paid.services.accounts import AccountInput, ad_account_create
    from roost.workspaces import services
    from roost.workspaces.models import Membership

    owner = User.objects.create_user("owner@bench.test", "bench-password-123", name="Owner")
    workspace = services.workspace_create(actor=owner, name="Bench", timezone="Europe/Warsaw")
    actor = Membership.objects.get(workspace=workspace, user=owner)
    account = ad_account_create(
        actor=actor, data=AccountInput(name="Meta EU", source="meta", currency="EUR")
    )
    return actor, account


def import_once(actor: Any, account: Any, path: Path) -> dict[str, Any]:
    """Upload and preview, then import; seconds of each and the run's counts."""
    from roost.paid.services.imports import import_run, import_upload

    started = time.perf_counter()
    run, preview = import_upload(actor=actor, account=account, upload=FileUpload(path))
    preview_s = time.perf_counter() - started
    if not preview.ok:
        raise SystemExit(f"preview failed: {preview.error_text}")
    started = time.perf_counter()
    run = import_run(actor=actor, run=run)
    import_s = time.perf_counter() - started
    if run.status != "imported":
        raise SystemExit(f"import failed: {run.error}")
    return {
        "preview_s": preview_s,
        "import_s": import_s,
        "created": run.created,
        "updated": run.updated,
        "unchanged": run.unchanged,
    }


def plan_campaigns(account: Any, wanted: int, days: int) -> list[Any]:
    """`wanted` campaigns with budgets and flights: the imported ones first, then planned
    ones (no figures yet) up to the number."""
    from roost.paid.models import PaidCampaign

    flight_end = FIRST_DAY + timedelta(days=max(days, 30) + 29)
    PaidCampaign.objects.filter(ad_account=account).update(
        total_budget=Decimal("5000.00"), starts_on=FIRST_DAY, ends_on=flight_end
    )
    have = PaidCampaign.objects.filter(ad_account=account).count()
    if have < wanted:
        PaidCampaign.objects.bulk_create(
            PaidCampaign(
                workspace_id=account.workspace_id,
                ad_account=account,
                name=f"Planned {i}",
                daily_budget=Decimal("50.00"),
                starts_on=FIRST_DAY,
                ends_on=flight_end,
            )
            for i in range(wanted - have)
        )
    return list(PaidCampaign.objects.filter(ad_account=account).order_by("pk")[:wanted])


def time_pacing(campaigns: list[Any], today: date, calls: int) -> tuple[float, int]:
    from roost.paid.pacing import pacing_many

    times = []
    found = 0
    for _ in range(calls):
        started = time.perf_counter()
        found = len(pacing_many(campaigns, today))
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), found


def once(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="roost-bench-") as tmpdir:
        tmp = Path(tmpdir)
        url = bench_database(args.db, tmp)
        env = child_env(url)
        os.environ.update(
            DATABASE_URL=url,
            DJANGO_SETTINGS_MODULE="roost.settings",
            ROOST_MEDIA_ROOT=str(tmp / "media"),
        )
        migrate(env)
        import django

        django.setup()
        from django.conf import settings
        from django.db import connection

        settings.MEDIA_ROOT = tmp / "media"
        from roost.paid.models import AdDay

        export = tmp / "meta-export.csv"
        started = time.monotonic()
        made = write_export(export, args.rows, args.days)
        size_mb = export.stat().st_size / 1024 / 1024
        print(
            f"wrote {args.rows} rows ({made} campaigns x {args.days} days, {size_mb:.1f} MB) "
            f"in {time.monotonic() - started:.1f} s",
            flush=True,
        )
        actor, account = seed()

        cpu_before = (cpu_seconds() or 0.0, named_cpu_seconds("postgres"))
        first = import_once(actor, account, export)
        cpu_after = (cpu_seconds() or 0.0, named_cpu_seconds("postgres"))
        stored = AdDay.objects.count()
        print(
            f"imported {stored} rows in {first['import_s']:.1f} s "
            f"(preview {first['preview_s']:.1f} s)",
            flush=True,
        )
        second = import_once(actor, account, export)
        duplicates = AdDay.objects.count() - stored
        print(
            f"imported again in {second['import_s']:.1f} s: {duplicates} rows added, "
            f"{second['unchanged']} unchanged",
            flush=True,
        )
        if connection.vendor == "postgresql":
            with connection.cursor() as c:
                c.execute("VACUUM ANALYZE")

        campaigns = plan_campaigns(account, args.campaigns, args.days)
        today = FIRST_DAY + timedelta(days=args.days)
        pacing_ms, paced = time_pacing(campaigns, today, args.pacing_calls)
        print(f"pacing of {paced} campaigns: {pacing_ms:.0f} ms", flush=True)
        connection.close()

    return {
        "rows": args.rows,
        "db": args.db,
        "import_per_s": round(args.rows / first["import_s"], 1),
        "duplicates": duplicates,
        "pacing_ms": round(pacing_ms, 1),
        "unchanged": second["unchanged"],
        "preview_per_s": round(args.rows / first["preview_s"], 1),
        "reimport_per_s": round(args.rows / second["import_s"], 1),
        "import_s": round(first["import_s"], 2),
        "created": first["created"],
        "stored": stored,
        "campaigns_imported": made,
        "campaigns_paced": paced,
        "file_mb": round(size_mb, 1),
        "cpu_s": {
            "bench": round(cpu_after[0] - cpu_before[0], 1),
            "database": round(cpu_after[1] - cpu_before[1], 1) if args.db == "postgres" else None,
        },
        "machine": machine(),
    }


def headline(s: dict[str, Any]) -> str:
    return (
        f"rows {s['rows']} {s['db']}: import {s['import_per_s']}/s "
        f"(preview {s['preview_per_s']}/s, again {s['reimport_per_s']}/s), "
        f"duplicates {s['duplicates']}, unchanged {s['unchanged']}; pacing of "
        f"{s['campaigns_paced']} campaigns {s['pacing_ms']} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=20_000, help="rows in the export")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--days", type=int, default=100, help="days per campaign")
    parser.add_argument("--campaigns", type=int, default=10_000, help="campaigns to pace")
    parser.add_argument("--pacing-calls", type=int, default=3)
    harness.run(parser, once, headline)


if __name__ == "__main__":
    main()
