"""Workspaces (a brand or a client), memberships with roles, groups, invites, audit, tokens."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime

from django.conf import settings
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from roost.core import clock
from roost.workspaces.roles import Perm, Role, permissions_for


def timezone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


class Workspace(models.Model):
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("address"), max_length=60, unique=True)
    timezone = models.CharField(_("time zone"), max_length=64, default="UTC")
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default="en"
    )
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("workspace")
        verbose_name_plural = _("workspaces")

    def __str__(self) -> str:
        return self.name

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)


class Membership(models.Model):
    """A user's seat in a workspace. Roles live in MembershipRole (one or more)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    all_channels = models.BooleanField(
        _("access to every channel"),
        default=True,
        help_text=_("Off: only the channels granted one by one."),
    )
    created_at = models.DateTimeField(default=clock.now, editable=False)
    # Away (vacation, leave): from `away_from` to `away_until` inclusive, in the workspace's
    # dates. Round-robin passes over an away member; roost.team sets these and hands their
    # open items back (roost/team/services/workload.py).
    away_from = models.DateField(_("away from"), null=True, blank=True)
    away_until = models.DateField(_("away until"), null=True, blank=True)
    # The most open inbox items round-robin gives this person (empty: the workspace's cap).
    assignment_cap = models.PositiveSmallIntegerField(_("assignment cap"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "user"], name="one_membership_per_user")
        ]
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.user} @ {self.workspace}"

    @cached_property
    def role_codes(self) -> list[str]:
        return sorted(r.role for r in self.roles.all())

    @property
    def role_labels(self) -> list[str]:
        return [str(Role(code).label) for code in self.role_codes]

    @cached_property
    def permissions(self) -> frozenset[Perm]:
        return permissions_for(self.role_codes)

    def has_perm(self, perm: Perm) -> bool:
        return perm in self.permissions

    @property
    def is_owner(self) -> bool:
        return Role.OWNER.value in self.role_codes

    def is_away(self, day: date) -> bool:
        """Away on `day` (a date in the workspace's time zone)."""
        if self.away_from is None and self.away_until is None:
            return False
        starts = self.away_from is None or self.away_from <= day
        return starts and (self.away_until is None or day <= self.away_until)


class MembershipRole(models.Model):
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(max_length=32, choices=Role.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["membership", "role"], name="role_once_per_membership")
        ]

    def __str__(self) -> str:
        return self.role


class Group(models.Model):
    """A named set of members (Customer Care, Sales, Legal review…): approvals and inbox
    work are routed to groups."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(_("name"), max_length=80)
    description = models.CharField(_("description"), max_length=255, blank=True)
    members = models.ManyToManyField(Membership, related_name="groups", blank=True)
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="group_name_per_workspace")
        ]

    def __str__(self) -> str:
        return self.name


class Invite(models.Model):
    """An e-mailed invitation. The link's token is stored only as a hash."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="invites")
    email = models.EmailField(_("e-mail address"))
    roles = models.JSONField(_("roles"), default=list)
    groups = models.ManyToManyField(Group, blank=True, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now, editable=False)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # One open invite per address per workspace.
            models.UniqueConstraint(
                fields=["workspace", "email"],
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="one_open_invite_per_email",
            )
        ]

    def __str__(self) -> str:
        return self.email

    def is_open(self, at: datetime | None = None) -> bool:
        at = at or clock.now()
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > at

    @property
    def status(self) -> str:
        if self.accepted_at:
            return str(_("accepted"))
        if self.revoked_at:
            return str(_("revoked"))
        if self.expires_at <= clock.now():
            return str(_("expired"))
        return str(_("pending"))

    @property
    def role_labels(self) -> list[str]:
        return [str(Role(code).label) for code in self.roles if code in Role.values]


class AuditEntry(models.Model):
    """Who did what to whom, and when. Written by services, never edited."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="audit")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=64)
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=clock.now, editable=False, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["workspace", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.action} by {self.actor_id} at {self.created_at:%Y-%m-%d %H:%M}"


class ApiScope(models.TextChoices):
    READ = "read", _("Read everything the member may see")
    TEAM_WRITE = (
        "team:write",
        _(
            "Change members, roles, groups and invites; the team's shape, onboarding plans, "
            "away status and caps; your own weekly check-in"
        ),
    )
    HIRING_WRITE = (
        "hiring:write",
        _("Openings, candidates, assessments and interview scorecards"),
    )
    SETTINGS_WRITE = "settings:write", _("Change workspace settings")
    POSTS_WRITE = "posts:write", _("Create, edit, schedule and cancel posts; upload media")
    APPROVALS_WRITE = "approvals:write", _("Approve, reject or send back posts under review")
    INBOX_WRITE = "inbox:write", _("Assign, tag, complete and answer inbox items; create tasks")
    ANALYTICS_WRITE = (
        "analytics:write",
        _("Import conversions, create short links, run and schedule analytics reports"),
    )
    BRIEF_WRITE = (
        "brief:write",
        _("Add and tick the daily brief's action items; change its settings"),
    )
    LISTENING_WRITE = "listening:write", _("Create, change and delete listening topics")
    PAID_WRITE = (
        "paid:write",
        _("Manage ad accounts, imports, paid campaigns and A/B tests; push daily spend"),
    )
    SPEND = "paid:spend", _("Boost posts (spend money; above the threshold through approval)")


class ApiToken(models.Model):
    """A personal token: acts as its member in one workspace, limited to its scopes."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="tokens")
    name = models.CharField(_("name"), max_length=80)
    prefix = models.CharField(max_length=16)
    token_hash = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(_("scopes"), default=list)
    created_at = models.DateTimeField(default=clock.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_active(self, at: datetime | None = None) -> bool:
        at = at or clock.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > at)
