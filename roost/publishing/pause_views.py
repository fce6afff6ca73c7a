"""The crisis switch's pages: the switch (state, pause all or one channel), and the resume
review (a decision for each held post, then resume)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from roost.channels.access import access_channel
from roost.channels.models import Channel
from roost.core.exceptions import NotFound, RoostError, ValidationFailed
from roost.core.validation import moment_problem
from roost.http.forms import apply_error
from roost.publishing import selectors
from roost.publishing.services.pause import (
    REASON_MAX,
    Action,
    Decision,
    ReviewItem,
    access_pause,
    publishing_pause,
    publishing_resume,
    resume_review,
)
from roost.publishing.services.times import localize
from roost.workspaces.decorators import workspace_view
from roost.workspaces.roles import Perm


class PauseForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Shown to everyone in the workspace while publishing is paused."),
    )
    channel = forms.TypedChoiceField(
        label=gettext_lazy("What to pause"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args: Any, channels: list[Channel], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["channel"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", _("All channels")), *((c.pk, c.name) for c in channels)]


def _actor(request: HttpRequest) -> Any:
    return request.membership  # type: ignore[attr-defined]


def _switch_page(request: HttpRequest, form: PauseForm | None = None, status: int = 200) -> Any:
    actor = _actor(request)
    channels = list(Channel.objects.filter(workspace_id=actor.workspace_id).order_by("name"))
    if form is None:
        form = PauseForm(channels=channels)
    state = selectors.pause_state(actor.workspace_id)
    return render(
        request,
        "publishing/pause.html",
        {
            "area": "home",
            "form": form,
            "state": state,
            "may_pause": actor.has_perm(Perm.PAUSE_PUBLISHING),
        },
        status=status,
    )


@workspace_view(Perm.VIEW_TEAM)
@require_safe
def pause_switch(request: HttpRequest) -> HttpResponse:
    """Every member may see whether and why publishing is paused."""
    return _switch_page(request)


@workspace_view(Perm.PAUSE_PUBLISHING)
@require_POST
def pause_start(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    channels = list(Channel.objects.filter(workspace_id=actor.workspace_id).order_by("name"))
    form = PauseForm(request.POST, channels=channels)
    if form.is_valid():
        channel_id = form.cleaned_data["channel"]
        try:
            channel = None
            if channel_id is not None:
                channel = access_channel(actor, channel_id, Perm.PAUSE_PUBLISHING)
            publishing_pause(
                actor=actor,
                workspace=actor.workspace,
                channel=channel,
                reason=form.cleaned_data["reason"],
            )
        except RoostError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Publishing is paused."))
            return redirect("publishing:pause", slug=actor.workspace.slug)
    return _switch_page(request, form, 422)


def _read_decisions(
    request: HttpRequest, items: list[ReviewItem], tz_name: str
) -> tuple[list[Decision], list[str]]:
    """The decisions chosen on the form, and what could not be read (in words)."""
    decisions, problems = [], []
    for item in items:
        pk = item.post.pk
        action = request.POST.get(f"decision-{pk}", "")
        if not action:
            continue
        if action not in {a.value for a in Action}:
            problems.append(_("Choose publish now, reschedule, keep or cancel."))
            continue
        at: datetime | None = None
        if action == Action.RESCHEDULE:
            raw = request.POST.get(f"at-{pk}", "").strip()
            try:
                wall = datetime.fromisoformat(raw) if raw else None
            except ValueError:
                wall = None
            problem = moment_problem(wall) if wall is not None else None
            if wall is None or problem:
                problems.append(
                    _("Post #%(id)s: give the new date and time.") % {"id": pk}
                    if not problem
                    else f"#{pk}: {problem}"
                )
                continue
            try:
                at = wall if wall.tzinfo else localize(wall, tz_name)
            except ValidationFailed as exc:  # a time the clocks skip
                problems.extend(m for ms in exc.errors.values() for m in ms)
                continue
        decisions.append(Decision(post_id=pk, action=action, at=at))
    return decisions, problems


def _resume(request: HttpRequest, channel_id: int | None) -> HttpResponse:
    actor = _actor(request)
    slug = actor.workspace.slug
    if channel_id is not None:
        access_channel(actor, channel_id, Perm.PAUSE_PUBLISHING)
    try:
        pause = access_pause(actor, channel_id=channel_id)
    except NotFound:
        messages.info(request, _("Publishing is not paused."))
        return redirect("publishing:pause", slug=slug)
    items = resume_review(pause)
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        decisions, errors = _read_decisions(request, items, actor.workspace.timezone)
        if not errors:
            try:
                publishing_resume(actor=actor, pause=pause, decisions=decisions)
            except ValidationFailed as exc:
                errors = [m for ms in exc.errors.values() for m in ms]
            except RoostError as exc:
                errors = [exc.message]
            else:
                messages.success(request, _("Publishing resumed."))
                return redirect("publishing:pause", slug=slug)
        status = 422
    chosen = {item.post.pk: request.POST.get(f"decision-{item.post.pk}", "") for item in items}
    rows = [
        {
            "item": item,
            "chosen": chosen[item.post.pk],
            "at": request.POST.get(f"at-{item.post.pk}", ""),
        }
        for item in items
    ]
    return render(
        request,
        "publishing/pause_resume.html",
        {"area": "home", "pause": pause, "rows": rows, "errors": errors},
        status=status,
    )


@workspace_view(Perm.PAUSE_PUBLISHING)
def pause_resume(request: HttpRequest) -> HttpResponse:
    return _resume(request, None)


@workspace_view(Perm.PAUSE_PUBLISHING)
def pause_resume_channel(request: HttpRequest, channel_id: int) -> HttpResponse:
    return _resume(request, channel_id)
