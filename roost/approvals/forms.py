from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from roost.approvals.models import DeadlineFrom, DecisionKind, StepRule
from roost.core.forms import ModelIdsField
from roost.core.validation import MAX_ID
from roost.workspaces.models import Group, Membership, Workspace

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


class WorkflowForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, required=False)
    reset_on_time_change = forms.BooleanField(
        label=_("A new time needs a new approval"), required=False
    )

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        members = Membership.objects.filter(workspace=workspace).select_related("user")
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
            member_field.label_from_instance = lambda m: m.user.display_name  # type: ignore[method-assign,assignment]
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
            escalate.label_from_instance = lambda m: m.user.display_name  # type: ignore[method-assign,assignment]
            self.fields[f"step{i}_escalate_member"] = escalate
            self.fields[f"step{i}_escalate_group"] = forms.ModelChoiceField(
                label=_("Escalate to (group)"), queryset=groups, required=False
            )

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


class SettingsForm(forms.Form):
    require_for_everyone = forms.BooleanField(
        label=_("Everyone needs approval, including people who may publish without it"),
        required=False,
    )
    require_for_inbox_replies = forms.BooleanField(
        label=_("Inbox replies need approval"), required=False
    )
