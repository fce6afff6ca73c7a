"""Reads for approvals, scoped to the member's workspace."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.utils.translation import gettext as _

from roost.approvals import routing
from roost.approvals.models import (
    ApprovalEvent,
    ApprovalRequest,
    Decision,
    EventKind,
    RequestStatus,
    StepState,
    Workflow,
    WorkflowStep,
)
from roost.approvals.registry import adapter, campaigns
from roost.approvals.services import can_see, review_needed
from roost.core.exceptions import NotFound, ValidationFailed
from roost.workspaces.models import Membership


@dataclass
class QueueItem:
    request: ApprovalRequest
    state: StepState | None
    title: str
    url: str
    obj: Any


@dataclass
class QueueSection:
    """Some items of a queue section (oldest first), from `skip`, and how many it holds."""

    items: list[QueueItem]
    total: int
    skip: int = 0

    @property
    def first(self) -> int:
        return self.skip + 1

    @property
    def last(self) -> int:
        return self.skip + len(self.items)


# "Submitted by me" shows the latest ones only.
SUBMITTED_SHOWN = 50


def _load(requests: list[ApprovalRequest]) -> dict[tuple[str, int], Any]:
    """The items under review, one query per kind (not one per request)."""
    ids: dict[str, set[int]] = {}
    for req in requests:
        ids.setdefault(req.kind, set()).add(req.object_id)
    found: dict[tuple[str, int], Any] = {}
    for kind, wanted in ids.items():
        for pk, obj in adapter(kind).load_many(wanted).items():
            found[(kind, pk)] = obj
    return found


def _items(requests: list[ApprovalRequest], states: dict[int, StepState]) -> list[QueueItem]:
    """Queue items for requests (in their order), skipping those whose item is gone."""
    objects = _load(requests)
    items = []
    for req in requests:
        obj = objects.get((req.kind, req.object_id))
        if obj is None:
            continue
        handler = adapter(req.kind)
        items.append(QueueItem(req, states.get(req.pk), handler.title(obj), handler.url(obj), obj))
    return items


def _current_states(requests: list[ApprovalRequest]) -> dict[int, StepState]:
    """Each request's current step state, in one query."""
    if not requests:
        return {}
    states = StepState.objects.filter(
        request_id__in=[r.pk for r in requests], position=F("request__current_position")
    )
    return {s.request_id: s for s in states}


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


MINE, GROUPS = 1, 2


