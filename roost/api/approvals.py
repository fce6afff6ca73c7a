"""Approvals: my queue, one review with its steps, decisions and history, deciding, and a
post's approval audit — through the same engine as the approvals pages."""

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from roost.api.auth import access
from roost.api.idempotency import idempotent
from roost.api.schemas import Id, Moment, responses
from roost.approvals import selectors, services
from roost.approvals.models import ApprovalEvent, ApprovalRequest, RequestStatus, StepState
from roost.approvals.registry import adapter
from roost.core.exceptions import NotFound
from roost.publishing import selectors as publishing_selectors
from roost.workspaces.models import ApiScope, Membership
from roost.workspaces.roles import Perm

router = Router(tags=["approvals"])
READ, WRITE = ApiScope.READ, ApiScope.APPROVALS_WRITE


class QueueItemOut(Schema):
    id: int
    kind: str
    object_id: int
    title: str
    status: str
    step: str | None = Field(description="The step waiting for a decision, if any")
    position: int
    due_at: datetime | None
    submitted_by: str | None
    submitted_at: datetime


class QueueOut(Schema):
    waiting_for_me: list[QueueItemOut]
    waiting_for_my_groups: list[QueueItemOut]
    submitted_by_me: list[QueueItemOut]


class DecisionOut(Schema):
    by: str | None = Field(description="The member's e-mail, or an outside approver's")
    decision: str
    comment: str
    created_at: datetime


class StepOut(Schema):
    position: int
    name: str
    rule: str
    status: str
    current: bool
    approvers: list[str] = Field(description="Members who may decide this step now (e-mails)")
    external_approvers: list[str]
    started_at: datetime | None
    due_at: datetime | None
    escalated_at: datetime | None
    decided_at: datetime | None
    decisions: list[DecisionOut]


class EventOut(Schema):
    id: int
    request: int | None
    event: str
    actor: str | None
    step: str
    comment: str
    data: dict[str, Any]
    created_at: datetime


class RequestOut(Schema):
    id: int
    kind: str
    object_id: int
    title: str
    url: str
    status: str
    current_position: int
    workflow: str | None
    submitted_by: str | None
    submitted_at: datetime
    decided_at: datetime | None
    plan: dict[str, Any]
    snapshot: dict[str, Any] = Field(description="The content under review")
    can_decide: bool
    steps: list[StepOut]
    events: list[EventOut] = Field(description="What happened in this round of review")


class WhenIn(Schema):
    mode: Literal["now", "at"]
    at: Moment | None = Field(
        default=None,
        description="For mode=at. Without a UTC offset it is a wall-clock time in the "
        "workspace's time zone.",
    )


class DecideIn(Schema):
    decision: Literal["approve", "reject", "request_changes"]
    comment: str = Field(
        default="", max_length=5000, description="Required to reject or request changes"
    )
    when: WhenIn | None = Field(
        default=None, description="Needed to approve once the planned time has passed"
    )
    step: Id | None = Field(
        default=None,
        description="The step position you decide on; if it was decided meanwhile: 409",
    )


def _actor(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined]


def _fetch(actor: Membership, request_id: Id) -> ApprovalRequest:
    req = selectors.request_in(actor, request_id)
    if req is None:
        raise NotFound()
    return req


def _email(user: Any) -> str | None:
    return user.email if user is not None else None


def _queue_item(item: selectors.QueueItem) -> dict[str, Any]:
    req, state = item.request, item.state
    waiting = req.status == RequestStatus.PENDING and state is not None
    return {
        "id": req.pk,
        "kind": req.kind,
        "object_id": req.object_id,
        "title": item.title,
        "status": req.status,
        "step": state.name if waiting and state is not None else None,
        "position": req.current_position,
        "due_at": state.due_at if waiting and state is not None else None,
        "submitted_by": _email(req.submitted_by),
        "submitted_at": req.submitted_at,
    }


def _event_out(event: ApprovalEvent) -> dict[str, Any]:
    return {
        "id": event.pk,
        "request": event.request_id,
        "event": event.event,
        "actor": _email(event.actor) or event.actor_label or None,
        "step": event.step_name,
        "comment": event.comment,
        "data": event.data,
        "created_at": event.created_at,
    }


