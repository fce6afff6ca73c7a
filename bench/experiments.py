"""A/B test statistics by simulation: the figures quoted in docs/experiments.md.

    python bench/experiments.py --sims 10000 --seed 1

Each setting runs `--sims` tests looked at once a day for 28 days up to the planned sample
(`roost.paid.stats.simulate`): A/A settings give the false-positive rate of the sequential
test and of a fixed-horizon z-test peeked at daily; A/B settings (true lift = the planned
one) give the share that finds the right winner against the planned power. The figures are
statistics, not timings: the same seed prints the same numbers on any machine.

The last line printed is one JSON object:
{"sims", "seed", "aa_fpr_max", "naive_fpr_min", "power_min", "power_max", "settings"}.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from roost.paid.stats import simulate  # noqa: E402

# (name, true rates with the control first, baseline, planned relative lift)
SETTINGS: list[tuple[str, list[float], float, float]] = [
    ("A/A 2% (plan +20%)", [0.02, 0.02], 0.02, 0.20),
    ("A/A 10% (plan +10%)", [0.10, 0.10], 0.10, 0.10),
    ("A/A/A 5% (plan +10%)", [0.05, 0.05, 0.05], 0.05, 0.10),
    ("A/B 2% +20%", [0.02, 0.024], 0.02, 0.20),
    ("A/B 10% +10%", [0.10, 0.11], 0.10, 0.10),
    ("A/B 5% +10%", [0.05, 0.055], 0.05, 0.10),
    ("A/A/B 5% +10%", [0.05, 0.05, 0.055], 0.05, 0.10),
]


def main() -> None:
    """Run every setting and print a table, then the JSON summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sims", type=int, default=10_000, help="simulated tests per setting")
    parser.add_argument("--seed", type=int, default=1, help="random seed")
    args = parser.parse_args()
    rows: list[dict[str, Any]] = []
    started = time.perf_counter()
    print(f"{'setting':24} {'n/variant':>10} {'winner':>8} {'right':>8} {'z peeked':>9}")
    for name, rates, baseline, lift in SETTINGS:
        result = simulate(rates, baseline=baseline, min_effect=lift, sims=args.sims, seed=args.seed)
        row = {
            "setting": name,
            "null": len(set(rates)) == 1,
            "planned_per_variant": result.planned_per_variant,
            "declared": result.declared,
            "correct": result.correct,
            "naive_declared": result.naive_declared,
        }
        rows.append(row)
        right = "-" if row["null"] else f"{result.correct:.4f}"  # no right winner in A/A
        print(
            f"{name:24} {result.planned_per_variant:>10} {result.declared:>8.4f} "
            f"{right:>8} {result.naive_declared:>9.4f}"
        )
    nulls = [r for r in rows if r["null"]]
    alts = [r for r in rows if not r["null"]]
    print(f"({time.perf_counter() - started:.1f} s)")
    print(
        json.dumps(
            {
                "sims": args.sims,
                "seed": args.seed,
                "aa_fpr_max": max(r["declared"] for r in nulls),
                "naive_fpr_min": min(r["naive_declared"] for r in nulls),
                "power_min": min(r["correct"] for r in alts),
                "power_max": max(r["correct"] for r in alts),
                "settings": rows,
            }
        )
    )


if __name__ == "__main__":
    main()
