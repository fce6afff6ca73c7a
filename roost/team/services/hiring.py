"""The hiring pipeline: openings (job description drafts and a weighted scorecard), their
candidates by stage, interviewers' scorecards, hire → invite with the role's onboarding
plan, and deleting a candidate's data on request.

Privacy: audit entries and notifications about candidates name them by number and the
opening's title only (never their name or e-mail), so deleting the candidate leaves no
trace of them. Interviewers without HIRE see only the candidates they interview, and the
other interviewers' scorecards only once they have submitted their own."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _

from roost.core import clock
from roost.core.exceptions import NotFound, ValidationFailed
from roost.notifications.models import Notification
from roost.notifications.services import notify
from roost.team import job_descriptions, scorecards
from roost.team.models import (
    Assessment,
    Candidate,
    Criterion,
    Evaluation,
    JobOpening,
    OnboardingTemplate,
    OpeningStatus,
    PendingPlan,
    Stage,
)
from roost.team.services.onboarding import plan_attach_to_invite, template_for_role
from roost.workspaces import services as workspace_services
from roost.workspaces.access import require
from roost.workspaces.models import Invite, Membership
from roost.workspaces.roles import Perm, Role
from roost.workspaces.services import audit_record

TITLE_MAX = 120
DESCRIPTION_MAX = 20000
NAME_MAX = 150
SOURCE_MAX = 120
CRITERION_NAME_MAX = 120
CRITERION_DESCRIPTION_MAX = 500
CRITERIA_MAX = 20
NOTES_MAX = 5000
INTERVIEWERS_MAX = 20

# The way forward through the pipeline; DECLINED is reachable from every open stage.
FORWARD: tuple[str, ...] = (
    Stage.SOURCED,
    Stage.SCREENING,
    Stage.EXERCISE,
    Stage.INTERVIEW,
    Stage.OFFER,
    Stage.HIRED,
)
FINAL = frozenset({Stage.HIRED, Stage.DECLINED})
OPEN_STAGES: tuple[str, ...] = FORWARD[:-1]


class Recommendation:
    HIRE = "hire"
    NO_HIRE = "no_hire"
    UNSURE = "unsure"
    ALL = ("hire", "no_hire", "unsure")


def recommendation_label(code: str) -> str:
    return {
        Recommendation.HIRE: _("Hire"),
        Recommendation.NO_HIRE: _("No hire"),
        Recommendation.UNSURE: _("Unsure"),
    }.get(code, "—")


def hiring_roles() -> list[Role]:
    """The roles a position can be opened for (not Owner or Admin)."""
    return [r for r in Role if r not in (Role.OWNER, Role.ADMIN)]


def _facts(candidate: Candidate, opening: JobOpening) -> dict[str, Any]:
    """What the audit keeps about a candidate: their number and the opening's title."""
    return {"candidate": candidate.pk, "title": opening.title}


# --- access ---------------------------------------------------------------------------


def access_opening(actor: Membership, opening_id: int) -> JobOpening:
    """An opening of the actor's workspace (HIRE)."""
    require(actor, Perm.HIRE)
    found = JobOpening.objects.filter(workspace_id=actor.workspace_id, pk=opening_id).first()
    if found is None:
        raise NotFound(_("No such opening in this workspace."))
    return found


def is_interviewer(actor: Membership, candidate: Candidate) -> bool:
    return candidate.interviewers.filter(pk=actor.pk).exists()


def access_candidate(actor: Membership, candidate_id: int) -> Candidate:
    """A candidate of the actor's workspace that the actor may see: with HIRE any, else
    only one they interview (anything else reads as not found)."""
    found = (
        Candidate.objects.filter(workspace_id=actor.workspace_id, pk=candidate_id)
        .select_related("opening")
        .first()
    )
    if found is None or not (actor.has_perm(Perm.HIRE) or is_interviewer(actor, found)):
        raise NotFound(_("No such candidate in this workspace."))
    return found


# --- openings ---------------------------------------------------------------------------


def _clean_title(title: str, errors: dict[str, list[str]]) -> str:
    title = " ".join(title.split())
    if not title:
        errors["title"] = [_("Give the position a title.")]
    elif len(title) > TITLE_MAX:
        errors["title"] = [_("At most %(n)d characters.") % {"n": TITLE_MAX}]
    return title


