"""The team itself: its stated company size and each member's team profile (who they
report to, their working hours, responsibilities beyond their roles). Onboarding plans,
workload roll-ups and check-ins, and the hiring kit add their models beside these.

Away status and per-person assignment caps live on workspaces.Membership, because the
inbox's round-robin (below this app) reads them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from roost.core import clock
from roost.workspaces.models import Invite, Membership, Workspace


class CompanySize(models.TextChoices):
    """The seed's team sizes by company size (one or two people in small firms, three to
    five in mid-size, eleven or more in enterprises; 6–10 between them)."""

    SMALL = "small", _("Small company: 1–2 people in social")
    MID = "mid", _("Mid-size company: 3–5 people")
    LARGE = "large", _("Large company: 6–10 people")
    ENTERPRISE = "enterprise", _("Enterprise: 11 or more people")


class TeamSettings(models.Model):
    """One per workspace: what the team builder needs to recommend a shape."""

    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="+")
    company_size = models.CharField(
        _("company size"), max_length=16, choices=CompanySize.choices, blank=True
    )
    updated_at = models.DateTimeField(default=clock.now)

    def __str__(self) -> str:
        return f"team settings of {self.workspace_id}"


class MemberProfile(models.Model):
    """A member's place in the team beyond roles: their manager, working hours and the
    responsibilities they carry that their roles do not say."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    membership = models.OneToOneField(
        Membership, on_delete=models.CASCADE, related_name="team_profile"
    )
    reports_to = models.ForeignKey(
        Membership,
        verbose_name=_("reports to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
    )
    # Weekday (0 = Monday) → ["09:00", "17:00"] in the workspace's time zone; a weekday
    # that is missing is a day off. Empty: Monday to Friday, 09:00–17:00.
    working_hours = models.JSONField(_("working hours"), default=dict, blank=True)
    # Responsibility codes (roost/team/profiles.py) carried beyond the member's roles.
    responsibilities = models.JSONField(_("responsibilities"), default=list, blank=True)

    def __str__(self) -> str:
        return f"profile of {self.membership_id}"


# --- onboarding (30-60-90) --------------------------------------------------------------


class StepKind(models.TextChoices):
    LEARNING = "learning", _("Learning goal")
    ACTIVITY = "activity", _("Activity")
    DELIVERABLE = "deliverable", _("Deliverable")
    CHECK_IN = "check_in", _("Check-in")


class OnboardingTemplate(models.Model):
    """A 30-60-90-day plan to copy for a new member of `role`. Roost writes one per role
    the first time a workspace opens onboarding; the team edits them."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    role = models.CharField(_("role"), max_length=32, blank=True)  # a Role code
    days = models.PositiveSmallIntegerField(_("length in days"), default=90)
    created_at = models.DateTimeField(default=clock.now)
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="template_name_once")
        ]

    def __str__(self) -> str:
        return self.name


class TemplateStep(models.Model):
    """One step of a template, due `due_day` days after the plan's start (1 = the first
    day). `auto_check` names an automatic check (roost/team/onboarding_checks.py) that ticks
    the step from real activity, reaching `target`; empty: ticked by hand."""

    template = models.ForeignKey(OnboardingTemplate, on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField(_("kind"), max_length=16, choices=StepKind.choices)
    title = models.CharField(_("title"), max_length=200)
    details = models.TextField(_("details"), blank=True, max_length=2000)
    due_day = models.PositiveSmallIntegerField(_("due on day"))
    auto_check = models.CharField(_("ticked automatically when"), max_length=40, blank=True)
    target = models.PositiveIntegerField(_("how many"), default=1)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["due_day", "position", "id"]

    def __str__(self) -> str:
        return self.title


class PlanStatus(models.TextChoices):
    ACTIVE = "active", _("In progress")
    COMPLETED = "completed", _("Completed")
    ENDED = "ended", _("Ended early")


class OnboardingPlan(models.Model):
    """A member's own copy of a template, with dates. The steps are copied, so editing the
    template later changes no plan in progress."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="onboarding_plans"
    )
    template = models.ForeignKey(
        OnboardingTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(_("name"), max_length=100)
    mentor = models.ForeignKey(
        Membership,
        verbose_name=_("mentor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mentees",
    )
    starts_on = models.DateField(_("start date"))
    status = models.CharField(max_length=16, choices=PlanStatus.choices, default=PlanStatus.ACTIVE)
    ended_reason = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-starts_on", "-id"]
        constraints = [
            # One plan in progress per member.
            models.UniqueConstraint(
                fields=["member"],
                condition=models.Q(status="active"),
                name="one_active_plan_per_member",
            )
        ]

    def __str__(self) -> str:
        return self.name


class PlanStep(models.Model):
    """A step of a member's plan, with its own due date and its progress."""

    plan = models.ForeignKey(OnboardingPlan, on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField(max_length=16, choices=StepKind.choices)
    title = models.CharField(max_length=200)
    details = models.TextField(blank=True, max_length=2000)
    due_on = models.DateField()
    auto_check = models.CharField(max_length=40, blank=True)
    target = models.PositiveIntegerField(default=1)
    progress = models.PositiveIntegerField(default=0)  # counted by the automatic check
    position = models.PositiveSmallIntegerField(default=0)
    done_at = models.DateTimeField(null=True, blank=True)
    # Who ticked it by hand; empty with done_at set: ticked by its automatic check.
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True, max_length=4000)  # a check-in's notes

    class Meta:
        ordering = ["due_on", "position", "id"]

    def __str__(self) -> str:
        return self.title


class PendingPlan(models.Model):
    """A plan to start when `invite` is accepted (an invite from the team pages, or a hire)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    invite = models.OneToOneField(Invite, on_delete=models.CASCADE, related_name="+")
    template = models.ForeignKey(OnboardingTemplate, on_delete=models.CASCADE, related_name="+")
    mentor = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"plan for invite {self.invite_id}"


# --- hiring ---------------------------------------------------------------------------


class OpeningStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class JobOpening(models.Model):
    """A role the team is hiring for: its job description (English and Polish drafts,
    edited by the team) and its interview scorecard (the criteria)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(_("role"), max_length=32)  # a Role code
    title = models.CharField(_("title"), max_length=120)
    description_en = models.TextField(_("job description (English)"), max_length=20000)
    description_pl = models.TextField(_("job description (Polish)"), max_length=20000)
    status = models.CharField(
        max_length=16, choices=OpeningStatus.choices, default=OpeningStatus.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class Criterion(models.Model):
    """One line of an opening's interview scorecard, scored 1–5; `weight` is its share."""

    opening = models.ForeignKey(JobOpening, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("criterion"), max_length=120)
    description = models.CharField(_("what good looks like"), max_length=500, blank=True)
    weight = models.PositiveSmallIntegerField(_("weight"), default=1)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class Stage(models.TextChoices):
    SOURCED = "sourced", _("Sourced")
    SCREENING = "screening", _("Screening")
    EXERCISE = "exercise", _("Exercise")
    INTERVIEW = "interview", _("Interview")
    OFFER = "offer", _("Offer")
    HIRED = "hired", _("Hired")
    DECLINED = "declined", _("Declined")


class Candidate(models.Model):
    """A person in an opening's pipeline. Deleted whole on request (roost/team/services/
    hiring.py `candidate_delete`); the audit log names candidates by number only."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    opening = models.ForeignKey(JobOpening, on_delete=models.CASCADE, related_name="candidates")
    name = models.CharField(_("name"), max_length=150)
    email = models.EmailField(_("e-mail address"))
    source = models.CharField(_("where they came from"), max_length=120, blank=True)
    stage = models.CharField(max_length=16, choices=Stage.choices, default=Stage.SOURCED)
    stage_changed_at = models.DateTimeField(default=clock.now)
    interviewers = models.ManyToManyField(
        Membership, blank=True, related_name="+", verbose_name=_("interviewers")
    )
    invite = models.ForeignKey(
        Invite, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["opening", "email"], name="candidate_once_per_opening")
        ]

    def __str__(self) -> str:
        return f"candidate {self.pk}"


class Evaluation(models.Model):
    """One interviewer's scorecard for one candidate: a score 1–5 per criterion
    ({criterion id: score}), notes and a recommendation; `exercise` marks the scoring of
    the practical exercise."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="evaluations")
    interviewer = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    exercise = models.BooleanField(default=False)
    scores = models.JSONField(default=dict)
    notes = models.TextField(blank=True, max_length=5000)
    recommendation = models.CharField(max_length=16, blank=True)  # hire / no_hire / unsure
    submitted_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["candidate", "interviewer", "exercise"], name="one_scorecard_each"
            )
        ]

    def __str__(self) -> str:
        return f"evaluation {self.pk}"


class ScenarioKind(models.TextChoices):
    INBOX = "inbox", _("Triage an inbox")
    CAMPAIGN = "campaign", _("Draft posts for a campaign brief")


class Assessment(models.Model):
    """A candidate's practical exercise inside Roost: a workspace of its own seeded with
    the scenario, and a login that works only there and only until `expires_at`."""

    candidate = models.OneToOneField(Candidate, on_delete=models.CASCADE, related_name="assessment")
    # The assessment workspace; deleting the candidate deletes it (services do that).
    workspace = models.OneToOneField(
        Workspace, null=True, on_delete=models.SET_NULL, related_name="assessment"
    )
    scenario = models.CharField(max_length=16, choices=ScenarioKind.choices)
    login = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # What the exercise expects (the seeded items and their intended handling) and, on
    # submission, what the candidate did: facts for the scorecard, never a grade alone.
    expected = models.JSONField(default=dict)
    result = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=clock.now)

    def __str__(self) -> str:
        return f"assessment {self.pk}"


