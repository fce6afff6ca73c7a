"""Tasks that belong to no one area."""

from django.tasks import task

from roost.core import clock


@task()
def ping() -> str:
    """A trivial task: proves a worker is taking work from the queue."""
    return clock.now().isoformat()