@transaction.atomic
def opening_create(*, actor: Membership, role: str, title: str = "") -> JobOpening:
    """Open a position for `role`: job description drafts (English and Polish) and the
    role's default scorecard are made with it."""
    require(actor, Perm.HIRE)
    errors: dict[str, list[str]] = {}
    if role not in [r.value for r in hiring_roles()]:
        errors["role"] = [_("Choose one of the roles.")]
        title = title.strip()
    else:
        title = _clean_title(title or str(Role(role).label), errors)
    if errors:
        raise ValidationFailed(errors)
    texts = job_descriptions.drafts(role, title, actor.workspace.name)
    opening = JobOpening.objects.create(
        workspace_id=actor.workspace_id,
        role=role,
        title=title,
        description_en=texts["en"],
        description_pl=texts["pl"],
        created_by=actor.user,
    )
    Criterion.objects.bulk_create(
        Criterion(
            opening=opening,
            name=str(c.name),
            description=str(c.description),
            weight=c.weight,
            position=i,
        )
        for i, c in enumerate(scorecards.defaults_for(role))
    )
    audit_record(
        workspace=actor.workspace,
        actor=actor.user,
        action="hiring.opening_created",
        target=opening,
        title=opening.title,
        role=role,
    )
    return opening


@transaction.atomic
def opening_update(
    *,
    actor: Membership,
    opening: JobOpening,
    title: str,
    description_en: str,
    description_pl: str,
    status: str,
) -> JobOpening:
    """Change an opening's title, job descriptions or status (open / closed)."""
    require(actor, Perm.HIRE)
    if opening.workspace_id != actor.workspace_id:
        raise NotFound()
    errors: dict[str, list[str]] = {}
    title = _clean_title(title, errors)
    for field, text in (("description_en", description_en), ("description_pl", description_pl)):
        if len(text) > DESCRIPTION_MAX:
            errors[field] = [_("At most %(n)d characters.") % {"n": DESCRIPTION_MAX}]
    if status not in OpeningStatus.values:
        errors["status"] = [_("Choose open or closed.")]
    if errors:
        raise ValidationFailed(errors)
    opening.title = title
    opening.description_en = description_en
    opening.description_pl = description_pl
    opening.status = status
    opening.save(update_fields=["title", "description_en", "description_pl", "status"])
    audit_record(
        workspace=actor.workspace,
        actor=actor.user,
        action="hiring.opening_updated",
        target=opening,
        title=opening.title,
        status=status,
    )
    return opening


@dataclass(frozen=True)
class CriterionInput:
    id: int | None  # an existing criterion of the opening, or None for a new one
    name: str
    description: str = ""
    weight: int = 1


@transaction.atomic
def criteria_save(
    *, actor: Membership, opening: JobOpening, rows: Iterable[CriterionInput]
) -> list[Criterion]:
    """Replace the opening's scorecard: existing criteria (by id) are changed, new ones
    added, those not given removed. At least one criterion; weights 1–10."""
    require(actor, Perm.HIRE)
    if opening.workspace_id != actor.workspace_id:
        raise NotFound()
    rows = list(rows)
    existing = {c.pk: c for c in opening.criteria.all()}
    errors: dict[str, list[str]] = {}
    if not rows:
        errors["criteria"] = [_("A scorecard needs at least one criterion.")]
    elif len(rows) > CRITERIA_MAX:
        errors["criteria"] = [_("At most %(n)d criteria.") % {"n": CRITERIA_MAX}]
    seen: set[str] = set()
    for i, row in enumerate(rows, start=1):
        name = " ".join(row.name.split())
        if row.id is not None and row.id not in existing:
            errors.setdefault("criteria", []).append(
                _("Criterion %(n)d is not part of this scorecard.") % {"n": i}
            )
        if not name:
            errors.setdefault("name", []).append(_("Criterion %(n)d needs a name.") % {"n": i})
        elif len(name) > CRITERION_NAME_MAX:
            errors.setdefault("name", []).append(
                _("The name of criterion %(n)d has more than %(max)d characters.")
                % {"n": i, "max": CRITERION_NAME_MAX}
            )
        elif name.casefold() in seen:
            errors.setdefault("name", []).append(
                _("Two criteria are called “%(name)s”.") % {"name": name}
            )
        seen.add(name.casefold())
        if len(row.description) > CRITERION_DESCRIPTION_MAX:
            errors.setdefault("description", []).append(
                _("The description of criterion %(n)d has more than %(max)d characters.")
                % {"n": i, "max": CRITERION_DESCRIPTION_MAX}
            )
        if not isinstance(row.weight, int) or not (
            scorecards.WEIGHT_MIN <= row.weight <= scorecards.WEIGHT_MAX
        ):
            errors.setdefault("weight", []).append(
                _("The weight of criterion %(n)d must be a whole number from 1 to 10.") % {"n": i}
            )
    if errors:
        raise ValidationFailed(errors)
    kept: list[Criterion] = []
    for position, row in enumerate(rows):
        fields = {
            "name": " ".join(row.name.split()),
            "description": row.description.strip(),
            "weight": row.weight,
            "position": position,
        }
        if row.id is not None:
            criterion = existing[row.id]
            for key, value in fields.items():
                setattr(criterion, key, value)
            criterion.save(update_fields=list(fields))
        else:
            criterion = Criterion.objects.create(opening=opening, **fields)
        kept.append(criterion)
    keep_ids = {c.pk for c in kept}
    Criterion.objects.filter(opening=opening).exclude(pk__in=keep_ids).delete()
    audit_record(
        workspace=actor.workspace,
        actor=actor.user,
        action="hiring.scorecard_saved",
        target=opening,
        title=opening.title,
        criteria=len(kept),
    )
    return kept


