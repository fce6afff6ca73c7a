"""Keep a few child processes running: a child that dies is restarted after a backoff, and
a stop request (Ctrl-C, SIGTERM) stops them all.

`roost run` supervises the web server, the worker and the local Sandbox with it, so one
child's crash (the worker losing its database, say) never takes the others down.
"""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Child:
    """One supervised command. `proc` may be given if the caller already started it."""

    name: str
    argv: Sequence[str]
    env: dict[str, str] | None = None
    proc: subprocess.Popen[bytes] | None = None
    restarts: int = 0
    # Deaths in a row without a stable run in between; they set the backoff.
    failures: int = 0
    started_at: float = 0.0
    restart_at: float | None = None
    exits: list[int | None] = field(default_factory=list)  # None: it could not start


def restart_delay(failures: int, first: float, cap: float) -> float:
    """Seconds to wait before restarting after `failures` deaths in a row: doubling, capped."""
    return float(min(cap, first * 2 ** max(0, failures - 1)))


def describe_exit(code: int) -> str:
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"


class Supervisor:
    """Start the children, restart any that dies (backoff `first_delay` doubling up to
    `max_delay`, back to `first_delay` once a child has run `stable_after` seconds), and stop
    them all, SIGTERM first and SIGKILL after `stop_timeout`, when `stop()` is called."""

    def __init__(
        self,
        children: Sequence[Child],
        *,
        say: Callable[[str], Any],
        warn: Callable[[str], Any] | None = None,
        first_delay: float = 0.5,
        max_delay: float = 10.0,
        stable_after: float = 60.0,
        stop_timeout: float = 10.0,
        tick: float = 0.2,
    ) -> None:
        self.children = list(children)
        self.say = say
        self.warn = warn or say
        self.first_delay = first_delay
        self.max_delay = max_delay
        self.stable_after = stable_after
        self.stop_timeout = stop_timeout
        self.tick = tick
        # Plain flags, not a threading.Event: stop() runs in signal handlers, where taking
        # a lock the interrupted main thread may hold would deadlock.
        self._stopping = False
        self._forced = False

    def handle_signals(self) -> None:
        """Ctrl-C and SIGTERM stop the children; a second one kills those still running."""
        signal.signal(signal.SIGINT, lambda *_: self.stop())
        signal.signal(signal.SIGTERM, lambda *_: self.stop())

    def stop(self) -> None:
        if self._stopping:
            self._forced = True
        self._stopping = True

    def run(self) -> None:
        """Supervise until `stop()`, then stop every child before returning."""
        try:
            self.start(time.monotonic())
            while not self._stopping:
                self.check(time.monotonic())
                time.sleep(self.tick)
        finally:
            self.shutdown()

    def start(self, now: float) -> None:
        """Start every child not started yet (`now` is `time.monotonic()`)."""
        for child in self.children:
            if child.proc is None:
                self._spawn(child, now)
            else:
                child.started_at = now

    def check(self, now: float) -> None:
        """Notice children that died, and restart those whose backoff is over."""
        for child in self.children:
            proc = child.proc
            if child.restart_at is None and proc is not None and proc.poll() is not None:
                self._schedule_restart(child, proc.returncode, now)
            if child.restart_at is not None and now >= child.restart_at and not self._stopping:
                child.restarts += 1
                self._spawn(child, now)
                if child.restart_at is None:  # it started
                    self.say(
                        f"roost: the {child.name} is running again (restarts: {child.restarts})"
                    )

    def _schedule_restart(
        self, child: Child, code: int | None, now: float, error: OSError | None = None
    ) -> None:
        child.exits.append(code)
        what = f"could not start ({error})" if code is None else f"stopped ({describe_exit(code)})"
        if now - child.started_at >= self.stable_after:
            child.failures = 0
        child.failures += 1
        delay = restart_delay(child.failures, self.first_delay, self.max_delay)
        child.restart_at = now + delay
        self.warn(f"roost: the {child.name} {what}; restarting it in {delay:g} s")

    def _spawn(self, child: Child, now: float) -> None:
        child.started_at = now
        child.restart_at = None
        try:
            # The commands are our own interpreter with fixed arguments.
            child.proc = subprocess.Popen(child.argv, env=child.env)  # noqa: S603
        except OSError as exc:
            child.proc = None
            self._schedule_restart(child, None, now, error=exc)

    def shutdown(self) -> None:
        """SIGTERM every running child, wait for them, SIGKILL any left after the timeout
        (or at once on a second stop request)."""
        self._stopping = True
        running = [c.proc for c in self.children if c.proc is not None and c.proc.poll() is None]
        for proc in running:
            proc.send_signal(signal.SIGTERM)  # a no-op for one that has just exited
        deadline = time.monotonic() + self.stop_timeout
        while any(p.poll() is None for p in running):
            if self._forced or time.monotonic() >= deadline:
                for proc in running:
                    if proc.poll() is None:
                        proc.kill()
                for proc in running:
                    proc.wait()
                break
            time.sleep(min(self.tick, 0.1))
