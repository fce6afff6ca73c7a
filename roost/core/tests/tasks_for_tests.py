"""Tasks for the worker's fault tests, importable by the worker processes they start."""

from __future__ import annotations

import time
from pathlib import Path

from django.tasks import task

from roost.core.tasks import recoverable


@recoverable  # test task: its only effect is a line in a file, counted by the test
@task()
def wait_for_go(directory: str) -> int:
    """Note the start, wait until `directory/go` exists, note the finish; returns how many
    runs have finished."""
    folder = Path(directory)
    with (folder / "runs.log").open("a") as log:
        log.write("start\n")
    while not (folder / "go").exists():
        time.sleep(0.02)  # the task's own wait for the test's signal, not a test's sleep
    with (folder / "runs.log").open("a") as log:
        log.write("done\n")
    return (folder / "runs.log").read_text().splitlines().count("done")


@task()  # test task: deliberately declares nothing, to show the reaper's default
def undeclared(value: int) -> int:
    """Declares no crash policy: after a crash it stays failed."""
    return value


RUNS: list[str] = []  # what `noted` did, in this process


@recoverable  # test task: its only effect is a line in a list
@task()
def noted() -> int:
    """Note that it ran; returns how many runs this process has noted."""
    RUNS.append("noted")
    return len(RUNS)
