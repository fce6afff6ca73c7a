"""The practical exercise: an assessment workspace seeded with a scenario, a candidate login
that works only there and only until it expires, and what the candidate did, as facts for
the scorecard (never a grade on its own).

The candidate's login is an ordinary user with `access_expires_at` set: the accounts
middleware ends its session at that moment, password login and API tokens refuse it, and
as a member of the assessment workspace only it sees nothing else (404 like any outsider).
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from roost.accounts.models import User
from roost.core import clock
from roost.core.exceptions import Conflict, NotFound, ValidationFailed
from roost.core.tokens import hash_secret, new_secret
from roost.inbox.models import Message, ReplyDraft, Task
from roost.publishing.models import Post
from roost.team import scenarios
from roost.team.models import Assessment, Candidate, ScenarioKind, Stage
from roost.workspaces.access import require
from roost.workspaces.models import Membership, Workspace
from roost.workspaces.roles import Perm, Role
from roost.workspaces.seeding import seed_member
from roost.workspaces.services import audit_record, workspace_create

MIN_DAYS, MAX_DAYS = 1, 14
TOKEN_PREFIX = "asm"
# The role the exercise needs in its workspace.
SCENARIO_ROLES = {
    ScenarioKind.INBOX: Role.COMMUNITY_MANAGER,
    ScenarioKind.CAMPAIGN: Role.CONTENT_CREATOR,
}
EARLY_STAGES = (Stage.SOURCED, Stage.SCREENING)
CLOSED_STAGES = (Stage.HIRED, Stage.DECLINED)


class AssessmentGone(Exception):
    """A link that no longer opens anything: `status` is the HTTP status to answer."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.message, self.status = message, status


def access_assessment(actor: Membership, assessment_id: int) -> Assessment:
    """An assessment of a candidate of the actor's workspace (HIRE)."""
    require(actor, Perm.HIRE)
    found = (
        Assessment.objects.select_related("candidate__opening", "workspace", "login")
        .filter(pk=assessment_id, candidate__workspace_id=actor.workspace_id)
        .first()
    )
    if found is None:
        raise NotFound()
    return found


def assessment_of_workspace(workspace: Workspace) -> Assessment | None:
    """The assessment a workspace was made for (None: an ordinary workspace)."""
    return (
        Assessment.objects.select_related("candidate__opening", "login")
        .filter(workspace=workspace)
        .first()
    )


def assessment_link(secret: str) -> str:
    """The candidate's way in: the one-time link, on this Roost's address."""
    return settings.ROOST_BASE_URL.rstrip("/") + reverse("team:assess_start", args=[secret])


def role_label(candidate: Candidate) -> str:
    role = candidate.opening.role
    return str(Role(role).label) if role in Role.values else candidate.opening.title


def assessment_create(
    *, actor: Membership, candidate: Candidate, scenario: str, days: int = 3
) -> tuple[Assessment, str]:
    """Make the candidate's exercise: a new workspace owned by the actor, seeded with the
    scenario, and a login for the candidate that works there only, for `days` days. The
    secret of the one-time link is returned once and stored only as a hash."""
    require(actor, Perm.HIRE)
    if candidate.workspace_id != actor.workspace_id:
        raise NotFound()
    errors: dict[str, list[str]] = {}
    if scenario not in ScenarioKind.values:
        errors["scenario"] = [_("Choose the inbox or the campaign exercise.")]
    if not isinstance(days, int) or not MIN_DAYS <= days <= MAX_DAYS:
        errors["days"] = [
            _("The login lasts between %(min)s and %(max)s days.")
            % {"min": MIN_DAYS, "max": MAX_DAYS}
        ]
    if errors:
        raise ValidationFailed(errors)
    if candidate.stage in CLOSED_STAGES:
        raise Conflict(_("This candidate's pipeline is closed (hired or declined)."))
    now = clock.now()
    expires = now + timedelta(days=days)
    secret = new_secret(TOKEN_PREFIX)
    with transaction.atomic():
        if Assessment.objects.filter(candidate=candidate).exists():
            raise Conflict(_("This candidate already has an exercise."))
        hiring = actor.workspace
        workspace = workspace_create(
            actor=actor.user,
            name=_("Assessment #%(id)s — %(role)s")
            % {"id": candidate.pk, "role": role_label(candidate)},
            timezone=hiring.timezone,
            language=hiring.language,
            authorized=True,  # HIRE in the hiring workspace allows it
        )
        owner = Membership.objects.get(workspace=workspace, user=actor.user)
        expected = scenarios.seed(workspace, owner, scenario)
        login = User.objects.create_user(
            f"candidate-{secrets.token_hex(8)}@assessment.invalid",
            None,  # no password: the link is the only way in
            name=candidate.name[:150],
            access_expires_at=expires,
            language=hiring.language,
        )
        member = seed_member(workspace, login, [SCENARIO_ROLES[ScenarioKind(scenario)]])
        Membership.objects.filter(pk=member.pk).update(all_channels=False)
        scenarios.grant_channel(expected["channel"], member)
        assessment = Assessment.objects.create(
            candidate=candidate,
            workspace=workspace,
            scenario=scenario,
            login=login,
            token_hash=hash_secret(secret),
            expires_at=expires,
            expected=expected,
            created_at=now,
        )
        moved = candidate.stage in EARLY_STAGES
        if moved:
            Candidate.objects.filter(pk=candidate.pk).update(
                stage=Stage.EXERCISE, stage_changed_at=now
            )
            candidate.stage, candidate.stage_changed_at = Stage.EXERCISE, now
        audit_record(
            workspace=hiring,
            actor=actor.user,
            action="assessment.created",
            target=candidate,
            scenario=scenario,
            days=days,
            stage=Stage.EXERCISE.value if moved else candidate.stage,
        )
    return assessment, secret