# --- candidates -------------------------------------------------------------------------


@transaction.atomic
def candidate_create(
    *, actor: Membership, opening: JobOpening, name: str, email: str, source: str = ""
) -> Candidate:
    """Add a candidate to an opening's pipeline (stage: sourced). One per e-mail address
    and opening."""
    require(actor, Perm.HIRE)
    if opening.workspace_id != actor.workspace_id:
        raise NotFound()
    errors: dict[str, list[str]] = {}
    name = " ".join(name.split())
    email = email.strip().lower()
    source = " ".join(source.split())
    if not name:
        errors["name"] = [_("Give the candidate's name.")]
    elif len(name) > NAME_MAX:
        errors["name"] = [_("At most %(n)d characters.") % {"n": NAME_MAX}]
    try:
        if len(email) > 254:
            raise ValidationError("too long")
        validate_email(email)
    except ValidationError:
        errors["email"] = [_("Enter an e-mail address, e.g. ola@example.com.")]
    else:
        if Candidate.objects.filter(opening=opening, email=email).exists():
            errors["email"] = [
                _("A candidate with this e-mail address is already in this opening.")
            ]
    if len(source) > SOURCE_MAX:
        errors["source"] = [_("At most %(n)d characters.") % {"n": SOURCE_MAX}]
    if opening.status != OpeningStatus.OPEN:
        errors["opening"] = [_("This opening is closed; reopen it to add candidates.")]
    if errors:
        raise ValidationFailed(errors)
    try:
        with transaction.atomic():
            candidate = Candidate.objects.create(
                workspace_id=actor.workspace_id,
                opening=opening,
                name=name,
                email=email,
                source=source,
                created_by=actor.user,
            )
    except IntegrityError:  # the same address added at the same moment
        raise ValidationFailed(
            {"email": [_("A candidate with this e-mail address is already in this opening.")]}
        ) from None
    audit_record(
        workspace=actor.workspace,
        actor=actor.user,
        action="hiring.candidate_added",
        target=candidate.opening,
        **_facts(candidate, opening),
    )
    return candidate


def move_error(current: str, target: str) -> str | None:
    """Why `current` → `target` is not allowed, or None if it is."""
    if target not in Stage.values:
        return _("Choose one of the stages.")
    if current in FINAL:
        return _("%(stage)s is final: the candidate cannot be moved any more.") % {
            "stage": Stage(current).label
        }
    if target == current:
        return _("The candidate is already in %(stage)s.") % {"stage": Stage(current).label}
    if target == Stage.DECLINED:
        return None
    if FORWARD.index(target) < FORWARD.index(current):
        return _("Candidates only move forward (or to Declined); %(stage)s is behind.") % {
            "stage": Stage(target).label
        }
    if target == Stage.HIRED and current != Stage.OFFER:
        return _("Make an offer before hiring: move the candidate to Offer first.")
    return None


def next_stages(current: str) -> list[str]:
    """Where a candidate in `current` may move next."""
    return [s for s in Stage.values if move_error(current, s) is None]


@dataclass
class Hire:
    invite: Invite
    token: str  # the invite link's secret: shown once, never stored
    plan: PendingPlan | None
    template: OnboardingTemplate | None


@dataclass
class Moved:
    candidate: Candidate
    hire: Hire | None = None


