"""Compose, post detail (per-channel state), schedule/cancel, media library, campaigns."""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from roost.channels.selectors import channels_for_compose
from roost.core import clock
from roost.core.exceptions import NotFound, RoostError, ValidationFailed
from roost.core.moments import format_moment
from roost.core.uploads import refused_upload
from roost.http.forms import apply_error
from roost.networks import registry
from roost.publishing import hooks, selectors
from roost.publishing.forms import (
    THREAD_SEPARATOR,
    CampaignForm,
    MediaUploadForm,
    ScheduleForm,
    post_input,
    schedule_prefill,
)
from roost.publishing.models import MEDIA_EXTENSIONS, Post, PostStatus
from roost.publishing.services import campaigns as campaign_services
from roost.publishing.services import compose, deletion, media, preview, scheduling
from roost.publishing.suggestions import suggestions_for_display
from roost.workspaces.decorators import workspace_view
from roost.workspaces.models import Membership
from roost.workspaces.roles import Perm


def _actor(request: HttpRequest) -> Any:
    return request.membership  # type: ignore[attr-defined]


def access_post(actor: Any, post_id: int) -> Post:
    post = selectors.post_detail(actor, post_id)
    if post is None:
        raise NotFound()
    return post


def _compose_context(
    request: HttpRequest, post: Post | None, errors: dict[str, list[str]]
) -> dict[str, Any]:
    actor = _actor(request)
    channels = list(channels_for_compose(actor))
    labels = {n.key: n.label for n in registry.networks()}
    data = request.POST if request.method == "POST" else None
    own_threads: dict[int, str] = {}  # a channel's own thread box
    no_thread: set[int] = set()  # channels that get no further parts
    if data is not None:
        chosen = {int(c) for c in data.getlist("channels") if c.isdigit()}
        text, thread = data.get("text", ""), data.get("thread", "")
        variants = {c.pk: data.get(f"variant_{c.pk}", "") for c in channels}
        own_threads = {c.pk: data.get(f"variant_thread_{c.pk}", "") for c in channels}
        no_thread = {c.pk for c in channels if data.get(f"variant_nothread_{c.pk}")}
        picked_media = {int(m) for m in data.getlist("media") if m.isdigit()}
    elif post is not None:
        chosen = {d.channel_id for d in post.deliveries.all()}
        text, thread = post.text, THREAD_SEPARATOR.join(post.thread)
        stored = list(post.variants.all())
        variants = {v.channel_id: v.text for v in stored}
        own_threads = {v.channel_id: THREAD_SEPARATOR.join(v.thread) for v in stored if v.thread}
        no_thread = {v.channel_id for v in stored if v.thread == []}
        picked_media = {pm.asset_id for pm in post.postmedia_set.all()}
    else:
        chosen, text, thread, variants, picked_media = set(), "", "", {}, set()
    library = list(selectors.media_library(actor)[:24])
    # Everything picked is offered, also past the newest 24 (an image uploaded earlier).
    missing = picked_media - {a.pk for a in library}
    if missing:
        library += list(selectors.media_library(actor).filter(pk__in=missing))
    if data is not None:
        schedule = ScheduleForm(data)
    else:  # a new post from the calendar's "+" arrives with its time (?at=2031-03-20T09:00)
        schedule = ScheduleForm(initial=schedule_prefill(request.GET) if post is None else {})
    channel_errors = {
        int(k.split(":")[1]): v for k, v in errors.items() if k.startswith("channel:")
    }
    return {
        "area": "compose",
        "post": post,
        "channels": [
            {
                "channel": c,
                "label": labels.get(c.network, c.network),
                "chosen": c.pk in chosen,
                "variant": variants.get(c.pk, ""),
                "own_thread": own_threads.get(c.pk, ""),
                "no_thread": c.pk in no_thread,
                "errors": channel_errors.get(c.pk, []),
            }
            for c in channels
        ],
        "text": text,
        "thread": thread,
        "media": library,
        "picked_media": picked_media,
        "campaigns": selectors.campaigns(actor),
        "campaign_id": (data.get("campaign") if data else (post.campaign_id if post else "")) or "",
        "tags": data.get("tags", "")
        if data
        else (", ".join(t.name for t in post.tags.all()) if post else ""),
        "options": (
            dict(post.options)
            if post and data is None
            else {
                "visibility": data.get("visibility", "public") if data else "public",
                "spoiler_text": data.get("spoiler_text", "") if data else "",
            }
        ),
        "schedule": schedule,
        "errors": {k: v for k, v in errors.items() if not k.startswith("channel:")},
        "has_mastodon": any(c.network == "mastodon" for c in channels),
        "needs_review": _may_need_review(actor),
        "suggestions": suggestions_for_display(
            [c for c in channels if c.pk in chosen] or channels, clock.now()
        ),
    }


