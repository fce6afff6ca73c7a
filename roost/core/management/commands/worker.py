"""`roost worker`: the django-tasks-db worker (kept alive through database outages, see
roost/core/worker.py), a heartbeat, the scheduler of recurring jobs and the services the
apps registered (the publisher) — see roost/core/jobs.py. `core` imports no app: the apps
register their jobs and services from their AppConfig.ready()."""

from __future__ import annotations

import argparse
import logging
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.crypto import get_random_string

from roost.core import clock, health, jobs
from roost.core.resilience import DB_ERRORS
from roost.core.worker import Heartbeat, ResilientWorker, Scheduler, run_service

logger = logging.getLogger("roost.worker")


class Command(BaseCommand):
    help = "Run the background task worker (any number may run, on any machine)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--queues", default="*", help="Comma-separated queues, or * (all).")
        parser.add_argument(
            "--interval", type=float, default=0.5, help="Seconds to sleep when idle."
        )
        parser.add_argument("--max-tasks", type=int, default=None, help="Exit after N tasks.")
        parser.add_argument(
            "--batch",
            action="store_true",
            help="Exit when the queue is empty (no services, no recurring jobs).",
        )
        parser.add_argument(
            "--no-services",
            action="store_true",
            help="Do not run the registered services (the publisher loop) here.",
        )
        # The old name of --no-services, from when the publisher was the only service.
        parser.add_argument("--no-publisher", action="store_true", help=argparse.SUPPRESS)

    def handle(self, *args: Any, **options: Any) -> None:
        worker_id = get_random_string(32)
        queues = options["queues"]
        stop = threading.Event()
        heartbeat = Heartbeat(worker_id, queues, clock.now())
        # The first beat must land before a service or the task loop claims anything:
        # recovery treats claims by workers without a heartbeat as abandoned. A database
        # that cannot take it yet is waited for, not a reason to exit.
        heartbeat.first_beat(stop)
        threads = [threading.Thread(target=heartbeat.run, args=(stop,), name="roost-heartbeat")]
        if not options["batch"]:
            threads.append(
                threading.Thread(target=Scheduler().run, args=(stop,), name="roost-scheduler")
            )
            if not (options["no_services"] or options["no_publisher"]):
                threads += [
                    threading.Thread(
                        target=run_service,
                        args=(name, factory, worker_id, stop),
                        name=f"roost-{name}",
                    )
                    for name, factory in jobs.services()
                ]
        for thread in threads:
            thread.daemon = True
            thread.start()
        worker = ResilientWorker(
            queue_names=queues.split(","),
            interval=options["interval"],
            batch=options["batch"],
            backend_name="default",
            startup_delay=False,
            max_tasks=options["max_tasks"],
            worker_id=worker_id,
            excluded_queue_names=[],
        )
        worker.configure_signals()
        self.stdout.write(f"roost worker {worker_id} started (queues: {queues})")
        try:
            worker.run()
        finally:
            stop.set()
            for thread in threads:
                # A service finishes what it has in flight (the publisher: up to 30 s).
                thread.join(timeout=35)
            try:
                health.forget(worker_id)
            except DB_ERRORS:
                logger.warning("could not remove heartbeat of %s", worker_id)