def _hire(actor: Membership, candidate: Candidate) -> Hire:
    """Invite the candidate with the opening's role and attach its onboarding plan."""
    require(actor, Perm.MANAGE_MEMBERS)
    opening = candidate.opening
    try:
        invite, token = workspace_services.invite_create(
            actor=actor, email=candidate.email, roles=[opening.role]
        )
    except ValidationFailed as exc:
        reasons = [m for messages in exc.errors.values() for m in messages]
        raise ValidationFailed(
            {"stage": [_("Could not hire: %(why)s") % {"why": " ".join(reasons)}]}
        ) from None
    template = template_for_role(actor.workspace, opening.role)
    plan = (
        plan_attach_to_invite(actor=actor, invite=invite, template=template)
        if template is not None
        else None
    )
    candidate.invite = invite
    return Hire(invite=invite, token=token, plan=plan, template=template)


def candidate_move(*, actor: Membership, candidate: Candidate, stage: str) -> Moved:
    """Move a candidate forward through the pipeline, or to Declined. Moving to Hired
    (from Offer; needs MANAGE_MEMBERS too) invites them with the opening's role and
    attaches the role's onboarding plan, all or nothing."""
    require(actor, Perm.HIRE)
    if candidate.workspace_id != actor.workspace_id:
        raise NotFound()
    with transaction.atomic():
        # Re-read under the transaction so two moves at once cannot both pass the check.
        current = Candidate.objects.filter(pk=candidate.pk).values_list("stage", flat=True).first()
        if current is None:
            raise NotFound(_("No such candidate in this workspace."))
        problem = move_error(current, stage)
        if problem:
            raise ValidationFailed({"stage": [problem]})
        hire = _hire(actor, candidate) if stage == Stage.HIRED else None
        now = clock.now()
        claimed = Candidate.objects.filter(pk=candidate.pk, stage=current).update(
            stage=stage, stage_changed_at=now, invite=hire.invite if hire else candidate.invite
        )
        if claimed == 0:
            raise ValidationFailed(
                {"stage": [_("Someone moved this candidate at the same moment. Reload.")]}
            )
        candidate.stage = stage
        candidate.stage_changed_at = now
        facts = _facts(candidate, candidate.opening)
        if hire is not None:
            audit_record(
                workspace=actor.workspace,
                actor=actor.user,
                action="hiring.candidate_hired",
                target=candidate.opening,
                invite=hire.invite.pk,
                plan=hire.template.name if hire.template else "",
                **facts,
            )
        else:
            audit_record(
                workspace=actor.workspace,
                actor=actor.user,
                action="hiring.candidate_moved",
                target=candidate.opening,
                stage=stage,
                from_stage=current,
                **facts,
            )
    return Moved(candidate, hire)


def _key(candidate: Candidate) -> str:
    return f"hiring.candidate.{candidate.pk}."


@transaction.atomic
def interviewers_set(
    *, actor: Membership, candidate: Candidate, member_ids: Iterable[int]
) -> list[Membership]:
    """Who interviews the candidate (members of the workspace). New interviewers are
    notified with a link to the candidate's page."""
    require(actor, Perm.HIRE)
    if candidate.workspace_id != actor.workspace_id:
        raise NotFound()
    ids = set(member_ids)
    if len(ids) > INTERVIEWERS_MAX:
        raise ValidationFailed(
            {"interviewers": [_("At most %(n)d interviewers.") % {"n": INTERVIEWERS_MAX}]}
        )
    chosen = list(
        Membership.objects.filter(workspace_id=actor.workspace_id, pk__in=ids).select_related(
            "user"
        )
    )
    if len(chosen) != len(ids):
        raise ValidationFailed(
            {"interviewers": [_("Choose interviewers among the members of this workspace.")]}
        )
    before = set(candidate.interviewers.values_list("pk", flat=True))
    candidate.interviewers.set(chosen)
    added = [m for m in chosen if m.pk not in before]
    if added:
        url = reverse(
            "team:candidate",
            kwargs={"slug": actor.workspace.slug, "candidate_id": candidate.pk},
        )
        for member in added:
            notify(
                workspace=actor.workspace,
                recipients=[member.user],
                kind="hiring.interviewer",
                key=f"{_key(candidate)}{member.pk}",
                # No name: the notification outlives nothing of the candidate's.
                text=_("You are an interviewer for candidate #%(n)s (%(title)s).")
                % {"n": candidate.pk, "title": candidate.opening.title},
                url=url,
            )
    audit_record(
        workspace=actor.workspace,
        actor=actor.user,
        action="hiring.interviewers_set",
        target=candidate.opening,
        interviewers=len(chosen),
        **_facts(candidate, candidate.opening),
    )
    return chosen


