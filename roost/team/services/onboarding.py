"""Onboarding plans (30-60-90): templates, plans, steps, check-ins.

Who may do what: MANAGE_TEAM edits templates and starts plans; a plan is seen and its
steps ticked by its member, their mentor and MANAGE_TEAM holders; check-ins are recorded
(with a note) by the mentor or a MANAGE_TEAM holder. Automatic steps are ticked by
`plans_refresh` (the `team.onboarding` job, and whenever a plan's page is opened)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from roost.core import clock
from roost.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from roost.core.references import Removed
from roost.notifications.services import notify
from roost.team.models import (
    OnboardingPlan,
    OnboardingTemplate,
    PendingPlan,
    PlanStatus,
    PlanStep,
    StepKind,
    TemplateStep,
)
from roost.team.onboarding_checks import CHECKS, Subject
from roost.team.onboarding_defaults import DEFAULTS
from roost.workspaces import services as workspace_services
from roost.workspaces.access import require
from roost.workspaces.models import Invite, Membership, Workspace
from roost.workspaces.roles import Perm, Role
from roost.workspaces.services import audit_record

log = logging.getLogger("roost.team.onboarding")

MIN_DAYS, MAX_DAYS = 30, 120
MIN_TARGET, MAX_TARGET = 1, 1000
NAME_LENGTH, TITLE_LENGTH, DETAILS_LENGTH, NOTE_LENGTH = 100, 200, 2000, 4000
MAX_STEPS = 100
START_WINDOW = timedelta(days=365)


def workspace_today(workspace: Workspace) -> date:
    """Today's date in the workspace's time zone."""
    return clock.now().astimezone(workspace.tzinfo).date()


# --- templates --------------------------------------------------------------------------


def templates_ensure(workspace: Workspace) -> None:
    """Write Roost's default templates (one per seed role) when the workspace has no
    template for a role yet."""
    # A template with a role: the defaults were written (the team may have edited them).
    if OnboardingTemplate.objects.filter(workspace=workspace).exclude(role="").exists():
        return
    now = clock.now()
    try:
        with transaction.atomic(), translation.override(workspace.language):
            for default in DEFAULTS:
                template = OnboardingTemplate.objects.create(
                    workspace=workspace,
                    name=str(default.name),
                    role=default.role.value,
                    days=default.days,
                    created_at=now,
                    updated_at=now,
                )
                TemplateStep.objects.bulk_create(
                    TemplateStep(
                        template=template,
                        kind=step.kind,
                        title=str(step.title),
                        details=str(step.details),
                        due_day=step.due_day,
                        auto_check=step.auto_check,
                        target=step.target,
                        position=position,
                    )
                    for position, step in enumerate(default.steps)
                )
    except IntegrityError:
        pass  # written a moment ago by another request


def template_for_role(workspace: Workspace, role: str) -> OnboardingTemplate | None:
    """The workspace's onboarding template for `role` (the defaults are written first if
    the workspace has none yet); None for a role without one (Owner, Admin)."""
    templates_ensure(workspace)
    return OnboardingTemplate.objects.filter(workspace=workspace, role=role).order_by("pk").first()


def access_template(actor: Membership, template_id: int) -> OnboardingTemplate:
    """A template of the actor's workspace (every member may read templates)."""
    require(actor, Perm.VIEW_TEAM)
    found = OnboardingTemplate.objects.filter(
        workspace_id=actor.workspace_id, pk=template_id
    ).first()
    if found is None:
        raise NotFound()
    return found


def _text(value: str, field: str, limit: int, errors: dict[str, list[str]], what: str) -> str:
    value = (value or "").strip()
    if not value:
        errors.setdefault(field, []).append(_("Give the %(what)s.") % {"what": what})
    elif len(value) > limit:
        errors.setdefault(field, []).append(
            _("The %(what)s is longer than %(limit)s characters.") % {"what": what, "limit": limit}
        )
    return value


