"""`roost roles_doc [--write]`: print or write docs/roles.md from the permission matrix."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from roost.workspaces.roles import roles_doc


class Command(BaseCommand):
    help = "Print the role/permission matrix as Markdown; --write updates docs/roles.md."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--write", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        text = roles_doc()
        if options["write"]:
            (settings.BASE_DIR / "docs" / "roles.md").write_text(text, encoding="utf-8")
            self.stdout.write("wrote docs/roles.md")
        else:
            self.stdout.write(text)
