"""`roost listening_train [--force] [--evaluate]`: train the understanding models (at setup)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from roost.listening.understanding import store, training


class Command(BaseCommand):
    help = (
        "Train listening's sentiment models into ROOST_LISTENING_MODEL_DIR (skipped while the "
        "stored model's data hash is unchanged); --evaluate prints the accuracy on the "
        "held-out sets."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="train even if up to date")
        parser.add_argument("--evaluate", action="store_true", help="print the accuracy")

    def handle(self, *args: Any, **options: Any) -> None:
        path = store.model_path(training.data_hash())
        if not options["force"] and not options["evaluate"] and training.up_to_date():
            self.stdout.write(f"listening: models up to date ({path})")
            return
        bundle, trained = training.ensure(force=options["force"])
        if trained:
            self.stdout.write(f"listening: trained the models in {bundle['seconds']} s ({path})")
        if options["evaluate"]:
            from roost.listening import understanding

            self.stdout.write(training.as_text(training.evaluate(understanding.understand_many)))