def template_save(
    *,
    actor: Membership,
    template: OnboardingTemplate | None = None,
    name: str,
    days: int,
    role: str = "",
) -> OnboardingTemplate:
    """Create a template, or rename one / change its length (30–120 days). A length that
    would leave a step beyond the end is refused, naming the step."""
    require(actor, Perm.MANAGE_TEAM)
    errors: dict[str, list[str]] = {}
    name = _text(name, "name", NAME_LENGTH, errors, _("template's name"))
    if not MIN_DAYS <= days <= MAX_DAYS:
        errors["days"] = [
            _("A plan lasts %(min)s to %(max)s days, not %(days)s.")
            % {"min": MIN_DAYS, "max": MAX_DAYS, "days": days}
        ]
    elif template is not None:
        beyond = template.steps.filter(due_day__gt=days).order_by("due_day", "position").first()
        if beyond is not None:
            errors["days"] = [
                _("The step “%(title)s” is due on day %(day)s, after the plan's %(days)s days.")
                % {"title": beyond.title, "day": beyond.due_day, "days": days}
            ]
    if role and role not in Role.values:
        errors["role"] = [_("Choose one of the roles.")]
    if name and not errors.get("name"):
        same = OnboardingTemplate.objects.filter(workspace_id=actor.workspace_id, name=name)
        if template is not None:
            same = same.exclude(pk=template.pk)
        if same.exists():
            errors["name"] = [_("Another template is called “%(name)s”.") % {"name": name}]
    if errors:
        raise ValidationFailed(errors)
    creating = template is None
    if template is None:
        template = OnboardingTemplate(workspace_id=actor.workspace_id, role=role)
    template.name, template.days, template.updated_at = name, days, clock.now()
    if role:
        template.role = role
    template.save()
    audit_record(
        workspace=actor.workspace,
        actor=actor.user,
        action="onboarding.template_created" if creating else "onboarding.template_saved",
        target=template,
        name=name,
        days=days,
    )
    return template


def template_step_save(
    *,
    actor: Membership,
    template: OnboardingTemplate,
    step: TemplateStep | None = None,
    kind: str,
    title: str,
    details: str = "",
    due_day: int,
    auto_check: str = "",
    target: int = 1,
) -> TemplateStep:
    """Add a step to a template or change one. Refused: a day before 1 or after the
    template's length (the message names the step and the day), an unknown automatic
    check, a target outside 1–1000."""
    require(actor, Perm.MANAGE_TEAM)
    if template.workspace_id != actor.workspace_id or (
        step is not None and step.template_id != template.pk
    ):
        raise NotFound()
    errors: dict[str, list[str]] = {}
    title = _text(title, "title", TITLE_LENGTH, errors, _("step's title"))
    details = (details or "").strip()
    if len(details) > DETAILS_LENGTH:
        errors["details"] = [
            _("The details are longer than %(limit)s characters.") % {"limit": DETAILS_LENGTH}
        ]
    if kind not in StepKind.values:
        errors["kind"] = [_("Choose the kind of step.")]
    if due_day < 1 or due_day > template.days:
        errors["due_day"] = [
            _(
                "The step “%(title)s” is due on day %(day)s; the plan runs from day 1 to day "
                "%(days)s."
            )
            % {"title": title or "?", "day": due_day, "days": template.days}
        ]
    if auto_check and auto_check not in CHECKS:
        errors["auto_check"] = [
            _("“%(code)s” is not an automatic check Roost knows.") % {"code": auto_check[:40]}
        ]
    if not MIN_TARGET <= target <= MAX_TARGET:
        errors["target"] = [
            _("The target is %(min)s to %(max)s, not %(target)s.")
            % {"min": MIN_TARGET, "max": MAX_TARGET, "target": target}
        ]
    if step is None and template.steps.count() >= MAX_STEPS:
        errors["title"] = [_("A template has at most %(n)s steps.") % {"n": MAX_STEPS}]
    if errors:
        raise ValidationFailed(errors)
    creating = step is None
    if step is None:
        last = template.steps.order_by("-position").values_list("position", flat=True).first()
        step = TemplateStep(template=template, position=(last or 0) + 1 if last is not None else 0)
    step.kind, step.title, step.details = kind, title, details
    step.due_day, step.auto_check, step.target = due_day, auto_check, target if auto_check else 1
    with transaction.atomic():
        step.save()
        OnboardingTemplate.objects.filter(pk=template.pk).update(updated_at=clock.now())
        audit_record(
            workspace=actor.workspace,
            actor=actor.user,
            action="onboarding.step_added" if creating else "onboarding.step_saved",
            target=template,
            title=title,
            due_day=due_day,
        )
    return step


