from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BriefingConfig(AppConfig):
    name = "roost.briefing"
    label = "briefing"
    verbose_name = _("Daily brief")

    def ready(self) -> None:
        from roost.briefing import builtin, sections
        from roost.briefing.tasks import send_due_briefs
        from roost.core import jobs
        from roost.listening import brief as listening_brief

        builtin.register_builtin()
        # Listening knows nothing of the brief (it is the layer below): its lines are
        # adapted here.
        sections.register(
            "trending",
            _("What is trending"),
            3,
            _lines(listening_brief.trending_lines),
            position=20,
        )
        sections.contribute("risks", _lines(listening_brief.risk_lines))
        # Each workspace's morning time is in its own zone: look every five minutes.
        jobs.register("briefing.due", timedelta(minutes=5), send_due_briefs)


def _lines(read: Any) -> Any:
    """A section builder from one of listening's `(workspace, now=, since=)` line readers."""
    from roost.briefing.sections import Context, Item, SectionResult

    def build(ctx: Context) -> SectionResult:
        lines = read(ctx.workspace, now=ctx.now, since=ctx.since)
        return SectionResult(
            [Item(line.text, dict(line.figures), line.link, line.severity) for line in lines]
        )

    build.__name__ = f"listening_{read.__name__}"
    return build