def _may_need_review(actor: Any) -> bool:
    """Will scheduling from compose go to review (for the button's words)?"""
    from roost.approvals.models import Workflow
    from roost.approvals.services import approval_settings

    if not Workflow.objects.filter(workspace=actor.workspace, kind="post", active=True).exists():
        return False
    return approval_settings(actor.workspace).require_for_everyone or not actor.has_perm(
        Perm.PUBLISH_WITHOUT_APPROVAL
    )


def _compose(request: HttpRequest, post: Post | None) -> HttpResponse:
    actor = _actor(request)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        schedule = ScheduleForm(request.POST)
        if not schedule.is_valid():
            errors.update({k: [str(m) for m in v] for k, v in schedule.errors.items()})
            # Say everything at once: the content's problems too, not only the time's.
            errors.update(compose.post_validate(actor=actor, data=post_input(request.POST)))
        else:
            try:
                saved = compose.post_compose(
                    actor=actor,
                    data=post_input(request.POST),
                    post=post,
                    mode=schedule.cleaned_data["mode"] or "draft",
                    at=schedule.cleaned_data["scheduled_at"],
                    resubmit=schedule.cleaned_data["resubmit"],
                )
            except RoostError as exc:
                errors = getattr(exc, "errors", None) or {"__all__": [exc.message]}
            else:
                if saved.status == "in_review":
                    mode = schedule.cleaned_data["mode"] or "at"
                    messages.success(request, _review_plan(saved, mode, sent=True))
                else:
                    messages.success(request, _("Post saved."))
                return redirect("publishing:post", slug=actor.workspace.slug, post_id=saved.pk)
    context = _compose_context(request, post, errors)
    if errors and request.POST.get("mode") == "queue" and actor.has_perm(Perm.CONNECT_CHANNELS):
        # "X has no queue slots yet": a link to each such channel's settings, to add some.
        context["slotless"] = selectors.channels_without_queue_slots(
            actor, [int(c) for c in request.POST.getlist("channels") if c.isdigit()]
        )
    return render(request, "publishing/compose.html", context, status=422 if errors else 200)


@workspace_view(Perm.COMPOSE)
def compose_new(request: HttpRequest) -> HttpResponse:
    return _compose(request, None)


@workspace_view(Perm.COMPOSE)
def post_edit(request: HttpRequest, post_id: int) -> HttpResponse:
    return _compose(request, access_post(_actor(request), post_id))


@workspace_view(Perm.COMPOSE)
@require_POST
def compose_validate(request: HttpRequest) -> HttpResponse:
    """Live validation for the compose page (htmx): each channel's problems, in words."""
    actor = _actor(request)
    errors = compose.post_validate(actor=actor, data=post_input(request.POST))
    channel_errors = {
        int(k.split(":")[1]): v for k, v in errors.items() if k.startswith("channel:")
    }
    channels = [
        c for c in channels_for_compose(actor) if str(c.pk) in request.POST.getlist("channels")
    ]
    return render(
        request,
        "publishing/compose.html#checks",
        {
            "checks": [{"channel": c, "errors": channel_errors.get(c.pk, [])} for c in channels],
            "errors": {k: v for k, v in errors.items() if not k.startswith("channel:")},
        },
    )


@workspace_view(Perm.COMPOSE)
@require_POST
def compose_preview(request: HttpRequest) -> HttpResponse:
    """Live preview (htmx): each chosen channel's parts as the network would show them,
    counted its own way, with the channel's problems in words."""
    schedule = ScheduleForm(request.POST)
    valid = schedule.is_valid()
    found = preview.post_preview(
        actor=_actor(request),
        data=post_input(request.POST),
        mode=(schedule.cleaned_data["mode"] or "") if valid else "",
        at=schedule.cleaned_data["scheduled_at"] if valid else None,
    )
    # A time that does not read as one is said at once too, not only on saving.
    unreadable = [str(m) for m in schedule.errors.get("scheduled_at", [])]
    return render(
        request, "publishing/compose_preview.html", {"preview": found, "unreadable": unreadable}
    )


