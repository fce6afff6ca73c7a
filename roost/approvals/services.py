"""The approval engine: submit, decide, reset, escalate — for any registered kind."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from roost.approvals import registry, routing
from roost.approvals.models import (
    ApprovalEvent,
    ApprovalRequest,
    ApprovalSettings,
    DeadlineFrom,
    Decision,
    DecisionKind,
    EventKind,
    ExternalLink,
    RequestStatus,
    StepRule,
    StepState,
    StepStatus,
    Workflow,
    WorkflowStep,
)
from roost.approvals.registry import adapter
from roost.core import clock
from roost.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from roost.core.mail import send_email_on_commit
from roost.core.references import Removed
from roost.core.tokens import hash_secret
from roost.core.validation import check_moment
from roost.notifications.services import notify, notify_withdraw
from roost.workspaces.models import Membership, Workspace
from roost.workspaces.roles import Perm

LINK_DAYS = 7


def approval_settings(workspace: Workspace) -> ApprovalSettings:
    found, _created = ApprovalSettings.objects.get_or_create(workspace=workspace)
    return found


def workflow_for(workspace_id: int, kind: str, obj: Any) -> Workflow | None:
    """The workflow that applies to `obj` (the rule is in routing.py)."""
    channel_ids, campaign_id = adapter(kind).scope(obj)
    return routing.route(
        workspace_id=workspace_id, kind=kind, channel_ids=channel_ids, campaign_id=campaign_id
    ).workflow


def needs_review(actor: Membership, kind: str, obj: Any) -> Workflow | None:
    """The workflow this submission must go through, or None when it may go straight out."""
    return review_needed(actor, kind, workflow_for(actor.workspace_id, kind, obj))


def review_needed(actor: Membership, kind: str, workflow: Workflow | None) -> Workflow | None:
    """Given the workflow that applies, the one `actor`'s submission goes through (None:
    straight out); ValidationFailed when approval is required but no workflow applies."""
    everyone = approval_settings(actor.workspace).require_for_everyone
    if kind == "reply" and not approval_settings(actor.workspace).require_for_inbox_replies:
        return None
    if workflow is None:
        if everyone:
            raise ValidationFailed(
                {
                    "__all__": [
                        _(
                            "This workspace requires approval, but no approval workflow applies. "
                            "Ask someone who manages approvals to set one up."
                        )
                    ]
                }
            )
        return None
    if actor.has_perm(Perm.PUBLISH_WITHOUT_APPROVAL) and not everyone:
        return None
    return workflow


def record_skip(*, actor: Membership, kind: str, obj: Any, mode: str = "") -> None:
    """A member allowed to publish without approval went past a workflow that applied:
    scheduled it (`mode` "at", "queue") or published it ("now")."""
    if mode == "now":
        comment = _("Published without approval (allowed by their role).")
    else:
        comment = _("Scheduled; no approval needed (allowed by their role).")
    ApprovalEvent.objects.create(
        workspace_id=actor.workspace_id,
        kind=kind,
        object_id=obj.pk,
        event=EventKind.SKIPPED,
        actor=actor.user,
        comment=comment,
        data={"mode": mode} if mode else {},
    )


def _event(req: ApprovalRequest, event: str, actor: Any = None, **extra: Any) -> ApprovalEvent:
    return ApprovalEvent.objects.create(
        workspace_id=req.workspace_id,
        kind=req.kind,
        object_id=req.object_id,
        request=req,
        event=event,
        actor=actor if actor is not None and getattr(actor, "is_authenticated", False) else None,
        **extra,
    )


def _due(step: WorkflowStep, req: ApprovalRequest, planned: datetime | None) -> datetime | None:
    if not step.deadline_hours:
        return None
    hours = timedelta(hours=step.deadline_hours)
    if step.deadline_from == DeadlineFrom.PLANNED and planned is not None:
        return planned - hours
    return clock.now() + hours


def can_see(member: Membership, kind: str, object_id: int) -> bool:
    """May `member` see the item under review where it lives? Seeing (or deciding) a review
    requires it: the review shows the item's content."""
    return object_id in adapter(kind).visible_ids(member, [object_id])


def visible_members(members: Iterable[Membership], kind: str, object_id: int) -> list[Membership]:
    return [m for m in members if can_see(m, kind, object_id)]


