"""A person's own inbox tools: My tasks, and the saved replies they use."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from roost.core import clock
from roost.core.exceptions import PermissionDenied, RoostError
from roost.http.forms import apply_error
from roost.inbox import selectors
from roost.inbox.forms import (
    SavedReplyEditForm,
    SavedReplyForm,
)
from roost.inbox.services import collab
from roost.inbox.views.common import member_of
from roost.workspaces.decorators import workspace_view
from roost.workspaces.roles import Perm


@workspace_view(Perm.INBOX_READ_ROUTED)
def my_tasks(request: HttpRequest) -> HttpResponse:
    """Tasks given to me or my groups: open ones first, soonest due first."""
    actor = member_of(request)
    tasks = selectors.my_tasks(actor)
    now = clock.now()
    return render(
        request,
        "inbox/tasks.html",
        {
            "area": "inbox",
            "tasks": tasks,
            "open_count": sum(1 for t in tasks if not t.done),
            "now": now,
            "can_reply": actor.has_perm(Perm.INBOX_REPLY),
        },
    )


# --- saved replies -------------------------------------------------------------------


def _saved_page(
    request: HttpRequest, status: int = 200, form: SavedReplyEditForm | None = None
) -> HttpResponse:
    actor = member_of(request)
    can_share = collab.saved_reply_can_share(actor)
    replies = list(selectors.saved_replies_for(actor))
    return render(
        request,
        "inbox/saved_replies.html",
        {
            "area": "inbox",
            "form": form or SavedReplyEditForm(auto_id="saved_%s", can_share=can_share),
            "can_share": can_share,
            "rows": [(r, collab.saved_reply_can_edit(actor, r)) for r in replies],
        },
        status=status,
    )


@workspace_view(Perm.INBOX_REPLY)
def saved_replies(request: HttpRequest) -> HttpResponse:
    """The saved replies I may use; add a personal one, or a shared one if I may."""
    actor = member_of(request)
    if request.method != "POST":
        return _saved_page(request)
    can_share = collab.saved_reply_can_share(actor)
    form = SavedReplyEditForm(request.POST, auto_id="saved_%s", can_share=can_share)
    if form.is_valid():
        try:
            collab.saved_reply_create(
                actor=actor,
                name=form.cleaned_data["name"],
                text=form.cleaned_data["text"],
                shared=bool(form.cleaned_data.get("shared")),
            )
        except RoostError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Saved reply added."))
            return redirect("inbox:saved_replies", slug=actor.workspace.slug)
    return _saved_page(request, status=422, form=form)


@workspace_view(Perm.INBOX_REPLY)
def saved_reply_edit(request: HttpRequest, saved_reply_id: int) -> HttpResponse:
    actor = member_of(request)
    saved = selectors.access_saved_reply(actor, saved_reply_id)
    if not collab.saved_reply_can_edit(actor, saved):
        raise PermissionDenied(
            _("Shared saved replies are changed by people who assign inbox work.")
        )
    form = SavedReplyForm(
        request.POST if request.method == "POST" else None,
        auto_id="saved_%s",
        initial={"name": saved.name, "text": saved.text},
    )
    if request.method == "POST" and form.is_valid():
        try:
            collab.saved_reply_update(
                actor=actor,
                saved=saved,
                name=form.cleaned_data["name"],
                text=form.cleaned_data["text"],
            )
        except RoostError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Saved reply changed."))
            return redirect("inbox:saved_replies", slug=actor.workspace.slug)
    return render(
        request,
        "inbox/saved_reply_edit.html",
        {"area": "inbox", "form": form, "saved": saved},
        status=422 if form.errors else 200,
    )


@workspace_view(Perm.INBOX_REPLY)
@require_POST
def saved_reply_delete(request: HttpRequest, saved_reply_id: int) -> HttpResponse:
    actor = member_of(request)
    saved = selectors.access_saved_reply(actor, saved_reply_id)
    collab.saved_reply_delete(actor=actor, saved=saved)
    messages.success(request, _("Saved reply deleted."))
    return redirect("inbox:saved_replies", slug=actor.workspace.slug)
