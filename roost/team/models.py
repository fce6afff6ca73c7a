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
