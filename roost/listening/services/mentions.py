"""Reading mentions: a workspace's mentions with filters, newest first, a page at a time
(a cursor that stays right while new mentions arrive)."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from roost.core.exceptions import ValidationFailed
from roost.listening.models import Mention, TopicMention
from roost.workspaces.access import require
from roost.workspaces.models import Membership
from roost.workspaces.roles import Perm


@dataclass(frozen=True)
class MentionFilter:
    topic_id: int | None = None
    sentiment: int | None = None  # -1, 0, 1
    language: str = ""
    intent: bool | None = None
    since: datetime | None = None  # posted at or after
    until: datetime | None = None  # posted before


def encode_cursor(mention: Mention) -> str:
    raw = f"{mention.posted_at.isoformat()}|{mention.pk}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    """The (posted_at, id) a cursor points after; ValidationFailed when it is not one."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        at, pk = base64.urlsafe_b64decode(padded.encode()).decode().split("|")
        when = datetime.fromisoformat(at)
        if when.tzinfo is None:
            raise ValueError
        return when, int(pk)
    except (ValueError, UnicodeError, binascii.Error):
        raise ValidationFailed(
            {"cursor": [_("This is not a cursor from an earlier page: start without one.")]}
        ) from None


def mentions_list(
    actor: Membership, f: MentionFilter, *, cursor: str = "", limit: int = 50
) -> tuple[list[Mention], str | None]:
    """One page of the workspace's mentions, newest first, and the cursor of the next page
    (None: no more)."""
    require(actor, Perm.VIEW_LISTENING)
    qs: QuerySet[Mention] = Mention.objects.filter(workspace_id=actor.workspace_id)
    if f.topic_id is not None:
        qs = qs.filter(
            pk__in=TopicMention.objects.filter(
                topic_id=f.topic_id, topic__workspace_id=actor.workspace_id
            ).values("mention_id")
        )
    if f.sentiment is not None:
        qs = qs.filter(sentiment=f.sentiment)
    if f.language:
        qs = qs.filter(language=f.language.casefold())
    if f.intent is not None:
        qs = qs.filter(intent=f.intent)
    if f.since is not None:
        qs = qs.filter(posted_at__gte=f.since)
    if f.until is not None:
        qs = qs.filter(posted_at__lt=f.until)
    if cursor:
        at, pk = decode_cursor(cursor)
        qs = qs.filter(Q(posted_at__lt=at) | Q(posted_at=at, pk__lt=pk))
    found = list(qs.select_related("channel").order_by("-posted_at", "-pk")[: limit + 1])
    more = len(found) > limit
    page = found[:limit]
    return page, encode_cursor(page[-1]) if more and page else None


def topic_ids_of(mentions: list[Mention]) -> dict[int, list[int]]:
    """The topics each mention matched, by mention id (one query)."""
    out: dict[int, list[int]] = {m.pk: [] for m in mentions}
    for mention_id, topic_id in (
        TopicMention.objects.filter(mention_id__in=list(out))
        .order_by("topic_id")
        .values_list("mention_id", "topic_id")
    ):
        out[mention_id].append(topic_id)
    return out