def approvers_of(state: StepState, *, with_escalation: bool = True) -> set[Any]:
    """The users who may decide this step now (group membership is read now, not at
    submission), plus the escalation target once escalated.

    Access comes first: a member named on the step (or through a group, or as the
    escalation target) who may not see the item under review (a post on a channel they
    are not granted, a reply to an inbox message not routed to them) is no approver of
    it. They are not told about it, cannot open or decide it, and an "all of them" step
    does not wait for them. Naming someone in a workflow never widens what they may see;
    the workflow editor refuses to name a member who cannot use the workflow's channels,
    so a step does not lose its approvers silently (docs/roles.md)."""
    step = state.step
    if step is None:
        return set()
    found = Q(pk__in=step.members.values("pk")) | Q(groups__in=step.groups.values("pk"))
    if with_escalation and state.escalated_at is not None:
        if step.escalate_to_member_id:
            found |= Q(pk=step.escalate_to_member_id)
        if step.escalate_to_group_id:
            found |= Q(groups=step.escalate_to_group_id)
    req = state.request
    members = (
        Membership.objects.filter(found, workspace_id=req.workspace_id)
        .select_related("user")
        .prefetch_related("roles")
        .distinct()
    )
    return {m.user for m in visible_members(members, req.kind, req.object_id)}


def _escalation_targets(state: StepState) -> set[Any]:
    """Who an escalated step went to (nobody before its deadline passed)."""
    if state.escalated_at is None:
        return set()
    return approvers_of(state) - approvers_of(state, with_escalation=False)


def _start_step(
    req: ApprovalRequest, state: StepState, changes: dict[str, Any] | None = None
) -> None:
    handler = adapter(req.kind)
    obj = handler.load(req.object_id)
    planned = handler.planned_at(obj, req.plan) if obj is not None else None
    state.started_at = clock.now()
    state.due_at = _due(state.step, req, planned) if state.step else None
    state.save(update_fields=["started_at", "due_at"])
    title = handler.title(obj) if obj is not None else ""
    text = _("Please review: %(title)s (step “%(step)s”)") % {"title": title, "step": state.name}
    if changes:
        text += " " + _("It changed since the last review: %(fields)s.") % {
            "fields": ", ".join(sorted(changes))
        }
    url = reverse("approvals:detail", args=[req.workspace.slug, req.pk])
    notify(
        workspace=req.workspace,
        recipients=approvers_of(state),
        kind="approval.review",
        key=_step_key(req, state) + "review",
        text=text,
        url=url,
    )
    if state.step is not None:
        for email in state.step.external_emails:
            _send_link(req, state, email, title)


def _send_link(req: ApprovalRequest, state: StepState, email: str, title: str) -> str:
    token = "apl_" + secrets.token_urlsafe(32)
    expires = clock.now() + timedelta(days=LINK_DAYS)
    if state.due_at and state.due_at > clock.now():
        expires = min(expires, state.due_at + timedelta(days=1))
    ExternalLink.objects.create(
        state=state, email=email, token_hash=hash_secret(token), expires_at=expires
    )
    url = settings.ROOST_BASE_URL.rstrip("/") + reverse("approvals:link", args=[token])
    body = _(
        "You are asked to review “%(title)s” for %(workspace)s.\n\nOpen this link to see it "
        "and decide (it works once and expires on %(when)s):\n%(url)s\n"
    ) % {
        "title": title,
        "workspace": req.workspace.name,
        "when": f"{expires:%Y-%m-%d %H:%M} UTC",
        "url": url,
    }
    send_email_on_commit(
        subject=_("Review requested: %(t)s") % {"t": title[:80]}, body=body, to=[email]
    )
    return token


def request_submit(
    *,
    actor: Membership,
    kind: str,
    obj: Any,
    workflow: Workflow,
    plan: dict[str, Any],
    changes: dict[str, Any] | None = None,
) -> ApprovalRequest:
    """Send `obj` into review through `workflow`, keeping the submitter's plan."""
    handler = adapter(kind)
    with transaction.atomic():
        replaced = list(
            ApprovalRequest.objects.filter(
                kind=kind, object_id=obj.pk, status=RequestStatus.PENDING
            ).values_list("pk", flat=True)
        )
        ApprovalRequest.objects.filter(pk__in=replaced).update(
            status=RequestStatus.CANCELLED, decided_at=clock.now()
        )
        for old_pk in replaced:  # its "Please review" notifications ask for nothing now
            notify_withdraw(key_prefix=f"approval:{old_pk}:step:")
        req = ApprovalRequest.objects.create(
            workspace=actor.workspace,
            kind=kind,
            object_id=obj.pk,
            workflow=workflow,
            submitted_by=actor.user,
            plan=plan,
            snapshot=handler.snapshot(obj),
        )
        steps = list(workflow.steps.order_by("position"))
        states = [
            StepState.objects.create(request=req, step=s, position=i, name=s.name, rule=s.rule)
            for i, s in enumerate(steps, start=1)
        ]
        data: dict[str, Any] = {"workflow": workflow.name, "plan": plan}
        if changes:
            data["changes"] = changes
        _event(req, EventKind.SUBMITTED, actor.user, data=data)
        handler.on_submitted(obj)
        _start_step(req, states[0], changes)
    return req


