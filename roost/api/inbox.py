"""The Smart Inbox: list with filters, one message with its thread, assign, complete, tag,
reply and tasks — through the same services as the inbox pages."""

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from roost.api.auth import access
from roost.api.idempotency import HEADER as IDEMPOTENCY_HEADER
from roost.api.idempotency import idempotent
from roost.api.schemas import Id, Moment, responses
from roost.core.exceptions import ValidationFailed
from roost.inbox import selectors
from roost.inbox.models import Message, MessageStatus, ReplyDraft, Task
from roost.inbox.services import sla, triage
from roost.inbox.services.replies import reply_send
from roost.workspaces.models import ApiScope, Membership
from roost.workspaces.roles import Perm

router = Router(tags=["inbox"])
READ, WRITE = ApiScope.READ, ApiScope.INBOX_WRITE


class InboxQuery(Schema):
    status: str = Field(
        default="open",
        description="open or complete",
        json_schema_extra={"enum": ["open", "complete"]},
    )
    channel: Id | None = None
    kind: str | None = Field(default=None, description="mention, reply, quote or direct")
    assignee: str = Field(default="", description="me, none, or a member id")
    group: Id | None = None
    tag: str = ""
    priority: int | None = Field(default=None, ge=0, le=3, description="0 low … 3 urgent")
    language: str = ""
    q: str = Field(default="", description="Search in the text and the author's handle")
    limit: int = Field(default=50, ge=1, le=200)


class AuthorOut(Schema):
    id: str
    handle: str
    name: str


class TaskOut(Schema):
    id: int
    message: int
    kind: str
    done: bool
    notes: str
    due_at: datetime | None
    group: str | None
    assignee: str | None = Field(description="The member's e-mail")
    created_at: datetime


class MessageOut(Schema):
    id: int
    channel: int
    channel_name: str
    network: str
    kind: str
    outgoing: bool
    author: AuthorOut
    text: str
    url: str
    language: str
    sent_at: datetime
    received_at: datetime
    status: str
    priority: int
    assignee: int | None = Field(description="Member id")
    group: int | None
    tags: list[str]
    first_response_at: datetime | None
    completed_at: datetime | None


class MessageDetailOut(MessageOut):
    thread: list[MessageOut] = Field(
        description="The conversation, as far as the member may read it (routed-only roles "
        "see the items routed to them and our replies to those)"
    )
    thread_hidden: int = Field(
        description="How many items of the conversation the member may not read"
    )
    tasks: list[TaskOut]
    sla: str = Field(description="First response: ok, at_risk, breached or met")


class AssignIn(Schema):
    member: Id | None = None
    group: Id | None = None


class StatusIn(Schema):
    complete: bool


class TagsIn(Schema):
    tags: list[str] = Field(max_length=50)


class ReplyIn(Schema):
    text: str = Field(max_length=10_000)
    complete: bool = False
    confirm: bool = Field(
        default=False,
        description="Send even though a colleague answered this conversation in the last 2 min",
    )
    idempotency_key: str = Field(default="", max_length=64)


class ReplyPendingOut(Schema):
    detail: str
    draft: int = Field(description="The reply draft waiting for approval")


class TaskIn(Schema):
    kind: str = Field(
        description="lead, support, feedback or other",
        json_schema_extra={"enum": ["lead", "support", "feedback", "other"]},
    )
    notes: str = Field(default="", max_length=5000)
    due_at: Moment | None = None


def _actor(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined]


def _message_out(m: Message, tags: list[str] | None = None) -> dict[str, Any]:
    return {
        "id": m.pk,
        "channel": m.channel_id,
        "channel_name": m.channel.name,
        "network": m.channel.network,
        "kind": m.kind,
        "outgoing": m.outgoing,
        "author": {"id": m.author_id, "handle": m.author_handle, "name": m.author_name},
        "text": m.text,
        "url": m.url,
        "language": m.language,
        "sent_at": m.sent_at,
        "received_at": m.received_at,
        "status": m.status,
        "priority": m.priority,
        "assignee": m.assignee_id,
        "group": m.group_id,
        "tags": tags if tags is not None else [t.name for t in m.tags.all()],
        "first_response_at": m.first_response_at,
        "completed_at": m.completed_at,
    }


def _task_out(t: Task) -> dict[str, Any]:
    return {
        "id": t.pk,
        "message": t.message_id,
        "kind": t.kind,
        "done": t.done,
        "notes": t.notes,
        "due_at": t.due_at,
        "group": t.group.name if t.group else None,
        "assignee": t.assignee.user.email if t.assignee else None,
        "created_at": t.created_at,
    }


def _detail(actor: Membership, message_id: Id) -> dict[str, Any]:
    m = selectors.access_message(actor, message_id)
    ws = actor.workspace
    state = sla.first_response(m, triage.inbox_settings(ws.pk), ws.timezone)
    thread = selectors.thread(actor, m).select_related("channel")
    return {
        **_message_out(m),
        "thread": [_message_out(t, tags=[]) for t in thread],
        "thread_hidden": selectors.thread_hidden(actor, m),
        "tasks": [_task_out(t) for t in m.tasks.all()],
        "sla": state.state,
    }


