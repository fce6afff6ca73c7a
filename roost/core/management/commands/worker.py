"""`roost worker`: the django-tasks-db worker (kept alive through database outages, see
roost/core/worker.py), a heartbeat with the task reaper, and the publisher loop."""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.crypto import get_random_string

from roost.core import clock, health
from roost.core.resilience import DB_ERRORS
from roost.core.worker import Heartbeat, ResilientWorker

logger = logging.getLogger("roost.worker")


class Command(BaseCommand):
    help = "Run the background task worker (any number may run, on any machine)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--queues", default="*", help="Comma-separated queues, or * (all).")
        parser.add_argument(
            "--interval", type=float, default=0.5, help="Seconds to sleep when idle."
        )
        parser.add_argument("--max-tasks", type=int, default=None, help="Exit after N tasks.")
        parser.add_argument("--batch", action="store_true", help="Exit when the queue is empty.")
        parser.add_argument(
            "--no-publisher", action="store_true", help="Do not run the publisher loop here."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        worker_id = get_random_string(32)
        queues = options["queues"]
        stop = threading.Event()
        heartbeat = Heartbeat(worker_id, queues, clock.now())
        # The first beat must land before the publisher or the task loop claims anything:
        # recovery treats claims by workers without a heartbeat as abandoned. A database
        # that cannot take it yet is waited for, not a reason to exit.
        heartbeat.first_beat(stop)
        beat_thread = threading.Thread(
            target=heartbeat.run, args=(stop,), name="roost-heartbeat", daemon=True
        )
        beat_thread.start()
        publisher_thread = None
        if not options["no_publisher"] and not options["batch"]:
            from roost.publishing.publisher import Publisher

            publisher = Publisher(worker_id)
            publisher_thread = threading.Thread(
                target=publisher.run, args=(stop,), name="roost-publisher", daemon=True
            )
            publisher_thread.start()
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
            if publisher_thread is not None:
                publisher_thread.join(timeout=35)
            beat_thread.join(timeout=5)
            try:
                health.forget(worker_id)
            except DB_ERRORS:
                logger.warning("could not remove heartbeat of %s", worker_id)