def current_state(req: ApprovalRequest) -> StepState:
    state = req.steps.filter(position=req.current_position).select_related("step").first()
    if state is None:
        raise NotFound()
    return state


def _late_plan(req: ApprovalRequest, obj: Any, when: dict[str, Any] | None) -> dict[str, Any]:
    """The plan to carry out after the last approval; a plan whose time has passed needs the
    approver's choice: now, or a new time that is still ahead."""
    handler = adapter(req.kind)
    planned = handler.planned_at(obj, req.plan)
    if planned is None or planned > clock.now():
        return req.plan
    if not when or when.get("mode") not in {"now", "at"}:
        raise ValidationFailed(
            {"when": [_("The planned time has passed: publish now, or choose a new time.")]}
        )
    if when["mode"] == "now":
        return {"mode": "now", "at": None}
    at = when.get("at")
    if isinstance(at, datetime):
        at = at.isoformat()  # the plan is stored as JSON
    if not at:
        raise ValidationFailed({"when": [_("Choose the new date and time.")]})
    new_plan = {"mode": "at", "at": str(at)}
    try:
        moment = handler.planned_at(obj, new_plan)
    except ValueError:
        raise ValidationFailed({"when": [_("Choose the new date and time.")]}) from None
    check_moment(moment, "when")
    if moment is not None and moment <= clock.now():
        raise ValidationFailed({"when": [_("The new time is in the past. Choose a later time.")]})
    return new_plan


def _cancel_if_gone(req: ApprovalRequest) -> bool:
    """The item under review was deleted: its review ends (for good, even though the
    caller then reports a conflict). True when it is gone."""
    if adapter(req.kind).load(req.object_id) is not None:
        return False
    with transaction.atomic():
        if ApprovalRequest.objects.filter(pk=req.pk, status=RequestStatus.PENDING).update(
            status=RequestStatus.CANCELLED, decided_at=clock.now()
        ):
            _event(req, EventKind.CANCELLED, None, comment=_("The item under review was deleted."))
    return True


def request_decide(
    *,
    req: ApprovalRequest,
    decision: str,
    user: Any = None,
    external_email: str = "",
    comment: str = "",
    when: dict[str, Any] | None = None,
    step_position: int | None = None,
) -> ApprovalRequest:
    """One approver's decision on the current step. Safe against two people deciding at once:
    the request row is locked (an exclusive write transaction on SQLite), every transition is
    a conditional update, and the loser is told what happened. `step_position` is the step
    the approver was shown: when that step was decided meanwhile, they get a Conflict."""
    if decision not in DecisionKind.values:
        raise ValidationFailed({"decision": [_("Approve, reject or request changes.")]})
    if decision != DecisionKind.APPROVE and not comment.strip():
        raise ValidationFailed({"comment": [_("Say why, so the author knows what to change.")]})
    if _cancel_if_gone(req):
        raise Conflict(_("The item under review was deleted; its review was cancelled."))
    handler = adapter(req.kind)
    with transaction.atomic():
        req = ApprovalRequest.objects.select_for_update().select_related("workspace").get(pk=req.pk)
        if req.status != RequestStatus.PENDING:
            raise Conflict(
                _("This review is already over: %(status)s.") % {"status": req.get_status_display()}
            )
        if step_position is not None and step_position != req.current_position:
            raise Conflict(_("This step was already decided."))
        state = current_state(req)
        if user is not None and user not in approvers_of(state):
            raise PermissionDenied(
                _("You are not (or no longer) an approver of step “%(step)s”.")
                % {"step": state.name}
            )
        obj = handler.load(req.object_id)
        if obj is None:  # deleted since the check above; the next attempt cancels the review
            raise Conflict(_("The item under review was deleted."))
        return _record_decision(req, state, obj, decision, user, external_email, comment, when)


