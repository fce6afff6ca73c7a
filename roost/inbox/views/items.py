"""The Smart Inbox: the shared list with filters and its live count, one message's pane
(thread with internal notes, history, SLA, assign, tags, tasks, reply), actions on a
selection, presence."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlsplit

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from roost.channels.selectors import channels_visible_to
from roost.core import clock
from roost.core.exceptions import NotFound, PermissionDenied, RoostError
from roost.http.forms import apply_error
from roost.inbox import selectors
from roost.inbox.forms import (
    AssignForm,
    BulkForm,
    FilterForm,
    NoteForm,
    PresenceForm,
    ReplyForm,
    ReplyRetryForm,
    StatusForm,
    TagsForm,
    TaskForm,
)
from roost.inbox.models import Message, ReplyDraft
from roost.inbox.services import collab, selection, sla, triage
from roost.inbox.services.replies import reply_draft_retry, reply_send
from roost.inbox.views.common import CHANGED, groups_of, is_htmx, member_of, members_of, sla_label
from roost.workspaces.decorators import workspace_view
from roost.workspaces.models import Group, Membership
from roost.workspaces.roles import Perm


def _list_context(request: HttpRequest, members: list[Membership], groups: list[Group]) -> dict:
    actor = member_of(request)
    form = FilterForm(
        request.GET,
        auto_id="filter_%s",
        channels=list(channels_visible_to(actor).order_by("name")),
        members=members,
        groups=groups,
        tags=list(selectors.tags_in(actor.workspace_id)),
    )
    items = list(selectors.messages_list(actor, form.to_filter()))
    settings = triage.inbox_settings(actor.workspace_id)
    now = clock.now()
    rows = []
    for m in items:
        state = sla.first_response(m, settings, actor.workspace.timezone, now).state
        rows.append({"m": m, "sla": state, "sla_label": sla_label(state)})
    return {
        "filter_form": form,
        "rows": rows,
        "qs": _list_query(request),
        "newest": max((m.pk for m in items), default=0),
    }


def _list_query(request: HttpRequest) -> str:
    """The list's filters as a query string (what links and reloads keep)."""
    query = request.GET.copy()
    query.pop("after", None)
    return query.urlencode()


def _timeline(actor: Membership, message: Message) -> list[tuple[str, Any]]:
    """The conversation and the team's internal notes on it, oldest first."""
    items: list[tuple[Any, int, str, Any]] = [
        (t.sent_at, 0, "message", t)
        for t in selectors.thread(actor, message).select_related("sent_by__user")
    ]
    items += [(n.created_at, 1, "note", n) for n in selectors.notes(actor, message)]
    items.sort(key=lambda item: (item[0], item[1], item[3].pk))
    return [(kind, obj) for _at, _order, kind, obj in items]


