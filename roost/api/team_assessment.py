"""The practical exercise: create one for a candidate (HIRE and the hiring:write scope; the
candidate's link is in this answer only), read its status and what the candidate did."""

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import Field

from roost.api.auth import access
from roost.api.idempotency import idempotent
from roost.api.schemas import Id, responses
from roost.core.exceptions import ValidationFailed
from roost.team.models import Assessment, Candidate, ScenarioKind
from roost.team.services import assessment as svc
from roost.workspaces.models import ApiScope, Membership
from roost.workspaces.roles import Perm

router = Router(tags=["team"])
READ, HIRING_WRITE = ApiScope.READ, ApiScope.HIRING_WRITE


class AssessmentIn(Schema):
    candidate: Id
    scenario: str = Field(max_length=16, description="inbox or campaign")
    days: int = Field(
        default=3, ge=svc.MIN_DAYS, le=svc.MAX_DAYS, description="How long the login lasts"
    )


class AssessmentOut(Schema):
    id: int
    candidate: int
    scenario: str = Field(description=", ".join(ScenarioKind.values))
    status: str = Field(description="not_started, in_progress, submitted or expired")
    workspace: str | None = Field(description="The assessment workspace's slug (the owner's)")
    expires_at: datetime
    started_at: datetime | None
    submitted_at: datetime | None
    facts: dict[str, Any] = Field(
        description="What the candidate did, per seeded item, against what was expected"
    )


class AssessmentCreatedOut(AssessmentOut):
    link: str = Field(description="The candidate's one-time link; shown only in this answer")


def _actor(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined]


def _out(a: Assessment) -> dict[str, Any]:
    return {
        "id": a.pk,
        "candidate": a.candidate_id,
        "scenario": a.scenario,
        "status": svc.assessment_status(a),
        "workspace": a.workspace.slug if a.workspace else None,
        "expires_at": a.expires_at,
        "started_at": a.started_at,
        "submitted_at": a.submitted_at,
        "facts": svc.assessment_facts(a),
    }


@router.post(
    "/{slug}/team/assessments",
    response=responses({201: AssessmentCreatedOut}, write=True),
    auth=access(Perm.HIRE, HIRING_WRITE),
    summary="Create a candidate's practical exercise (an assessment workspace and a login)",
)
@idempotent
def assessment_post(request: HttpRequest, slug: str, payload: AssessmentIn) -> Any:
    actor = _actor(request)
    candidate = (
        Candidate.objects.select_related("opening")
        .filter(workspace_id=actor.workspace_id, pk=payload.candidate)
        .first()
    )
    if candidate is None:
        raise ValidationFailed({"candidate": [_("Not found in this workspace.")]})
    made, secret = svc.assessment_create(
        actor=actor, candidate=candidate, scenario=payload.scenario, days=payload.days
    )
    link = svc.assessment_link(secret)
    return Status(201, {**_out(made), "link": link})


@router.get(
    "/{slug}/team/assessments/{assessment_id}",
    response=responses({200: AssessmentOut}),
    auth=access(Perm.HIRE, READ),
    summary="A practical exercise: its status, the login's expiry and the facts",
)
def assessment_get(request: HttpRequest, slug: str, assessment_id: Id) -> Any:
    return _out(svc.access_assessment(_actor(request), assessment_id))