# --- workload and check-ins ----------------------------------------------------------------


class WorkloadDay(models.Model):
    """One member's activity on one day (the workspace's dates), rolled up nightly from
    Roost's own records (roost/team/workload.py): the workload page and signals read these
    rows, never the raw events. A day with no activity has no row."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="workload_days")
    day = models.DateField()
    # Inbox items completed + replies sent + approval decisions + posts created.
    handled = models.PositiveIntegerField(default=0)
    # Every trace of the member's activity: audit entries plus the handled items.
    actions = models.PositiveIntegerField(default=0)
    # Actions in an hour outside the member's working hours (read to the hour).
    after_hours = models.PositiveIntegerField(default=0)
    weekend = models.BooleanField(default=False)  # a Saturday or Sunday
    working_day = models.BooleanField(default=True)  # a day of the member's working hours

    class Meta:
        ordering = ["day", "member_id"]
        constraints = [models.UniqueConstraint(fields=["member", "day"], name="workload_day_once")]
        indexes = [models.Index(fields=["workspace", "day"], name="workload_ws_day")]

    def __str__(self) -> str:
        return f"{self.member_id} on {self.day}"


class WorkloadProgress(models.Model):
    """How far a workspace's days are rolled up (the last day done, in its dates)."""

    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="+")
    rolled_through = models.DateField()
    updated_at = models.DateTimeField(default=clock.now)

    def __str__(self) -> str:
        return f"{self.workspace_id} through {self.rolled_through}"


class WeeklyCheckIn(models.Model):
    """A member's answer to "How is your workload this week?" (1–5) with an optional note.
    PRIVATE: the note is shown only to its author, the score only to its author (managers
    see a team average of at least three answers). Not in the admin, the audit log or any
    export."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="check_ins")
    week = models.DateField()  # that week's Monday
    score = models.PositiveSmallIntegerField()
    note = models.TextField(blank=True, max_length=1000)
    created_at = models.DateTimeField(default=clock.now)
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-week"]
        constraints = [
            models.UniqueConstraint(fields=["member", "week"], name="check_in_once_a_week"),
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5), name="check_in_score_1_5"
            ),
        ]
        indexes = [models.Index(fields=["workspace", "week"], name="check_in_ws_week")]

    def __str__(self) -> str:
        return f"check-in {self.pk}"