@router.get(
    "/{slug}/inbox",
    response=responses({200: list[MessageOut]}),
    auth=access(Perm.INBOX_READ_ROUTED, READ),
    summary="Inbox items the member may see, newest first",
)
def inbox_list(request: HttpRequest, slug: str, filters: Query[InboxQuery]) -> Any:
    if filters.status not in MessageStatus.values:
        raise ValidationFailed({"status": ["Use open or complete."]})
    f = selectors.InboxFilter(
        status=filters.status,
        channel_ids=[filters.channel] if filters.channel else [],
        kinds=[filters.kind] if filters.kind else [],
        assignee=filters.assignee,
        group_id=filters.group,
        tag=filters.tag,
        priority=filters.priority,
        language=filters.language,
        query=filters.q,
    )
    return [_message_out(m) for m in selectors.messages_list(_actor(request), f, filters.limit)]


@router.get(
    "/{slug}/inbox/{message_id}",
    response=responses({200: MessageDetailOut}),
    auth=access(Perm.INBOX_READ_ROUTED, READ),
    summary="One inbox item with its conversation, tasks and SLA state",
)
def inbox_get(request: HttpRequest, slug: str, message_id: Id) -> Any:
    return _detail(_actor(request), message_id)


@router.post(
    "/{slug}/inbox/{message_id}/assign",
    response=responses({200: MessageDetailOut}, write=True),
    auth=access(Perm.INBOX_ASSIGN, WRITE),
    summary="Assign to a member, or to a group (round-robin inside it)",
)
@idempotent
def inbox_assign(request: HttpRequest, slug: str, message_id: Id, payload: AssignIn) -> Any:
    actor = _actor(request)
    message = selectors.access_message(actor, message_id)
    triage.message_assign(
        actor=actor, message=message, member_id=payload.member, group_id=payload.group
    )
    return _detail(actor, message_id)


@router.post(
    "/{slug}/inbox/{message_id}/status",
    response=responses({200: MessageDetailOut}, write=True),
    auth=access(Perm.INBOX_REPLY, WRITE),
    summary="Complete or reopen",
)
@idempotent
def inbox_status(request: HttpRequest, slug: str, message_id: Id, payload: StatusIn) -> Any:
    actor = _actor(request)
    message = selectors.access_message(actor, message_id)
    triage.message_set_status(actor=actor, message=message, complete=payload.complete)
    return _detail(actor, message_id)


@router.put(
    "/{slug}/inbox/{message_id}/tags",
    response=responses({200: MessageDetailOut}, write=True),
    auth=access(Perm.INBOX_REPLY, WRITE),
    summary="Replace the item's tags",
)
def inbox_tags(request: HttpRequest, slug: str, message_id: Id, payload: TagsIn) -> Any:
    actor = _actor(request)
    message = selectors.access_message(actor, message_id)
    triage.message_tag(actor=actor, message=message, names=payload.tags)
    return _detail(actor, message_id)


@router.post(
    "/{slug}/inbox/{message_id}/reply",
    response=responses({201: MessageOut, 202: ReplyPendingOut}, write=True),
    auth=access(Perm.INBOX_REPLY, WRITE),
    summary="Answer on the network, threaded (422 says why the network refused; 202 when "
    "the reply waits for approval)",
)
@idempotent
def inbox_reply(request: HttpRequest, slug: str, message_id: Id, payload: ReplyIn) -> Any:
    actor = _actor(request)
    message = selectors.access_message(actor, message_id)
    sent = reply_send(
        actor=actor,
        message=message,
        text=payload.text,
        complete=payload.complete,
        # The body's key, else the header's: either makes the send itself idempotent.
        key=payload.idempotency_key or request.headers.get(IDEMPOTENCY_HEADER, ""),
        confirm=payload.confirm,
    )
    if isinstance(sent, ReplyDraft):
        # Waiting for approval: 202, and where the review is.
        return Status(202, {"detail": "The reply was sent for approval.", "draft": sent.pk})
    return Status(201, _message_out(sent, tags=[]))


@router.post(
    "/{slug}/inbox/{message_id}/tasks",
    response=responses({201: TaskOut}, write=True),
    auth=access(Perm.INBOX_REPLY, WRITE),
    summary="Create a task (a Lead goes to Sales, Support to Customer Care); fires webhooks",
)
@idempotent
def inbox_task_create(request: HttpRequest, slug: str, message_id: Id, payload: TaskIn) -> Any:
    actor = _actor(request)
    message = selectors.access_message(actor, message_id)
    due = payload.due_at
    if due is not None and due.tzinfo is None:
        due = due.replace(tzinfo=actor.workspace.tzinfo)
    task = triage.task_create(
        actor=actor, message=message, kind=payload.kind, notes=payload.notes, due_at=due
    )
    found = Task.objects.select_related("group", "assignee__user").get(pk=task.pk)
    return Status(201, _task_out(found))


@router.get(
    "/{slug}/tasks",
    response=responses({200: list[TaskOut]}),
    auth=access(Perm.INBOX_READ_ROUTED, READ),
    summary="Tasks on the inbox items the member may see, newest first",
)
def task_list(request: HttpRequest, slug: str, open_only: bool = False) -> Any:
    return [_task_out(t) for t in selectors.tasks_list(_actor(request), open_only=open_only)]
