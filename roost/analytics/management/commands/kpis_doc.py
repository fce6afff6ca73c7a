"""`roost kpis_doc [--write]`: print or write docs/kpis.md from the KPI registry."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from roost.analytics.kpis import kpis_doc


class Command(BaseCommand):
    help = "Print the KPI registry as Markdown; --write updates docs/kpis.md."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--write", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        text = kpis_doc()
        if options["write"]:
            (settings.BASE_DIR / "docs" / "kpis.md").write_text(text, encoding="utf-8")
            self.stdout.write("wrote docs/kpis.md")
        else:
            self.stdout.write(text)
