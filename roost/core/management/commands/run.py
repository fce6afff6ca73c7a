"""`roost run`: migrate, make sure the demo exists, serve the web app and the worker.

Ctrl-C stops both; if either exits, the other is stopped too.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from roost.core.outbound import guarded_httpx_client


class Command(BaseCommand):
    help = "Serve Roost (web app + task worker) on one machine, with the demo workspace."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default="127.0.0.1:8000", help="Address for the web app.")
        parser.add_argument("--no-demo", action="store_true", help="Do not create demo data.")
        parser.add_argument("--web-workers", type=int, default=2)

    def handle(self, *args: Any, **options: Any) -> None:
        (settings.BASE_DIR / "var").mkdir(exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write("roost: database is up to date")
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        exe = sys.executable
        sandbox = self._start_sandbox(exe, env)
        if not options["no_demo"]:
            call_command("demo")
        web = [
            exe,
            "-m",
            "gunicorn",
            "roost.wsgi:application",
            "--bind",
            options["bind"],
            "--workers",
            str(options["web_workers"]),
            "--threads",
            "4",
            "--access-logfile",
            "-",
            "--graceful-timeout",
            "5",
        ]
        worker = [exe, "-m", "roost.cli", "worker"]
        # Both commands are our own interpreter with fixed arguments.
        procs = [subprocess.Popen(web, env=env), subprocess.Popen(worker, env=env)]  # noqa: S603
        if sandbox is not None:
            procs.append(sandbox)
        self.stdout.write(
            self.style.SUCCESS(f"roost: serving http://{options['bind']}/ — Ctrl-C stops both")
        )
        stopping = False

        def stop(*_: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            while not stopping and all(p.poll() is None for p in procs):
                time.sleep(0.3)
        finally:
            for p in procs:
                if p.poll() is None:
                    p.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + 10
            for p in procs:
                try:
                    p.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    p.kill()
        names = ["web server", "worker", "sandbox"]
        failed = [
            name
            for name, p in zip(names, procs, strict=False)
            if p.returncode not in (0, -signal.SIGTERM, None)
        ]
        if failed and not stopping:
            self.stderr.write(f"roost: the {' and the '.join(failed)} stopped unexpectedly")
            sys.exit(1)
        self.stdout.write("roost: stopped")

    def _start_sandbox(self, exe: str, env: dict[str, str]) -> subprocess.Popen[bytes] | None:
        """The Sandbox network (a local test network) at ROOST_SANDBOX_URL, unless one runs."""
        url = settings.ROOST_SANDBOX_URL.rstrip("/")
        if _answers(f"{url}/health"):
            self.stdout.write(f"roost: using the Sandbox already running at {url}")
            return None
        parts = urlsplit(url)
        if parts.hostname not in {"127.0.0.1", "localhost"}:
            return None
        cmd = [
            exe,
            "-m",
            "roost.cli",
            "sandbox",
            "--host",
            "127.0.0.1",
            "--port",
            str(parts.port or 80),
        ]
        proc = subprocess.Popen(cmd, env=env)  # noqa: S603 - our own interpreter
        for _ in range(100):
            if _answers(f"{url}/health"):
                self.stdout.write(f"roost: Sandbox network (local, not public) at {url}/")
                return proc
            time.sleep(0.1)
        self.stderr.write("roost: the Sandbox did not start; Sandbox channels will wait")
        return proc


def _answers(url: str) -> bool:
    # Through the outbound guard like every request: the Sandbox's address is allowed.
    try:
        with guarded_httpx_client(timeout=0.5) as http:
            return http.get(url).status_code == 200
    except httpx.HTTPError:
        return False
