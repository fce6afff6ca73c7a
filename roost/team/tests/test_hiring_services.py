"""The hiring kit through its services: job description drafts, scorecards and the
weighted score, stage rules, hire → invite + onboarding plan (all or nothing), deletion
on request leaving no trace, and permissions on every write."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from roost.accounts.models import User
from roost.conftest import World, make_user
from roost.core.exceptions import NotFound, PermissionDenied, ValidationFailed
from roost.notifications.models import Notification
from roost.team import job_descriptions, scorecards
from roost.team.models import (
    Assessment,
    Candidate,
    Criterion,
    Evaluation,
    JobOpening,
    OnboardingTemplate,
    PendingPlan,
    Stage,
)
from roost.team.profiles import PROFILES
from roost.team.services import hiring as svc
from roost.workspaces import services as ws
from roost.workspaces.models import AuditEntry, Invite, Membership, Workspace
from roost.workspaces.roles import Role

NAME, EMAIL = "Zofia Kandydatka", "zofia.kandydatka@example.com"


def _opening(world: World, role: str = "community_manager") -> JobOpening:
    return svc.opening_create(
        actor=world.members["social_media_manager"], role=role, title="Community Manager"
    )


def _candidate(world: World, opening: JobOpening, email: str = EMAIL) -> Candidate:
    return svc.candidate_create(
        actor=world.members["social_media_manager"],
        opening=opening,
        name=NAME,
        email=email,
        source="LinkedIn",
    )


def _move(world: World, c: Candidate, *stages: str, role: str = "social_media_manager") -> Any:
    moved = None
    for stage in stages:
        moved = svc.candidate_move(actor=world.members[role], candidate=c, stage=stage)
    return moved


# --- job descriptions -------------------------------------------------------------------


def test_drafts_in_english_and_polish_differ_and_list_the_duties(world: World) -> None:
    opening = _opening(world)
    profile = PROFILES[Role.COMMUNITY_MANAGER]
    assert opening.description_en != opening.description_pl
    assert opening.description_en.startswith("# Community Manager\n")
    for section in ("## About the role", "## What you will do", "## What you bring"):
        assert section in opening.description_en
    assert "## How we hire" in opening.description_en
    assert "practical exercise inside Roost" in opening.description_en
    assert "Alpha is hiring for the role of Community Manager." in opening.description_en
    assert opening.description_en.rstrip().endswith("— Alpha")
    with translation.override("en"):
        for duty in profile.duties:
            assert f"- {duty}" in opening.description_en
        for skill in profile.skills:
            assert f"- {skill}" in opening.description_en
    with translation.override("pl"):
        label = str(Role.COMMUNITY_MANAGER.label)
        assert label == "Menedżer społeczności"
        assert label in opening.description_pl
        for duty in profile.duties:
            assert f"- {duty}" in opening.description_pl
    assert "Menedżer społeczności" not in opening.description_en


def test_a_draft_is_written_in_the_language_asked_whatever_is_active() -> None:
    with translation.override("pl"):
        en = job_descriptions.draft("analyst", "Analyst", "Acme", "en")
    with translation.override("en"):
        pl = job_descriptions.draft("analyst", "Analyst", "Acme", "pl")
    assert "Social Data Analyst" in en
    assert "Social Data Analyst" not in pl
    assert "- Define KPIs and goals with the team" in en


# --- scorecards ---------------------------------------------------------------------------


def test_the_roles_scorecard_is_copied_onto_a_new_opening(world: World) -> None:
    opening = _opening(world)
    got = [(c.name, c.weight, c.position) for c in opening.criteria.all()]
    assert got == [
        ("Written replies", 3, 0),
        ("Triage judgement", 3, 1),
        ("Escalation", 2, 2),
        ("Brand voice", 1, 3),
        ("Product knowledge", 1, 4),
    ]
    assert scorecards.shares([3, 3, 2, 1, 1]) == [30.0, 30.0, 20.0, 10.0, 10.0]
    entry = AuditEntry.objects.get(action="hiring.opening_created")
    assert entry.data == {"title": "Community Manager", "role": "community_manager"}


def test_weighted_score_is_the_weighted_mean() -> None:
    weights = {1: 3, 2: 1}
    assert scorecards.weighted_score({"1": 5, "2": 1}, weights) == 4.0  # (15 + 1) / 4
    assert scorecards.weighted_score({"1": 4}, weights) == 4.0  # a criterion added later
    assert scorecards.weighted_score({}, weights) is None


def test_scorecard_editing_changes_adds_and_removes(world: World) -> None:
    opening = _opening(world)
    smm = world.members["social_media_manager"]
    first, second, *_rest = list(opening.criteria.all())
    rows = [
        svc.CriterionInput(first.pk, "Replies in writing", "Short and kind", 5),
        svc.CriterionInput(second.pk, second.name, "", 3),
        svc.CriterionInput(None, "Crisis calm", "", 2),
    ]
    svc.criteria_save(actor=smm, opening=opening, rows=rows)
    got = [(c.pk == first.pk, c.name, c.weight) for c in opening.criteria.all()]
    assert got == [
        (True, "Replies in writing", 5),
        (False, second.name, 3),
        (False, "Crisis calm", 2),
    ]


@pytest.mark.parametrize(
    ("rows", "field", "message"),
    [
        ([], "criteria", "A scorecard needs at least one criterion."),
        ([svc.CriterionInput(None, "A", "", 0)], "weight", "must be a whole number from 1 to 10"),
        ([svc.CriterionInput(None, "A", "", 11)], "weight", "must be a whole number from 1 to 10"),
        ([svc.CriterionInput(None, " ", "", 2)], "name", "Criterion 1 needs a name."),
        (
            [svc.CriterionInput(None, "A", "", 2), svc.CriterionInput(None, "a", "", 2)],
            "name",
            "Two criteria are called",
        ),
    ],
)
def test_bad_scorecards_are_refused_and_change_nothing(
    world: World, rows: list[Any], field: str, message: str
) -> None:
    opening = _opening(world)
    before = list(opening.criteria.values_list("pk", "name", "weight"))
    with pytest.raises(ValidationFailed) as caught:
        svc.criteria_save(actor=world.members["social_media_manager"], opening=opening, rows=rows)
    assert message in " ".join(caught.value.errors[field])
    assert list(opening.criteria.values_list("pk", "name", "weight")) == before


def test_a_criterion_of_another_opening_is_refused(world: World) -> None:
    one, other = _opening(world), _opening(world, "analyst")
    foreign = other.criteria.first()
    assert foreign is not None
    with pytest.raises(ValidationFailed):
        svc.criteria_save(
            actor=world.members["owner"],
            opening=one,
            rows=[svc.CriterionInput(foreign.pk, "Taken", "", 2)],
        )
    assert Criterion.objects.get(pk=foreign.pk).opening_id == other.pk


# --- candidates and stages ------------------------------------------------------------


def test_an_email_is_added_once_per_opening(world: World) -> None:
    opening = _opening(world)
    _candidate(world, opening)
    with pytest.raises(ValidationFailed) as caught:
        _candidate(world, opening, email=EMAIL.upper())
    assert caught.value.errors["email"] == [
        "A candidate with this e-mail address is already in this opening."
    ]
    assert Candidate.objects.count() == 1
    _candidate(world, _opening(world, "analyst"))  # another opening: fine
    assert Candidate.objects.count() == 2


def test_stages_move_forward_or_to_declined_and_final_stages_stay(world: World) -> None:
    c = _candidate(world, _opening(world))
    _move(world, c, Stage.SCREENING, Stage.INTERVIEW)  # skipping the exercise is forward
    assert Candidate.objects.get(pk=c.pk).stage == Stage.INTERVIEW
    with pytest.raises(ValidationFailed) as caught:
        _move(world, c, Stage.SCREENING)
    assert "only move forward" in caught.value.errors["stage"][0]
    with pytest.raises(ValidationFailed) as caught:
        _move(world, c, Stage.HIRED)
    assert caught.value.errors["stage"] == [
        "Make an offer before hiring: move the candidate to Offer first."
    ]
    _move(world, c, Stage.DECLINED)
    for stage in (Stage.OFFER, Stage.SOURCED, Stage.DECLINED):
        with pytest.raises(ValidationFailed) as caught:
            _move(world, c, stage)
        assert "is final" in caught.value.errors["stage"][0]
    assert Candidate.objects.get(pk=c.pk).stage == Stage.DECLINED
    assert svc.next_stages(Stage.OFFER) == [Stage.HIRED, Stage.DECLINED]
    assert svc.next_stages(Stage.HIRED) == []
    moves = AuditEntry.objects.filter(action="hiring.candidate_moved").order_by("pk")
    assert [e.data for e in moves][-1] == {
        "candidate": c.pk,
        "title": "Community Manager",
        "stage": "declined",
        "from_stage": "interview",
    }


# --- hire ---------------------------------------------------------------------------------


def _template(world: World) -> OnboardingTemplate:
    return OnboardingTemplate.objects.create(
        workspace=world.a, name="Community Manager 30-60-90", role="community_manager"
    )


def test_hire_makes_one_invite_with_the_role_and_the_plan(world: World) -> None:
    template = _template(world)
    c = _candidate(world, _opening(world))
    invites_before = Invite.objects.count()
    moved = _move(world, c, Stage.OFFER, Stage.HIRED)
    assert moved.hire is not None and moved.hire.token
    assert Invite.objects.count() == invites_before + 1
    invite = Invite.objects.get(email=EMAIL)
    assert invite.roles == ["community_manager"]
    assert Candidate.objects.get(pk=c.pk).invite_id == invite.pk
    assert Candidate.objects.get(pk=c.pk).stage == Stage.HIRED
    plan = PendingPlan.objects.get(invite=invite)
    assert plan.template_id == template.pk
    assert moved.hire.plan == plan
    assert AuditEntry.objects.get(action="hiring.candidate_hired").data == {
        "candidate": c.pk,
        "title": "Community Manager",
        "invite": invite.pk,
        "plan": "Community Manager 30-60-90",
    }


def test_hire_without_a_template_invites_without_a_plan(world: World, monkeypatch: Any) -> None:
    """Every hiring role has a default template (written on first use); should none be
    found, the hire still invites, without a plan, and says so."""
    monkeypatch.setattr(svc, "template_for_role", lambda workspace, role: None)
    c = _candidate(world, _opening(world))
    moved = _move(world, c, Stage.OFFER, Stage.HIRED)
    assert moved.hire.plan is None and moved.hire.template is None
    assert Invite.objects.filter(email=EMAIL).count() == 1
    assert PendingPlan.objects.count() == 0


@pytest.mark.parametrize("why", ["member", "open_invite"])
def test_a_failing_invite_leaves_the_candidate_in_offer(world: World, why: str) -> None:
    _template(world)
    if why == "member":
        email = world.members["analyst"].user.email
    else:
        email = "already@example.com"
        ws.invite_create(actor=world.members["owner"], email=email, roles=["analyst"])
    c = _candidate(world, _opening(world), email=email)
    _move(world, c, Stage.OFFER)
    invites, audit = Invite.objects.count(), AuditEntry.objects.count()
    with pytest.raises(ValidationFailed) as caught:
        _move(world, c, Stage.HIRED)
    message = caught.value.errors["stage"][0]
    assert message.startswith("Could not hire: ")
    assert ("already a member" if why == "member" else "already has an open invite") in message
    found = Candidate.objects.get(pk=c.pk)
    assert (found.stage, found.invite_id) == (Stage.OFFER, None)
    assert (Invite.objects.count(), AuditEntry.objects.count()) == (invites, audit)
    assert PendingPlan.objects.count() == 0


def test_a_failing_plan_undoes_the_invite(world: World, monkeypatch: Any) -> None:
    _template(world)
    c = _candidate(world, _opening(world))
    _move(world, c, Stage.OFFER)

    def broken(**kwargs: Any) -> None:
        raise ValidationFailed({"template": ["Broken template."]})

    monkeypatch.setattr(svc, "plan_attach_to_invite", broken)
    with pytest.raises(ValidationFailed):
        _move(world, c, Stage.HIRED)
    assert Invite.objects.filter(email=EMAIL).count() == 0
    assert Candidate.objects.get(pk=c.pk).stage == Stage.OFFER


# --- interviewers and scorecards ---------------------------------------------------------


def _scores(opening: JobOpening, value: int = 4) -> dict[int, int]:
    return {c.pk: value for c in opening.criteria.all()}


def test_interviewers_are_notified_without_the_candidates_name(world: World) -> None:
    c = _candidate(world, _opening(world))
    creator = world.members["content_creator"]
    svc.interviewers_set(
        actor=world.members["social_media_manager"], candidate=c, member_ids=[creator.pk]
    )
    note = Notification.objects.get(recipient=creator.user)
    assert note.text == f"You are an interviewer for candidate #{c.pk} (Community Manager)."
    assert note.url == f"/w/alpha/team/hiring/candidates/{c.pk}/"
    with pytest.raises(ValidationFailed):
        svc.interviewers_set(
            actor=world.members["owner"], candidate=c, member_ids=[world.b_owner.pk]
        )
    assert list(c.interviewers.all()) == [creator]


def test_an_interviewer_sees_others_scorecards_only_after_submitting(world: World) -> None:
    opening = _opening(world)
    c = _candidate(world, opening)
    smm, creator, analyst = (
        world.members[r] for r in ("social_media_manager", "content_creator", "analyst")
    )
    svc.interviewers_set(actor=smm, candidate=c, member_ids=[creator.pk, analyst.pk])
    svc.evaluation_submit(
        actor=analyst,
        candidate=c,
        scores=_scores(opening, 5),
        notes="Strong",
        recommendation="hire",
    )
    seen = svc.scorecards_for(creator, c)
    assert (seen.visible, seen.hidden, seen.average) == ([], 1, None)
    scores = _scores(opening, 2)
    first = opening.criteria.first()
    assert first is not None
    scores[first.pk] = 5  # weight 3 of 10
    svc.evaluation_submit(
        actor=creator, candidate=c, scores=scores, notes="", recommendation="unsure"
    )
    seen = svc.scorecards_for(creator, c)
    assert seen.hidden == 0
    assert sorted(s.score for s in seen.visible) == [2.9, 5.0]  # (15 + 2×7) / 10
    assert seen.average == 3.95
    manager_view = svc.scorecards_for(smm, c)
    assert len(manager_view.visible) == 2


def test_scorecards_need_every_criterion_and_an_interviewer(world: World) -> None:
    opening = _opening(world)
    c = _candidate(world, opening)
    creator = world.members["content_creator"]
    with pytest.raises(NotFound):
        svc.evaluation_submit(
            actor=creator, candidate=c, scores=_scores(opening), notes="", recommendation="hire"
        )
    svc.interviewers_set(actor=world.members["owner"], candidate=c, member_ids=[creator.pk])
    partial = dict(list(_scores(opening).items())[:2])
    with pytest.raises(ValidationFailed) as caught:
        svc.evaluation_submit(
            actor=creator, candidate=c, scores=partial, notes="", recommendation="maybe"
        )
    assert "Score “Escalation” from 1 to 5." in caught.value.errors["scores"]
    assert caught.value.errors["recommendation"] == ["Choose hire, no hire or unsure."]
    with pytest.raises(ValidationFailed):
        svc.evaluation_submit(
            actor=creator, candidate=c, scores=_scores(opening, 6), notes="", recommendation="hire"
        )
    assert Evaluation.objects.count() == 0


# --- deletion -----------------------------------------------------------------------------


def _with_assessment(world: World, c: Candidate) -> Assessment:
    login = make_user(EMAIL.replace("@", "+exercise@"), NAME)
    place = Workspace.objects.create(name=f"Assessment of {NAME}", slug=f"assessment-{c.pk}")
    Membership.objects.create(workspace=place, user=login)
    return Assessment.objects.create(
        candidate=c,
        workspace=place,
        scenario="inbox",
        login=login,
        token_hash=f"hash-{c.pk}",
        expires_at=c.created_at,
    )


def _rows_mentioning(*needles: str) -> list[str]:
    """Every text-ish column of every Roost table that still holds one of the needles."""
    from django.apps import apps
    from django.db import models

    found = []
    for model in apps.get_models():
        if not model.__module__.startswith("roost."):
            continue
        for field in model._meta.get_fields():
            if not isinstance(field, (models.CharField, models.TextField, models.JSONField)):
                continue
            for needle in needles:
                for text in model._default_manager.values_list(field.name, flat=True):
                    if text is not None and needle.lower() in str(text).lower():
                        found.append(f"{model.__name__}.{field.name}")
    return found


def test_deletion_leaves_no_trace_of_name_or_email(world: World) -> None:
    opening = _opening(world)
    c = _candidate(world, opening)
    smm, creator = world.members["social_media_manager"], world.members["content_creator"]
    _move(world, c, Stage.SCREENING, Stage.EXERCISE, Stage.INTERVIEW)
    svc.interviewers_set(actor=smm, candidate=c, member_ids=[creator.pk, smm.pk])
    svc.evaluation_submit(
        actor=creator, candidate=c, scores=_scores(opening), notes="Good", recommendation="hire"
    )
    assessment = _with_assessment(world, c)
    place, login = assessment.workspace, assessment.login
    assert _rows_mentioning(NAME, EMAIL)  # they are there before
    number = c.pk

    svc.candidate_delete(actor=smm, candidate=c)

    assert _rows_mentioning(NAME, EMAIL, "kandydatka") == []
    assert not Candidate.objects.filter(pk=number).exists()
    assert Evaluation.objects.count() == 0
    assert not Assessment.objects.exists()
    assert place is not None and not Workspace.objects.filter(pk=place.pk).exists()
    assert login is not None and not User.objects.filter(pk=login.pk).exists()
    assert not Notification.objects.filter(kind="hiring.interviewer").exists()
    entry = AuditEntry.objects.get(action="hiring.candidate_deleted")
    assert entry.data == {"candidate": number, "title": "Community Manager"}


# --- permissions --------------------------------------------------------------------------


def test_every_write_needs_hire_and_a_denied_write_changes_nothing(world: World) -> None:
    opening = _opening(world)
    c = _candidate(world, opening)
    creator = world.members["content_creator"]
    svc.interviewers_set(actor=world.members["owner"], candidate=c, member_ids=[creator.pk])
    before = (
        AuditEntry.objects.count(),
        JobOpening.objects.count(),
        Candidate.objects.count(),
        list(Criterion.objects.values_list("pk", "name", "weight")),
    )
    calls = [
        lambda: svc.opening_create(actor=creator, role="analyst", title="Analyst"),
        lambda: svc.opening_update(
            actor=creator,
            opening=opening,
            title="X",
            description_en="",
            description_pl="",
            status="closed",
        ),
        lambda: svc.criteria_save(
            actor=creator, opening=opening, rows=[svc.CriterionInput(None, "X", "", 1)]
        ),
        lambda: svc.candidate_create(actor=creator, opening=opening, name="N", email="n@e.com"),
        lambda: svc.candidate_move(actor=creator, candidate=c, stage=Stage.SCREENING),
        lambda: svc.interviewers_set(actor=creator, candidate=c, member_ids=[]),
        lambda: svc.candidate_delete(actor=creator, candidate=c),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()
    after = (
        AuditEntry.objects.count(),
        JobOpening.objects.count(),
        Candidate.objects.count(),
        list(Criterion.objects.values_list("pk", "name", "weight")),
    )
    assert after == before
    assert Candidate.objects.get(pk=c.pk).stage == Stage.SOURCED
    assert list(c.interviewers.all()) == [creator]


def test_hiring_needs_manage_members_too(world: World, monkeypatch: Any) -> None:
    c = _candidate(world, _opening(world))
    _move(world, c, Stage.OFFER)
    smm = world.members["social_media_manager"]
    monkeypatch.setattr(Membership, "has_perm", lambda self, perm: perm.value != "manage_members")
    with pytest.raises(PermissionDenied):
        svc.candidate_move(actor=smm, candidate=c, stage=Stage.HIRED)
    assert Candidate.objects.get(pk=c.pk).stage == Stage.OFFER
    assert not Invite.objects.filter(email=EMAIL).exists()


def test_another_workspaces_objects_are_not_found(world: World) -> None:
    opening = _opening(world)
    c = _candidate(world, opening)
    with pytest.raises(NotFound):
        svc.access_opening(world.b_owner, opening.pk)
    with pytest.raises(NotFound):
        svc.access_candidate(world.b_owner, c.pk)
    with pytest.raises(NotFound):  # a member who is no interviewer, without HIRE
        svc.access_candidate(world.members["content_creator"], c.pk)


def test_openings_are_counted_per_stage(world: World) -> None:
    opening = _opening(world)
    c = _candidate(world, opening)
    _candidate(world, opening, email="second@example.com")
    _move(world, c, Stage.INTERVIEW)
    rows = svc.openings_rows(world.members["owner"])
    assert [(r.opening.pk, r.per_stage, r.total) for r in rows] == [
        (opening.pk, [1, 0, 0, 1, 0, 0, 0], 2)
    ]