@workspace_view(Perm.COMPOSE)
@require_POST
def compose_upload(request: HttpRequest) -> HttpResponse:
    """An image uploaded from compose (htmx): kept in the library by the library's own
    checks, answered with its picker entry, ticked; a refusal in words, nothing kept."""
    actor = _actor(request)
    refused = refused_upload(request)
    upload = request.FILES.get("file")
    try:
        if refused is not None:
            raise media.too_large(refused)
        if upload is None:
            raise ValidationFailed({"file": [_("Choose an image to upload.")]})
        asset = media.media_upload(
            actor=actor, upload=upload, alt_text=request.POST.get("alt_text", "")
        )
    except RoostError as exc:
        errors = getattr(exc, "errors", None) or {"__all__": [exc.message]}
        response = render(
            request,
            "publishing/compose.html#upload_errors",
            {"upload_errors": [m for msgs in errors.values() for m in msgs]},
            status=422,
        )
        response["HX-Retarget"] = "#upload-errors"
        response["HX-Reswap"] = "outerHTML"
        return response
    return render(
        request,
        "publishing/compose.html#media_pick",
        {"asset": asset, "picked_media": {asset.pk}},
    )


@workspace_view(Perm.VIEW_CONTENT)
def post_detail(request: HttpRequest, post_id: int) -> HttpResponse:
    actor = _actor(request)
    post = access_post(actor, post_id)
    return render(
        request,
        "publishing/post.html",
        {
            "area": "calendar",
            "post": post,
            "rows": _delivery_rows(post),
            "schedule": ScheduleForm(initial={"mode": "at"}),
            "needs_review": _may_need_review(actor),
            "post_actions": hooks.post_actions(actor, [(post.pk, post.status)]).get(post.pk, []),
            **_approval_context(actor, post),
        },
    )


def _approval_context(actor: Membership, post: Post) -> dict[str, Any]:
    """The post's review, if any, and its whole approval history."""
    from roost.approvals.models import ApprovalRequest
    from roost.approvals.selectors import events_for

    return {
        "approval_request": ApprovalRequest.objects.filter(kind="post", object_id=post.pk)
        .order_by("-submitted_at", "-id")
        .first(),
        "events": events_for(actor, "post", post.pk),
    }


def _delivery_rows(post: Post) -> list[tuple[Any, Any, str]]:
    """Each channel's delivery with its own variant (text, thread), where it has one, and
    its engagement line (from whichever app reads counts, see hooks.on_engagement)."""
    variants = {v.channel_id: v for v in post.variants.all()}
    deliveries = list(post.deliveries.all())
    engagement = hooks.engagement_of([d.pk for d in deliveries])
    return [(d, variants.get(d.channel_id), engagement.get(d.pk, "")) for d in deliveries]


@workspace_view(Perm.COMPOSE)
@require_POST
def post_schedule(request: HttpRequest, post_id: int) -> HttpResponse:
    actor = _actor(request)
    post = access_post(actor, post_id)
    form = ScheduleForm(request.POST)
    if form.is_valid():
        try:
            scheduling.post_schedule(
                actor=actor,
                post=post,
                mode=form.cleaned_data["mode"] or "at",
                at=form.cleaned_data["scheduled_at"],
                resubmit=form.cleaned_data["resubmit"],
            )
        except RoostError as exc:
            apply_error(form, exc)
        else:
            post.refresh_from_db()
            if post.status == PostStatus.IN_REVIEW:
                mode = form.cleaned_data["mode"] or "at"
                messages.info(request, _review_plan(post, mode, sent=False))
            else:
                messages.success(request, _("Post scheduled."))
            return redirect("publishing:post", slug=actor.workspace.slug, post_id=post.pk)
    post = access_post(actor, post_id)
    return render(
        request,
        "publishing/post.html",
        {
            "area": "calendar",
            "post": post,
            "rows": _delivery_rows(post),
            "schedule": form,
            "needs_review": _may_need_review(actor),
        },
        status=422,
    )


def _review_plan(post: Post, mode: str, *, sent: bool) -> str:
    """What happens to a post in review once the last step approves, in words: just `sent`
    for review from compose, or already in review when "Schedule" was pressed."""
    if mode == "queue":
        if sent:
            return _("Sent for approval. It joins the queue when the last step approves.")
        return _("This post is in review: it joins the queue when the last step approves.")
    if mode == "now" or post.scheduled_at is None:
        if sent:
            return _("Sent for approval. It is published as soon as the last step approves.")
        return _("This post is in review: it is published as soon as the last step approves.")
    time = format_moment(post.scheduled_at)
    if sent:
        return _(
            "Sent for approval. It will be scheduled for %(time)s when the last step approves."
        ) % {"time": time}
    return _(
        "This post is in review: it will be scheduled for %(time)s when the last step approves."
    ) % {"time": time}


@workspace_view(Perm.COMPOSE)
@require_POST
def post_cancel(request: HttpRequest, post_id: int) -> HttpResponse:
    actor = _actor(request)
    post = access_post(actor, post_id)
    in_review = post.status == PostStatus.IN_REVIEW
    scheduling.post_cancel(actor=actor, post=post)
    if in_review:
        messages.success(request, _("The post was cancelled and its review withdrawn."))
    else:
        messages.success(request, _("The post was taken off the schedule."))
    return redirect("publishing:post", slug=actor.workspace.slug, post_id=post.pk)


