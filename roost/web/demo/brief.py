"""The demo's daily brief: today's, built from the story (once a day; `roost run` runs the
demo command at every start, and a brief already there is left as it is)."""

from __future__ import annotations

from collections.abc import Callable

from roost.briefing.models import Brief
from roost.briefing.services import brief_build
from roost.core import clock
from roost.workspaces.models import Workspace


def seed_brief(workspace: Workspace, say: Callable[[str], None]) -> None:
    today = clock.now().astimezone(workspace.tzinfo).date()
    if Brief.objects.filter(workspace=workspace, date=today).exists():
        return
    brief = brief_build(workspace)
    items = sum(len(s["items"]) for s in brief.content.get("sections", []))
    say(f"roost: the demo has today's stand-up brief ({items} items)")
