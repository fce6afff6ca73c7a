"""Reads for approvals, scoped to the member's workspace."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from roost.approvals.models import ApprovalEvent, ApprovalRequest, RequestStatus, StepState
from roost.approvals.registry import adapter
from roost.approvals.services import approvers_of, can_see
from roost.workspaces.models import Membership


@dataclass
class QueueItem:
    request: ApprovalRequest
    state: StepState | None
    title: str
    url: str
    obj: Any


def _item(req: ApprovalRequest) -> QueueItem | None:
    handler = adapter(req.kind)
    obj = handler.load(req.object_id)
    if obj is None:
        return None
    state = next((s for s in req.steps.all() if s.position == req.current_position), None)
    return QueueItem(req, state, handler.title(obj), handler.url(obj), obj)


def visible_requests(
    membership: Membership, requests: Iterable[ApprovalRequest]
) -> list[ApprovalRequest]:
    """The requests whose item `membership` may see (one question per kind, not per item)."""
    found = list(requests)
    ids: dict[str, set[int]] = {}
    for req in found:
        ids.setdefault(req.kind, set()).add(req.object_id)
    visible = {kind: adapter(kind).visible_ids(membership, wanted) for kind, wanted in ids.items()}
    return [req for req in found if req.object_id in visible[req.kind]]


def queue_for(membership: Membership) -> dict[str, list[QueueItem]]:
    """Waiting for me (named or escalated to me), waiting for my groups, submitted by me;
    only reviews of items the member may see."""
    pending = (
        ApprovalRequest.objects.filter(
            workspace_id=membership.workspace_id, status=RequestStatus.PENDING
        )
        .select_related("workspace", "submitted_by")
        .prefetch_related("steps__step__members", "steps__step__groups")
        .order_by("submitted_at")
    )
    my_groups = set(membership.groups.values_list("pk", flat=True))
    mine: list[QueueItem] = []
    groups: list[QueueItem] = []
    for req in visible_requests(membership, pending):
        item = _item(req)
        if item is None or item.state is None:
            continue
        step = item.state.step
        named = step is not None and membership.pk in {m.pk for m in step.members.all()}
        via_group = step is not None and bool(my_groups & {g.pk for g in step.groups.all()})
        escalated = item.state.escalated_at is not None and membership.user in approvers_of(
            item.state
        )
        if item.state.decisions.filter(user=membership.user).exists():
            continue  # an "all of them" step I already approved waits for the others
        if named or escalated:
            mine.append(item)
        elif via_group:
            groups.append(item)
    mine_submitted = (
        ApprovalRequest.objects.filter(
            workspace_id=membership.workspace_id, submitted_by=membership.user
        )
        .select_related("workspace")
        .prefetch_related("steps")
        .order_by("-submitted_at")[:50]
    )
    submitted = [
        i for i in (_item(r) for r in visible_requests(membership, mine_submitted)) if i is not None
    ]
    return {"mine": mine, "groups": groups, "submitted": submitted}


def events_for(membership: Membership, kind: str, object_id: int) -> QuerySet[ApprovalEvent]:
    """The approval history of one item, for a member who may see the item (else none)."""
    if not can_see(membership, kind, object_id):
        return ApprovalEvent.objects.none()
    return ApprovalEvent.objects.filter(
        workspace_id=membership.workspace_id, kind=kind, object_id=object_id
    ).select_related("actor")


def request_in(membership: Membership, request_id: int) -> ApprovalRequest | None:
    """One review in the member's workspace, if the member may see the item under review;
    None otherwise (a hidden item's review does not exist for them)."""
    req = (
        ApprovalRequest.objects.filter(workspace_id=membership.workspace_id, pk=request_id)
        .select_related("workspace", "submitted_by", "workflow")
        .prefetch_related("steps__decisions__user", "steps__step")
        .first()
    )
    if req is None or not can_see(membership, req.kind, req.object_id):
        return None
    return req