def template_step_delete(*, actor: Membership, step: TemplateStep) -> None:
    require(actor, Perm.MANAGE_TEAM)
    template = step.template
    if template.workspace_id != actor.workspace_id:
        raise NotFound()
    with transaction.atomic():
        step.delete()
        audit_record(
            workspace=actor.workspace,
            actor=actor.user,
            action="onboarding.step_deleted",
            target=template,
            title=step.title,
        )


# --- mentors ----------------------------------------------------------------------------


def _name(member: Membership) -> str:
    return str(member.user.display_name)


def mentor_check(workspace_id: int, member: Membership | None, mentor: Membership | None) -> None:
    """A mentor is someone else in the same workspace, and never someone the member
    already mentors (directly or down a chain): A mentors B while B mentors A is refused."""
    if mentor is None:
        return
    if mentor.workspace_id != workspace_id:
        raise ValidationFailed({"mentor": [_("The mentor must be a member of this workspace.")]})
    if member is None:
        return
    if mentor.pk == member.pk:
        raise ValidationFailed({"mentor": [_("Nobody can mentor themselves.")]})
    # Walk up from the mentor: who mentors the mentor's own active plan, and so on.
    mentors = dict(
        OnboardingPlan.objects.filter(
            workspace_id=workspace_id, status=PlanStatus.ACTIVE, mentor__isnull=False
        ).values_list("member_id", "mentor_id")
    )
    chain = [mentor.pk]
    current = mentor.pk
    while current in mentors and len(chain) <= len(mentors) + 1:
        current = mentors[current]
        if current == member.pk:
            names = dict(Membership.objects.filter(pk__in=chain).values_list("pk", "user__name"))
            path = " → ".join(names.get(pk, "?") or "?" for pk in reversed(chain))
            raise ValidationFailed(
                {
                    "mentor": [
                        _(
                            "%(mentor)s cannot mentor %(member)s: %(member)s already mentors "
                            "%(mentor)s (%(chain)s), and mentoring must not go in a circle."
                        )
                        % {
                            "mentor": _name(mentor),
                            "member": _name(member),
                            "chain": f"{_name(member)} → {path}",
                        }
                    ]
                }
            )
        if current in chain:
            break
        chain.append(current)


# --- plans ------------------------------------------------------------------------------


def access_plan(actor: Membership, plan_id: int) -> OnboardingPlan:
    """A plan of the actor's workspace they may see: their own, a mentee's, or any with
    MANAGE_TEAM. Another workspace's id: NotFound; a colleague's plan: PermissionDenied."""
    found = (
        OnboardingPlan.objects.filter(workspace_id=actor.workspace_id, pk=plan_id)
        .select_related("member__user", "mentor__user", "template")
        .first()
    )
    if found is None:
        raise NotFound()
    if not may_see_plan(actor, found):
        raise PermissionDenied(
            _("You can see your own onboarding plan and the plans of the people you mentor.")
        )
    return found