def _pane_context(
    request: HttpRequest,
    message: Message,
    members: list[Membership],
    groups: list[Group],
    **forms: Any,
) -> dict[str, Any]:
    actor = member_of(request)
    ws = actor.workspace
    state = sla.first_response(message, triage.inbox_settings(ws.pk), ws.timezone)
    initial = f"m{message.assignee_id}" if message.assignee_id else ""
    if not initial and message.group_id:
        initial = f"g{message.group_id}"
    return {
        "message": message,
        "timeline": _timeline(actor, message),
        "thread_hidden": selectors.thread_hidden(actor, message),
        "history": list(selectors.author_history(actor, message)),
        "tasks": list(message.tasks.all()),
        "sla": state,
        "sla_label": sla_label(state.state),
        "sla_minutes": int(state.seconds // 60),
        "target_minutes": int(state.target // 60),
        "others": collab.presence_others(actor, message),
        "saved_replies": [
            (s.name, collab.saved_reply_render(s.text, message))
            for s in selectors.saved_replies_for(actor)
        ],
        "note_form": forms.get("note_form") or NoteForm(auto_id="note_%s"),
        "can_assign": actor.has_perm(Perm.INBOX_ASSIGN),
        "can_reply": actor.has_perm(Perm.INBOX_REPLY),
        "assign_form": forms.get("assign_form")
        or AssignForm(
            auto_id="assign_%s", members=members, groups=groups, initial={"assignee": initial}
        ),
        "tags_form": forms.get("tags_form")
        or TagsForm(
            auto_id="tags_%s", initial={"tags": ", ".join(t.name for t in message.tags.all())}
        ),
        "task_form": forms.get("task_form") or TaskForm(auto_id="task_%s"),
        "failed_replies": list(message.drafts.filter(status="failed").order_by("created_at")),
        "reply_form": forms.get("reply_form")
        or ReplyForm(auto_id="reply_%s", initial={"key": uuid.uuid4().hex}),
        "qs": request.GET.urlencode(),
    }


def _page(
    request: HttpRequest,
    message: Message | None,
    status: int = 200,
    notice: str = "",
    **forms: Any,
) -> HttpResponse:
    actor = member_of(request)
    members, groups = members_of(actor), groups_of(actor)
    context: dict[str, Any] = {
        "area": "inbox",
        "list_notice": notice,
        **_list_context(request, members, groups),
        "bulk_form": forms.get("bulk_form")
        or BulkForm(auto_id="bulk_%s", members=members, groups=groups),
    }
    if is_htmx(request) and request.headers.get("HX-Target") == "inbox-list":
        return render(request, "inbox/inbox.html#list", context, status=status)
    if message is not None:
        context.update(_pane_context(request, message, members, groups, **forms))
    return render(request, "inbox/inbox.html", context, status=status)


def _pane(
    request: HttpRequest, message: Message, status: int = 200, changed: bool = False, **forms: Any
) -> HttpResponse:
    actor = member_of(request)
    context = _pane_context(request, message, members_of(actor), groups_of(actor), **forms)
    response = render(request, "inbox/inbox.html#pane", context, status=status)
    if changed:
        response["HX-Trigger"] = CHANGED
    return response


@workspace_view(Perm.INBOX_READ_ROUTED)
def inbox_list(request: HttpRequest) -> HttpResponse:
    return _page(request, None)


@workspace_view(Perm.INBOX_READ_ROUTED)
def detail(request: HttpRequest, message_id: int) -> HttpResponse:
    message = selectors.access_message(member_of(request), message_id)
    if is_htmx(request):
        return _pane(request, message)
    return _page(request, message)


def _done(request: HttpRequest, message_id: int, ok_message: str | None = None) -> HttpResponse:
    """After a successful action: the fresh pane (htmx) or back to the message (PRG)."""
    actor = member_of(request)
    message = selectors.access_message(actor, message_id)
    if is_htmx(request):
        return _pane(request, message, changed=True)
    if ok_message:
        messages.success(request, ok_message)
    url = reverse("inbox:detail", args=[actor.workspace.slug, message_id])
    query = request.GET.urlencode()
    return redirect(f"{url}?{query}" if query else url)


def _failed(request: HttpRequest, message: Message, **forms: Any) -> HttpResponse:
    if is_htmx(request):
        return _pane(request, message, status=422, **forms)
    return _page(request, message, status=422, **forms)


@workspace_view(Perm.INBOX_ASSIGN)
@require_POST
def assign(request: HttpRequest, message_id: int) -> HttpResponse:
    actor = member_of(request)
    message = selectors.access_message(actor, message_id)
    form = AssignForm(
        request.POST, auto_id="assign_%s", members=members_of(actor), groups=groups_of(actor)
    )
    if form.is_valid():
        member_id, group_id = form.target()
        try:
            triage.message_assign(
                actor=actor, message=message, member_id=member_id, group_id=group_id
            )
        except RoostError as exc:
            apply_error(form, exc)
        else:
            return _done(request, message_id, _("Assigned."))
    return _failed(request, message, assign_form=form)


@workspace_view(Perm.INBOX_REPLY)
@require_POST
def status(request: HttpRequest, message_id: int) -> HttpResponse:
    actor = member_of(request)
    message = selectors.access_message(actor, message_id)
    form = StatusForm(request.POST)
    if not form.is_valid():
        return _failed(request, message)
    complete = form.cleaned_data["complete"]
    triage.message_set_status(actor=actor, message=message, complete=complete)
    return _done(request, message_id, _("Completed.") if complete else _("Reopened."))


@workspace_view(Perm.INBOX_REPLY)
@require_POST
def tags(request: HttpRequest, message_id: int) -> HttpResponse:
    actor = member_of(request)
    message = selectors.access_message(actor, message_id)
    form = TagsForm(request.POST, auto_id="tags_%s")
    if not form.is_valid():
        return _failed(request, message, tags_form=form)
    triage.message_tag(actor=actor, message=message, names=form.names())
    return _done(request, message_id, _("Tags saved."))


@workspace_view(Perm.INBOX_REPLY)
@require_POST
def task_new(request: HttpRequest, message_id: int) -> HttpResponse:
    actor = member_of(request)
    message = selectors.access_message(actor, message_id)
    form = TaskForm(request.POST, auto_id="task_%s")
    if form.is_valid():
        try:
            triage.task_create(
                actor=actor,
                message=message,
                kind=form.cleaned_data["kind"],
                notes=form.cleaned_data["notes"],
                due_at=form.due_at(actor.workspace),
            )
        except RoostError as exc:
            apply_error(form, exc)
        else:
            return _done(request, message_id, _("Task created."))
    return _failed(request, message, task_form=form)


@workspace_view(Perm.INBOX_REPLY)
@require_POST
def task_done(request: HttpRequest, message_id: int, task_id: int) -> HttpResponse:
    """Mark a task done (or open again with done=0)."""
    actor = member_of(request)
    message = selectors.access_message(actor, message_id)
    task = message.tasks.filter(pk=task_id).first()
    if task is None:
        raise NotFound()
    done = request.POST.get("done", "1") != "0"
    triage.task_set_done(actor=actor, task=task, done=done)
    if request.POST.get("back") == "tasks" and not is_htmx(request):
        # From "My tasks": back to the list, not into the conversation.
        messages.success(request, _("Task done.") if done else _("Task reopened."))
        return redirect("inbox:my_tasks", slug=actor.workspace.slug)
    return _done(request, message_id, _("Task done.") if done else _("Task reopened."))


@workspace_view(Perm.INBOX_REPLY)
@require_POST
def reply(request: HttpRequest, message_id: int) -> HttpResponse:
    actor = member_of(request)
    message = selectors.access_message(actor, message_id)
    form = ReplyForm(request.POST, auto_id="reply_%s")
    if form.is_valid():
        try:
            sent = reply_send(
                actor=actor,
                message=message,
                text=form.cleaned_data["text"],
                complete=form.cleaned_data["complete"],
                key=form.cleaned_data["key"],
                confirm=form.cleaned_data["confirm"],
            )
        except RoostError as exc:
            # The network's reason, in words; the text stays in the box as a draft.
            apply_error(form, exc)
        else:
            if isinstance(sent, ReplyDraft):
                return _done(request, message_id, _("Your reply was sent for approval."))
            return _done(request, message_id, _("Reply sent."))
    return _failed(request, message, reply_form=form)


@workspace_view(Perm.INBOX_REPLY)
@require_POST
def reply_retry(request: HttpRequest, message_id: int) -> HttpResponse:
    """Send a failed approved reply again (same text, same idempotency key)."""
    actor = member_of(request)
    message = selectors.access_message(actor, message_id)
    form = ReplyRetryForm(request.POST)
    if not form.is_valid():
        return _failed(request, message)
    draft = message.drafts.filter(pk=form.cleaned_data["draft"]).first()
    if draft is None:
        raise NotFound()
    try:
        reply_draft_retry(actor=actor, draft=draft)
    except RoostError as exc:
        messages.error(request, exc.message)
        return _failed(request, message)
    return _done(request, message_id, _("The reply is being sent again."))


@workspace_view(Perm.INBOX_READ_ROUTED)
@require_POST
def presence(request: HttpRequest, message_id: int) -> HttpResponse:
    """The page's 5-second heartbeat: record mine, show who else is here."""
    actor = member_of(request)
    message = selectors.access_message(actor, message_id)
    form = PresenceForm(request.POST)
    state = form.cleaned_data["state"] if form.is_valid() else ""
    collab.presence_touch(actor=actor, message=message, state=state or "viewing")
    return render(
        request,
        "inbox/inbox.html#presence",
        {"others": collab.presence_others(actor, message)},
    )


@workspace_view(Perm.INBOX_READ_ROUTED)
def new_items(request: HttpRequest) -> HttpResponse:
    """The list's light poll: how many items its filters would show above the newest one
    it shows (`after`); the page offers them in a bar and moves nothing by itself."""
    actor = member_of(request)
    after = request.GET.get("after", "") or "0"
    if not after.isdigit() or int(after) >= 2**63:
        return HttpResponse(
            _("“after” must be the id of the newest item the list shows."),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    members, groups = members_of(actor), groups_of(actor)
    form = FilterForm(
        request.GET,
        channels=list(channels_visible_to(actor).order_by("name")),
        members=members,
        groups=groups,
        tags=list(selectors.tags_in(actor.workspace_id)),
    )
    count = selectors.messages_new_count(actor, form.to_filter(), int(after))
    return render(
        request, "inbox/inbox.html#new-bar", {"new_count": count, "qs": _list_query(request)}
    )


@workspace_view(Perm.INBOX_REPLY)
@require_POST
def bulk(request: HttpRequest) -> HttpResponse:
    """An action on the ticked items: all of them, or none with the reason."""
    actor = member_of(request)
    if is_htmx(request):
        # The list's filters may have changed since the bar was drawn: the list comes
        # back as the person sees it now (the address htmx keeps up to date).
        current = urlsplit(request.headers.get("HX-Current-URL", ""))
        if current.path.startswith(reverse("inbox:list", args=[actor.workspace.slug])):
            request.GET = QueryDict(current.query)
    members, groups = members_of(actor), groups_of(actor)
    form = BulkForm(request.POST, auto_id="bulk_%s", members=members, groups=groups)
    status = 422
    if form.is_valid():
        ids, action = form.cleaned_data["ids"], form.cleaned_data["action"]
        try:
            if action == "assign":
                member_id, group_id = form.target()
                n = selection.messages_assign_many(
                    actor=actor, ids=ids, member_id=member_id, group_id=group_id
                )
                done = ngettext("%(n)s item assigned.", "%(n)s items assigned.", n)
            elif action == "tag":
                n = selection.messages_tag_many(actor=actor, ids=ids, names=form.tag_names())
                done = ngettext("%(n)s item tagged.", "%(n)s items tagged.", n)
            else:
                complete = action == "complete"
                n = selection.messages_set_status_many(actor=actor, ids=ids, complete=complete)
                done = (
                    ngettext("%(n)s item completed.", "%(n)s items completed.", n)
                    if complete
                    else ngettext("%(n)s item reopened.", "%(n)s items reopened.", n)
                )
        except NotFound as exc:
            form.add_error(None, exc.message)
            status = 404
        except PermissionDenied as exc:
            form.add_error(None, exc.message)
            status = 403
        except RoostError as exc:
            apply_error(form, exc)
        else:
            if is_htmx(request):
                response = _page(request, None, notice=done % {"n": n})
                response["HX-Trigger"] = "inbox-bulk-done"
                return response
            messages.success(request, done % {"n": n})
            url = reverse("inbox:list", args=[actor.workspace.slug])
            query = request.GET.urlencode()
            return redirect(f"{url}?{query}" if query else url)
    # htmx swaps 422 answers only: the list comes back with the reason above it.
    return _page(request, None, status=422 if is_htmx(request) else status, bulk_form=form)


@workspace_view(Perm.INBOX_READ_ROUTED)
@require_POST
def note_add(request: HttpRequest, message_id: int) -> HttpResponse:
    """An internal note on the conversation: the team sees it, the customer never does."""
    actor = member_of(request)
    message = selectors.access_message(actor, message_id)
    form = NoteForm(request.POST, auto_id="note_%s")
    if form.is_valid():
        try:
            collab.note_add(actor=actor, message=message, text=form.cleaned_data["text"])
        except RoostError as exc:
            apply_error(form, exc)
        else:
            return _done(request, message_id, _("Note added."))
    return _failed(request, message, note_form=form)