@transaction.atomic
def evaluation_submit(
    *,
    actor: Membership,
    candidate: Candidate,
    scores: dict[int, int],
    notes: str,
    recommendation: str,
    exercise: bool = False,
) -> Evaluation:
    """The actor's own scorecard for the candidate: a score 1–5 for every criterion of
    the opening, notes and a recommendation. Submitting again replaces it. `exercise`:
    this one scores the practical exercise (once the candidate has submitted it), kept
    beside the interview's."""
    if candidate.workspace_id != actor.workspace_id or not is_interviewer(actor, candidate):
        if actor.has_perm(Perm.HIRE) and candidate.workspace_id == actor.workspace_id:
            raise ValidationFailed(
                {"scores": [_("Add yourself as an interviewer to score this candidate.")]}
            )
        raise NotFound(_("No such candidate in this workspace."))
    criteria = list(candidate.opening.criteria.all())
    errors: dict[str, list[str]] = {}
    clean: dict[str, int] = {}
    known = {c.pk for c in criteria}
    if set(scores) - known:
        errors["scores"] = [_("Some scores are for criteria that are not on this scorecard.")]
    for c in criteria:
        value = scores.get(c.pk)
        if value is None:
            errors.setdefault("scores", []).append(
                _("Score “%(name)s” from 1 to 5.") % {"name": c.name}
            )
        elif not (scorecards.SCORE_MIN <= value <= scorecards.SCORE_MAX):
            errors.setdefault("scores", []).append(
                _("The score of “%(name)s” must be from 1 to 5.") % {"name": c.name}
            )
        else:
            clean[str(c.pk)] = value
    if recommendation not in Recommendation.ALL:
        errors["recommendation"] = [_("Choose hire, no hire or unsure.")]
    if (
        exercise
        and not Assessment.objects.filter(candidate=candidate, submitted_at__isnull=False).exists()
    ):
        errors["exercise"] = [
            _("The practical exercise can be scored once the candidate has submitted it.")
        ]
    if len(notes) > NOTES_MAX:
        errors["notes"] = [_("At most %(n)d characters.") % {"n": NOTES_MAX}]
    if errors:
        raise ValidationFailed(errors)
    now = clock.now()
    evaluation, _made = Evaluation.objects.update_or_create(
        candidate=candidate,
        interviewer=actor,
        exercise=exercise,
        defaults={
            "scores": clean,
            "notes": notes.strip(),
            "recommendation": recommendation,
            "submitted_at": now,
            "updated_at": now,
        },
    )
    audit_record(
        workspace=actor.workspace,
        actor=actor.user,
        action="hiring.evaluation_submitted",
        target=candidate.opening,
        **_facts(candidate, candidate.opening),
    )
    return evaluation


@transaction.atomic
def candidate_delete(*, actor: Membership, candidate: Candidate) -> None:
    """Delete a candidate's data on request: the candidate, their scorecards, their
    assessment's workspace and login, and the notifications about them. The audit keeps
    only that a candidate (by number) of the opening was deleted."""
    require(actor, Perm.HIRE)
    if candidate.workspace_id != actor.workspace_id:
        raise NotFound()
    number, title = candidate.pk, candidate.opening.title
    assessment = (
        Assessment.objects.filter(candidate=candidate).select_related("workspace", "login").first()
    )
    if assessment is not None:
        workspace, login = assessment.workspace, assessment.login
        assessment.delete()
        if workspace is not None:
            workspace.delete()
        if login is not None:
            login.delete()
    Notification.objects.filter(key__startswith=_key(candidate)).delete()
    candidate.delete()  # evaluations go with it
    audit_record(
        workspace=actor.workspace,
        actor=actor.user,
        action="hiring.candidate_deleted",
        candidate=number,
        title=title,
    )


# --- reads ------------------------------------------------------------------------------


@dataclass
class OpeningRow:
    opening: JobOpening
    per_stage: list[int]  # in Stage order
    total: int