def may_see_plan(actor: Membership, plan: OnboardingPlan) -> bool:
    return (
        plan.member_id == actor.pk or plan.mentor_id == actor.pk or actor.has_perm(Perm.MANAGE_TEAM)
    )


def may_record_check_in(actor: Membership, plan: OnboardingPlan) -> bool:
    return plan.mentor_id == actor.pk or actor.has_perm(Perm.MANAGE_TEAM)


def plans_visible(actor: Membership) -> Any:
    """The plans the actor may see, newest start first."""
    found = OnboardingPlan.objects.filter(workspace_id=actor.workspace_id)
    if not actor.has_perm(Perm.MANAGE_TEAM):
        found = found.filter(Q(member=actor) | Q(mentor=actor))
    return found.select_related("member__user", "mentor__user").annotate(
        steps_total=Count("steps", distinct=True),
        steps_done=Count("steps", filter=Q(steps__done_at__isnull=False), distinct=True),
    )


def _create_plan(
    *,
    workspace: Workspace,
    member: Membership,
    template: OnboardingTemplate,
    mentor: Membership | None,
    starts_on: date,
    created_by: Any,
) -> OnboardingPlan:
    if OnboardingPlan.objects.filter(member=member, status=PlanStatus.ACTIVE).exists():
        raise Conflict(
            _("%(who)s already has an onboarding plan in progress; end or finish it first.")
            % {"who": _name(member)}
        )
    try:
        with transaction.atomic():
            plan = OnboardingPlan.objects.create(
                workspace=workspace,
                member=member,
                template=template,
                name=template.name,
                mentor=mentor,
                starts_on=starts_on,
                created_by=created_by,
            )
    except IntegrityError as exc:
        raise Conflict(
            _("%(who)s already has an onboarding plan in progress; end or finish it first.")
            % {"who": _name(member)}
        ) from exc
    PlanStep.objects.bulk_create(
        PlanStep(
            plan=plan,
            kind=step.kind,
            title=step.title,
            details=step.details,
            due_on=starts_on + timedelta(days=step.due_day - 1),
            auto_check=step.auto_check,
            target=step.target,
            position=step.position,
        )
        for step in template.steps.all()
    )
    url = reverse("team:onboarding_plan", kwargs={"slug": workspace.slug, "plan_id": plan.pk})
    notify(
        workspace=workspace,
        recipients=[member.user],
        kind="team.onboarding_started",
        key=f"team:onboarding:{plan.pk}:started",
        text=_("Your onboarding plan “%(name)s” starts on %(day)s.")
        % {"name": plan.name, "day": starts_on.isoformat()},
        url=url,
    )
    if mentor is not None:
        notify(
            workspace=workspace,
            recipients=[mentor.user],
            kind="team.onboarding_mentor",
            key=f"team:onboarding:{plan.pk}:mentor:{mentor.pk}",
            text=_("You are %(who)s's onboarding mentor (“%(name)s”).")
            % {"who": _name(member), "name": plan.name},
            url=url,
        )
    return plan


def plan_start(
    *,
    actor: Membership,
    member: Membership,
    template: OnboardingTemplate,
    mentor: Membership | None = None,
    starts_on: date | None = None,
) -> OnboardingPlan:
    """Start `template` as `member`'s plan by hand (MANAGE_TEAM)."""
    require(actor, Perm.MANAGE_TEAM)
    workspace = actor.workspace
    if member.workspace_id != workspace.pk or template.workspace_id != workspace.pk:
        raise NotFound()
    today = workspace_today(workspace)
    starts_on = starts_on or today
    if abs(starts_on - today) > START_WINDOW:
        raise ValidationFailed({"starts_on": [_("Choose a start date within a year of today.")]})
    mentor_check(workspace.pk, member, mentor)
    with transaction.atomic():
        plan = _create_plan(
            workspace=workspace,
            member=member,
            template=template,
            mentor=mentor,
            starts_on=starts_on,
            created_by=actor.user,
        )
        audit_record(
            workspace=workspace,
            actor=actor.user,
            action="onboarding.plan_started",
            target=member,
            name=plan.name,
            starts_on=starts_on.isoformat(),
        )
    return plan