def _step_out(state: StepState, current: bool) -> dict[str, Any]:
    return {
        "position": state.position,
        "name": state.name,
        "rule": state.rule,
        "status": state.status,
        "current": current,
        "approvers": sorted(u.email for u in services.approvers_of(state)),
        "external_approvers": list(state.step.external_emails) if state.step else [],
        "started_at": state.started_at,
        "due_at": state.due_at,
        "escalated_at": state.escalated_at,
        "decided_at": state.decided_at,
        "decisions": [
            {
                "by": _email(d.user) or d.external_email or None,
                "decision": d.kind,
                "comment": d.comment,
                "created_at": d.created_at,
            }
            for d in state.decisions.all()
        ],
    }


def _request_out(actor: Membership, req: ApprovalRequest) -> dict[str, Any]:
    handler = adapter(req.kind)
    obj = handler.load(req.object_id)
    pending = req.status == RequestStatus.PENDING
    states = list(req.steps.all())
    current = next((s for s in states if pending and s.position == req.current_position), None)
    can_decide = (
        current is not None
        and actor.user in services.approvers_of(current)
        and not any(d.user_id == actor.user_id for d in current.decisions.all())
    )
    return {
        "id": req.pk,
        "kind": req.kind,
        "object_id": req.object_id,
        "title": handler.title(obj) if obj is not None else "",
        "url": handler.url(obj) if obj is not None else "",
        "status": req.status,
        "current_position": req.current_position,
        "workflow": req.workflow.name if req.workflow else None,
        "submitted_by": _email(req.submitted_by),
        "submitted_at": req.submitted_at,
        "decided_at": req.decided_at,
        "plan": req.plan,
        "snapshot": req.snapshot,
        "can_decide": can_decide,
        "steps": [_step_out(s, s is current) for s in states],
        "events": [_event_out(e) for e in req.events.select_related("actor")],
    }


@router.get(
    "/{slug}/approvals",
    response=responses({200: QueueOut}),
    auth=access(Perm.VIEW_CONTENT, READ),
    summary="My approval queue",
)
def approval_queue(request: HttpRequest, slug: str) -> Any:
    """Reviews waiting for me (named, or escalated to me), waiting for one of my groups, and
    the ones I submitted."""
    queue = selectors.queue_for(_actor(request))
    return {
        "waiting_for_me": [_queue_item(i) for i in queue["mine"]],
        "waiting_for_my_groups": [_queue_item(i) for i in queue["groups"]],
        "submitted_by_me": [_queue_item(i) for i in queue["submitted"]],
    }


@router.get(
    "/{slug}/approvals/{request_id}",
    response=responses({200: RequestOut}),
    auth=access(Perm.VIEW_CONTENT, READ),
    summary="One review: its steps, decisions and history",
)
def approval_get(request: HttpRequest, slug: str, request_id: Id) -> Any:
    actor = _actor(request)
    return _request_out(actor, _fetch(actor, request_id))


@router.post(
    "/{slug}/approvals/{request_id}/decide",
    response=responses({200: RequestOut}, write=True),
    auth=access(Perm.VIEW_CONTENT, WRITE),
    summary="Approve, reject or request changes on the current step",
)
@idempotent
def approval_decide(request: HttpRequest, slug: str, request_id: Id, payload: DecideIn) -> Any:
    """Who may decide is the workflow's business, not the role's: a member who is no
    approver of the current step gets 403, a step or review already decided 409."""
    actor = _actor(request)
    req = _fetch(actor, request_id)
    when = None
    if payload.when is not None:
        at = payload.when.at
        when = {"mode": payload.when.mode, "at": at.isoformat() if at else None}
    services.request_decide(
        req=req,
        decision=payload.decision,
        user=actor.user,
        comment=payload.comment,
        when=when,
        step_position=payload.step,
    )
    return _request_out(actor, _fetch(actor, request_id))


@router.get(
    "/{slug}/posts/{post_id}/approval-events",
    response=responses({200: list[EventOut]}),
    auth=access(Perm.VIEW_CONTENT, READ),
    summary="A post's approval history, across every round of review",
)
def post_approval_events(request: HttpRequest, slug: str, post_id: Id) -> Any:
    actor = _actor(request)
    post = publishing_selectors.post_detail(actor, post_id)
    if post is None:
        raise NotFound()
    return [_event_out(e) for e in selectors.events_for(actor, "post", post.pk)]
