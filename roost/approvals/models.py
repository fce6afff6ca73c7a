"""A generic approval engine: workflows of ordered steps approve "an approvable thing"
(a post now, an inbox reply later). Nothing here knows what a post is; the owning app
registers an adapter (see registry.py)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from roost.core import clock
from roost.workspaces.models import Group, Membership, Workspace


class ApprovalSettings(models.Model):
    workspace = models.OneToOneField(
        Workspace, on_delete=models.CASCADE, related_name="approval_settings"
    )
    require_for_everyone = models.BooleanField(
        _("everyone needs approval"),
        default=False,
        help_text=_("On: even people who may publish without approval go through review."),
    )
    require_for_inbox_replies = models.BooleanField(_("inbox replies need approval"), default=False)

    def __str__(self) -> str:
        return f"approval settings of {self.workspace_id}"


class Workflow(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="workflows")
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(max_length=32, default="post")  # what it approves
    active = models.BooleanField(_("active"), default=True)
    # Scope: the posts on these channels and/or in these campaigns (both lists empty: not
    # scoped). Which workflow a post goes through is decided in routing.py, nowhere else.
    channel_ids = models.JSONField(default=list, blank=True)
    campaign_ids = models.JSONField(default=list, blank=True)
    # The workspace's default for its kind: applies to whatever no scoped workflow covers.
    is_default = models.BooleanField(_("default"), default=False)
    reset_on_time_change = models.BooleanField(_("a new time needs new approval"), default=False)
    # Why Roost turned it off (a channel it was narrowed to was disconnected…).
    disabled_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            # One default per workspace and kind (posts and inbox replies have their own).
            models.UniqueConstraint(
                fields=["workspace", "kind"],
                condition=models.Q(is_default=True),
                name="one_default_workflow_per_kind",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def scoped(self) -> bool:
        return bool(self.channel_ids or self.campaign_ids)


class StepRule(models.TextChoices):
    ANY = "any", _("Any one of them")
    ALL = "all", _("All of them")


class DeadlineFrom(models.TextChoices):
    SUBMISSION = "submission", _("after submission")
    PLANNED = "planned", _("before the planned time")


class WorkflowStep(models.Model):
    workflow = models.ForeignKey(Workflow, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(_("name"), max_length=100)
    rule = models.CharField(max_length=8, choices=StepRule.choices, default=StepRule.ANY)
    members = models.ManyToManyField(Membership, blank=True, related_name="+")
    groups = models.ManyToManyField(Group, blank=True, related_name="+")
    external_emails = models.JSONField(default=list, blank=True)
    deadline_hours = models.PositiveIntegerField(null=True, blank=True)
    deadline_from = models.CharField(
        max_length=12, choices=DeadlineFrom.choices, default=DeadlineFrom.SUBMISSION
    )
    escalate_to_member = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    escalate_to_group = models.ForeignKey(
        Group, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["workflow", "position"], name="step_position_once")
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.name}"


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    CANCELLED = "cancelled", _("Cancelled")


class ApprovalRequest(models.Model):
    """One round of review of one thing. A reset starts a new round (a new request)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=32)  # registry key, e.g. "post"
    object_id = models.PositiveBigIntegerField()
    workflow = models.ForeignKey(Workflow, null=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(
        max_length=20, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    current_position = models.PositiveSmallIntegerField(default=1)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(default=clock.now)
    # What the submitter planned: {"mode": "at", "at": iso} — kept until approval.
    plan = models.JSONField(default=dict, blank=True)
    snapshot = models.JSONField(default=dict, blank=True)  # the content under review
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["kind", "object_id", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_id"],
                condition=models.Q(status="pending"),
                name="one_pending_request_per_object",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}: {self.status}"


class StepStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    SKIPPED = "skipped", _("Skipped")
    CANCELLED = "cancelled", _("Cancelled")


class StepState(models.Model):
    """Where one step of one request stands. Approvers are resolved when deciding (a person
    taken out of a group mid-review can no longer decide)."""

    request = models.ForeignKey(ApprovalRequest, on_delete=models.CASCADE, related_name="steps")
    step = models.ForeignKey(WorkflowStep, null=True, on_delete=models.SET_NULL, related_name="+")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=100)
    rule = models.CharField(max_length=8, choices=StepRule.choices, default=StepRule.ANY)
    status = models.CharField(max_length=20, choices=StepStatus.choices, default=StepStatus.WAITING)
    started_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["request", "position"], name="state_position_once")
        ]

    def __str__(self) -> str:
        return f"{self.request_id}/{self.position}: {self.status}"


class DecisionKind(models.TextChoices):
    APPROVE = "approve", _("Approved")
    REJECT = "reject", _("Rejected")
    REQUEST_CHANGES = "request_changes", _("Requested changes")


class Decision(models.Model):
    state = models.ForeignKey(StepState, on_delete=models.CASCADE, related_name="decisions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    external_email = models.EmailField(blank=True)  # an outside approver via a signed link
    kind = models.CharField(max_length=20, choices=DecisionKind.choices)
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["state", "user"],
                condition=models.Q(user__isnull=False),
                name="one_decision_per_user_per_step",
            ),
            models.UniqueConstraint(
                fields=["state", "external_email"],
                condition=~models.Q(external_email=""),
                name="one_decision_per_email_per_step",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} on {self.state_id}"


class EventKind(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted for approval")
    SKIPPED = "skipped", _("No approval needed")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    CHANGES_REQUESTED = "changes_requested", _("Requested changes")
    STEP_DONE = "step_done", _("Step completed")
    COMPLETED = "completed", _("Approval completed")
    COMMENT = "comment", _("Comment")
    RESET = "reset", _("Sent back to the first step")
    ESCALATED = "escalated", _("Escalated")
    CANCELLED = "cancelled", _("Review cancelled")


class ApprovalEvent(models.Model):
    """The audit of approvals: every submission, decision, comment, skip, reset and
    escalation, with who and when. Kept per object across rounds."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=32)  # registry key of the object
    object_id = models.PositiveBigIntegerField()
    request = models.ForeignKey(
        ApprovalRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    event = models.CharField(max_length=24, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=255, blank=True)  # e.g. an outside e-mail
    step_name = models.CharField(max_length=100, blank=True)
    comment = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=clock.now, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["kind", "object_id", "created_at"])]

    def __str__(self) -> str:
        return f"{self.event} {self.kind}:{self.object_id}"

    @property
    def headline(self) -> str:
        """What happened, in words: a skip says whether it was scheduled or published."""
        if self.event == EventKind.SKIPPED:
            mode = (self.data or {}).get("mode")
            if mode == "now":
                return str(_("Published (no approval needed)"))
            if mode:
                return str(_("Scheduled (no approval needed)"))
        return str(self.get_event_display())


class ExternalLink(models.Model):
    """A signed, expiring, single-use link that lets an outside approver decide on one step
    of one request."""

    state = models.ForeignKey(StepState, on_delete=models.CASCADE, related_name="links")
    email = models.EmailField()
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=clock.now)

    def __str__(self) -> str:
        return f"link for {self.email} on {self.state_id}"
