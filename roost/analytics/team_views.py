"""The team report page and its CSV export."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from roost.analytics.exports import csv_response
from roost.analytics.forms import PeriodForm
from roost.analytics.team import Durations, TeamReport, team_report
from roost.core import clock
from roost.workspaces.decorators import workspace_view
from roost.workspaces.roles import Perm


def _report(request: HttpRequest) -> tuple[PeriodForm, TeamReport]:
    workspace: Any = request.workspace  # type: ignore[attr-defined]
    today = clock.now().astimezone(workspace.tzinfo).date()
    form = PeriodForm(request.GET or None, today=today)
    return form, team_report(workspace, form.period())


@workspace_view(Perm.VIEW_ANALYTICS)
def team(request: HttpRequest) -> HttpResponse:
    """Inbox response and completion times per person and channel, and items handled."""
    form, report = _report(request)
    people = [p for p in report.people if p.user_id is not None]
    context = {
        "area": "analytics",
        "form": form,
        "period": report.period,
        "report": report,
        "per_day": [(p, p.per_day(report.period.days)) for p in report.people],
        "day_people": people,
        "day_rows": [
            (day, [counts.get(p.user_id or 0, 0) for p in people]) for day, counts in report.days
        ],
        "may_export": request.membership.has_perm(Perm.EXPORT_ANALYTICS),  # type: ignore[attr-defined]
        "query": request.GET.urlencode(),
    }
    return render(request, "analytics/team.html", context)


def _hours(seconds: float | None) -> float | str:
    return "" if seconds is None else round(seconds / 3600, 2)


def _cells(d: Durations) -> list[Any]:
    return [d.count, _hours(d.median), _hours(d.p90)]


@workspace_view(Perm.EXPORT_ANALYTICS)
def team_csv(request: HttpRequest) -> HttpResponse:
    """The team report as CSV: one row per person, per channel and per person and day.
    Durations in business hours (decimal)."""
    _form, report = _report(request)
    days = report.period.days
    rows: list[list[Any]] = [
        [
            "scope",
            "name",
            "day",
            "first_responses",
            "first_response_median_h",
            "first_response_p90_h",
            "completed",
            "completion_median_h",
            "completion_p90_h",
            "handled",
            "handled_per_day",
        ]
    ]
    for p in report.people:
        rows.append(
            [
                "person",
                p.name,
                "",
                *_cells(p.first_response),
                *_cells(p.completion),
                p.handled,
                round(p.per_day(days), 2),
            ]
        )
    for c in report.channels:
        rows.append(
            ["channel", c.name, "", *_cells(c.first_response), *_cells(c.completion), "", ""]
        )
    names = {p.user_id: p.name for p in report.people}
    for day, counts in report.days:
        for user_id, n in sorted(counts.items(), key=lambda i: names.get(i[0], "")):
            rows.append(["day", names.get(user_id, "?"), day.isoformat()] + [""] * 6 + [n, ""])
    name = f"team-{report.period.start.isoformat()}-{report.period.end.isoformat()}.csv"
    return csv_response(name, rows)
