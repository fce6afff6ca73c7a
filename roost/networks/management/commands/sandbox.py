"""`roost sandbox`: serve the Sandbox, a local test network, until Ctrl-C."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from roost.networks.sandbox.server import run


class Command(BaseCommand):
    help = "Serve the Sandbox network (a local test network; nothing on it is public)."

    def add_arguments(self, parser: CommandParser) -> None:
        """--host, --port, --db and --memory."""
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on.")
        parser.add_argument("--port", type=int, default=8025, help="Port to listen on.")
        parser.add_argument(
            "--db",
            default=str(Path(settings.BASE_DIR) / "var" / "sandbox.sqlite3"),
            help="SQLite file that keeps the feed across restarts.",
        )
        parser.add_argument(
            "--memory", action="store_true", help="Keep nothing: forget the feed on exit."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        """Serve until Ctrl-C."""
        run(options["host"], options["port"], None if options["memory"] else options["db"])