def openings_rows(actor: Membership) -> list[OpeningRow]:
    """Every opening of the workspace with its candidates counted per stage (2 queries)."""
    require(actor, Perm.HIRE)
    openings = list(JobOpening.objects.filter(workspace_id=actor.workspace_id))
    counts: dict[int, dict[str, int]] = {o.pk: {} for o in openings}
    for opening_id, stage, n in (
        Candidate.objects.filter(workspace_id=actor.workspace_id)
        .values_list("opening_id", "stage")
        .annotate(n=Count("pk"))
        .values_list("opening_id", "stage", "n")
    ):
        counts.setdefault(opening_id, {})[stage] = n
    return [
        OpeningRow(o, [counts[o.pk].get(s, 0) for s in Stage.values], sum(counts[o.pk].values()))
        for o in openings
    ]


def weights_of(criteria: Iterable[Criterion]) -> dict[int, int]:
    return {c.pk: c.weight for c in criteria}


def average_score(evaluations: Iterable[Evaluation], weights: dict[int, int]) -> float | None:
    """The mean of the submitted scorecards' weighted scores (None without any)."""
    found = [
        s
        for e in evaluations
        if e.submitted_at is not None
        and (s := scorecards.weighted_score(e.scores, weights)) is not None
    ]
    return round(sum(found) / len(found), 2) if found else None


@dataclass
class CandidateCard:
    candidate: Candidate
    average: float | None
    submitted: int
    interviewers: int


def pipeline(actor: Membership, opening: JobOpening) -> list[tuple[str, str, list[CandidateCard]]]:
    """The opening's candidates as columns, one per stage: (code, label, cards). A fixed
    number of queries (criteria, candidates, their evaluations and interviewers)."""
    require(actor, Perm.HIRE)
    weights = weights_of(opening.criteria.all())
    candidates = list(
        Candidate.objects.filter(opening=opening)
        .prefetch_related("evaluations", "interviewers")
        .order_by("stage_changed_at", "pk")
    )
    columns: dict[str, list[CandidateCard]] = {s: [] for s in Stage.values}
    for c in candidates:
        evaluations = list(c.evaluations.all())
        columns[c.stage].append(
            CandidateCard(
                c,
                average_score(evaluations, weights),
                sum(1 for e in evaluations if e.submitted_at is not None),
                len(c.interviewers.all()),
            )
        )
    return [(s.value, str(s.label), columns[s.value]) for s in Stage]


def interviews_of(actor: Membership) -> list[tuple[Candidate, bool]]:
    """The candidates the actor interviews, with whether they submitted their scorecard."""
    found = list(
        Candidate.objects.filter(workspace_id=actor.workspace_id, interviewers=actor)
        .select_related("opening")
        .order_by("-stage_changed_at", "-pk")
    )
    done = set(
        Evaluation.objects.filter(
            candidate__in=found, interviewer=actor, submitted_at__isnull=False
        ).values_list("candidate_id", flat=True)
    )
    return [(c, c.pk in done) for c in found]


@dataclass
class ScoredEvaluation:
    evaluation: Evaluation
    score: float | None
    lines: list[tuple[Criterion, int | None]]


@dataclass
class Scorecards:
    criteria: list[Criterion]
    shares: list[float]
    own: Evaluation | None
    visible: list[ScoredEvaluation]  # the scorecards the actor may read
    hidden: int  # submitted scorecards the actor may not read yet
    average: float | None  # over the visible submitted ones


def scorecards_for(actor: Membership, candidate: Candidate) -> Scorecards:
    """The candidate's scorecards as the actor may see them: with HIRE every submitted
    one; an interviewer without HIRE their own, and the others' once theirs is in."""
    criteria = list(candidate.opening.criteria.all())
    weights = weights_of(criteria)
    evaluations = list(
        Evaluation.objects.filter(candidate=candidate).select_related("interviewer__user")
    )
    own = next((e for e in evaluations if e.interviewer_id == actor.pk and not e.exercise), None)
    submitted = [e for e in evaluations if e.submitted_at is not None]
    may_read_all = actor.has_perm(Perm.HIRE) or (own is not None and own.submitted_at is not None)
    readable = submitted if may_read_all else [e for e in submitted if e.interviewer_id == actor.pk]

    def scored(e: Evaluation) -> ScoredEvaluation:
        lines = [(c, e.scores.get(str(c.pk))) for c in criteria]
        return ScoredEvaluation(e, scorecards.weighted_score(e.scores, weights), lines)

    return Scorecards(
        criteria=criteria,
        shares=scorecards.shares([c.weight for c in criteria]),
        own=own,
        visible=[scored(e) for e in readable],
        hidden=len(submitted) - len(readable),
        average=average_score(readable, weights),
    )
