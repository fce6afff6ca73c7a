from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from roost.approvals.models import DeadlineFrom, DecisionKind, StepRule
from roost.approvals.registry import campaigns
from roost.core.forms import ModelIdsField
from roost.core.validation import MAX_ID
from roost.workspaces.models import Group, Membership, Workspace
from roost.workspaces.roles import MATRIX, Perm, Role

STEP_SLOTS = 3


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=DecisionKind.choices, widget=forms.HiddenInput)
    step = forms.IntegerField(
        required=False, widget=forms.HiddenInput, min_value=1, max_value=MAX_ID
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    when = forms.ChoiceField(
        label=_("The planned time has passed"),
        required=False,
        choices=[("", "—"), ("now", _("Publish now")), ("at", _("At a new time"))],
    )
    new_time = forms.CharField(
        label=_("New date and time"),
        required=False,
        widget=forms.TextInput(attrs={"type": "datetime-local"}),
    )

    def when_value(self) -> dict[str, Any] | None:
        mode = self.cleaned_data.get("when")
        if not mode:
            return None
        raw = (self.cleaned_data.get("new_time") or "").strip()
        return {"mode": mode, "at": raw.replace(" ", "T") if raw else None}


def approver_role_codes() -> list[str]:
    """The roles whose permissions include approving (the role matrix decides)."""
    return [role.value for role in Role if Perm.APPROVE in MATRIX[role]]


def _member_label(member: Membership) -> str:
    if member.has_perm(Perm.APPROVE):
        return member.user.display_name
    return _("%(name)s — cannot approve with their roles") % {"name": member.user.display_name}


class WorkflowForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, required=False)
    active = forms.BooleanField(
        label=_("Active"),
        required=False,
        initial=True,
        help_text=_("Off: posts no longer go through it; reviews under way carry on."),
    )
    is_default = forms.BooleanField(
        label=_("Default workflow"),
        required=False,
        help_text=_(
            "Applies to every post that no workflow scoped to its channels or campaign covers. "
            "One workflow is the default; choosing this one replaces the current default."
        ),
    )
    reset_on_time_change = forms.BooleanField(
        label=_("A new time needs a new approval"), required=False
    )

    def __init__(
        self,
        *args: Any,
        workspace: Workspace,
        named: Iterable[int] = (),
        kind: str = "post",
        **kwargs: Any,
    ) -> None:
        """`named`: members this workflow already names, listed (with a warning) even when
        their roles no longer allow approving, so saving does not drop them silently."""
        super().__init__(*args, **kwargs)
        from roost.channels.models import Channel

        self.fields["channels"] = ModelIdsField(
            label=_("Applies to posts on these channels"),
            queryset=Channel.objects.filter(workspace=workspace).order_by("name", "pk"),
            required=False,
            widget=forms.CheckboxSelectMultiple,
        )
        self.fields["campaigns"] = forms.TypedMultipleChoiceField(
            label=_("Applies to posts in these campaigns"),
            choices=list(campaigns(kind, workspace.pk).items()),
            coerce=int,
            required=False,
            widget=forms.CheckboxSelectMultiple,
            help_text=_(
                "With both channels and campaigns, a post must match both. A scoped workflow "
                "wins over the default."
            ),
        )
        # People who may approve under the role matrix (and anyone already named, marked).
        members = (
            Membership.objects.filter(workspace=workspace)
            .filter(Q(roles__role__in=approver_role_codes()) | Q(pk__in=list(named)))
            .select_related("user")
            .prefetch_related("roles")
            .distinct()
            .order_by("user__name", "pk")
        )
        groups = Group.objects.filter(workspace=workspace)
        for i in range(1, STEP_SLOTS + 1):
            self.fields[f"step{i}_name"] = forms.CharField(
                label=_("Step %(n)s name") % {"n": i}, required=False, max_length=100
            )
            self.fields[f"step{i}_rule"] = forms.ChoiceField(
                label=_("Who must approve"), choices=StepRule.choices, required=False
            )
            member_field = ModelIdsField(
                label=_("People"),
                queryset=members,
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )
            member_field.label_from_instance = _member_label  # type: ignore[method-assign,assignment]
            self.fields[f"step{i}_members"] = member_field
            self.fields[f"step{i}_groups"] = ModelIdsField(
                label=_("Groups"),
                queryset=groups,
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )
            self.fields[f"step{i}_emails"] = forms.CharField(
                label=_("Outside approvers (e-mail, comma-separated)"), required=False
            )
            self.fields[f"step{i}_deadline"] = forms.IntegerField(
                label=_("Deadline (hours)"), required=False, min_value=1, max_value=24 * 60
            )
            self.fields[f"step{i}_deadline_from"] = forms.ChoiceField(
                label=_("Counted"), choices=DeadlineFrom.choices, required=False
            )
            escalate = forms.ModelChoiceField(
                label=_("Escalate to (person)"), queryset=members, required=False
            )
            escalate.label_from_instance = _member_label  # type: ignore[method-assign,assignment]
            self.fields[f"step{i}_escalate_member"] = escalate
            self.fields[f"step{i}_escalate_group"] = forms.ModelChoiceField(
                label=_("Escalate to (group)"), queryset=groups, required=False
            )

    @property
    def approver_roles(self) -> str:
        return ", ".join(str(Role(code).label) for code in approver_role_codes())

    def step_slots(self) -> list[list[Any]]:
        names = [
            "name",
            "rule",
            "members",
            "groups",
            "emails",
            "deadline",
            "deadline_from",
            "escalate_member",
            "escalate_group",
        ]
        return [[self[f"step{i}_{n}"] for n in names] for i in range(1, STEP_SLOTS + 1)]

    def steps(self) -> list[dict[str, Any]]:
        data = self.cleaned_data
        out = []
        for i in range(1, STEP_SLOTS + 1):
            out.append(
                {
                    "name": data.get(f"step{i}_name") or "",
                    "rule": data.get(f"step{i}_rule") or "any",
                    "member_ids": [m.pk for m in data.get(f"step{i}_members") or []],
                    "group_ids": [g.pk for g in data.get(f"step{i}_groups") or []],
                    "external_emails": [
                        e.strip()
                        for e in (data.get(f"step{i}_emails") or "").split(",")
                        if e.strip()
                    ],
                    "deadline_hours": data.get(f"step{i}_deadline"),
                    "deadline_from": data.get(f"step{i}_deadline_from") or "submission",
                    "escalate_member_id": getattr(data.get(f"step{i}_escalate_member"), "pk", None),
                    "escalate_group_id": getattr(data.get(f"step{i}_escalate_group"), "pk", None),
                }
            )
        return out


class QueueApproveForm(forms.Form):
    """Approve from the queue: the step the approver saw, so a step decided meanwhile is a
    conflict, not a vote on the next one."""

    step = forms.IntegerField(min_value=1, max_value=MAX_ID)


class SettingsForm(forms.Form):
    require_for_everyone = forms.BooleanField(
        label=_("Everyone needs approval, including people who may publish without it"),
        required=False,
    )
    require_for_inbox_replies = forms.BooleanField(
        label=_("Inbox replies need approval"), required=False
    )