def plan_attach_to_invite(
    *,
    actor: Membership,
    invite: Invite,
    template: OnboardingTemplate,
    mentor: Membership | None = None,
) -> PendingPlan:
    """Start `template` as the invitee's plan when they accept `invite`."""
    require(actor, Perm.MANAGE_TEAM)
    if invite.workspace_id != actor.workspace_id:
        raise NotFound()
    if template.workspace_id != invite.workspace_id:
        raise ValidationFailed({"template": [_("Choose a template of this workspace.")]})
    mentor_check(invite.workspace_id, None, mentor)
    found, _made = PendingPlan.objects.update_or_create(
        invite=invite,
        defaults={
            "workspace_id": invite.workspace_id,
            "template": template,
            "mentor": mentor,
            "created_by": actor.user,
        },
    )
    audit_record(
        workspace=actor.workspace,
        actor=actor.user,
        action="onboarding.plan_attached",
        target=invite,
        email=invite.email,
        name=template.name,
    )
    return found


def invite_with_plan(
    *,
    actor: Membership,
    email: str,
    role: str,
    template: OnboardingTemplate | None = None,
    mentor: Membership | None = None,
) -> tuple[Invite, str, PendingPlan]:
    """Invite someone with `role` and the plan they start when they accept (the role's
    template unless another is chosen). Both or nothing."""
    require(actor, Perm.MANAGE_TEAM)
    if role not in Role.values or role == Role.OWNER:
        raise ValidationFailed({"role": [_("Choose one of the roles.")]})
    template = template or template_for_role(actor.workspace, role)
    if template is None:
        raise ValidationFailed({"template": [_("Choose a template for this role.")]})
    with transaction.atomic():
        invite, secret = workspace_services.invite_create(actor=actor, email=email, roles=[role])
        pending = plan_attach_to_invite(
            actor=actor, invite=invite, template=template, mentor=mentor
        )
    return invite, secret, pending


def on_invite_accepted(invite: Invite, membership: Membership) -> None:
    """The invite's waiting plan starts today (the workspace's date); runs inside
    invite_accept's transaction."""
    pending = (
        PendingPlan.objects.filter(invite=invite)
        .select_related("template", "mentor", "created_by")
        .first()
    )
    if pending is None:
        return
    workspace = invite.workspace
    mentor = pending.mentor
    if mentor is not None and mentor.pk == membership.pk:
        mentor = None  # the invitee was named as their own mentor (an existing member)
    if OnboardingPlan.objects.filter(member=membership, status=PlanStatus.ACTIVE).exists():
        pending.delete()
        return  # already onboarding (someone who was a member before)
    plan = _create_plan(
        workspace=workspace,
        member=membership,
        template=pending.template,
        mentor=mentor,
        starts_on=workspace_today(workspace),
        created_by=pending.created_by,
    )
    audit_record(
        workspace=workspace,
        actor=membership.user,
        action="onboarding.plan_started",
        target=membership,
        name=plan.name,
        starts_on=plan.starts_on.isoformat(),
    )
    pending.delete()