def _record_decision(
    req: ApprovalRequest,
    state: StepState,
    obj: Any,
    decision: str,
    user: Any,
    external_email: str,
    comment: str,
    when: dict[str, Any] | None,
) -> ApprovalRequest:
    """Write one decision and move the request on; runs under the request's lock."""
    handler = adapter(req.kind)
    comment = comment.strip()
    mine = Q(user=user) if user is not None else Q(external_email=external_email)
    if (user is not None or external_email) and state.decisions.filter(mine).exists():
        raise Conflict(_("You already decided on this step."))
    plan = req.plan
    if decision == DecisionKind.APPROVE and _is_last_vote(req, state, user, external_email):
        plan = _late_plan(req, obj, when)  # checked before anything is written
    try:
        with transaction.atomic():
            Decision.objects.create(
                state=state,
                user=user,
                external_email=external_email,
                kind=decision,
                comment=comment,
            )
    except IntegrityError:
        raise Conflict(_("You already decided on this step.")) from None
    _event(
        req,
        {
            "approve": EventKind.APPROVED,
            "reject": EventKind.REJECTED,
            "request_changes": EventKind.CHANGES_REQUESTED,
        }[decision],
        user,
        actor_label=external_email,
        step_name=state.name,
        comment=comment,
    )
    now = clock.now()
    if decision != DecisionKind.APPROVE:
        new_status = (
            StepStatus.REJECTED if decision == DecisionKind.REJECT else StepStatus.CHANGES_REQUESTED
        )
        if not StepState.objects.filter(pk=state.pk, status=StepStatus.WAITING).update(
            status=new_status, decided_at=now
        ):
            raise Conflict(_("Someone decided on this step a moment ago."))
        req.status = (
            RequestStatus.REJECTED
            if decision == DecisionKind.REJECT
            else RequestStatus.CHANGES_REQUESTED
        )
        req.decided_at = now
        req.save(update_fields=["status", "decided_at"])
        _step_settled(req, state)
        handler.on_returned(obj)
        _tell_author(req, obj, decision, comment, user or external_email)
        return req
    if not _step_complete(state):
        if user is not None:  # their part is done; the others are still asked
            notify_withdraw(key_prefix=_step_key(req, state), recipient=user)
        return req  # an "all of them" step waits for the others
    if not StepState.objects.filter(pk=state.pk, status=StepStatus.WAITING).update(
        status=StepStatus.APPROVED, decided_at=now
    ):
        raise Conflict(_("Someone decided on this step a moment ago."))
    _step_settled(req, state)
    _event(req, EventKind.STEP_DONE, None, step_name=state.name)
    following = req.steps.filter(position=state.position + 1).select_related("step").first()
    if following is not None:
        req.current_position = following.position
        req.save(update_fields=["current_position"])
        _start_step(req, following)
        return req
    req.status, req.decided_at, req.plan = RequestStatus.APPROVED, now, plan
    req.save(update_fields=["status", "decided_at", "plan"])
    message = handler.on_approved(obj, plan)
    _event(req, EventKind.COMPLETED, None, comment=message, data={"plan": plan})
    _tell_author(req, obj, "approved", message, user or external_email)
    return req


def _step_key(req: ApprovalRequest, state: StepState) -> str:
    """The key prefix of the notifications about one step (its call to review, escalation)."""
    return f"approval:{req.pk}:step:{state.position}:"


def _step_settled(req: ApprovalRequest, state: StepState) -> None:
    """A step was decided: nobody it went to is still asked to review it."""
    notify_withdraw(key_prefix=_step_key(req, state))


def _is_last_vote(req: ApprovalRequest, state: StepState, user: Any, email: str) -> bool:
    """Would an approval by this person complete the whole request?"""
    if req.steps.filter(position__gt=state.position).exists():
        return False
    return _step_complete(state, also_user=user, also_email=email)


def _step_complete(state: StepState, also_user: Any = None, also_email: str = "") -> bool:
    """Does the step have the approvals it needs (counting one more vote, if given)? An
    escalation target's approval settles an overdue step on its own."""
    approvals = list(state.decisions.filter(kind=DecisionKind.APPROVE))
    users = {d.user_id for d in approvals if d.user_id}
    emails = {d.external_email for d in approvals if d.external_email}
    if also_user is not None:
        users.add(also_user.pk)
    if also_email:
        emails.add(also_email)
    if state.rule == StepRule.ANY:
        return bool(users or emails)
    if users & {u.pk for u in _escalation_targets(state)}:
        return True
    needed = {u.pk for u in approvers_of(state, with_escalation=False)}
    emails_needed = set(state.step.external_emails) if state.step else set()
    return needed <= users and emails_needed <= emails


