from datetime import timedelta

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "roost.core"
    label = "core"

    def ready(self) -> None:
        from roost.core import (
            checks,  # noqa: F401 - registers the system checks
            jobs,
            reaper,
        )
        from roost.core.tasks import prune_task_results

        # Runs in the scheduler thread, not through the queue it repairs.
        jobs.register("core.reap_tasks", reaper.round_every, reaper.reap_round)
        jobs.register("core.prune_task_results", timedelta(hours=24), prune_task_results)
