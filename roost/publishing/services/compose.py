"""Compose: validate a post for every chosen channel, then save it whole or not at all."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from roost.approvals import services as approvals
from roost.channels.models import Channel, ChannelStatus
from roost.channels.selectors import channels_visible_to
from roost.channels.services import channel_connector
from roost.core import clock
from roost.core.exceptions import Conflict, ValidationFailed
from roost.networks import registry
from roost.networks.base import PublishRequest
from roost.publishing import approval
from roost.publishing.content import build_request
from roost.publishing.models import (
    Campaign,
    Delivery,
    DeliveryStatus,
    MediaAsset,
    Post,
    PostMedia,
    PostStatus,
    PostVariant,
    Tag,
)
from roost.publishing.services.review import post_submit_or_schedule
from roost.workspaces.access import require
from roost.workspaces.models import Membership
from roost.workspaces.roles import Perm
from roost.workspaces.services import audit_record

MAX_THREAD_PARTS = 25
LOCKED = {DeliveryStatus.SENDING, DeliveryStatus.PUBLISHED}


def LOCKED_MESSAGE() -> str:
    return _("This post is already publishing or published; its content can no longer change.")


@dataclass
class PostInput:
    """Everything compose sends. Variant text "" means: follow the main text."""

    text: str = ""
    channel_ids: list[int] = field(default_factory=list)
    variants: dict[int, str] = field(default_factory=dict)
    thread: list[str] = field(default_factory=list)
    # A channel's own further parts (an empty list: none); a channel not here follows `thread`.
    # None: keep what each channel has (for callers that know nothing of them, the API).
    variant_threads: dict[int, list[str]] | None = None
    media_ids: list[int] = field(default_factory=list)
    alt_texts: dict[int, str] = field(default_factory=dict)
    campaign_id: int | None = None
    tags: list[str] = field(default_factory=list)
    options: dict[str, Any] = field(default_factory=dict)


@dataclass
class Checked:
    channels: list[Channel]
    media: list[MediaAsset]
    campaign: Campaign | None
    thread: list[str]


def _resolve(actor: Membership, data: PostInput, errors: dict[str, list[str]]) -> Checked:
    workspace = actor.workspace
    ids = list(dict.fromkeys(data.channel_ids))
    visible = {c.pk: c for c in channels_visible_to(actor).filter(pk__in=ids)}
    channels = []
    for cid in ids:
        channel = visible.get(cid)
        if channel is None:
            in_workspace = Channel.objects.filter(pk=cid, workspace=workspace).first()
            if in_workspace is None:
                errors.setdefault("channels", []).append(
                    _("Channel %(id)s does not exist (it may have been deleted).") % {"id": cid}
                )
            else:
                errors.setdefault("channels", []).append(
                    _("You may not publish to %(channel)s.") % {"channel": in_workspace.name}
                )
        elif channel.status == ChannelStatus.DISCONNECTED:
            errors.setdefault("channels", []).append(
                _("%(channel)s is disconnected; reconnect it or choose another channel.")
                % {"channel": channel.name}
            )
        else:
            channels.append(channel)
    if not ids:
        errors.setdefault("channels", []).append(_("Choose at least one channel."))
    media_ids = list(dict.fromkeys(data.media_ids))
    assets = {m.pk: m for m in MediaAsset.objects.filter(workspace=workspace, pk__in=media_ids)}
    if len(assets) != len(media_ids):
        errors.setdefault("media", []).append(_("Some media are not in this workspace's library."))
    media = [assets[i] for i in media_ids if i in assets]
    for asset in media:
        if asset.pk in data.alt_texts:
            asset.alt_text = data.alt_texts[asset.pk].strip()
    campaign = None
    if data.campaign_id is not None:
        campaign = Campaign.objects.filter(workspace=workspace, pk=data.campaign_id).first()
        if campaign is None:
            errors.setdefault("campaign", []).append(_("That campaign does not exist."))
    thread = [t for t in data.thread if t.strip()]
    longest = max([len(thread), *(len(t) for t in own_threads(data).values())])
    if longest + 1 > MAX_THREAD_PARTS:
        errors.setdefault("thread", []).append(
            _("A thread has at most %(n)s parts.") % {"n": MAX_THREAD_PARTS}
        )
    if not data.text.strip() and not media and not any(data.variants.values()):
        errors.setdefault("text", []).append(_("Write something, or add an image."))
    return Checked(channels, media, campaign, thread)


def _preview_post(actor: Membership, data: PostInput, checked: Checked) -> Post:
    return Post(
        workspace=actor.workspace,
        text=data.text,
        thread=checked.thread,
        campaign=checked.campaign,
        options=dict(data.options),
    )


def channel_problems(actor: Membership, data: PostInput, checked: Checked) -> dict[int, list[str]]:
    """Each chosen channel's problems with this content, in words that name the network."""
    post = _preview_post(actor, data, checked)
    problems: dict[int, list[str]] = {}
    for channel in checked.channels:
        request: PublishRequest = build_request(
            post,
            channel,
            with_data=False,
            variants={k: v for k, v in data.variants.items() if v},
            threads=own_threads(data),
            assets=checked.media,
        )
        with channel_connector(channel) as connector:
            found = connector.validate(request)
        if found:
            label = registry.get(channel.network).label
            problems[channel.pk] = [f"{channel.name} ({label}): {p.message}" for p in found]
    return problems


