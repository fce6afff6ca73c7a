"""Spike alerts: one Alert per spike, then quiet for a cool-down; the people who follow
listening are told (in-app and e-mail), and the inbox too when the topic asks for it.

A spike that goes on over several checks is the same alert: while an alert of that kind
for that topic is "quiet" (its `quiet_until` not yet passed), a check that still sees the
spike only moves `quiet_until` to now + the cool-down. So the cool-down counts from the
last check that saw the spike. Two checks at once cannot both fire: the alert row is
unique per (topic, kind, started_at), and the notifications are keyed by the alert.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.defaultfilters import floatformat
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext as _

from roost.core import clock
from roost.listening.models import Alert, Topic
from roost.listening.trends import Spike, spikes
from roost.notifications.services import notify
from roost.workspaces.models import Membership
from roost.workspaces.roles import Perm

log = logging.getLogger("roost.listening.alerts")


def cooldown() -> timedelta:
    """How long after a spike was last seen before another alert of its kind may fire."""
    return timedelta(hours=settings.ROOST_LISTENING_ALERT_COOLDOWN_HOURS)


def alerts_check(*, now: datetime | None = None) -> list[Alert]:
    """Look for spikes on every active topic that wants alerts; returns the new alerts.
    One workspace's failure is logged and never stops another's."""
    now = now or clock.now()
    by_workspace: dict[int, list[int]] = defaultdict(list)
    wanted = (
        Topic.objects.filter(is_active=True)
        .exclude(alert_volume=False, alert_negative=False)
        .values_list("workspace_id", "pk")
        .order_by("workspace_id", "pk")
    )
    for workspace_id, topic_id in wanted:
        by_workspace[workspace_id].append(topic_id)
    created: list[Alert] = []
    for workspace_id, topic_ids in by_workspace.items():
        try:
            created += _check_workspace(workspace_id, topic_ids, now)
        except Exception:
            log.exception("listening alerts: workspace %s failed; the others go on", workspace_id)
    return created


def _check_workspace(workspace_id: int, topic_ids: list[int], now: datetime) -> list[Alert]:
    found = spikes(topic_ids, now=now)
    if not found:
        return []
    topics = Topic.objects.select_related("workspace").in_bulk([s.topic_id for s in found])
    created = []
    for spike in found:
        topic = topics[spike.topic_id]
        wanted = topic.alert_volume if spike.kind == Alert.Kind.VOLUME else topic.alert_negative
        if not wanted:
            continue
        alert = _fire(topic, spike, now)
        if alert is not None:
            created.append(alert)
    return created


def _fire(topic: Topic, spike: Spike, now: datetime) -> Alert | None:
    """The alert for this spike, if it is new; None while an earlier one is still quiet."""
    quiet_until = now + cooldown()
    if _still_quiet(topic.pk, spike.kind, now, quiet_until):
        return None
    try:
        with transaction.atomic():
            alert = Alert.objects.create(
                workspace_id=topic.workspace_id,
                topic=topic,
                kind=spike.kind,
                started_at=spike.started_at,
                observed=spike.observed,
                expected=spike.expected,
                detail={
                    "since": spike.since.isoformat(),
                    "minutes": spike.minutes,
                    "mentions": spike.mentions,
                    "negative": spike.negative,
                    "score": spike.score,
                },
                created_at=now,
                quiet_until=quiet_until,
            )
            _tell(topic, alert)
    except IntegrityError:
        # Another check fired it first (or this spike outlived a pause in the checks):
        # it is the same spike, so its quiet time follows this check too.
        Alert.objects.filter(
            topic=topic,
            kind=spike.kind,
            started_at=spike.started_at,
            quiet_until__lt=quiet_until,
        ).update(quiet_until=quiet_until)
        return None
    log.info("listening alert %s: %s on topic %s", alert.pk, alert.kind, topic.pk)
    if topic.alert_to_inbox:
        _to_inbox(topic, alert)
    return alert


def _still_quiet(topic_id: int, kind: str, now: datetime, quiet_until: datetime) -> bool:
    """Whether an alert of this kind is in its cool-down; if so, it lasts until
    `quiet_until` now (the same spike going on, or a new one too soon after)."""
    quiet = Alert.objects.filter(topic_id=topic_id, kind=kind, quiet_until__gt=now)
    if not quiet.exists():
        return False
    quiet.filter(quiet_until__lt=quiet_until).update(quiet_until=quiet_until)
    return True


def _figure(value: float) -> str:
    """9 → "9", 8.66 → "8.7", 1234.4 → "1,234" (in the active language)."""
    return floatformat(value, "-1g" if value < 10 else "0g")


def topic_url(topic: Topic) -> str:
    """The topic's listening page (a stable path until the page's URL name exists)."""
    try:
        return reverse(
            "listening:topic", kwargs={"slug": topic.workspace.slug, "topic_id": topic.pk}
        )
    except NoReverseMatch:
        return f"/w/{topic.workspace.slug}/listening/topics/{topic.pk}/"


def alert_text(topic: Topic, alert: Alert) -> str:
    """One line a person can act on: the topic, the kind and the figures (in the
    workspace's language)."""
    with translation.override(topic.workspace.language):
        return _alert_text(topic, alert)


def _alert_text(topic: Topic, alert: Alert) -> str:
    minutes = int(alert.detail.get("minutes", 60))
    if alert.kind == Alert.Kind.VOLUME:
        return _(
            "Volume spike on “%(topic)s”: %(count)s mentions in the last %(minutes)s minutes, "
            "usually %(expected)s"
        ) % {
            "topic": topic.name,
            "count": _figure(alert.observed),
            "minutes": minutes,
            "expected": _figure(alert.expected),
        }
    return _(
        "Negative spike on “%(topic)s”: %(share)s%% of %(mentions)s mentions negative in the "
        "last %(minutes)s minutes, usually %(expected)s%%"
    ) % {
        "topic": topic.name,
        "share": round(alert.observed * 100),
        "mentions": _figure(int(alert.detail.get("mentions", 0))),
        "minutes": minutes,
        "expected": round(alert.expected * 100),
    }


def _tell(topic: Topic, alert: Alert) -> None:
    members = (
        Membership.objects.filter(workspace_id=topic.workspace_id)
        .select_related("user")
        .prefetch_related("roles")
    )
    notify(
        workspace=topic.workspace,
        recipients=[m.user for m in members if m.has_perm(Perm.VIEW_LISTENING)],
        kind=f"listening.{alert.kind}_spike",
        key=f"listening:alert:{alert.pk}",
        text=alert_text(topic, alert),
        url=topic_url(topic),
    )


def _to_inbox(topic: Topic, alert: Alert) -> None:
    """Also as an inbox item; a failure here is logged, the alert and notes stand."""
    from roost.inbox.services.internal import internal_item_add

    try:
        message = internal_item_add(
            workspace=topic.workspace,
            key=f"listening-alert:{alert.pk}",
            text=alert_text(topic, alert),
            url="",
            author_name="Roost",
        )
    except Exception:
        log.exception("listening alert %s: could not put it in the inbox", alert.pk)
        return
    if message is not None:
        Alert.objects.filter(pk=alert.pk).update(inbox_message_id=message.pk)
        alert.inbox_message_id = message.pk
