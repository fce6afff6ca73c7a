"""Paid media's background work: tasks are interfaces (ids in, a service call, done)."""

from __future__ import annotations

from django.tasks import task

from roost.core import clock


@task()
def create_boost(boost_id: int) -> str:
    """One try at creating the boost on the ad network (claimed, so safe to run twice)."""
    from roost.paid.services.boost_delivery import boost_run

    return boost_run(boost_id)


@task()
def sweep_boosts() -> int:
    """Enqueue a try for every boost that is due or whose worker died mid-call."""
    from roost.paid.services.boost_delivery import due_ids

    found = due_ids(clock.now())
    for boost_id in found:
        create_boost.enqueue(boost_id)
    return len(found)
