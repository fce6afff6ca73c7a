"""The `roost` command: Django's management commands with a readable front page."""

from __future__ import annotations

import os
import sys

HELP = """\
roost — self-hosted social media management for teams

Usage: roost COMMAND [options]      (roost COMMAND --help for a command's options)

Run it
  run              migrate, create the demo, serve the web app and the worker
                   on http://127.0.0.1:8000 (Ctrl-C stops both;
                   --bind 127.0.0.1:8300 or ROOST_BIND for another port)
  worker           run a background task worker (start any number, anywhere)
  demo             create the demo workspace "Demo Coffee Co." and print its logins

Operate
  migrate          bring the database schema up to date
  createsuperuser  create an administrator for /admin/
  roles_doc        print the role/permission matrix (docs/roles.md)
  prune_db_task_results   delete finished background task records
  check --deploy   check production settings

Settings come from the environment: DATABASE_URL (default: SQLite in ./var),
SECRET_KEY (default: generated into ./var/secret_key), ROOST_DEBUG (default: off),
ROOST_ALLOWED_HOSTS, ROOST_BASE_URL, ROOST_EMAIL_*, ROOST_TRUSTED_PROXY_COUNT.
Use DJANGO_SETTINGS_MODULE=roost.settings.production in production.

Every other Django management command works too: roost help --commands lists them.
"""


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "roost.settings")
    if len(argv) < 2 or argv[1] in {"-h", "--help"} or argv[1:] == ["help"]:
        sys.stdout.write(HELP)
        return
    from django.core.management import execute_from_command_line

    execute_from_command_line(["roost", *argv[1:]])


if __name__ == "__main__":
    main()