def step_tick(*, actor: Membership, step: PlanStep, done: bool = True, note: str = "") -> PlanStep:
    """Tick (or untick) a step by hand: the member, their mentor or MANAGE_TEAM. A
    check-in is recorded by the mentor or MANAGE_TEAM, with an optional note."""
    plan = step.plan
    if plan.workspace_id != actor.workspace_id:
        raise NotFound()
    if not may_see_plan(actor, plan):
        raise PermissionDenied(
            _("Only the member, their mentor and the team's managers tick these steps.")
        )
    if plan.status != PlanStatus.ACTIVE:
        raise Conflict(_("This plan is no longer in progress."))
    note = (note or "").strip()
    if step.kind == StepKind.CHECK_IN:
        if not may_record_check_in(actor, plan):
            raise PermissionDenied(_("A check-in is recorded by the mentor or a team manager."))
        if len(note) > NOTE_LENGTH:
            raise ValidationFailed(
                {"note": [_("The note is longer than %(n)s characters.") % {"n": NOTE_LENGTH}]}
            )
    elif note:
        raise ValidationFailed({"note": [_("Only check-ins take a note.")]})
    with transaction.atomic():
        if done:
            changed = PlanStep.objects.filter(pk=step.pk, done_at__isnull=True).update(
                done_at=clock.now(), done_by=actor.user
            )
            if step.kind == StepKind.CHECK_IN and note:
                PlanStep.objects.filter(pk=step.pk).update(note=note)
                changed = 1
        else:
            changed = PlanStep.objects.filter(pk=step.pk, done_at__isnull=False).update(
                done_at=None, done_by=None
            )
        if changed:
            audit_record(
                workspace=actor.workspace,
                actor=actor.user,
                action="onboarding.step_ticked" if done else "onboarding.step_unticked",
                target=plan.member,
                title=step.title,
            )
        _complete_if_done([plan.pk])
    step.refresh_from_db()
    return step


def _complete_if_done(plan_ids: Iterable[int]) -> int:
    """Plans whose every step is done become COMPLETED (a conditional update)."""
    ids = list(plan_ids)
    if not ids:
        return 0
    return (
        OnboardingPlan.objects.filter(pk__in=ids, status=PlanStatus.ACTIVE)
        .exclude(steps__done_at__isnull=True)
        .filter(steps__isnull=False)
        .update(status=PlanStatus.COMPLETED)
    )


def plan_end(*, actor: Membership, plan: OnboardingPlan, reason: str = "") -> OnboardingPlan:
    """End a plan early (MANAGE_TEAM), so the member can start another."""
    require(actor, Perm.MANAGE_TEAM)
    if plan.workspace_id != actor.workspace_id:
        raise NotFound()
    reason = (reason or "").strip()[:300]
    ended = OnboardingPlan.objects.filter(pk=plan.pk, status=PlanStatus.ACTIVE).update(
        status=PlanStatus.ENDED, ended_reason=reason or _("Ended by a team manager.")
    )
    if not ended:
        raise Conflict(_("This plan is no longer in progress."))
    audit_record(
        workspace=actor.workspace,
        actor=actor.user,
        action="onboarding.plan_ended",
        target=plan.member,
        name=plan.name,
    )
    plan.refresh_from_db()
    return plan


def _since(plan: OnboardingPlan, tz: Any) -> datetime:
    return datetime.combine(plan.starts_on, time.min, tzinfo=tz)


