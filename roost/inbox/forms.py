"""Forms of the inbox pages: filters, triage actions, replies, settings."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from roost.core import clock, outbound
from roost.core.validation import moment_problem
from roost.inbox.models import InboxTag, MessageStatus, Priority, TaskKind
from roost.inbox.selectors import InboxFilter
from roost.networks.base import InboundKind
from roost.workspaces.models import Group, Membership, Workspace

KIND_CHOICES = [
    (InboundKind.MENTION.value, _("Mention")),
    (InboundKind.REPLY.value, _("Reply")),
    (InboundKind.QUOTE.value, _("Quote")),
    (InboundKind.DIRECT.value, _("Direct message")),
]
WEEKDAYS = [
    _("Monday"),
    _("Tuesday"),
    _("Wednesday"),
    _("Thursday"),
    _("Friday"),
    _("Saturday"),
    _("Sunday"),
]


def _member_choices(members: list[Membership]) -> list[tuple[str, str]]:
    return [(str(m.pk), m.user.display_name) for m in members]


class FilterForm(forms.Form):
    """The inbox filters, read from the query string (kept across actions)."""

    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[(MessageStatus.OPEN, _("Open")), (MessageStatus.COMPLETE, _("Complete"))],
    )
    channel = forms.TypedChoiceField(label=_("Channel"), required=False, coerce=int)
    kind = forms.ChoiceField(label=_("Type"), required=False)
    assignee = forms.ChoiceField(label=_("Assignee"), required=False)
    group = forms.TypedChoiceField(label=_("Group"), required=False, coerce=int)
    tag = forms.ChoiceField(label=_("Tag"), required=False)
    priority = forms.TypedChoiceField(label=_("Priority"), required=False, coerce=int)
    language = forms.CharField(label=_("Language"), required=False, max_length=16)
    q = forms.CharField(label=_("Search"), required=False, max_length=200)

    def __init__(
        self,
        *args: Any,
        channels: list[Any],
        members: list[Membership],
        groups: list[Group],
        tags: list[InboxTag],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        anything = [("", _("Any"))]
        self.fields["channel"].choices = anything + [(str(c.pk), c.name) for c in channels]  # type: ignore[attr-defined]
        self.fields["kind"].choices = anything + KIND_CHOICES  # type: ignore[attr-defined]
        self.fields["assignee"].choices = (  # type: ignore[attr-defined]
            [*anything, ("me", _("Me")), ("none", _("Nobody")), *_member_choices(members)]
        )
        self.fields["group"].choices = anything + [(str(g.pk), g.name) for g in groups]  # type: ignore[attr-defined]
        self.fields["tag"].choices = anything + [(t.name, t.name) for t in tags]  # type: ignore[attr-defined]
        self.fields["priority"].choices = anything + [  # type: ignore[attr-defined]
            (str(v), label) for v, label in Priority.choices
        ]

    def to_filter(self) -> InboxFilter:
        """The valid part of the filters (an unknown value is ignored, not an error page)."""
        data = self.cleaned_data if self.is_valid() else {}
        return InboxFilter(
            status=data.get("status") or MessageStatus.OPEN,
            channel_ids=[data["channel"]] if data.get("channel") else [],
            kinds=[data["kind"]] if data.get("kind") else [],
            assignee=data.get("assignee") or "",
            group_id=data.get("group") or None,
            tag=data.get("tag") or "",
            priority=data["priority"] if data.get("priority") not in (None, "") else None,
            language=(data.get("language") or "").strip(),
            query=(data.get("q") or "").strip(),
        )


def _person(member: Membership) -> str:
    """A member as offered for assignment: "(away until …)" while they are away."""
    today = clock.now().date()
    if member.away_until is not None and member.is_away(today):
        return _("%(name)s (away until %(day)s)") % {
            "name": member.user.display_name,
            "day": member.away_until.isoformat(),
        }
    return member.user.display_name


class AssignForm(forms.Form):
    assignee = forms.ChoiceField(label=_("Assign to"))

    def __init__(
        self, *args: Any, members: list[Membership], groups: list[Group], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [  # type: ignore[attr-defined]
            ("", "—"),
            (_("People"), [(f"m{m.pk}", _person(m)) for m in members]),
            (_("Groups"), [(f"g{g.pk}", g.name) for g in groups]),
        ]

    def target(self) -> tuple[int | None, int | None]:
        """(member id, group id) from the one choice."""
        value: str = self.cleaned_data["assignee"]
        return (int(value[1:]), None) if value.startswith("m") else (None, int(value[1:]))


class StatusForm(forms.Form):
    complete = forms.TypedChoiceField(
        choices=[("1", _("Complete")), ("0", _("Reopen"))],
        coerce=lambda v: v == "1",
        widget=forms.HiddenInput,
    )


class TagsForm(forms.Form):
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=500,
        help_text=_("Separate tags with commas."),
    )

    def names(self) -> list[str]:
        return [t.strip() for t in self.cleaned_data["tags"].split(",") if t.strip()]


class TaskForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=TaskKind.choices,
        help_text=_(
            "A Lead goes to the Sales group and Support to Customer Care: one of its people "
            "takes it (and the message, if nobody has it yet) and is notified."
        ),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    due = forms.DateField(
        label=_("Due date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean_due(self) -> Any:
        due = self.cleaned_data.get("due")
        problem = moment_problem(due) if due else None
        if problem:
            raise forms.ValidationError(problem)
        return due

    def due_at(self, workspace: Workspace) -> datetime | None:
        due = self.cleaned_data.get("due")
        return datetime.combine(due, time(17, 0), workspace.tzinfo) if due else None


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=_("Reply"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    complete = forms.BooleanField(label=_("Complete after sending"), required=False)
    confirm = forms.BooleanField(label=_("Send anyway"), required=False)
    key = forms.CharField(required=False, widget=forms.HiddenInput, max_length=64)


class ReplyRetryForm(forms.Form):
    draft = forms.IntegerField(min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)


class PresenceForm(forms.Form):
    state = forms.ChoiceField(
        choices=[("viewing", "viewing"), ("typing", "typing")], required=False
    )


class InboxSettingsForm(forms.Form):
    first_response_minutes = forms.IntegerField(
        label=_("First response within (minutes)"), min_value=1, max_value=60 * 24 * 14
    )
    completion_hours = forms.IntegerField(
        label=_("Complete within (hours)"), min_value=1, max_value=24 * 60
    )
    per_member_cap = forms.IntegerField(
        label=_("Open items per person at most"), min_value=1, max_value=10_000
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for i, day in enumerate(WEEKDAYS):
            self.fields[f"open_{i}"] = forms.TimeField(
                label=_("%(day)s opens") % {"day": day},
                required=False,
                widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            )
            self.fields[f"close_{i}"] = forms.TimeField(
                label=_("%(day)s closes") % {"day": day},
                required=False,
                widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            )

    def day_rows(self) -> list[tuple[str, Any, Any]]:
        return [(str(day), self[f"open_{i}"], self[f"close_{i}"]) for i, day in enumerate(WEEKDAYS)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for i in range(7):
            opens, closes = data.get(f"open_{i}"), data.get(f"close_{i}")
            if (opens is None) != (closes is None):
                self.add_error(f"close_{i}", _("Give both the opening and the closing time."))
            elif opens is not None and closes is not None and closes <= opens:
                self.add_error(f"close_{i}", _("Closing must come after opening."))
        return data

    def business_hours(self) -> dict[str, list[str]]:
        hours = {}
        for i in range(7):
            opens, closes = self.cleaned_data.get(f"open_{i}"), self.cleaned_data.get(f"close_{i}")
            if opens is not None and closes is not None:
                hours[str(i)] = [opens.strftime("%H:%M"), closes.strftime("%H:%M")]
        return hours


def _csv(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


class RuleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    channels = forms.MultipleChoiceField(
        label=_("On channels"), required=False, widget=forms.CheckboxSelectMultiple
    )
    keywords = forms.CharField(
        label=_("Containing any of (comma-separated)"), required=False, max_length=500
    )
    languages = forms.CharField(
        label=_("In languages (codes, comma-separated)"), required=False, max_length=100
    )
    kinds = forms.MultipleChoiceField(
        label=_("Of types"),
        required=False,
        choices=KIND_CHOICES,
        widget=forms.CheckboxSelectMultiple,
    )
    tag = forms.CharField(label=_("Then tag"), required=False, max_length=50)
    member = forms.TypedChoiceField(label=_("Then assign to"), required=False, coerce=int)
    group = forms.TypedChoiceField(label=_("Or to the group"), required=False, coerce=int)
    priority = forms.TypedChoiceField(
        label=_("Then set priority"), required=False, coerce=int, empty_value=None
    )
    complete = forms.BooleanField(label=_("Then complete it"), required=False)
    task = forms.ChoiceField(label=_("Then create a task"), required=False)

    def __init__(
        self,
        *args: Any,
        channels: list[Any],
        members: list[Membership],
        groups: list[Group],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["channels"].choices = [(str(c.pk), c.name) for c in channels]  # type: ignore[attr-defined]
        self.fields["member"].choices = [("", "—"), *_member_choices(members)]  # type: ignore[attr-defined]
        self.fields["group"].choices = [("", "—")] + [(str(g.pk), g.name) for g in groups]  # type: ignore[attr-defined]
        self.fields["priority"].choices = [("", "—")] + [  # type: ignore[attr-defined]
            (str(v), label) for v, label in Priority.choices
        ]
        self.fields["task"].choices = [("", "—"), *TaskKind.choices]  # type: ignore[attr-defined]

    def when(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "channels": [int(c) for c in d["channels"]],
            "keywords": _csv(d["keywords"]),
            "languages": _csv(d["languages"]),
            "kinds": list(d["kinds"]),
        }

    def then(self) -> dict[str, Any]:
        d = self.cleaned_data
        then: dict[str, Any] = {
            "tag": d["tag"].strip(),
            "member": d["member"] or None,
            "group": d["group"] or None,
            "complete": d["complete"],
            "task": d["task"],
        }
        if d["priority"] is not None:
            then["priority"] = d["priority"]
        return then


class EndpointForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    url = forms.URLField(label=_("Address (URL)"), max_length=500, assume_scheme="https")
    task_kinds = forms.MultipleChoiceField(
        label=_("Send for tasks of kind"),
        required=False,
        choices=TaskKind.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every kind."),
    )

    def clean_url(self) -> str:
        """Not a local or private address (the service also looks the name up)."""
        url: str = self.cleaned_data["url"]
        try:
            return outbound.validate_url(url, resolve=False)
        except outbound.OutboundRefused as exc:
            raise forms.ValidationError(str(exc)) from None


# How long the old secret keeps signing after a rotation (hours); the first is the default.
GRACE_CHOICES = [
    (24, _("24 hours")),
    (1, _("1 hour")),
    (72, _("3 days")),
    (168, _("7 days")),
    (0, _("No time: it stops now")),
]


class RotateSecretForm(forms.Form):
    grace_hours = forms.TypedChoiceField(
        label=_("Keep the old secret signing for"),
        coerce=int,
        required=False,
        empty_value=None,  # not chosen: the service's default (24 hours)
        choices=GRACE_CHOICES,
    )


class SavedReplyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    text = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("{first_name} and {handle} are filled in from the message's author."),
    )


class SavedReplyEditForm(SavedReplyForm):
    """A saved reply from the inbox's own page: personal, or shared for people who may."""

    shared = forms.BooleanField(
        label=_("Share with the team"),
        required=False,
        help_text=_("Shared replies are written by people who assign inbox work."),
    )

    def __init__(self, *args: Any, can_share: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not can_share:
            del self.fields["shared"]


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Internal note"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only your team sees notes; they are never sent to the customer."),
    )


