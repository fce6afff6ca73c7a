"""`roost run`: migrate, make sure the demo exists, serve the web app and the worker.

Ctrl-C (or SIGTERM) stops them all; one that dies is restarted, with a backoff, while the
others keep serving. DEBUG stays off unless `--debug` (or ROOST_DEBUG) asks for it, and
then only on a loopback address.
"""

from __future__ import annotations

import ipaddress
import os
import subprocess
import sys
import time
from typing import Any, cast
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from roost.core.outbound import guarded_httpx_client
from roost.core.supervisor import Child, Supervisor

DEFAULT_BIND = "127.0.0.1:8000"


class Command(BaseCommand):
    help = "Serve Roost (web app + task worker) on one machine, with the demo workspace."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--bind",
            default=os.environ.get("ROOST_BIND") or DEFAULT_BIND,
            help=f"HOST:PORT for the web app (default {DEFAULT_BIND}, or ROOST_BIND). "
            "E-mailed links follow it unless ROOST_BASE_URL is set.",
        )
        parser.add_argument("--no-demo", action="store_true", help="Do not create demo data.")
        parser.add_argument("--web-workers", type=int, default=2)
        parser.add_argument(
            "--debug",
            action="store_true",
            help="Django debug pages (tracebacks, settings); only on a loopback --bind.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        debug = options["debug"] or settings.DEBUG
        if debug and not is_loopback_bind(options["bind"]):
            raise CommandError(
                f"Debug pages show code, settings and data: refusing to serve them on "
                f"{options['bind']}. Bind to 127.0.0.1 or drop --debug / ROOST_DEBUG."
            )
        (settings.BASE_DIR / "var").mkdir(exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        # Credentials an older Roost wrote under its public default key move to this
        # install's key, once: afterwards the keyring opens them and nothing is left to move.
        call_command("rotate_secrets", from_legacy_default=True, verbosity=0)
        self.stdout.write("roost: database is up to date")
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "ROOST_DEBUG": "1" if debug else "0"}
        # Links in e-mails (invites, reviews, password resets) point where this serves,
        # unless the operator said otherwise: `--bind 127.0.0.1:8300` must not send
        # people to :8000. Set here too, for what this process writes (the demo).
        base_url = os.environ.get("ROOST_BASE_URL") or base_url_for(options["bind"])
        if base_url:
            env["ROOST_BASE_URL"] = settings.ROOST_BASE_URL = base_url
        if debug:
            self.stdout.write(self.style.WARNING("roost: debug pages are on (--debug)"))
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
            # Invite, review, reset and calendar-feed links carry secrets in their path.
            "--logger-class",
            "roost.core.gunicorn_logging.RedactingLogger",
            "--graceful-timeout",
            "5",
        ]
        worker = [exe, "-m", "roost.cli", "worker"]
        children = [Child("web server", web, env), Child("worker", worker, env)]
        if sandbox is not None:
            children.append(Child("Sandbox", cast(list[str], sandbox.args), env, proc=sandbox))
        supervisor = Supervisor(children, say=self.stdout.write, warn=self.stderr.write)
        supervisor.handle_signals()
        self.stdout.write(
            self.style.SUCCESS(f"roost: serving http://{options['bind']}/ — Ctrl-C stops all")
        )
        self.stdout.write(
            "roost: another port? roost run --bind 127.0.0.1:8300 (or ROOST_BIND=127.0.0.1:8300 "
            f"make run); e-mailed links follow it (now {settings.ROOST_BASE_URL})"
        )
        supervisor.run()
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


def base_url_for(bind: str) -> str | None:
    """The address links should use for a gunicorn --bind address: its host and port, a
    wildcard host (0.0.0.0, ::) as loopback; None for a unix socket or a file descriptor
    (then only ROOST_BASE_URL can tell)."""
    if bind.startswith(("unix:", "fd://")):
        return None
    host, sep, port = bind.rpartition(":")
    if not sep or not port.isdigit() or (host.count(":") and not host.startswith("[")):
        return None
    host = host.strip("[]") or "127.0.0.1"
    host = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)  # noqa: S104 - a wildcard we map away
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def is_loopback_bind(bind: str) -> bool:
    """Whether a gunicorn --bind address is a loopback IP (a unix socket usually sits
    behind a public proxy, so it does not count)."""
    host = bind.rsplit(":", 1)[0] if bind.count(":") == 1 or bind.startswith("[") else bind
    host = host.strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _answers(url: str) -> bool:
    # Through the outbound guard like every request: the Sandbox's address is allowed.
    try:
        with guarded_httpx_client(timeout=0.5) as http:
            return http.get(url).status_code == 200
    except httpx.HTTPError:
        return False