def _tell_author(req: ApprovalRequest, obj: Any, what: str, comment: str, who: Any) -> None:
    handler = adapter(req.kind)
    texts = {
        "approved": _("Approved: %(title)s. %(comment)s"),
        DecisionKind.REJECT: _("Rejected: %(title)s — %(comment)s"),
        DecisionKind.REQUEST_CHANGES: _("Changes requested: %(title)s — %(comment)s"),
    }
    notify(
        workspace=req.workspace,
        recipients=[handler.author(obj)],
        kind=f"approval.{what}",
        key=f"approval:{req.pk}:{what}",
        text=texts[what] % {"title": handler.title(obj), "comment": comment},
        url=handler.url(obj),
    )


def request_reset(
    *,
    actor: Any,
    kind: str,
    obj: Any,
    changes: dict[str, Any],
    plan: dict[str, Any],
    workflow: Workflow | None = None,
) -> ApprovalRequest | None:
    """Content under review (or approved and waiting) changed: review starts over at step 1
    (of `workflow`, the one that applies now, else the one it was in), and approvers see
    what changed."""
    last = (
        ApprovalRequest.objects.filter(kind=kind, object_id=obj.pk)
        .exclude(status=RequestStatus.CANCELLED)
        .order_by("-submitted_at", "-id")
        .first()
    )
    if last is None or last.status not in (RequestStatus.PENDING, RequestStatus.APPROVED):
        return None
    workflow = workflow or last.workflow
    with transaction.atomic():
        ApprovalRequest.objects.filter(pk=last.pk).update(
            status=RequestStatus.CANCELLED, decided_at=clock.now()
        )
        _event(last, EventKind.RESET, actor, data={"changes": changes})
        notify_withdraw(key_prefix=f"approval:{last.pk}:step:")  # the new round asks anew
        if workflow is None:
            return None
        membership = Membership.objects.get(workspace_id=last.workspace_id, user=actor)
        return request_submit(
            actor=membership, kind=kind, obj=obj, workflow=workflow, plan=plan, changes=changes
        )


def request_update_plan(*, kind: str, obj: Any, plan: dict[str, Any]) -> bool:
    """Only the time changed: keep the review (or the approval) and its new plan. Returns
    False when the workflow says a new time needs a new approval."""
    last = (
        ApprovalRequest.objects.filter(
            kind=kind, object_id=obj.pk, status__in=[RequestStatus.PENDING, RequestStatus.APPROVED]
        )
        .select_related("workflow")
        .order_by("-submitted_at", "-id")
        .first()
    )
    if last is None:
        return True
    if last.workflow is not None and last.workflow.reset_on_time_change:
        return False
    ApprovalRequest.objects.filter(pk=last.pk).update(plan=plan)
    return True


def request_cancel(*, kind: str, object_id: int, actor: Any = None, reason: str = "") -> int:
    """Withdraw the object's review under way: it leaves the approvers' queues, its
    withdrawal is recorded (with `reason`), and the approvers' unread calls to review are
    marked read. Returns how many reviews were withdrawn (0 or 1)."""
    withdrawn = 0
    for req in ApprovalRequest.objects.filter(
        kind=kind, object_id=object_id, status=RequestStatus.PENDING
    ):
        if not ApprovalRequest.objects.filter(pk=req.pk, status=RequestStatus.PENDING).update(
            status=RequestStatus.CANCELLED, decided_at=clock.now()
        ):
            continue  # decided (or withdrawn) a moment ago
        _event(req, EventKind.CANCELLED, actor, comment=reason)
        notify_withdraw(key_prefix=f"approval:{req.pk}:step:")
        withdrawn += 1
    return withdrawn


