"""`{% assessment_panel candidate %}`: the practical exercise on a candidate's page (what
team/assessment_panel.html renders), read through the assessment service."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

from roost.inbox.models import TaskKind
from roost.team import scenarios
from roost.team.models import Assessment, ScenarioKind
from roost.team.services import assessment as svc

register = template.Library()


def _task_label(kind: str) -> str:
    return str(TaskKind(kind).label) if kind in TaskKind.values else kind


@register.inclusion_tag("team/assessment_panel_body.html", takes_context=True)
def assessment_panel(context: Any, candidate: Any) -> dict[str, Any]:
    found = (
        Assessment.objects.select_related("workspace").filter(candidate_id=candidate.pk).first()
        if candidate is not None
        else None
    )
    out: dict[str, Any] = {
        "candidate": candidate,
        "found": found,
        "scenarios": ScenarioKind.choices,
        "min_days": svc.MIN_DAYS,
        "max_days": svc.MAX_DAYS,
        "current_workspace": context.get("current_workspace"),
        "perms": context.get("perms", set()),
        "csrf_token": context.get("csrf_token"),
    }
    if found is not None:
        facts = svc.assessment_facts(found)
        for row in facts.get("messages", []):
            row["expect_label"] = _(scenarios.EXPECT_LABELS.get(row["expect"], row["expect"]))
            # The facts hold the task kinds' codes (as the API gives them); the page names them.
            row["task_labels"] = [_task_label(kind) for kind in row.get("tasks", [])]
        out.update(
            facts=facts,
            status_label=svc.STATUS_LABELS.get(facts["status"], facts["status"]),
            scenario_label=found.get_scenario_display(),
        )
    return out
