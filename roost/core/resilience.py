"""Loops that outlive the database: back off while it cannot answer, carry on when it does.

A worker's loops (the task loop, the heartbeat, the publisher) meet three kinds of database
trouble: SQLite's write lock held longer than the busy timeout, a dropped connection, and a
PostgreSQL restart. None of them is a reason to stop; each loop counts its failures in an
`Outage`, waits a growing, jittered delay, and tries again on a fresh connection.
"""

from __future__ import annotations

import logging
import random
import time

from django.db import DatabaseError, InterfaceError, close_old_connections, connection

# InterfaceError ("connection already closed") is not a DatabaseError in Django's hierarchy.
DB_ERRORS: tuple[type[Exception], ...] = (DatabaseError, InterfaceError)

FIRST_DELAY = 0.5
MAX_DELAY = 10.0


def backoff_delay(
    failures: int,
    *,
    first: float = FIRST_DELAY,
    cap: float = MAX_DELAY,
    rng: random.Random | None = None,
) -> float:
    """Seconds to wait after the `failures`-th failure in a row: 0.5 s doubling to 10 s,
    each drawn from the upper half of its step so many workers do not retry in step."""
    # The exponent stops growing once the cap is reached (a long outage counts thousands
    # of failures, and 2.0 ** 1024 overflows a float).
    ceiling = min(cap, first * 2.0 ** min(max(0, failures - 1), 32))
    return (rng or random).uniform(ceiling / 2, ceiling)


def drop_connections() -> None:
    """Close this thread's database connections so the next query opens a fresh one."""
    close_old_connections()
    connection.close()


class Outage:
    """One loop's streak of database failures: the first is logged at WARNING, the end of
    the streak at INFO, the ones between only at DEBUG (a long outage is one story)."""

    def __init__(self, logger: logging.Logger, what: str) -> None:
        self.logger = logger
        self.what = what
        self.failures = 0
        self.since = 0.0

    @property
    def ongoing(self) -> bool:
        return self.failures > 0

    def failed(self, exc: BaseException) -> float:
        """Count a failure; returns how long to wait before the next try."""
        self.failures += 1
        if self.failures == 1:
            self.since = time.monotonic()
            self.logger.warning(
                "%s: the database did not answer (%s: %s); backing off and retrying",
                self.what,
                type(exc).__name__,
                str(exc).strip() or "no message",
            )
        else:
            self.logger.debug("%s: still no database (%s)", self.what, exc)
        return backoff_delay(self.failures)

    def recovered(self) -> None:
        """The database answered: close the streak (logged once) if there was one."""
        if not self.failures:
            return
        self.logger.info(
            "%s: the database answers again after %d failed tries (%.1f s); carrying on",
            self.what,
            self.failures,
            time.monotonic() - self.since,
        )
        self.failures = 0
