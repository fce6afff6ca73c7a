"""The team itself: its stated company size and each member's team profile (who they
report to, their working hours, responsibilities beyond their roles). Onboarding plans,
workload roll-ups and check-ins, and the hiring kit add their models beside these.

Away status and per-person assignment caps live on workspaces.Membership, because the
inbox's round-robin (below this app) reads them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from roost.core import clock
from roost.workspaces.models import Membership, Workspace


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