@workspace_view(Perm.COMPOSE)
@require_POST
def post_delete(request: HttpRequest, post_id: int) -> HttpResponse:
    """Delete from the networks, then from Roost."""
    actor = _actor(request)
    post = access_post(actor, post_id)
    try:
        deletion.post_delete(actor=actor, post=post)
    except RoostError as exc:
        messages.error(request, exc.message)
        return redirect("publishing:post", slug=actor.workspace.slug, post_id=post_id)
    messages.success(request, _("The post was deleted, from the networks too."))
    return redirect("calendar:list", slug=actor.workspace.slug)


@workspace_view(Perm.VIEW_CONTENT)
def media_library(request: HttpRequest) -> HttpResponse:
    return _media_page(request, MediaUploadForm())


def _media_page(request: HttpRequest, form: MediaUploadForm, status: int = 200) -> HttpResponse:
    return render(
        request,
        "publishing/media.html",
        {"area": "compose", "form": form, "assets": selectors.media_library(_actor(request))},
        status=status,
    )


@workspace_view(Perm.COMPOSE)
@require_POST
def media_upload(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    form = MediaUploadForm(request.POST, request.FILES)
    refused = refused_upload(request)
    if refused is not None:
        apply_error(form, media.too_large(refused))
        return _media_page(request, form, 413)
    upload = request.FILES.get("file")
    if upload is None:
        form.add_error("file", _("Choose an image to upload."))
        return _media_page(request, form, 422)
    try:
        media.media_upload(actor=actor, upload=upload, alt_text=request.POST.get("alt_text", ""))
    except RoostError as exc:
        apply_error(form, exc)
        return _media_page(request, form, 422)
    messages.success(request, _("Image added to the library."))
    return redirect("publishing:media", slug=actor.workspace.slug)


@workspace_view(Perm.VIEW_CONTENT)
@require_safe
def media_file(request: HttpRequest, media_id: int) -> HttpResponseBase:
    """An image from the library, to members who may see the library."""
    asset = selectors.access_media(_actor(request), media_id)
    return _media_response(asset, asset.file.name or "", asset.mime_type, "")


@workspace_view(Perm.VIEW_CONTENT)
@require_safe
def media_thumb(request: HttpRequest, media_id: int) -> HttpResponseBase:
    """A small WebP of an image (made once, then kept in storage), to the same members.
    Where none can be made, the image itself."""
    asset = selectors.access_media(_actor(request), media_id)
    name = media.media_thumbnail(asset=asset)
    if name is None:
        return _media_response(asset, asset.file.name or "", asset.mime_type, "")
    return _media_response(asset, name, "image/webp", "-thumb")


def _media_response(asset: Any, name: str, mime_type: str, suffix: str) -> HttpResponseBase:
    """Stream a stored file (local disk or a bucket alike: the bucket stays private).

    Served with its sniffed type only, never sniffed again by the browser, and fenced off
    (sandboxed, no scripts) in case a browser opens it as a document.
    """
    mime_type = mime_type if mime_type in MEDIA_EXTENSIONS else ""
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", asset.original_name.rsplit(".", 1)[0]).strip("-")
    filename = f"{stem[:60] or 'image'}{suffix}.{MEDIA_EXTENSIONS.get(mime_type, 'bin')}"
    try:
        handle = asset.file.storage.open(name, "rb")
    except OSError:
        raise NotFound() from None  # the row outlived its file (storage wiped or moved)
    response = FileResponse(handle, content_type=mime_type or "application/octet-stream")
    disposition = "inline" if mime_type else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = (
        "default-src 'none'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; sandbox"
    )
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Cache-Control"] = "private, max-age=3600"
    return response


@workspace_view(Perm.VIEW_CONTENT)
def campaign_list(request: HttpRequest) -> HttpResponse:
    return _campaign_page(request, CampaignForm())


def _campaign_page(request: HttpRequest, form: CampaignForm, status: int = 200) -> HttpResponse:
    return render(
        request,
        "publishing/campaigns.html",
        {"area": "compose", "form": form, "campaigns": selectors.campaigns(_actor(request))},
        status=status,
    )


@workspace_view(Perm.COMPOSE)
@require_POST
def campaign_create(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    form = CampaignForm(request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        name = data.pop("name")
        try:
            campaign_services.campaign_save(actor=actor, name=name, utm=data)
        except RoostError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Campaign saved."))
            return redirect("publishing:campaigns", slug=actor.workspace.slug)
    return _campaign_page(request, form, 422)
