"""Which approval workflow a submission goes through: the one rule, in one place.

For something of kind `kind` (a post) on channels C in campaign K, among the workspace's
*active* workflows of that kind that have at least one step:

1. **Scoped workflows first.** A workflow scoped to channels matches when it lists one of
   C; scoped to campaigns, when it lists K; scoped to both, when both match. Among the
   matches the most specific wins: channels *and* campaign, then campaign only, then
   channels only (a campaign is a deliberate choice; channels are where most posts go).
   Two equally specific matches are settled by age: **the one created first wins**, and
   the others are reported (`passed_over`) so the person sees it and can narrow them.
2. **Then the workspace's default** (`is_default`, at most one per workspace and kind:
   a database constraint).
3. **No default marked** (workspaces from before defaults existed): a workflow that is
   not scoped applies to everything, as it always did; with several, the one created
   first, and the others are reported as passed over.
4. **Nothing applies:** no approval is needed (unless the workspace requires approval for
   everyone: see services.needs_review).

Whether the member may skip the workflow (publish_without_approval) is not decided here:
this only says which workflow applies.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Literal

from django.db.models import Count

from roost.approvals.models import Workflow

Why = Literal["scoped", "default", "workspace_wide", "none"]


@dataclass(frozen=True)
class Route:
    """The workflow that applies (or None), why, and the ones that also matched but lost."""

    workflow: Workflow | None
    why: Why
    passed_over: list[Workflow] = field(default_factory=list)

    @property
    def ambiguous(self) -> bool:
        return bool(self.passed_over)


def _specificity(workflow: Workflow) -> int:
    """2: channels and campaign, 1: campaign only, 0: channels only."""
    if workflow.channel_ids and workflow.campaign_ids:
        return 2
    return 1 if workflow.campaign_ids else 0


def _age(workflow: Workflow) -> tuple[object, int]:
    return (workflow.created_at, workflow.pk)


def _matches(workflow: Workflow, channel_ids: set[int], campaign_id: int | None) -> bool:
    channels_ok = not workflow.channel_ids or bool(set(workflow.channel_ids) & channel_ids)
    campaign_ok = not workflow.campaign_ids or campaign_id in workflow.campaign_ids
    return channels_ok and campaign_ok


def candidates(workspace_id: int, kind: str) -> list[Workflow]:
    """The workflows that can apply: active, of this kind, with at least one step."""
    return list(
        Workflow.objects.filter(workspace_id=workspace_id, kind=kind, active=True)
        .annotate(step_count=Count("steps"))
        .filter(step_count__gt=0)
    )


def route(
    *,
    workspace_id: int,
    kind: str,
    channel_ids: Collection[int],
    campaign_id: int | None,
    workflows: list[Workflow] | None = None,
) -> Route:
    """The workflow for something on `channel_ids` in `campaign_id` (see the module's
    docstring for the rule). `workflows` lets a caller reuse `candidates()`."""
    found = candidates(workspace_id, kind) if workflows is None else workflows
    channels = set(channel_ids)
    scoped = [wf for wf in found if wf.scoped and _matches(wf, channels, campaign_id)]
    if scoped:
        best = max(_specificity(wf) for wf in scoped)
        tied = sorted((wf for wf in scoped if _specificity(wf) == best), key=_age)
        return Route(tied[0], "scoped", tied[1:])
    default = next((wf for wf in found if wf.is_default), None)
    if default is not None:
        return Route(default, "default")
    if any(wf.is_default for wf in Workflow.objects.filter(workspace_id=workspace_id, kind=kind)):
        return Route(None, "none")  # the default is off: it is not replaced by a guess
    wide = sorted((wf for wf in found if not wf.scoped), key=_age)
    if wide:
        return Route(wide[0], "workspace_wide", wide[1:])
    return Route(None, "none")


def overlap(a: Workflow, b: Workflow) -> bool:
    """Can one post match both scoped workflows equally (so the older one wins)?"""
    if not (a.scoped and b.scoped) or _specificity(a) != _specificity(b):
        return False
    channels = not a.channel_ids or bool(set(a.channel_ids) & set(b.channel_ids))
    campaigns = not a.campaign_ids or bool(set(a.campaign_ids) & set(b.campaign_ids))
    return channels and campaigns
