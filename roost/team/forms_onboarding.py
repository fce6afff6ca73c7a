"""Forms of the onboarding pages: they bind input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from roost.team.models import OnboardingTemplate, StepKind
from roost.team.services.onboarding import DETAILS_LENGTH, NAME_LENGTH, NOTE_LENGTH, TITLE_LENGTH
from roost.workspaces.models import Membership
from roost.workspaces.roles import Role

BIG = 100_000  # anything beyond this is refused by the form, before the service's message


class _MemberChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.user.display_name)


def _members(actor: Membership) -> Any:
    return Membership.objects.filter(workspace_id=actor.workspace_id).select_related("user")


def _templates(actor: Membership) -> Any:
    return OnboardingTemplate.objects.filter(workspace_id=actor.workspace_id)


class StartPlanForm(forms.Form):
    member = _MemberChoice(label=_("New member"), queryset=Membership.objects.none())
    template = forms.ModelChoiceField(
        label=_("Template"), queryset=OnboardingTemplate.objects.none()
    )
    mentor = _MemberChoice(label=_("Mentor"), queryset=Membership.objects.none(), required=False)
    starts_on = forms.DateField(label=_("Start date"), required=False)

    def __init__(self, *args: Any, actor: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = _members(actor)  # type: ignore[attr-defined]
        self.fields["mentor"].queryset = _members(actor)  # type: ignore[attr-defined]
        self.fields["template"].queryset = _templates(actor)  # type: ignore[attr-defined]


ROLE_CHOICES = [(r.value, r.label) for r in Role if r != Role.OWNER]


class InviteWithPlanForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    role = forms.ChoiceField(label=_("Role"), choices=ROLE_CHOICES)
    template = forms.ModelChoiceField(
        label=_("Template"),
        queryset=OnboardingTemplate.objects.none(),
        required=False,
        empty_label=_("The role's template"),
    )
    mentor = _MemberChoice(label=_("Mentor"), queryset=Membership.objects.none(), required=False)

    def __init__(self, *args: Any, actor: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["mentor"].queryset = _members(actor)  # type: ignore[attr-defined]
        self.fields["template"].queryset = _templates(actor)  # type: ignore[attr-defined]


class TemplateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=NAME_LENGTH)
    days = forms.IntegerField(label=_("Length in days (30–120)"), min_value=-BIG, max_value=BIG)


class StepForm(forms.Form):
    step = forms.IntegerField(
        required=False, widget=forms.HiddenInput, min_value=1, max_value=2**31
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=StepKind.choices)
    title = forms.CharField(label=_("Title"), max_length=TITLE_LENGTH)
    details = forms.CharField(
        label=_("Details"), max_length=DETAILS_LENGTH, required=False, widget=forms.Textarea
    )
    due_day = forms.IntegerField(label=_("Due on day"), min_value=-BIG, max_value=BIG)
    auto_check = forms.CharField(
        label=_("Ticked automatically when"), max_length=40, required=False
    )
    target = forms.IntegerField(label=_("How many"), min_value=-BIG, max_value=BIG, initial=1)


class TickForm(forms.Form):
    step = forms.IntegerField(min_value=1, max_value=2**31)
    done = forms.BooleanField(required=False)
    note = forms.CharField(label=_("Check-in notes"), max_length=NOTE_LENGTH, required=False)
