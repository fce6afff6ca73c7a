"""The hiring pipeline: openings (with their scorecard criteria and job description
drafts), candidates (list, add, read, move through the stages, delete on request) and
one's own interview scorecard. HIRE and the hiring:write scope for writes, READ for reads;
an interviewer without HIRE reads and scores only the candidates they interview.

Answers to creating calls carry no name or e-mail address, so the idempotency store (kept
a day) holds nothing of a candidate's that outlives deleting them."""

from datetime import datetime
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from roost.api.auth import access
from roost.api.idempotency import idempotent
from roost.api.schemas import Id, responses
from roost.team import scorecards
from roost.team.models import Candidate, Criterion, JobOpening
from roost.team.services import hiring as svc
from roost.workspaces.models import ApiScope, Membership
from roost.workspaces.roles import Perm

router = Router(tags=["team"])
READ, HIRING_WRITE = ApiScope.READ, ApiScope.HIRING_WRITE
P = "/{slug}/team/hiring"


class OpeningIn(Schema):
    role: str = Field(max_length=32, description="A role code, e.g. community_manager")
    title: str = Field(default="", max_length=svc.TITLE_MAX, description="Empty: the role's name")


class CriterionOut(Schema):
    id: int
    name: str
    description: str
    weight: int = Field(description="1–10; the share is weight / Σ weights")
    share_percent: float


class OpeningOut(Schema):
    id: int
    role: str
    title: str
    status: str = Field(description="open or closed")
    candidates: int
    created_at: datetime


class OpeningDetailOut(OpeningOut):
    description_en: str
    description_pl: str
    criteria: list[CriterionOut]


class CandidateIn(Schema):
    name: str = Field(min_length=1, max_length=svc.NAME_MAX)
    email: str = Field(min_length=3, max_length=254)
    source: str = Field(default="", max_length=svc.SOURCE_MAX)


class CandidateCreatedOut(Schema):
    id: int
    opening: int
    stage: str


class CandidateOut(Schema):
    id: int
    opening: int
    name: str
    email: str
    source: str
    stage: str = Field(
        description="sourced, screening, exercise, interview, offer, hired or declined"
    )
    stage_changed_at: datetime
    interviewers: list[int]
    average_score: float | None = Field(description="Mean weighted score of the scorecards")
    invite: int | None


class EvaluationOut(Schema):
    id: int
    interviewer: int
    scores: dict[str, int] = Field(description="criterion id → score 1–5")
    weighted_score: float | None = Field(description="Σ(score × weight) / Σ(weight)")
    notes: str
    recommendation: str = Field(description="hire, no_hire or unsure")
    submitted_at: datetime | None


class CandidateDetailOut(CandidateOut):
    evaluations: list[EvaluationOut] = Field(
        description="The scorecards the caller may read (an interviewer without HIRE: "
        "their own, and the others' once theirs is submitted)"
    )
    hidden_evaluations: int


class StageIn(Schema):
    stage: str = Field(max_length=16)


class MovedOut(Schema):
    id: int
    stage: str
    invite: int | None = Field(description="On hire: the invite sent to the candidate")
    onboarding_template: str | None = Field(
        description="On hire: the onboarding template attached to the invite, if any"
    )


Score = Annotated[int, Field(ge=scorecards.SCORE_MIN, le=scorecards.SCORE_MAX)]


class EvaluationIn(Schema):
    scores: dict[Annotated[str, Field(pattern=r"^\d{1,18}$")], Score] = Field(
        max_length=svc.CRITERIA_MAX, description="criterion id → score 1–5, every criterion"
    )
    notes: str = Field(default="", max_length=svc.NOTES_MAX)
    recommendation: str = Field(max_length=16, description="hire, no_hire or unsure")


class EvaluationSubmittedOut(Schema):
    id: int
    weighted_score: float | None
    submitted_at: datetime | None


def _actor(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined]


def _criteria(criteria: list[Criterion]) -> list[dict[str, Any]]:
    shares = scorecards.shares([c.weight for c in criteria])
    return [
        {
            "id": c.pk,
            "name": c.name,
            "description": c.description,
            "weight": c.weight,
            "share_percent": share,
        }
        for c, share in zip(criteria, shares, strict=True)
    ]


def _opening(o: JobOpening, candidates: int, detail: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": o.pk,
        "role": o.role,
        "title": o.title,
        "status": o.status,
        "candidates": candidates,
        "created_at": o.created_at,
    }
    if detail:
        out |= {
            "description_en": o.description_en,
            "description_pl": o.description_pl,
            "criteria": _criteria(list(o.criteria.all())),
        }
    return out


def _candidate(c: Candidate, average: float | None, interviewers: list[int]) -> dict[str, Any]:
    return {
        "id": c.pk,
        "opening": c.opening_id,
        "name": c.name,
        "email": c.email,
        "source": c.source,
        "stage": c.stage,
        "stage_changed_at": c.stage_changed_at,
        "interviewers": interviewers,
        "average_score": average,
        "invite": c.invite_id,
    }


@router.get(
    f"{P}/openings",
    response=responses({200: list[OpeningOut]}),
    auth=access(Perm.HIRE, READ),
    summary="The workspace's openings, newest first",
)
def opening_list(request: HttpRequest, slug: str) -> Any:
    return [_opening(r.opening, r.total) for r in svc.openings_rows(_actor(request))]