def escalate_due(now: datetime | None = None) -> int:
    """Steps past their deadline go to their escalation target, once, who is told."""
    now = now or clock.now()
    count = 0
    due = StepState.objects.filter(
        status=StepStatus.WAITING,
        due_at__lte=now,
        escalated_at__isnull=True,
        request__status=RequestStatus.PENDING,
    ).select_related("request__workspace", "step")
    for state in due:
        req = state.request
        if req.current_position != state.position:
            continue
        if not StepState.objects.filter(pk=state.pk, escalated_at__isnull=True).update(
            escalated_at=now
        ):
            continue
        state.escalated_at = now
        handler = adapter(req.kind)
        obj = handler.load(req.object_id)
        title = handler.title(obj) if obj is not None else ""
        step = state.step
        chosen: list[Membership] = []
        if step is not None and step.escalate_to_member is not None:
            chosen.append(step.escalate_to_member)
        if step is not None and step.escalate_to_group is not None:
            chosen += step.escalate_to_group.members.select_related("user").prefetch_related(
                "roles"
            )
        # Only people who may see the item are told about it (see approvers_of).
        targets = {m.user for m in visible_members(chosen, req.kind, req.object_id)}
        _event(
            req,
            EventKind.ESCALATED,
            None,
            step_name=state.name,
            data={"to": sorted(u.email for u in targets)},
        )
        notify(
            workspace=req.workspace,
            recipients=targets,
            kind="approval.escalated",
            key=_step_key(req, state) + "escalated",
            text=_("Overdue review escalated to you: %(title)s (step “%(step)s”)")
            % {"title": title, "step": state.name},
            url=reverse("approvals:detail", args=[req.workspace.slug, req.pk]),
        )
        count += 1
    return count


def link_decide(
    *, token: str, decision: str, comment: str = "", when: dict[str, Any] | None = None
) -> ApprovalRequest:
    """An outside approver decides through a signed link: once, before it expires, and only
    on the step the link was sent for."""
    link = link_for_token(token)
    state = link.state
    if _cancel_if_gone(state.request):
        raise Conflict(_("The item under review was deleted; its review was cancelled."))
    with transaction.atomic():
        if not ExternalLink.objects.filter(pk=link.pk, used_at__isnull=True).update(
            used_at=clock.now()
        ):
            raise Conflict(_("This link was already used."))
        # A decision that fails (no comment, a time to choose) rolls the claim back.
        return request_decide(
            req=state.request,
            decision=decision,
            external_email=link.email,
            comment=comment,
            when=when,
            step_position=state.position,
        )


def link_for_token(token: str) -> ExternalLink:
    link = (
        ExternalLink.objects.select_related("state__request__workspace", "state__step")
        .filter(token_hash=hash_secret(token))
        .first()
    )
    if link is None:
        raise NotFound(_("This review link is not valid."))
    if link.used_at is not None:
        raise NotFound(_("This review link was already used."))
    if link.expires_at <= clock.now():
        raise NotFound(_("This review link has expired."))
    state = link.state
    if state.status != StepStatus.WAITING or state.request.status != RequestStatus.PENDING:
        raise NotFound(_("This review is no longer waiting for a decision."))
    if state.request.current_position != state.position:
        raise NotFound(_("This review is no longer waiting for a decision."))
    return link


def latest_status(*, kind: str, object_id: int) -> str | None:
    last = (
        ApprovalRequest.objects.filter(kind=kind, object_id=object_id)
        .exclude(status=RequestStatus.CANCELLED)
        .order_by("-submitted_at", "-id")
        .first()
    )
    return last.status if last else None


