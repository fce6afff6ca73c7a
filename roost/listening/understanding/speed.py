"""`python -m roost.listening.understanding.speed [--n N]`: understand_many's texts per second
on one core, printed as one JSON line: with languages detected (the worst case) and declared
(as Bluesky and Mastodon usually send them). `cpu` rates count this process's CPU time only,
so a busy machine skews them less than the wall-clock ones."""

from __future__ import annotations

import argparse
import json
import os
import time

from roost.listening.understanding import models, understand_many
from roost.listening.understanding.data import PL_TEST, english, polish


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=1_000)
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    _, en_test = english()
    sample = list(en_test.texts) + list(polish(PL_TEST).texts) * 10
    texts = (sample * (args.n // len(sample) + 1))[: args.n]
    models()  # load (or train) outside the timing
    results = {}
    for name, languages in (("detected", None), ("declared", "en")):
        started, cpu_started = time.perf_counter(), time.process_time()
        for start in range(0, len(texts), args.batch):
            batch = texts[start : start + args.batch]
            understand_many(batch, None if languages is None else [languages] * len(batch))
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        results[f"texts_per_s_{name}"] = round(len(texts) / elapsed)
        results[f"texts_per_cpu_s_{name}"] = round(len(texts) / cpu)
    print(json.dumps({"n": len(texts), "batch": args.batch, **results}))


if __name__ == "__main__":
    main()
