"""The crisis switch: pause all publishing of a workspace (or of one channel), and resume
it only after every post that came due meanwhile has had a decision.

While a pause is open the publisher's claim leaves its deliveries alone (see
services/delivery.py): they stay SCHEDULED, so scheduling and approving go on as usual.
A delivery already claimed when the pause starts is in flight and finishes. Inbox replies
to people are not paused: a crisis needs answering.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from roost.channels.models import Channel
from roost.core import clock
from roost.core.exceptions import Conflict, NotFound, ValidationFailed
from roost.core.validation import check_moment
from roost.notifications.services import notify
from roost.publishing.models import (
    Delivery,
    DeliveryStatus,
    Post,
    PostStatus,
    PublishingPause,
)
from roost.publishing.services.scheduling import GRACE, post_refresh_status
from roost.workspaces.access import require
from roost.workspaces.models import Membership, Workspace
from roost.workspaces.roles import Perm
from roost.workspaces.selectors import users_with_perm
from roost.workspaces.services import audit_record

REASON_MAX = 500
# The resume review shows what came due during the pause and what is due this soon.
LOOKAHEAD = timedelta(hours=24)
# Who hears of a pause and its end: whoever publishes, approves or may flip the switch.
TOLD = (Perm.COMPOSE, Perm.APPROVE, Perm.PAUSE_PUBLISHING)


class Action(enum.StrEnum):
    PUBLISH_NOW = "publish_now"
    RESCHEDULE = "reschedule"
    KEEP = "keep"
    CANCEL = "cancel"


@dataclass(frozen=True)
class Decision:
    """What happens to one held post when publishing resumes."""

    post_id: int
    action: Action | str
    at: datetime | None = None  # for RESCHEDULE: the new time (aware)


def open_pauses() -> QuerySet[PublishingPause]:
    return PublishingPause.objects.filter(ended_at__isnull=True)


def held_condition() -> Exists:
    """True for a delivery (in a Delivery query) whose channel or workspace is paused.
    No join on the outer query: it can guard a conditional UPDATE."""
    return Exists(
        open_pauses().filter(
            Q(channel_id=OuterRef("channel_id"))
            | Q(channel__isnull=True, workspace__channels__id=OuterRef("channel_id"))
        )
    )


def paused_q() -> Q:
    """Channels (in a Channel query) that must not publish now: paused themselves or in a
    paused workspace."""
    # Exists, not a join: `pauses__ended_at__isnull=True` would also match channels that
    # have no pause at all (the LEFT JOIN's empty row).
    return Q(Exists(open_pauses().filter(channel_id=OuterRef("pk")))) | Q(
        Exists(open_pauses().filter(channel__isnull=True, workspace_id=OuterRef("workspace_id")))
    )


def paused_channel_ids() -> list[int]:
    """Every channel that must not publish now."""
    return list(Channel.objects.filter(paused_q()).values_list("id", flat=True).distinct())


def _clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": [_("Say why publishing is paused.")]})
    if len(reason) > REASON_MAX:
        raise ValidationFailed(
            {"reason": [_("Keep the reason under %(n)s characters.") % {"n": REASON_MAX}]}
        )
    return reason


def _switch_url(workspace: Workspace) -> str:
    return reverse("publishing:pause", args=[workspace.slug])


def _tell(workspace: Workspace, actor: Membership, *, kind: str, key: str, text: str) -> None:
    recipients: dict[int, object] = {}
    for perm in TOLD:
        for user in users_with_perm(workspace.pk, perm):
            recipients[user.pk] = user
    recipients.pop(actor.user_id, None)
    notify(
        workspace=workspace,
        recipients=recipients.values(),
        kind=kind,
        key=key,
        text=text,
        url=_switch_url(workspace),
    )


def publishing_pause(
    *, actor: Membership, workspace: Workspace, channel: Channel | None = None, reason: str
) -> PublishingPause:
    """Pause all publishing of `workspace` (or of `channel` alone) with a reason. Deliveries
    in flight finish; every other one waits until the pause is resumed after a review."""
    require(actor, Perm.PAUSE_PUBLISHING)
    if workspace.pk != actor.workspace_id:
        raise NotFound()
    if channel is not None and channel.workspace_id != workspace.pk:
        raise NotFound()
    reason = _clean_reason(reason)
    try:
        with transaction.atomic():
            pause = PublishingPause.objects.create(
                workspace=workspace, channel=channel, reason=reason, started_by=actor.user
            )
            in_flight = Delivery.objects.filter(
                status=DeliveryStatus.SENDING,
                **({"channel": channel} if channel else {"channel__workspace": workspace}),
            ).count()
            audit_record(
                workspace=workspace,
                actor=actor.user,
                action="publishing.paused",
                target=pause,
                channel=channel.pk if channel else None,
                reason=reason,
                in_flight=in_flight,
            )
    except IntegrityError:
        if channel is not None:
            raise Conflict(
                _("Publishing to %(channel)s is already paused.") % {"channel": channel.name}
            ) from None
        raise Conflict(_("Publishing is already paused.")) from None
    if channel is None:
        text = _("%(who)s paused all publishing: %(reason)s")
    else:
        text = _("%(who)s paused publishing to %(channel)s: %(reason)s")
    _tell(
        workspace,
        actor,
        kind="publishing.paused",
        key=f"pause:{pause.pk}:started",
        text=text
        % {
            "who": actor.user.display_name,
            "reason": reason,
            "channel": channel.name if channel else "",
        },
    )
    return pause


def access_pause(actor: Membership, *, channel_id: int | None = None) -> PublishingPause:
    """The open pause of the actor's workspace (or of one of its channels)."""
    scope = Q(channel__isnull=True) if channel_id is None else Q(channel_id=channel_id)
    pause = (
        open_pauses()
        .filter(scope, workspace_id=actor.workspace_id)
        .select_related("workspace", "channel", "started_by")
        .first()
    )
    if pause is None:
        raise NotFound(_("Publishing is not paused."))
    return pause