def workflow_save(
    *,
    actor: Membership,
    name: str,
    steps: list[dict[str, Any]],
    workflow: Workflow | None = None,
    channel_ids: list[int] | None = None,
    campaign_ids: list[int] | None = None,
    is_default: bool = False,
    active: bool = True,
    reset_on_time_change: bool = False,
) -> Workflow:
    """Create or replace a workflow, its scope (channels, campaigns, or the workspace's
    default) and its ordered steps. Each step: name, rule, member_ids, group_ids,
    external_emails, deadline_hours, deadline_from, escalate_member_id, escalate_group_id.
    Which workflow applies to what is decided in routing.py."""
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    from roost.channels.models import Channel
    from roost.workspaces.access import require
    from roost.workspaces.models import Group

    require(actor, Perm.APPROVE)
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = [_("Give the workflow a name.")]
    steps = [s for s in steps if s.get("name", "").strip()]
    if not steps:
        errors["steps"] = [_("Add at least one step.")]
    members = set(Membership.objects.filter(workspace=actor.workspace).values_list("pk", flat=True))
    groups = set(Group.objects.filter(workspace=actor.workspace).values_list("pk", flat=True))
    for i, step in enumerate(steps, start=1):
        if not (step.get("member_ids") or step.get("group_ids") or step.get("external_emails")):
            errors.setdefault("steps", []).append(
                _("Step %(n)s needs at least one approver: a person, a group or an e-mail.")
                % {"n": i}
            )
        if (
            not set(step.get("member_ids", [])) <= members
            or not set(step.get("group_ids", [])) <= groups
        ):
            errors.setdefault("steps", []).append(
                _("Step %(n)s names people or groups from outside this workspace.") % {"n": i}
            )
        for email in step.get("external_emails", []):
            try:
                validate_email(email)
            except ValidationError:
                errors.setdefault("steps", []).append(
                    _("Step %(n)s: “%(e)s” is not an e-mail address.") % {"n": i, "e": email}
                )
        if step.get("rule", "any") not in StepRule.values:
            errors.setdefault("steps", []).append(_("Step %(n)s: unknown rule.") % {"n": i})
        if (step.get("escalate_member_id") and step["escalate_member_id"] not in members) or (
            step.get("escalate_group_id") and step["escalate_group_id"] not in groups
        ):
            errors.setdefault("steps", []).append(
                _("Step %(n)s escalates to people or groups from outside this workspace.")
                % {"n": i}
            )
    ids = list(channel_ids or [])
    if ids and Channel.objects.filter(workspace=actor.workspace, pk__in=ids).count() != len(
        set(ids)
    ):
        errors["channels"] = [_("Some channels are not in this workspace.")]
    campaigns = sorted(set(campaign_ids or []))
    kind = workflow.kind if workflow is not None else "post"
    if not set(campaigns) <= set(registry.campaigns(kind, actor.workspace_id)):
        errors["campaigns"] = [_("Some campaigns are not in this workspace.")]
    if is_default and (ids or campaigns):
        errors["is_default"] = [
            _(
                "The default applies to every post no other workflow covers, so it has no "
                "channels or campaigns of its own: clear them, or do not make it the default."
            )
        ]
    named = {
        pk
        for s in steps
        for pk in [*s.get("member_ids", []), s.get("escalate_member_id")]
        if pk and pk in members
    }
    if blind := _limited_to_fewer_channels(actor.workspace, named, ids):
        errors.setdefault("steps", []).append(
            _(
                "%(names)s cannot use every channel this workflow covers, so they could not "
                "see what they are asked to review. Give them those channels, narrow the "
                "workflow to their channels, or name someone else."
            )
            % {"names": ", ".join(blind)}
        )
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        workflow = workflow or Workflow(workspace=actor.workspace)
        workflow.name = name.strip()[:100]
        workflow.channel_ids = sorted(set(ids))
        workflow.campaign_ids = campaigns
        workflow.reset_on_time_change = reset_on_time_change
        # Turned on by a person, with every step checked: why Roost turned it off is void.
        workflow.active = active
        if active:
            workflow.disabled_reason = ""
        if is_default:  # the constraint allows one default: the old one steps down first
            Workflow.objects.filter(
                workspace=actor.workspace, kind=workflow.kind, is_default=True
            ).exclude(pk=workflow.pk).update(is_default=False)
        workflow.is_default = is_default
        workflow.save()
        workflow.steps.all().delete()
        for i, step in enumerate(steps, start=1):
            made = WorkflowStep.objects.create(
                workflow=workflow,
                position=i,
                name=step["name"].strip()[:100],
                rule=step.get("rule", "any"),
                external_emails=list(step.get("external_emails", [])),
                deadline_hours=step.get("deadline_hours") or None,
                deadline_from=step.get("deadline_from") or DeadlineFrom.SUBMISSION,
                escalate_to_member_id=step.get("escalate_member_id") or None,
                escalate_to_group_id=step.get("escalate_group_id") or None,
            )
            made.members.set(step.get("member_ids", []))
            made.groups.set(step.get("group_ids", []))
        from roost.workspaces.services import audit_record

        audit_record(
            workspace=actor.workspace,
            actor=actor.user,
            action="approvals.workflow_saved",
            target=workflow,
            name=workflow.name,
            steps=len(steps),
        )
    return workflow


