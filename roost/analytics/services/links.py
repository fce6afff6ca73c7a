"""Roost short links: made by hand (API) or by the publishing text transform, followed by
the public redirect `/l/<code>`, which counts a click per link and per delivery.

No personal data: a click moves two counters and nothing else is written (no IP address,
no user agent, no time of the click). Bots are told apart by their user agent (BOT_MARKERS)
and HEAD requests (link previews, checkers) are not counted.
"""

from __future__ import annotations

import logging
import secrets
import string
from collections.abc import Iterable, Sequence
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import regex
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.text import slugify
from django.utils.translation import gettext as _

from roost.analytics.models import RoiSettings, ShortLink
from roost.analytics.services.recording import link_clicks_add
from roost.core.exceptions import ValidationFailed
from roost.core.urls import safe_http_url
from roost.publishing.content import URL
from roost.publishing.models import Delivery, Post
from roost.workspaces.access import require
from roost.workspaces.models import Membership
from roost.workspaces.roles import Perm
from roost.workspaces.services import audit_record

log = logging.getLogger("roost.analytics")

CODE_ALPHABET = string.ascii_letters + string.digits
CODE_LENGTH = 8  # 62**8 ≈ 2×10^14 codes: not guessable by walking them
MAX_TARGET = 2000

# Lower-case substrings of user agents that are not a person clicking: crawlers, link
# preview fetchers of networks and chat apps, and command-line clients. Documented in
# docs/analytics-roi.md; a request without a user agent is not counted either.
BOT_MARKERS = (
    "bot",  # Googlebot, bingbot, Twitterbot, Slackbot, Discordbot, TelegramBot, …
    "crawler",
    "spider",
    "preview",  # "Slack-LinkExpanding"-style and generic link previewers
    "facebookexternalhit",
    "facebookcatalog",
    "embedly",
    "linkexpanding",
    "cardyb",  # Bluesky's link-card fetcher (Mastodon's sends "http.rb")
    "whatsapp",
    "headless",
    "lighthouse",
    "curl",
    "wget",
    "python-requests",
    "python-urllib",
    "aiohttp",
    "httpx",
    "go-http-client",
    "okhttp",
    "java/",
    "libwww",
    "http.rb",
    "axios",
    "node-fetch",
    "monitor",
    "scan",
)


def is_bot(user_agent: str | None) -> bool:
    """True when the user agent names a crawler, previewer or script (or is missing)."""
    if not user_agent or not user_agent.strip():
        return True
    ua = user_agent.lower()
    return any(marker in ua for marker in BOT_MARKERS)


def _code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def link_url(link: ShortLink) -> str:
    """The short link as people see it: ROOST_SHORT_LINK_BASE + /l/<code>."""
    return f"{settings.ROOST_SHORT_LINK_BASE}/l/{link.code}"


def _checked_target(target: object) -> str:
    url = safe_http_url(target.strip() if isinstance(target, str) else target, MAX_TARGET)
    if not url:
        raise ValidationFailed(
            {"target": [_("Enter an http:// or https:// address of at most 2,000 characters.")]}
        )
    return url


def _create(**fields: object) -> ShortLink:
    """A new link with a fresh code (a clash of codes, however unlikely, draws again)."""
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return ShortLink.objects.create(code=_code(), **fields)
        except IntegrityError:
            continue
    raise IntegrityError("no free short-link code")  # pragma: no cover - 62**8 codes


def short_link_create(*, actor: Membership, target: str, post_id: int | None = None) -> ShortLink:
    """A short link to `target` (http/https only), optionally counted for one post."""
    require(actor, Perm.MANAGE_ANALYTICS)
    url = _checked_target(target)
    post = None
    if post_id is not None:
        post = Post.objects.filter(workspace_id=actor.workspace_id, pk=post_id).first()
        if post is None:
            raise ValidationFailed({"post_id": [_("Choose a post of this workspace.")]})
    link = _create(workspace_id=actor.workspace_id, post=post, target=url)
    audit_record(
        workspace=actor.workspace,
        actor=actor.user,
        action="short_link.created",
        target=link,
        url=url[:200],
    )
    return link


def link_for_delivery(delivery: Delivery, target: str) -> ShortLink | None:
    """The delivery's short link to `target` (made once; a retry gets the same one), or
    None when `target` is no http(s) URL Roost keeps."""
    url = safe_http_url(target, MAX_TARGET)
    if not url:
        return None
    found = ShortLink.objects.filter(delivery=delivery, target=url).first()
    if found is not None:
        return found
    try:
        return _create(
            workspace_id=delivery.channel.workspace_id,
            post_id=delivery.post_id,
            channel_id=delivery.channel_id,
            delivery=delivery,
            target=url,
        )
    except IntegrityError:  # made at the same moment by another try of the delivery
        return ShortLink.objects.filter(delivery=delivery, target=url).first()


def shortening_on(workspace_ids: Iterable[int]) -> set[int]:
    """Those of the workspaces whose "shorten links in posts" setting (ROI page) is on."""
    return set(
        RoiSettings.objects.filter(
            workspace_id__in=set(workspace_ids), shorten_links=True
        ).values_list("workspace_id", flat=True)
    )


def shorten_parts(batch: Sequence[tuple[Delivery, list[str]]]) -> list[list[str]]:
    """The publishing text transform: in workspaces that shorten links, every http(s) link
    in a delivery's texts becomes that delivery's own short link (links that are short
    links already are left alone). One query for a batch where nothing changes."""
    on = shortening_on(d.channel.workspace_id for d, _parts in batch) if batch else set()
    own = settings.ROOST_SHORT_LINK_BASE + "/l/"
    out = []
    for delivery, parts in batch:
        if delivery.channel.workspace_id not in on:
            out.append(list(parts))
            continue

        def replace(match: regex.Match[str], delivery: Delivery = delivery) -> str:
            url = match.group(0)
            if url.startswith(own):
                return url
            link = link_for_delivery(delivery, url)
            return url if link is None else link_url(link)

        out.append([URL.sub(replace, text) for text in parts])
    return out


def short_link_click(*, link: ShortLink) -> None:
    """Count one human click: on the link, and on its delivery's metrics when known."""
    ShortLink.objects.filter(pk=link.pk).update(clicks=F("clicks") + 1)
    if link.delivery_id is not None:
        link_clicks_add(delivery_id=link.delivery_id)


def redirect_target(link: ShortLink) -> str:
    """Where the link leads: its target with its own query (UTM tags included) kept, and,
    when its post has a campaign, the campaign's UTM tags plus utm_source=<network>,
    utm_medium=social and utm_campaign=<campaign slug> for those the target lacks."""
    post = link.post
    campaign = post.campaign if post is not None and post.campaign_id else None
    if campaign is None:
        return link.target
    wanted = {"utm_medium": "social", "utm_campaign": slugify(campaign.name) or "campaign"}
    if link.channel is not None:
        wanted["utm_source"] = link.channel.network
    wanted.update(campaign.utm())  # the campaign's own tags win over the defaults
    parts = urlsplit(link.target)
    present = {key for key, _value in parse_qsl(parts.query, keep_blank_values=True)}
    missing = {k: v for k, v in wanted.items() if k not in present}
    if not missing:
        return link.target
    extra = urlencode(sorted(missing.items()))
    query = f"{parts.query}&{extra}" if parts.query else extra
    return urlunsplit(parts._replace(query=query))
