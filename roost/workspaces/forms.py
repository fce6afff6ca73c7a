"""Forms bind and coerce input; services decide what is valid and save it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from roost.core.forms import ModelIdsField
from roost.workspaces.models import ApiScope, Group, Membership, Workspace, timezone_choices
from roost.workspaces.roles import Role, roles_grantable_with


class RolesField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Roles"))
        kwargs.setdefault("choices", Role.choices)
        kwargs.setdefault("required", False)  # the service names the error
        super().__init__(**kwargs)


def role_choices(actor: Membership) -> list[tuple[str, str]]:
    return [(r.value, str(r.label)) for r in roles_grantable_with(actor.permissions)]


class InviteForm(forms.Form):
    email = forms.CharField(label=_("E-mail address"), max_length=254, required=False)
    roles = RolesField()
    groups = ModelIdsField(
        label=_("Groups"),
        queryset=Group.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, actor: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["roles"].choices = role_choices(actor)  # type: ignore[attr-defined]
        self.fields["groups"].queryset = Group.objects.filter(workspace=actor.workspace)  # type: ignore[attr-defined]


class MemberRolesForm(forms.Form):
    roles = RolesField()

    def __init__(self, *args: Any, actor: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["roles"].choices = role_choices(actor)  # type: ignore[attr-defined]


class GroupForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80, required=False)
    description = forms.CharField(label=_("Description"), max_length=255, required=False)
    members = ModelIdsField(
        label=_("Members"),
        queryset=Membership.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["members"]
        field.queryset = Membership.objects.filter(workspace=workspace).select_related("user")  # type: ignore[attr-defined]
        field.label_from_instance = lambda m: m.user.display_name  # type: ignore[attr-defined]


class WorkspaceForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, required=False)
    timezone = forms.ChoiceField(label=_("Time zone"), choices=timezone_choices, initial="UTC")
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES, initial="en")


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80, required=False)
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"),
        choices=ApiScope.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    days = forms.IntegerField(
        label=_("Expires after (days)"),
        required=False,
        min_value=1,
        max_value=366,
        help_text=_("Empty: never expires."),
    )