def workflow_delete(*, actor: Membership, workflow: Workflow) -> None:
    """Delete a workflow no review under way uses (their history keeps its name)."""
    from roost.workspaces.access import require
    from roost.workspaces.services import audit_record

    require(actor, Perm.APPROVE)
    with transaction.atomic():
        in_use = ApprovalRequest.objects.filter(
            workflow=workflow, status=RequestStatus.PENDING
        ).count()
        if in_use:
            raise Conflict(
                ngettext(
                    "“%(name)s” is in use by %(n)s review under way. Let it finish first, or "
                    "turn the workflow off: it then takes no new posts.",
                    "“%(name)s” is in use by %(n)s reviews under way. Let them finish first, or "
                    "turn the workflow off: it then takes no new posts.",
                    in_use,
                )
                % {"name": workflow.name, "n": in_use}
            )
        audit_record(
            workspace=actor.workspace,
            actor=actor.user,
            action="approvals.workflow_deleted",
            target=workflow,
            name=workflow.name,
        )
        workflow.delete()


def _limited_to_fewer_channels(
    workspace: Workspace, member_ids: set[int], channel_ids: list[int]
) -> list[str]:
    """Names of the members who may not use every channel a workflow covers (all of the
    workspace's channels when it is not narrowed to some)."""
    from roost.channels.models import Channel, ChannelAccess

    limited = list(
        Membership.objects.filter(workspace=workspace, pk__in=member_ids, all_channels=False)
        .select_related("user")
        .order_by("user__name", "pk")
    )
    if not limited:
        return []
    needed = set(channel_ids) or set(
        Channel.objects.filter(workspace=workspace).values_list("pk", flat=True)
    )
    granted: dict[int, set[int]] = {}
    for membership_id, channel_id in ChannelAccess.objects.filter(
        membership__in=limited
    ).values_list("membership_id", "channel_id"):
        granted.setdefault(membership_id, set()).add(channel_id)
    return [m.user.display_name for m in limited if not needed <= granted.get(m.pk, set())]


def settings_save(
    *, actor: Membership, require_for_everyone: bool, require_for_inbox_replies: bool
) -> ApprovalSettings:
    from roost.workspaces.access import require

    require(actor, Perm.MANAGE_SETTINGS)
    found = approval_settings(actor.workspace)
    found.require_for_everyone = require_for_everyone
    found.require_for_inbox_replies = require_for_inbox_replies
    found.save()
    return found


def workflows_on_removed(event: Removed) -> int:
    """A member, group, channel or campaign is going away. A workflow narrowed to channels
    or campaigns forgets it, and is turned off when none are left (else it would start to
    apply to everything); a workflow with a step left without approvers is turned off. The
    reason is kept on the workflow and in the audit. Returns how many changed."""
    changed = 0
    workflows = Workflow.objects.filter(workspace_id=event.workspace_id).select_related("workspace")
    for workflow in workflows:
        reason = ""
        if event.kind in ("channel", "campaign"):
            field = f"{event.kind}_ids"
            listed = list(getattr(workflow, field) or [])
            if event.pk not in listed:
                continue
            rest = [x for x in listed if x != event.pk]
            setattr(workflow, field, rest)
            if not rest:
                reason = event.reason
            _turn_off(workflow, reason, event.actor, also=[field])
        else:
            empty = _steps_left_without_approvers(workflow, event)
            if not empty:
                continue
            reason = (
                event.reason
                + " "
                + _("Step “%(step)s” has no approvers left.") % {"step": empty[0].name}
            )
            _turn_off(workflow, reason, event.actor)
        changed += 1
    return changed


def _steps_left_without_approvers(workflow: Workflow, event: Removed) -> list[WorkflowStep]:
    """The steps whose only approvers are the member or group going away."""
    found = []
    for step in workflow.steps.prefetch_related("members", "groups"):
        members = {m.pk for m in step.members.all()}
        groups = {g.pk for g in step.groups.all()}
        target = members if event.kind == "member" else groups
        if event.pk not in target:
            continue
        target.discard(event.pk)
        if not members and not groups and not step.external_emails:
            found.append(step)
    return found


def _turn_off(workflow: Workflow, reason: str, actor: Any, also: list[str] | None = None) -> None:
    """Save the workflow's cleaned lists; with a reason, also turn it off and audit why."""
    fields = list(also or [])
    if reason and workflow.active:
        workflow.active, workflow.disabled_reason = False, reason[:300]
        fields += ["active", "disabled_reason"]
    if fields:
        workflow.save(update_fields=fields)
    if reason:
        from roost.workspaces.services import audit_record

        audit_record(
            workspace=workflow.workspace,
            actor=actor,
            action="approvals.workflow_disabled",
            target=workflow,
            reason=reason,
        )
