"""Briefing's own sections: overnight, traction, scheduled today, risks and opportunities.
Each is a pure read of a few indexed queries (see roost/briefing/sections.py)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, F, Sum
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from roost.analytics.models import ChannelDay, PostMetrics
from roost.approvals.models import RequestStatus, StepState, StepStatus
from roost.briefing.sections import (
    CRITICAL,
    INFO,
    NOTICE,
    WARNING,
    Context,
    Item,
    SectionResult,
    register,
)
from roost.channels.models import Channel, ChannelStatus
from roost.inbox.models import Message, MessageStatus, Priority
from roost.inbox.services import sla
from roost.inbox.services.triage import inbox_settings
from roost.publishing.models import Delivery, DeliveryStatus, Post, PostStatus
from roost.publishing.selectors import pause_state

NOTABLE = 5  # notable messages listed
TOP_POSTS = 5
LISTED = 8  # scheduled posts and approvals listed
TRACTION_DAYS = 28  # the channel's usual level: engagements per post over these days
AT_RISK_HOURS = 4  # an undecided approval due within this is at risk
SLA_SCAN = 500  # open items checked for a breached first response
TEXT = 70


def link(name: str, slug: str, *args: Any, query: dict[str, Any] | None = None) -> str:
    """A path in Roost, or "" when the page does not exist (an app not installed)."""
    try:
        path = reverse(name, args=[slug, *args])
    except NoReverseMatch:
        return ""
    return f"{path}?{urlencode(query)}" if query else path


def short(text: str, limit: int = TEXT) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def kind_label(kind: str) -> str:
    labels = {
        "mention": _("mentions"),
        "reply": _("replies"),
        "quote": _("quotes"),
        "direct": _("direct messages"),
    }
    return labels.get(kind, kind)


def local_day_bounds(ctx: Context) -> tuple[datetime, datetime]:
    start = datetime.combine(ctx.day, time.min, tzinfo=ctx.zone)
    return start, datetime.combine(ctx.day + timedelta(days=1), time.min, tzinfo=ctx.zone)


# -- overnight -------------------------------------------------------------------------


def overnight(ctx: Context) -> SectionResult:
    ws, slug = ctx.workspace, ctx.workspace.slug
    items: list[Item] = []
    rows = (
        Message.objects.filter(
            workspace=ws, outgoing=False, received_at__gte=ctx.since, received_at__lt=ctx.now
        )
        .values_list("kind", "priority")
        .annotate(n=Count("id"))
        .order_by()
    )
    by_kind: dict[str, int] = defaultdict(int)
    by_priority: dict[int, int] = defaultdict(int)
    for kind, priority, n in rows:
        by_kind[kind] += n
        by_priority[priority] += n
    total = sum(by_kind.values())
    if total:
        parts = ", ".join(f"{n} {kind_label(k)}" for k, n in sorted(by_kind.items()))
        figures: dict[str, Any] = {"total": total, **{f"kind_{k}": n for k, n in by_kind.items()}}
        items.append(
            Item(
                ngettext(
                    "%(n)s new inbox item: %(parts)s", "%(n)s new inbox items: %(parts)s", total
                )
                % {"n": total, "parts": parts},
                figures,
                link("inbox:list", slug),
            )
        )
        for level, severity in ((Priority.URGENT, WARNING), (Priority.HIGH, NOTICE)):
            if n := by_priority.get(level, 0):
                items.append(
                    Item(
                        _("%(n)s of them %(priority)s priority")
                        % {"n": n, "priority": str(level.label).lower()},
                        {"count": n, "priority": int(level)},
                        link("inbox:list", slug, query={"priority": int(level)}),
                        severity,
                    )
                )
    breached = _sla_breaches(ctx)
    if breached:
        items.append(
            Item(
                ngettext(
                    "%(n)s open item is past its first-response target",
                    "%(n)s open items are past their first-response target",
                    breached,
                )
                % {"n": breached},
                {"count": breached},
                link("inbox:list", slug, query={"status": MessageStatus.OPEN}),
                WARNING,
            )
        )
    notable = list(
        Message.objects.filter(
            workspace=ws,
            outgoing=False,
            received_at__gte=ctx.since,
            received_at__lt=ctx.now,
            priority__gte=Priority.HIGH,
        ).order_by("-priority", "-received_at", "-id")[:NOTABLE]
    )
    for m in notable:
        who = m.author_handle or m.author_name or _("someone")
        # A direct message stays private: who and how urgent, not what it says.
        said = "" if m.kind == "direct" else f": “{short(m.text)}”"
        items.append(
            Item(
                _("%(priority)s %(kind)s from %(who)s%(said)s")
                % {
                    "priority": m.get_priority_display(),
                    "kind": kind_label(m.kind),
                    "who": who,
                    "said": said,
                },
                {"priority": m.priority},
                link("inbox:detail", slug, m.pk),
                WARNING if m.priority >= Priority.URGENT else NOTICE,
            )
        )
    deliveries = (
        Delivery.objects.filter(
            post__workspace=ws,
            status__in=[DeliveryStatus.FAILED, DeliveryStatus.WAITING_RECONNECT],
        )
        .exclude(status=DeliveryStatus.FAILED, due_at__lt=ctx.since)
        .values_list("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    for status, n in deliveries:
        failed = status == DeliveryStatus.FAILED
        items.append(
            Item(
                (
                    ngettext("%(n)s delivery failed", "%(n)s deliveries failed", n)
                    if failed
                    else ngettext(
                        "%(n)s delivery is waiting for a channel to reconnect",
                        "%(n)s deliveries are waiting for a channel to reconnect",
                        n,
                    )
                )
                % {"n": n},
                {"count": n, "status": status},
                link("calendar:month", slug),
                CRITICAL if failed else WARNING,
            )
        )
    for channel in Channel.objects.filter(
        workspace=ws, status=ChannelStatus.NEEDS_RECONNECT
    ).order_by("name", "pk")[:LISTED]:
        items.append(
            Item(
                _("Channel %(name)s needs reconnecting") % {"name": channel.name},
                {"channel": channel.pk},
                link("channels:list", slug),
                WARNING,
            )
        )
    return SectionResult(items, _("A quiet night: nothing new."))


def _sla_breaches(ctx: Context) -> int:
    """Open items past their first-response target (business hours when set). Only items
    older than the target in wall time can be past it in business time."""
    settings = inbox_settings(ctx.workspace.pk)
    oldest = ctx.now - timedelta(minutes=settings.first_response_minutes)
    candidates = Message.objects.filter(
        workspace=ctx.workspace,
        status=MessageStatus.OPEN,
        outgoing=False,
        first_response_at__isnull=True,
        received_at__lte=oldest,
    ).order_by("-received_at", "-id")[:SLA_SCAN]
    tz = ctx.workspace.timezone
    return sum(
        1 for m in candidates if sla.first_response(m, settings, tz, ctx.now).state == "breached"
    )


# -- traction --------------------------------------------------------------------------


def traction(ctx: Context) -> SectionResult:
    """Posts published in the last 24 hours against their channel's usual engagements per
    post (the TRACTION_DAYS days before)."""
    ws, slug = ctx.workspace, ctx.workspace.slug
    recent = list(
        PostMetrics.objects.filter(
            workspace=ws, published_at__gte=ctx.now - timedelta(hours=24), published_at__lt=ctx.now
        )
        .select_related("post", "channel")
        .order_by("-engagements", "pk")[:200]
    )
    if not recent:
        return SectionResult([], _("Nothing published in the last 24 hours."))
    start = ctx.day - timedelta(days=TRACTION_DAYS)
    usual = {
        row["channel_id"]: (row["e"] or 0) / row["p"]
        for row in ChannelDay.objects.filter(
            workspace=ws,
            channel_id__in={m.channel_id for m in recent},
            day__gte=start,
            day__lt=ctx.day,
        )
        .values("channel_id")
        .annotate(e=Sum("engagements"), p=Sum("posts"))
        .order_by()
        if row["p"]
    }
    ranked = []
    for m in recent:
        base = usual.get(m.channel_id)
        ratio = m.engagements / base if base else None
        ranked.append((ratio if ratio is not None else -1.0, m.engagements, m, base, ratio))
    ranked.sort(key=lambda r: (r[0], r[1]), reverse=True)
    items = []
    for _sort, _eng, m, base, ratio in ranked[:TOP_POSTS]:
        values = {
            "text": short(m.post.text, 50) or _("(no text)"),
            "channel": m.channel.name,
            "n": m.engagements,
        }
        if ratio is None:
            text = _("“%(text)s” on %(channel)s: %(n)s engagements (no usual level yet)") % values
        else:
            text = _(
                "“%(text)s” on %(channel)s: %(n)s engagements, %(ratio)s× the usual %(base)s"
            ) % {**values, "ratio": f"{ratio:.1f}", "base": f"{base:.0f}"}
        items.append(
            Item(
                text,
                {
                    "engagements": m.engagements,
                    "usual": round(base, 1) if base is not None else None,
                    "ratio": round(ratio, 2) if ratio is not None else None,
                },
                link("publishing:post", slug, m.post_id),
                NOTICE if ratio is not None and ratio >= 2 else INFO,
            )
        )
    return SectionResult(items)


# -- scheduled today -------------------------------------------------------------------


def _pending_steps(ctx: Context) -> list[StepState]:
    if "pending_steps" not in ctx.memo:
        ctx.memo["pending_steps"] = _read_pending_steps(ctx)
    return list(ctx.memo["pending_steps"])


def _read_pending_steps(ctx: Context) -> list[StepState]:
    return list(
        StepState.objects.filter(
            request__workspace=ctx.workspace,
            request__status=RequestStatus.PENDING,
            status=StepStatus.WAITING,
            position=F("request__current_position"),
        )
        .select_related("request")
        .order_by(F("due_at").asc(nulls_last=True), "pk")[:100]
    )


def scheduled(ctx: Context) -> SectionResult:
    ws, slug = ctx.workspace, ctx.workspace.slug
    start, end = local_day_bounds(ctx)
    posts = Post.objects.filter(
        workspace=ws, status=PostStatus.SCHEDULED, scheduled_at__gte=start, scheduled_at__lt=end
    ).order_by("scheduled_at", "pk")
    listed = list(posts[: LISTED + 1])
    count = len(listed) if len(listed) <= LISTED else posts.count()
    items: list[Item] = []
    if count:
        items.append(
            Item(
                ngettext("%(n)s post scheduled today", "%(n)s posts scheduled today", count)
                % {"n": count},
                {"count": count},
                link("calendar:month", slug),
            )
        )
    for post in listed[:LISTED]:
        assert post.scheduled_at is not None
        items.append(
            Item(
                f"{post.scheduled_at.astimezone(ctx.zone):%H:%M} "
                f"{short(post.text, 60) or _('(no text)')}",
                {"at": post.scheduled_at.isoformat()},
                link("publishing:post", slug, post.pk),
            )
        )
    steps = _pending_steps(ctx)
    if steps:
        items.append(
            Item(
                ngettext(
                    "%(n)s approval still pending", "%(n)s approvals still pending", len(steps)
                )
                % {"n": len(steps)},
                {"count": len(steps)},
                link("approvals:queue", slug),
            )
        )
    for state in steps[:LISTED]:
        title = str(state.request.snapshot.get("title") or state.request.snapshot.get("text") or "")
        due = (
            _("due %(at)s") % {"at": f"{state.due_at.astimezone(ctx.zone):%Y-%m-%d %H:%M}"}
            if state.due_at
            else _("no deadline")
        )
        items.append(
            Item(
                _("%(step)s: %(what)s (%(due)s)")
                % {"step": state.name, "what": short(title, 50) or _("(untitled)"), "due": due},
                {"due": state.due_at.isoformat() if state.due_at else None},
                link("approvals:detail", slug, state.request_id),
                WARNING if state.due_at and state.due_at <= ctx.now else INFO,
            )
        )
    return SectionResult(items, _("Nothing scheduled today and no approvals pending."))


# -- risks and opportunities -----------------------------------------------------------


def risks(ctx: Context) -> SectionResult:
    slug = ctx.workspace.slug
    items: list[Item] = []
    items.extend(_pause_items(ctx))
    horizon = ctx.now + timedelta(hours=AT_RISK_HOURS)
    for state in _pending_steps(ctx):
        if state.due_at is None or state.due_at > horizon:
            continue
        late = state.due_at <= ctx.now
        items.append(
            Item(
                (
                    _("Approval step “%(step)s” is past its deadline (%(at)s)")
                    if late
                    else _("Approval step “%(step)s” is due at %(at)s and not decided")
                )
                % {"step": state.name, "at": f"{state.due_at.astimezone(ctx.zone):%H:%M}"},
                {"due": state.due_at.isoformat()},
                link("approvals:detail", slug, state.request_id),
                CRITICAL if late else WARNING,
            )
        )
    return SectionResult(items, _("No risks spotted."))


def _pause_items(ctx: Context) -> list[Item]:
    """Publishing paused (the crisis switch): the whole workspace, or channels on their
    own; each line links to the switch, where it is reviewed and resumed."""
    state = pause_state(ctx.workspace.pk)
    where = link("publishing:pause", ctx.workspace.slug)
    items = []
    if state.paused:
        items.append(
            Item(
                _("Publishing is paused: nothing goes out until someone resumes it.")
                + (f" ({state.reason})" if state.reason else ""),
                {"by": state.by},
                where,
                CRITICAL,
            )
        )
    for channel_id, name, reason, _since, _by in state.channels:
        items.append(
            Item(
                _("Publishing on %(channel)s is paused") % {"channel": name}
                + (f" ({reason})" if reason else ""),
                {"channel": channel_id},
                where,
                WARNING,
            )
        )
    return items


def register_builtin() -> None:
    register("overnight", gettext_lazy("What happened overnight"), 4, overnight, position=10)
    register("traction", gettext_lazy("What is getting traction"), 3, traction, position=30)
    register("scheduled", gettext_lazy("Scheduled today"), 2, scheduled, position=40)
    register("risks", gettext_lazy("Risks and opportunities"), 3, risks, position=50)