def _waiting_ids(membership: Membership) -> tuple[list[int], list[int]]:
    """Ids of the pending requests waiting for me (named on the current step, or it was
    escalated and I am among its approvers or its escalation target) and for my groups
    (the rest of those whose step names one of my groups), oldest first; only reviews of
    items I may see, and not the "all of them" steps I already approved.

    Worked out in the database: one query sorts every pending request of the workspace
    into a section, one visibility question per kind (over a subquery, not thousands of
    ids); no objects are made for requests not shown."""
    my_groups = list(membership.groups.values_list("pk", flat=True))
    named = Exists(
        WorkflowStep.members.through.objects.filter(
            workflowstep_id=OuterRef("step_id"), membership_id=membership.pk
        )
    )
    via_group = Exists(
        WorkflowStep.groups.through.objects.filter(
            workflowstep_id=OuterRef("step_id"), group_id__in=my_groups
        )
    )
    target = Q(step__escalate_to_member_id=membership.pk) | Q(
        step__escalate_to_group_id__in=my_groups
    )
    escalated_to_me = Q(escalated_at__isnull=False) & (Q(via_group) | target)
    decided = Decision.objects.filter(state_id=OuterRef("pk"), user_id=membership.user_id)
    sorted_out = (
        StepState.objects.filter(
            request__workspace_id=membership.workspace_id,
            request__status=RequestStatus.PENDING,
            position=F("request__current_position"),
            step__isnull=False,
        )
        .exclude(Exists(decided))
        .annotate(
            section=Case(
                When(named, then=Value(MINE)),
                When(escalated_to_me, then=Value(MINE)),
                When(via_group, then=Value(GROUPS)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        .filter(section__gt=0)
        .order_by("request__submitted_at", "request_id")
        .values_list("request_id", "request__kind", "request__object_id", "section")
    )
    rows = list(sorted_out)
    pending = ApprovalRequest.objects.filter(
        workspace_id=membership.workspace_id, status=RequestStatus.PENDING
    )
    visible = {
        kind: adapter(kind).visible_ids(
            membership, pending.filter(kind=kind).values_list("object_id", flat=True)
        )
        for kind in {kind for _rid, kind, _oid, _section in rows}
    }
    mine = [rid for rid, kind, oid, section in rows if section == MINE and oid in visible[kind]]
    groups = [rid for rid, kind, oid, section in rows if section == GROUPS and oid in visible[kind]]
    return mine, groups


def _section(ids: list[int], skip: int, limit: int | None) -> QueueSection:
    shown = ids[skip : skip + limit] if limit is not None else ids[skip:]
    found = {
        r.pk: r
        for r in ApprovalRequest.objects.filter(pk__in=shown).select_related(
            "workspace", "submitted_by"
        )
    }
    requests = [found[pk] for pk in shown if pk in found]
    return QueueSection(_items(requests, _current_states(requests)), len(ids), skip)


def queue_sections(
    membership: Membership,
    *,
    limit: int | None = None,
    mine_skip: int = 0,
    groups_skip: int = 0,
) -> dict[str, QueueSection]:
    """Waiting for me, waiting for my groups (each from its `skip`, `limit` items when
    given, and its total), and the latest reviews I submitted; only reviews of items the
    member may see. A fixed number of queries, however long the queue."""
    mine, groups = _waiting_ids(membership)
    # The latest ids first, then their rows: sorting bare ids is cheap, whole rows not.
    latest = ApprovalRequest.objects.filter(
        workspace_id=membership.workspace_id, submitted_by=membership.user
    ).order_by("-submitted_at", "-id")
    latest_ids = list(latest.values_list("pk", flat=True)[:SUBMITTED_SHOWN])
    submitted = visible_requests(
        membership, latest.filter(pk__in=latest_ids).select_related("workspace", "submitted_by")
    )
    return {
        "mine": _section(mine, mine_skip, limit),
        "groups": _section(groups, groups_skip, limit),
        "submitted": QueueSection(_items(submitted, _current_states(submitted)), len(submitted)),
    }


def queue_for(membership: Membership) -> dict[str, list[QueueItem]]:
    """Waiting for me (named or escalated to me), waiting for my groups, submitted by me;
    only reviews of items the member may see."""
    return {name: section.items for name, section in queue_sections(membership).items()}


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


@dataclass
class StepPreview:
    position: int
    name: str
    rule: str
    people: list[str]  # named members, then groups, then outside e-mails

    @property
    def who(self) -> str:
        return ", ".join(self.people)


@dataclass
class RoutePreview:
    """What happens to a post on these channels in this campaign when `member` sends it."""

    outcome: str  # "review", "skip" (their role may publish without it), "none", "blocked"
    workflow: Workflow | None
    why: str  # routing.Route.why
    steps: list[StepPreview]
    passed_over: list[Workflow]
    problem: str = ""  # "blocked": why it cannot be sent

    @property
    def passed_over_names(self) -> str:
        return ", ".join(f"“{wf.name}”" for wf in self.passed_over)


def _people(step: WorkflowStep) -> list[str]:
    """Who a step names: people, then each group with its members, then outside e-mails
    (prefetch members__user and groups__members__user)."""
    groups = []
    for group in sorted(step.groups.all(), key=lambda g: g.name):
        members = sorted(m.user.display_name for m in group.members.all())
        groups.append(
            _("%(group)s: %(people)s") % {"group": group.name, "people": ", ".join(members)}
            if members
            else group.name
        )
    return (
        sorted(m.user.display_name for m in step.members.all())
        + groups
        + list(step.external_emails)
    )


def step_previews(workflow: Workflow) -> list[StepPreview]:
    """Each step of `workflow` and who is named in it, in a fixed number of queries."""
    steps = workflow.steps.prefetch_related("members__user", "groups__members__user").order_by(
        "position"
    )
    return [StepPreview(step.position, step.name, step.rule, _people(step)) for step in steps]


def route_preview(
    member: Membership, *, channel_ids: list[int], campaign_id: int | None
) -> RoutePreview:
    """Which workflow a post of `member` on these channels (in this campaign) goes to, and
    who approves it; or that it goes out without approval, and why. Channels or a campaign
    from outside the member's workspace are not found."""
    from roost.channels.models import Channel

    wanted = set(channel_ids)
    if wanted and Channel.objects.filter(
        workspace_id=member.workspace_id, pk__in=wanted
    ).count() != len(wanted):
        raise NotFound(_("Some of these channels are not in this workspace."))
    if campaign_id is not None and campaign_id not in campaigns("post", member.workspace_id):
        raise NotFound(_("This campaign is not in this workspace."))
    found = routing.route(
        workspace_id=member.workspace_id,
        kind="post",
        channel_ids=wanted,
        campaign_id=campaign_id,
    )
    workflow = found.workflow
    try:
        goes_to = review_needed(member, "post", workflow)
    except ValidationFailed as exc:
        problem = " ".join(m for ms in exc.errors.values() for m in ms)
        return RoutePreview("blocked", None, found.why, [], [], problem)
    if goes_to is not None:
        return RoutePreview("review", goes_to, found.why, step_previews(goes_to), found.passed_over)
    outcome = "skip" if workflow is not None else "none"
    return RoutePreview(outcome, workflow, found.why, [], found.passed_over)


@dataclass
class DecidedItem:
    decision: Decision
    request: ApprovalRequest
    title: str
    url: str


# "Decided by me" shows the latest ones only.
DECIDED_SHOWN = 50


def decided_by(membership: Membership, *, limit: int = DECIDED_SHOWN) -> list[DecidedItem]:
    """The member's own latest decisions in this workspace (newest first), on items they
    may still see; a fixed number of queries."""
    decisions = list(
        Decision.objects.filter(
            user_id=membership.user_id, state__request__workspace_id=membership.workspace_id
        )
        .select_related("state__request__workspace", "state__request__submitted_by")
        .order_by("-created_at", "-id")[:limit]
    )
    shown = {r.pk for r in visible_requests(membership, [d.state.request for d in decisions])}
    decisions = [d for d in decisions if d.state.request_id in shown]
    objects = _load([d.state.request for d in decisions])
    items = []
    for d in decisions:
        req = d.state.request
        obj = objects.get((req.kind, req.object_id))
        if obj is None:
            continue
        handler = adapter(req.kind)
        items.append(DecidedItem(d, req, handler.title(obj), handler.url(obj)))
    return items


def request_steps(req: ApprovalRequest) -> list[tuple[StepState, list[str]]]:
    """Each step of a review and who is named in it (people, groups, outside e-mails), as
    the workflow says now; a step whose workflow step was deleted names nobody."""
    states = list(
        req.steps.select_related("step").prefetch_related(
            "step__members__user", "step__groups__members__user", "decisions__user"
        )
    )
    out = []
    for state in states:
        step = state.step
        out.append((state, _people(step) if step is not None else []))
    return out


@dataclass
class WorkflowRow:
    workflow: Workflow
    channels: list[str]
    campaigns: list[str]
    workspace_wide: bool  # not scoped, no default set: applies to every post (routing 3)
    overlaps: list[str]  # scoped workflows a post can match equally (the older wins)


def workflow_rows(workspace_id: int) -> list[WorkflowRow]:
    """The workspace's workflows with what each applies to, in a fixed number of queries."""
    from roost.channels.models import Channel

    workflows = list(Workflow.objects.filter(workspace_id=workspace_id).prefetch_related("steps"))
    channels = dict(Channel.objects.filter(workspace_id=workspace_id).values_list("pk", "name"))
    named = {kind: campaigns(kind, workspace_id) for kind in {wf.kind for wf in workflows}}
    has_default = {wf.kind for wf in workflows if wf.is_default}
    active = [wf for wf in workflows if wf.active]
    return [
        WorkflowRow(
            wf,
            [channels[pk] for pk in wf.channel_ids if pk in channels],
            [named[wf.kind][pk] for pk in wf.campaign_ids if pk in named[wf.kind]],
            not wf.scoped and wf.kind not in has_default,
            [
                other.name
                for other in active
                if other.pk != wf.pk and other.kind == wf.kind and routing.overlap(wf, other)
            ],
        )
        for wf in workflows
    ]


def waiting_sections(membership: Membership, limit: int) -> dict[str, QueueSection]:
    """Only what waits for me and for my groups (the first `limit` of each, and how many
    there are): the home page's view of the queue, without "Submitted by me"."""
    mine, groups = _waiting_ids(membership)
    return {"mine": _section(mine, 0, limit), "groups": _section(groups, 0, limit)}


DECIDED = [EventKind.APPROVED, EventKind.REJECTED, EventKind.CHANGES_REQUESTED]


def decisions_since(membership: Membership, since: Any) -> list[tuple[str, str, int]]:
    """Who decided how many reviews since `since`, by decision: (name, event, count), the
    most first; only reviews of items the member may see. One query, plus one visibility
    question per kind."""
    rows = list(
        ApprovalEvent.objects.filter(
            workspace_id=membership.workspace_id, created_at__gte=since, event__in=DECIDED
        ).values_list("kind", "object_id", "actor__name", "actor__email", "actor_label", "event")
    )
    ids: dict[str, set[int]] = {}
    for kind, object_id, *_rest in rows:
        ids.setdefault(kind, set()).add(object_id)
    visible = {kind: adapter(kind).visible_ids(membership, wanted) for kind, wanted in ids.items()}
    counts: dict[tuple[str, str], int] = {}
    for kind, object_id, name, email, label, event in rows:
        if object_id in visible[kind]:
            key = (name or email or label, event)
            counts[key] = counts.get(key, 0) + 1
    return sorted(
        ((who, event, n) for (who, event), n in counts.items()), key=lambda r: (-r[2], r[0])
    )


def sent_back_to(membership: Membership, limit: int) -> QueueSection:
    """My submissions whose approver asked for changes and that I have not sent again
    (no later round): what I must edit. The latest first; only items I may see."""
    later = ApprovalRequest.objects.filter(
        workspace_id=membership.workspace_id,
        kind=OuterRef("kind"),
        object_id=OuterRef("object_id"),
        submitted_at__gt=OuterRef("submitted_at"),
    )
    qs = ApprovalRequest.objects.filter(
        workspace_id=membership.workspace_id,
        submitted_by=membership.user,
        status=RequestStatus.CHANGES_REQUESTED,
    ).exclude(Exists(later))
    shown = visible_requests(
        membership, qs.select_related("workspace", "submitted_by").order_by("-submitted_at")[:limit]
    )
    return QueueSection(_items(shown, {}), qs.count())