BULK_ACTIONS = [
    ("complete", _("Complete")),
    ("reopen", _("Reopen")),
    ("assign", _("Assign")),
    ("tag", _("Add tags")),
]


class BulkForm(forms.Form):
    """An action on the items ticked in the list."""

    ids = forms.Field(required=False, widget=forms.MultipleHiddenInput)
    action = forms.ChoiceField(choices=BULK_ACTIONS)
    assignee = forms.ChoiceField(label=_("Assign to"), required=False)
    tags = forms.CharField(label=_("Tags"), required=False, max_length=500)

    def __init__(
        self, *args: Any, members: list[Membership], groups: list[Group], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        same = AssignForm(members=members, groups=groups).fields["assignee"]
        self.fields["assignee"].choices = same.choices  # type: ignore[attr-defined]

    def clean_ids(self) -> list[int]:
        """Any positive ids (which ones the actor may change is the service's business)."""
        raw = self.cleaned_data.get("ids") or []
        ids = []
        for value in raw:
            if not str(value).isdigit() or not 0 < int(value) < 2**63:
                raise forms.ValidationError(_("The selection is not readable; reload the page."))
            ids.append(int(value))
        if not ids:
            raise forms.ValidationError(_("Select at least one item."))
        return ids

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("action") == "assign" and not data.get("assignee"):
            self.add_error("assignee", _("Choose a person or a group."))
        if data.get("action") == "tag" and not _csv(data.get("tags") or ""):
            self.add_error("tags", _("Name at least one tag."))
        return data

    def target(self) -> tuple[int | None, int | None]:
        value: str = self.cleaned_data["assignee"]
        return (int(value[1:]), None) if value.startswith("m") else (None, int(value[1:]))

    def tag_names(self) -> list[str]:
        return _csv(self.cleaned_data.get("tags") or "")