def own_threads(data: PostInput) -> dict[int, list[str]]:
    """Each channel's own further parts, blank ones dropped."""
    return {
        cid: [t for t in parts if t.strip()] for cid, parts in (data.variant_threads or {}).items()
    }


def post_validate(*, actor: Membership, data: PostInput) -> dict[str, list[str]]:
    """All problems with `data`, keyed by field ("channel:<id>" per channel); empty: fine."""
    require(actor, Perm.COMPOSE)
    errors: dict[str, list[str]] = {}
    checked = _resolve(actor, data, errors)
    for channel_id, messages in channel_problems(actor, data, checked).items():
        errors[f"channel:{channel_id}"] = messages
    return errors


def _write_content(actor: Membership, post: Post, data: PostInput, checked: Checked) -> None:
    post.text = data.text
    post.thread = checked.thread
    post.campaign = checked.campaign
    post.options = dict(data.options)
    post.updated_at = clock.now()
    post.save()
    chosen = {c.pk for c in checked.channels}
    threads = own_threads(data)
    kept = {
        cid
        for cid in chosen
        if data.variants.get(cid) or cid in threads  # own words, or an own thread
    }
    PostVariant.objects.filter(post=post).exclude(channel_id__in=kept).delete()
    for cid in sorted(kept):
        PostVariant.objects.update_or_create(
            post=post,
            channel_id=cid,
            defaults={"text": data.variants.get(cid, ""), "thread": threads.get(cid)},
        )
    PostMedia.objects.filter(post=post).delete()
    for position, asset in enumerate(checked.media):
        PostMedia.objects.create(post=post, asset=asset, position=position)
        if asset.pk in data.alt_texts:
            MediaAsset.objects.filter(pk=asset.pk).update(alt_text=asset.alt_text)
    tags = []
    for name in dict.fromkeys(t.strip() for t in data.tags if t.strip()):
        tag, _created = Tag.objects.get_or_create(workspace=actor.workspace, name=name[:50])
        tags.append(tag)
    post.tags.set(tags)
    # One delivery per chosen channel; channels taken off the post lose theirs.
    Delivery.objects.filter(post=post).exclude(channel_id__in=chosen).filter(
        status__in=[
            DeliveryStatus.PENDING,
            DeliveryStatus.SCHEDULED,
            DeliveryStatus.CANCELLED,
            DeliveryStatus.WAITING_RECONNECT,
            DeliveryStatus.FAILED,
        ]
    ).delete()
    existing = set(Delivery.objects.filter(post=post).values_list("channel_id", flat=True))
    for channel in checked.channels:
        if channel.pk not in existing:
            Delivery.objects.create(
                post=post, channel=channel, idempotency_key=new_key(), status=DeliveryStatus.PENDING
            )


def new_key() -> str:
    return uuid.uuid4().hex


def post_compose(
    *,
    actor: Membership,
    data: PostInput,
    post: Post | None = None,
    mode: str = "draft",
    at: datetime | None = None,
    resubmit: bool = False,
) -> Post:
    """Save a post and, unless `mode` is "draft", schedule it: all of it or none of it.
    `resubmit`: a cancelled post may go back into review (see post_submit_or_schedule).

    Every problem (content per network, channels, time) is reported together."""
    from roost.publishing.services.scheduling import Mode, due_times

    require(actor, Perm.COMPOSE)
    if data.variant_threads is None:  # keep each channel's own thread as it is
        stored = post.variants.filter(thread__isnull=False) if post is not None else []
        data = replace(data, variant_threads={v.channel_id: list(v.thread or []) for v in stored})
    errors: dict[str, list[str]] = {}
    checked = _resolve(actor, data, errors)
    for channel_id, messages in channel_problems(actor, data, checked).items():
        errors[f"channel:{channel_id}"] = messages
    if mode != "draft":
        try:
            scheduling_mode = Mode(mode)
        except ValueError:
            errors["mode"] = [_("Choose draft, now, a time, or the queue.")]
        else:
            try:
                due_times(checked.channels, scheduling_mode, at, clock.now())
            except ValidationFailed as exc:
                for key, messages in exc.errors.items():
                    errors.setdefault(key, []).extend(messages)
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        before: dict[str, Any] | None = None
        if post is None:
            post = Post(workspace=actor.workspace, author=actor.user, status=PostStatus.DRAFT)
            action = "post.created"
        else:
            if Delivery.objects.filter(post=post, status__in=LOCKED).exists():
                raise Conflict(LOCKED_MESSAGE())
            before = approval.snapshot(post)
            action = "post.updated"
        _write_content(actor, post, data, checked)
        audit_record(
            workspace=actor.workspace,
            actor=actor.user,
            action=action,
            target=post,
            channels=sorted(c.pk for c in checked.channels),
        )
        changes = approval.changes_between(before, approval.snapshot(post)) if before else {}
        if mode == "draft":
            if changes or post.status == PostStatus.IN_REVIEW:
                approvals.request_cancel(
                    kind="post",
                    object_id=post.pk,
                    actor=actor.user,
                    reason=_("Saved back as a draft."),
                )
                approval.PostApprovable().on_returned(post)
        else:
            post_submit_or_schedule(
                actor=actor,
                post=post,
                mode=mode,
                at=at,
                changes=changes,
                first_time=before is None,
                resubmit=resubmit,
            )
    post.refresh_from_db()
    return post
