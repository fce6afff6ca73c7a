"""Compose's live preview: what each chosen channel would receive, part by part, counted the
network's own way — built by the same code the publisher uses (content.build_request)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import regex

from roost.channels.models import Channel
from roost.channels.services import channel_connector
from roost.core import clock
from roost.core.exceptions import ValidationFailed
from roost.core.urls import safe_http_url
from roost.networks import registry
from roost.networks.base import CountingConnector, PublishRequest
from roost.publishing.content import URL, build_request
from roost.publishing.models import MediaAsset
from roost.publishing.services.compose import PostInput, _preview_post, _resolve, own_threads
from roost.publishing.services.scheduling import Mode, due_times
from roost.workspaces.access import require
from roost.workspaces.models import Membership
from roost.workspaces.roles import Perm

_GRAPHEME = regex.compile(r"\X")
# A hashtag or a mention starts a word; what the networks themselves mark up, shown as such.
_TAG = regex.compile(r"(?<!\S)#[\p{L}\p{N}_]*\p{L}[\p{L}\p{N}_]*")
_MENTION = regex.compile(r"(?<!\S)@[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?(?:@[\w.-]+\w)?")


@dataclass(frozen=True)
class Segment:
    """A run of text; `kind` is "link" (with a safe http(s) `href`), "tag", "mention" or ""."""

    text: str
    kind: str = ""
    href: str = ""


@dataclass(frozen=True)
class PartPreview:
    segments: list[Segment]
    count: int  # as the network counts it
    limit: int
    images: list[MediaAsset] = field(default_factory=list)

    @property
    def over(self) -> bool:
        return self.count > self.limit

    @property
    def left(self) -> int:
        return self.limit - self.count


@dataclass(frozen=True)
class ChannelPreview:
    channel: Channel
    label: str  # the network's name
    parts: list[PartPreview]
    problems: list[str]

    @property
    def over(self) -> bool:
        return any(part.over for part in self.parts)


@dataclass(frozen=True)
class Preview:
    channels: list[ChannelPreview]
    errors: dict[str, list[str]]  # problems that are not one channel's (see post_validate)
    when: list[str] = field(default_factory=list)  # problems with the chosen time


def segments(text: str) -> list[Segment]:
    """`text` cut into plain runs, links (http and https only), hashtags and mentions."""
    marks: list[tuple[int, int, str, str]] = []
    for match in URL.finditer(text):
        href = safe_http_url(match.group(0))
        if href:
            marks.append((match.start(), match.end(), "link", href))
    for kind, pattern in (("tag", _TAG), ("mention", _MENTION)):
        for match in pattern.finditer(text):
            start, end = match.span()
            if not any(start < m_end and m_start < end for m_start, m_end, _k, _h in marks):
                marks.append((start, end, kind, ""))
    marks.sort()
    found: list[Segment] = []
    at = 0
    for start, end, kind, href in marks:
        if start > at:
            found.append(Segment(text[at:start]))
        found.append(Segment(text[start:end], kind, href))
        at = end
    if at < len(text):
        found.append(Segment(text[at:]))
    return found


def _graphemes(text: str) -> int:
    return len(_GRAPHEME.findall(text))


def post_preview(
    *, actor: Membership, data: PostInput, mode: str = "", at: datetime | None = None
) -> Preview:
    """Each chosen channel's parts as it would receive them, counted, with its problems;
    and, for a time (`mode` "at" with `at`) or the queue, why it cannot be used, if so."""
    require(actor, Perm.COMPOSE)
    errors: dict[str, list[str]] = {}
    checked = _resolve(actor, data, errors)
    when: list[str] = []
    if checked.channels and ((mode == "at" and at is not None) or mode == "queue"):
        try:  # the very check saving does: a past time, a channel without queue slots
            due_times(checked.channels, Mode(mode), at, clock.now())
        except ValidationFailed as exc:
            when = [m for messages in exc.errors.values() for m in messages]
    post = _preview_post(actor, data, checked)
    variants = {k: v for k, v in data.variants.items() if v}
    threads = own_threads(data)
    previews = []
    for channel in checked.channels:
        request: PublishRequest = build_request(
            post,
            channel,
            with_data=False,
            variants=variants,
            threads=threads,
            assets=checked.media,
        )
        with channel_connector(channel) as connector:
            problems = connector.validate(request)
            limit = connector.limits().max_chars
            if isinstance(connector, CountingConnector):
                counts = [connector.text_length(p.text, request.options) for p in request.parts]
            else:  # a network that says nothing more: user-perceived characters
                counts = [_graphemes(p.text) for p in request.parts]
        label = registry.get(channel.network).label
        parts = [
            PartPreview(
                segments=segments(part.text),
                count=count,
                limit=limit,
                images=checked.media if index == 0 else [],
            )
            for index, (part, count) in enumerate(zip(request.parts, counts, strict=True))
        ]
        previews.append(
            ChannelPreview(
                channel=channel,
                label=label,
                parts=parts,
                problems=[f"{channel.name} ({label}): {p.message}" for p in problems],
            )
        )
    return Preview(channels=previews, errors=errors, when=when)