@router.post(
    f"{P}/openings",
    response=responses({201: OpeningDetailOut}, write=True),
    auth=access(Perm.HIRE, HIRING_WRITE),
    summary="Open a position: job description drafts (English, Polish) and its scorecard",
)
@idempotent
def opening_post(request: HttpRequest, slug: str, payload: OpeningIn) -> Any:
    opening = svc.opening_create(actor=_actor(request), role=payload.role, title=payload.title)
    return Status(201, _opening(opening, 0, detail=True))


@router.get(
    f"{P}/openings/{{opening_id}}",
    response=responses({200: OpeningDetailOut}),
    auth=access(Perm.HIRE, READ),
    summary="One opening with its scorecard criteria and job description drafts",
)
def opening_get(request: HttpRequest, slug: str, opening_id: Id) -> Any:
    opening = svc.access_opening(_actor(request), opening_id)
    return _opening(opening, opening.candidates.count(), detail=True)


@router.get(
    f"{P}/openings/{{opening_id}}/candidates",
    response=responses({200: list[CandidateOut]}),
    auth=access(Perm.HIRE, READ),
    summary="The opening's candidates, by stage",
)
def candidate_list(request: HttpRequest, slug: str, opening_id: Id) -> Any:
    actor = _actor(request)
    opening = svc.access_opening(actor, opening_id)
    return [
        _candidate(card.candidate, card.average, [m.pk for m in card.candidate.interviewers.all()])
        for _code, _label, cards in svc.pipeline(actor, opening)
        for card in cards
    ]


@router.post(
    f"{P}/openings/{{opening_id}}/candidates",
    response=responses({201: CandidateCreatedOut}, write=True),
    auth=access(Perm.HIRE, HIRING_WRITE),
    summary="Add a candidate (once per e-mail address and opening); answers the id only",
)
@idempotent
def candidate_post(request: HttpRequest, slug: str, opening_id: Id, payload: CandidateIn) -> Any:
    actor = _actor(request)
    opening = svc.access_opening(actor, opening_id)
    candidate = svc.candidate_create(
        actor=actor,
        opening=opening,
        name=payload.name,
        email=payload.email,
        source=payload.source,
    )
    return Status(201, {"id": candidate.pk, "opening": opening.pk, "stage": candidate.stage})


def _detail(actor: Membership, candidate: Candidate) -> dict[str, Any]:
    cards = svc.scorecards_for(actor, candidate)
    interviewers = list(candidate.interviewers.values_list("pk", flat=True))
    out = _candidate(candidate, cards.average, interviewers)
    out["evaluations"] = [
        {
            "id": s.evaluation.pk,
            "interviewer": s.evaluation.interviewer_id,
            "scores": s.evaluation.scores,
            "weighted_score": s.score,
            "notes": s.evaluation.notes,
            "recommendation": s.evaluation.recommendation,
            "submitted_at": s.evaluation.submitted_at,
        }
        for s in cards.visible
    ]
    out["hidden_evaluations"] = cards.hidden
    return out


@router.get(
    f"{P}/candidates/{{candidate_id}}",
    response=responses({200: CandidateDetailOut}),
    auth=access(Perm.VIEW_TEAM, READ),
    summary="One candidate with the scorecards the caller may read (HIRE or an interviewer)",
)
def candidate_get(request: HttpRequest, slug: str, candidate_id: Id) -> Any:
    actor = _actor(request)
    return _detail(actor, svc.access_candidate(actor, candidate_id))


@router.post(
    f"{P}/candidates/{{candidate_id}}/stage",
    response=responses({200: MovedOut}, write=True),
    auth=access(Perm.HIRE, HIRING_WRITE),
    summary="Move a candidate forward, to declined, or hire them from offer (invite + plan)",
)
@idempotent
def candidate_stage(request: HttpRequest, slug: str, candidate_id: Id, payload: StageIn) -> Any:
    actor = _actor(request)
    moved = svc.candidate_move(
        actor=actor, candidate=svc.access_candidate(actor, candidate_id), stage=payload.stage
    )
    hire = moved.hire
    return {
        "id": moved.candidate.pk,
        "stage": moved.candidate.stage,
        "invite": hire.invite.pk if hire else None,
        "onboarding_template": hire.template.name if hire and hire.template else None,
    }


@router.delete(
    f"{P}/candidates/{{candidate_id}}",
    response=responses({204: None}, write=True),
    auth=access(Perm.HIRE, HIRING_WRITE),
    summary="Delete a candidate's data on request (scorecards, assessment, notifications)",
)
def candidate_delete(request: HttpRequest, slug: str, candidate_id: Id) -> Any:
    actor = _actor(request)
    svc.candidate_delete(actor=actor, candidate=svc.access_candidate(actor, candidate_id))
    return Status(204, None)


@router.post(
    f"{P}/candidates/{{candidate_id}}/evaluation",
    response=responses({200: EvaluationSubmittedOut}, write=True),
    auth=access(Perm.VIEW_TEAM, HIRING_WRITE),
    summary="Submit one's own scorecard for a candidate one interviews (again: replaces it)",
)
@idempotent
def evaluation_post(
    request: HttpRequest, slug: str, candidate_id: Id, payload: EvaluationIn
) -> Any:
    actor = _actor(request)
    candidate = svc.access_candidate(actor, candidate_id)
    evaluation = svc.evaluation_submit(
        actor=actor,
        candidate=candidate,
        scores={int(k): v for k, v in payload.scores.items()},
        notes=payload.notes,
        recommendation=payload.recommendation,
    )
    weights = svc.weights_of(candidate.opening.criteria.all())
    return {
        "id": evaluation.pk,
        "weighted_score": scorecards.weighted_score(evaluation.scores, weights),
        "submitted_at": evaluation.submitted_at,
    }
