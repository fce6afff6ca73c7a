"""What a channel receives: its variant (or the main text), campaign UTM tags on links,
the thread's further parts and the media — as the network boundary's PublishRequest."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import regex
from django.conf import settings

from roost.networks.base import Media, Part, PublishRequest

if TYPE_CHECKING:
    from roost.channels.models import Channel
    from roost.publishing.models import Delivery, MediaAsset, Post

URL = regex.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)\]]")


def add_utm(text: str, params: dict[str, str]) -> str:
    """Add UTM parameters to every link in `text`, keeping any the link already has."""
    if not params:
        return text
    # Roost's own short links carry their tags to the target (analytics adds them there).
    short = settings.ROOST_SHORT_LINK_BASE + "/l/"

    def tag(match: regex.Match[str]) -> str:
        if match.group(0).startswith(short):
            return match.group(0)
        parts = urlsplit(match.group(0))
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        for key, value in params.items():
            query.setdefault(key, value)
        return urlunsplit(parts._replace(query=urlencode(query)))

    return URL.sub(tag, text)


def channel_text(post: Post, channel_id: int, variants: dict[int, str] | None = None) -> str:
    """The first part's text for one channel: its own variant when edited, else the main."""
    if variants is None:
        variants = {v.channel_id: v.text for v in post.variants.all()}
    return variants.get(channel_id) or post.text


def channel_thread(
    post: Post, channel_id: int, threads: dict[int, list[str]] | None = None
) -> list[str]:
    """The further parts for one channel: its variant's own thread when it has one (even an
    empty one: no further parts), else the main thread."""
    if threads is None:
        threads = {v.channel_id: v.thread for v in post.variants.all() if v.thread is not None}
    own = threads.get(channel_id)
    return [t for t in (post.thread if own is None else own) if t.strip()]


def media_of(post: Post) -> list[MediaAsset]:
    return [pm.asset for pm in post.postmedia_set.select_related("asset").order_by("position")]


def to_media(asset: MediaAsset, with_data: bool = True) -> Media:
    data = b""
    if with_data:
        with asset.file.open("rb") as handle:
            data = handle.read()
    else:
        data = b"\0" * asset.size  # validation needs only the size
    return Media(
        data=data,
        mime_type=asset.mime_type,
        alt_text=asset.alt_text,
        width=asset.width,
        height=asset.height,
        filename=asset.original_name,
    )


def build_request(
    post: Post,
    channel: Channel,
    *,
    key: str = "validate",
    first_attempt_at: object = None,
    with_data: bool = True,
    variants: dict[int, str] | None = None,
    threads: dict[int, list[str]] | None = None,
    assets: list[MediaAsset] | None = None,
) -> PublishRequest:
    """`variants`/`threads` by channel id, when the caller read them already (else: loaded)."""
    if variants is None or threads is None:
        stored = list(post.variants.all()) if post.pk else []
        if variants is None:
            variants = {v.channel_id: v.text for v in stored}
        if threads is None:
            threads = {v.channel_id: v.thread for v in stored if v.thread is not None}
    utm = post.campaign.utm() if post.campaign_id and post.campaign else {}
    first = add_utm(channel_text(post, channel.pk, variants), utm)
    media = tuple(
        to_media(a, with_data) for a in (assets if assets is not None else media_of(post))
    )
    parts = [Part(text=first, media=media)]
    parts += [Part(text=add_utm(text, utm)) for text in channel_thread(post, channel.pk, threads)]
    return PublishRequest(
        idempotency_key=key,
        parts=tuple(parts),
        options=dict(post.options or {}),
        first_attempt_at=first_attempt_at,  # type: ignore[arg-type]
    )


def delivery_request(delivery: Delivery) -> PublishRequest:
    return build_request(
        delivery.post,
        delivery.channel,
        key=delivery.idempotency_key,
        first_attempt_at=delivery.earlier_try_at,
    )