def held_deliveries(pause: PublishingPause) -> QuerySet[Delivery]:
    """The deliveries this pause holds back (those still waiting to be sent). A workspace
    pause leaves out channels that have a pause of their own: they stay held."""
    qs = Delivery.objects.filter(status=DeliveryStatus.SCHEDULED)
    if pause.channel_id is not None:
        return qs.filter(channel_id=pause.channel_id)
    own = open_pauses().filter(workspace_id=pause.workspace_id, channel__isnull=False)
    return qs.filter(channel__workspace_id=pause.workspace_id).exclude(
        channel_id__in=own.values("channel_id")
    )


@dataclass(frozen=True)
class ReviewItem:
    post: Post
    due_at: datetime  # the earliest of its held deliveries
    overdue: bool  # its time passed during the pause: it needs a decision
    channels: list[str]


def resume_review(pause: PublishingPause, now: datetime | None = None) -> list[ReviewItem]:
    """Every post the pause holds that came due (overdue) or is due in the next 24 hours,
    overdue ones first, by time."""
    now = now or clock.now()
    rows = (
        held_deliveries(pause)
        .filter(next_attempt_at__lt=now + LOOKAHEAD)
        .select_related("post", "channel")
        .order_by("next_attempt_at", "id")
    )
    items: dict[int, tuple[Post, datetime, list[str]]] = {}
    for d in rows:
        when = d.next_attempt_at or now
        if d.post_id not in items:
            items[d.post_id] = (d.post, when, [])
        items[d.post_id][2].append(d.channel.name)
    out = [
        ReviewItem(post=post, due_at=due, overdue=due <= now, channels=names)
        for post, due, names in items.values()
    ]
    return sorted(out, key=lambda i: (not i.overdue, i.due_at, i.post.pk))


def _label(post: Post) -> str:
    text = " ".join(post.text.split())
    short = text[:40] + "…" if len(text) > 40 else text
    return f"“{short}” (#{post.pk})" if short else f"#{post.pk}"


def _check(items: list[ReviewItem], decisions: dict[int, Decision], now: datetime) -> None:
    undecided = [i.post for i in items if i.overdue and i.post.pk not in decisions]
    if undecided:
        raise ValidationFailed(
            {
                "decisions": [
                    _(
                        "These posts came due during the pause; choose publish now, a new "
                        "time or cancel for each before resuming: %(posts)s"
                    )
                    % {"posts": ", ".join(_label(p) for p in undecided)}
                ]
            }
        )
    problems: list[str] = []
    for item in items:
        decision = decisions.get(item.post.pk)
        if decision is None:
            continue
        if decision.action == Action.KEEP and item.overdue:
            problems.append(
                _("%(post)s: its time has passed; it cannot keep it.") % {"post": _label(item.post)}
            )
        if decision.action == Action.RESCHEDULE:
            if decision.at is None:
                problems.append(_("%(post)s: choose the new time.") % {"post": _label(item.post)})
                continue
            check_moment(decision.at, "decisions")
            if decision.at < now - GRACE:
                problems.append(
                    _("%(post)s: the new time is in the past.") % {"post": _label(item.post)}
                )
    if problems:
        raise ValidationFailed({"decisions": problems})