def assessment_for_token(secret: str) -> Assessment:
    """The assessment behind a link that may still be used; AssessmentGone (404 unknown,
    410 used or expired) otherwise."""
    found = (
        Assessment.objects.select_related("candidate__opening", "workspace", "login")
        .filter(token_hash=hash_secret(secret[:200]))
        .first()
        if secret.startswith(f"{TOKEN_PREFIX}_")
        else None
    )
    if found is None or found.workspace is None or found.login is None:
        raise AssessmentGone(_("This assessment link is not valid."), 404)
    if found.submitted_at is not None:
        raise AssessmentGone(_("This exercise was submitted; the link is closed."), 410)
    if found.expires_at <= clock.now() or _login_expired(found.login):
        raise AssessmentGone(_("This assessment link has expired."), 410)
    if found.started_at is not None:
        raise AssessmentGone(
            _("This link was used already: it works once. Ask the hiring manager for help."),
            410,
        )
    return found


def _login_expired(user: Any) -> bool:
    at = user.access_expires_at
    return at is not None and at <= clock.now()


def assessment_start(*, secret: str) -> Assessment:
    """Use the one-time link: mark the exercise started (once) and return it; the view then
    logs the candidate's user in."""
    assessment = assessment_for_token(secret)
    now = clock.now()
    with transaction.atomic():
        claimed = Assessment.objects.filter(pk=assessment.pk, started_at__isnull=True).update(
            started_at=now
        )
        if not claimed:
            raise AssessmentGone(_("This link was used already: it works once."), 410)
        assessment.started_at = now
        audit_record(
            workspace=assessment.candidate.workspace,
            actor=None,
            action="assessment.started",
            target=assessment.candidate,
        )
    return assessment


def start_url(assessment: Assessment) -> str:
    """Where the candidate lands: the inbox, or the compose page."""
    assert assessment.workspace is not None
    slug = assessment.workspace.slug
    if assessment.scenario == ScenarioKind.INBOX:
        return reverse("inbox:list", args=[slug])
    return reverse("publishing:compose", args=[slug])


def assessment_submit(*, user: Any, assessment: Assessment) -> Assessment:
    """The candidate hands in: what they did is recorded as facts, and the login ends."""
    if assessment.login_id != user.pk:
        raise NotFound()
    if assessment.submitted_at is not None:
        raise Conflict(_("This exercise was submitted already."))
    now = clock.now()
    facts = assessment_facts(assessment)
    with transaction.atomic():
        done = Assessment.objects.filter(pk=assessment.pk, submitted_at__isnull=True).update(
            submitted_at=now, result=facts
        )
        if not done:
            raise Conflict(_("This exercise was submitted already."))
        User.objects.filter(pk=user.pk).update(access_expires_at=now)
        audit_record(
            workspace=assessment.candidate.workspace,
            actor=None,
            action="assessment.submitted",
            target=assessment.candidate,
            correct=facts.get("correct"),
            total=facts.get("total"),
        )
    assessment.submitted_at, assessment.result = now, facts
    user.access_expires_at = now
    return assessment


def assessment_discard(assessment: Assessment) -> None:
    """Delete the assessment workspace (and all seeded and candidate-made data in it) and the
    candidate's login. The Assessment row goes with its candidate."""
    with transaction.atomic():
        login_id = assessment.login_id
        if assessment.workspace_id is not None:
            Workspace.objects.filter(pk=assessment.workspace_id).delete()
        if login_id is not None:
            User.objects.filter(pk=login_id, access_expires_at__isnull=False).delete()
        Assessment.objects.filter(pk=assessment.pk).update(workspace=None, login=None)
    assessment.workspace, assessment.login = None, None