def plans_refresh(plans: Iterable[OnboardingPlan]) -> int:
    """Count each active plan's automatic steps from real activity, store the progress and
    tick the steps that reached their target (done_at set, done_by empty). One or two
    queries per check in use, whatever the number of plans; a step is ticked by a
    conditional update, so two workers tick it once. Returns the steps ticked."""
    active = [p for p in plans if p.status == PlanStatus.ACTIVE and p.member_id is not None]
    if not active:
        return 0
    by_id = {p.pk: p for p in active}
    steps = list(
        PlanStep.objects.filter(plan_id__in=by_id, done_at__isnull=True)
        .exclude(auto_check="")
        .values_list("pk", "plan_id", "auto_check", "target", "progress")
    )
    if not steps:
        return 0
    members = dict(
        Membership.objects.filter(pk__in={p.member_id for p in active}).values_list("pk", "user_id")
    )
    tzs = {
        w.pk: w.tzinfo for w in Workspace.objects.filter(pk__in={p.workspace_id for p in active})
    }
    counted: dict[str, dict[int, int]] = {}
    for code in {s[2] for s in steps}:
        check = CHECKS.get(code)
        if check is None:
            continue
        wanted = {s[1] for s in steps if s[2] == code}
        subjects = [
            Subject(
                key=pid,
                workspace_id=by_id[pid].workspace_id,
                member_id=by_id[pid].member_id,
                user_id=members[by_id[pid].member_id],
                since=_since(by_id[pid], tzs[by_id[pid].workspace_id]),
            )
            for pid in wanted
            if by_id[pid].member_id in members  # removed a moment ago: skipped
        ]
        counted[code] = check.batch(subjects)
    ticked = 0
    now = clock.now()
    touched: set[int] = set()
    for pk, plan_id, code, target, progress in steps:
        value = counted.get(code, {}).get(plan_id)
        if value is None:
            continue
        value = min(value, target)
        if value >= target:
            done = PlanStep.objects.filter(pk=pk, done_at__isnull=True).update(
                done_at=now, done_by=None, progress=value
            )
            ticked += done
            touched.add(plan_id)
        elif value != progress:
            PlanStep.objects.filter(pk=pk, done_at__isnull=True).update(progress=value)
    _complete_if_done(touched)
    return ticked


def plans_refresh_all() -> int:
    """The job: refresh every active plan of every workspace."""
    plans = list(OnboardingPlan.objects.filter(status=PlanStatus.ACTIVE))
    return plans_refresh(plans)


# --- members removed --------------------------------------------------------------------


def on_member_removed(event: Removed) -> int:
    """A mentor leaves: their mentees' plans go on without one; the plan says so and the
    people with MANAGE_TEAM are told. (A member's own plan goes with the membership.)"""
    plans = list(
        OnboardingPlan.objects.filter(
            workspace_id=event.workspace_id, mentor_id=event.pk, status=PlanStatus.ACTIVE
        ).select_related("member__user", "workspace")
    )
    if not plans:
        return 0
    OnboardingPlan.objects.filter(pk__in=[p.pk for p in plans]).update(mentor=None, ended_reason="")
    workspace = plans[0].workspace
    managers = [
        m.user
        for m in Membership.objects.filter(workspace_id=event.workspace_id)
        .exclude(pk=event.pk)
        .select_related("user")
        .prefetch_related("roles")
        if m.has_perm(Perm.MANAGE_TEAM)
    ]
    for plan in plans:
        note = _("The mentor was removed: %(reason)s Choose a new mentor.") % {
            "reason": event.reason
        }
        OnboardingPlan.objects.filter(pk=plan.pk).update(ended_reason=note[:300])
        notify(
            workspace=workspace,
            recipients=managers,
            kind="team.onboarding_mentor_removed",
            key=f"team:onboarding:{plan.pk}:mentor_removed:{event.pk}",
            text=_("%(who)s's onboarding plan has no mentor any more. %(reason)s")
            % {"who": _name(plan.member), "reason": event.reason},
            url=reverse(
                "team:onboarding_plan", kwargs={"slug": workspace.slug, "plan_id": plan.pk}
            ),
        )
    return len(plans)


def plan_mentor_set(
    *, actor: Membership, plan: OnboardingPlan, mentor: Membership | None
) -> OnboardingPlan:
    """Change a plan's mentor (MANAGE_TEAM), with the same rules as at the start."""
    require(actor, Perm.MANAGE_TEAM)
    if plan.workspace_id != actor.workspace_id:
        raise NotFound()
    mentor_check(actor.workspace_id, plan.member, mentor)
    plan.mentor = mentor
    plan.ended_reason = "" if plan.status == PlanStatus.ACTIVE else plan.ended_reason
    plan.save(update_fields=["mentor", "ended_reason"])
    audit_record(
        workspace=actor.workspace,
        actor=actor.user,
        action="onboarding.mentor_set",
        target=plan.member,
        mentor=_name(mentor) if mentor else "",
    )
    return plan