def _clean_decisions(decisions: Iterable[Decision]) -> dict[int, Decision]:
    out: dict[int, Decision] = {}
    for d in decisions:
        try:
            action = Action(d.action)
        except ValueError:
            raise ValidationFailed(
                {"decisions": [_("Choose publish now, reschedule, keep or cancel.")]}
            ) from None
        if d.at is not None and d.at.tzinfo is None:
            raise ValidationFailed({"decisions": [_("Give the new time with its time zone.")]})
        out[d.post_id] = Decision(post_id=d.post_id, action=action, at=d.at)
    return out


def _apply(pause: PublishingPause, post: Post, decision: Decision, now: datetime) -> None:
    held = held_deliveries(pause).filter(post=post)
    if decision.action == Action.PUBLISH_NOW:
        held.update(due_at=now, next_attempt_at=now)
    elif decision.action == Action.RESCHEDULE:
        held.update(due_at=decision.at, next_attempt_at=decision.at)
    elif decision.action == Action.CANCEL:
        others_went = (
            Delivery.objects.filter(post=post)
            .exclude(status__in=[DeliveryStatus.PENDING, DeliveryStatus.SCHEDULED])
            .exists()
        )
        if pause.channel_id is None and not others_went:
            # Back to draft: nothing of it went out, it can be planned again.
            Delivery.objects.filter(
                post=post,
                status__in=[DeliveryStatus.SCHEDULED, DeliveryStatus.WAITING_RECONNECT],
            ).update(status=DeliveryStatus.PENDING, error="")
            Post.objects.filter(pk=post.pk).update(status=PostStatus.DRAFT, updated_at=now)
            return
        held.update(status=DeliveryStatus.CANCELLED, error=_("Cancelled when publishing resumed."))
        post_refresh_status([post.pk])
        return
    else:  # KEEP
        return
    first = (
        Delivery.objects.filter(post=post, status=DeliveryStatus.SCHEDULED)
        .order_by("due_at")
        .values_list("due_at", flat=True)
        .first()
    )
    Post.objects.filter(pk=post.pk).update(scheduled_at=first, updated_at=now)


def publishing_resume(
    *, actor: Membership, pause: PublishingPause, decisions: Iterable[Decision]
) -> PublishingPause:
    """End the pause, carrying out a decision for each held post. Refused (nothing
    changes) while a post whose time passed during the pause has no decision: such a post
    goes out only if someone chose "publish now" or a new time. Posts due later that have
    no decision keep their time."""
    require(actor, Perm.PAUSE_PUBLISHING)
    if pause.workspace_id != actor.workspace_id:
        raise NotFound()
    chosen = _clean_decisions(decisions)
    now = clock.now()
    with transaction.atomic():
        # First the write that claims the resume: one resume wins, and on SQLite it takes
        # the write lock, so nothing becomes due unseen between the review and the end.
        ended = open_pauses().filter(pk=pause.pk).update(ended_at=now, ended_by=actor.user)
        if not ended:
            raise Conflict(_("This pause has already ended."))
        items = resume_review(pause, now)
        _check(items, chosen, now)
        applied: dict[str, str] = {}
        for item in items:
            decision = chosen.get(item.post.pk)
            if decision is None:
                continue
            _apply(pause, item.post, decision, now)
            applied[str(item.post.pk)] = str(decision.action) + (
                f"@{decision.at.isoformat()}" if decision.at else ""
            )
        pause.refresh_from_db()
        audit_record(
            workspace=pause.workspace,
            actor=actor.user,
            action="publishing.resumed",
            target=pause,
            channel=pause.channel_id,
            decisions=applied,
        )
    if pause.channel_id is None:
        text = _("%(who)s resumed publishing.")
    else:
        text = _("%(who)s resumed publishing to %(channel)s.")
    _tell(
        pause.workspace,
        actor,
        kind="publishing.resumed",
        key=f"pause:{pause.pk}:ended",
        text=text
        % {
            "who": actor.user.display_name,
            "channel": pause.channel.name if pause.channel_id and pause.channel else "",
        },
    )
    return pause