def assessment_status(assessment: Assessment) -> str:
    """not_started, in_progress, submitted or expired."""
    if assessment.submitted_at is not None:
        return "submitted"
    if assessment.expires_at <= clock.now():
        return "expired"
    if assessment.started_at is not None:
        return "in_progress"
    return "not_started"


STATUS_LABELS: dict[str, Any] = {
    "not_started": gettext_lazy("not started"),
    "in_progress": gettext_lazy("in progress"),
    "submitted": gettext_lazy("submitted"),
    "expired": gettext_lazy("expired"),
}


def assessment_facts(assessment: Assessment) -> dict[str, Any]:
    """What the candidate did, read now from the assessment workspace (before submission
    too); after the workspace is gone, what was recorded on submission."""
    status = assessment_status(assessment)
    base: dict[str, Any] = {
        "scenario": assessment.scenario,
        "status": status,
        "expires_at": assessment.expires_at.isoformat(),
        "started_at": assessment.started_at.isoformat() if assessment.started_at else None,
        "submitted_at": assessment.submitted_at.isoformat() if assessment.submitted_at else None,
    }
    if assessment.workspace_id is None:
        return {**assessment.result, **base} if assessment.result else base
    if assessment.scenario == ScenarioKind.INBOX:
        return {**base, **_inbox_facts(assessment)}
    return {**base, **_campaign_facts(assessment)}


def _inbox_facts(assessment: Assessment) -> dict[str, Any]:
    ws = int(assessment.workspace_id or 0)
    expected: dict[str, Any] = assessment.expected.get("messages", {})
    groups = assessment.expected.get("groups", {})
    ids = [int(k) for k in expected]
    messages = (
        Message.objects.filter(pk__in=ids, workspace_id=ws)
        .select_related("assignee__user", "group")
        .prefetch_related(
            "tags",
            Prefetch("tasks", queryset=Task.objects.order_by("created_at", "id")),
            Prefetch("drafts", queryset=ReplyDraft.objects.order_by("id")),
        )
    )
    by_id = {m.pk: m for m in messages}
    sent: dict[str, list[str]] = {}
    for parent, text in Message.objects.filter(workspace_id=ws, outgoing=True).values_list(
        "parent_remote_id", "text"
    ):
        sent.setdefault(parent, []).append(text)
    rows = []
    for key, exp in expected.items():
        m = by_id.get(int(key))
        if m is None:
            continue
        tasks = [t.kind for t in m.tasks.all()]
        replies = [d.text for d in m.drafts.all()] + sent.get(m.remote_id, [])
        completed = m.status == "complete"
        handled = {
            "care_task": "support" in tasks or m.group_id == groups.get("care"),
            "lead_task": "lead" in tasks or m.group_id == groups.get("sales"),
            "reply": bool(replies),
            "complete_no_reply": completed and not replies,
        }.get(exp["expect"], False)
        rows.append(
            {
                "id": m.pk,
                "key": exp.get("key", ""),
                "author": m.author_name,
                "text": m.text,
                "expect": exp["expect"],
                "why": exp.get("why", ""),
                "tags": sorted(t.name for t in m.tags.all()),
                "assignee": m.assignee.user.display_name if m.assignee else None,
                "group": m.group.name if m.group else None,
                "tasks": tasks,
                "replies": replies,
                "completed": completed,
                "priority": m.priority,
                "matched": handled,
            }
        )
    return {
        "messages": rows,
        "correct": sum(1 for r in rows if r["matched"]),
        "total": len(rows),
    }


def _campaign_facts(assessment: Assessment) -> dict[str, Any]:
    campaign_id = assessment.expected.get("campaign")
    ws = int(assessment.workspace_id or 0)
    posts = Post.objects.filter(workspace_id=ws, author_id=assessment.login_id)
    rows = [
        {
            "id": p.pk,
            "text": p.text,
            "status": p.status,
            "in_campaign": p.campaign_id == campaign_id,
        }
        for p in posts.order_by("created_at", "id")
    ]
    asked = int(assessment.expected.get("posts", scenarios.CAMPAIGN_POSTS))
    in_campaign = sum(1 for r in rows if r["in_campaign"] and r["text"].strip())
    return {
        "brief": assessment.expected.get("brief", {}),
        "posts": rows,
        "correct": min(in_campaign, asked),
        "total": asked,
    }
