"""What Mastodon would refuse before anything is sent: length, media, alt text, options."""

from __future__ import annotations

from typing import Any

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext

from roost.networks.base import Limits, Media, Part, Problem, PublishRequest
from roost.networks.mastodon.text import status_length

VISIBILITIES = ("public", "unlisted", "private", "direct")


def validate(
    request: PublishRequest, limits: Limits, *, host: str, url_chars: int = 23
) -> list[Problem]:
    """Problems Mastodon (at `host`, with these limits) would refuse `request` for."""
    where = {"host": host}
    problems: list[Problem] = []
    visibility = request.options.get("visibility") or "public"
    if visibility not in VISIBILITIES:
        problems.append(
            Problem(
                gettext(
                    "Mastodon visibility is one of public, unlisted, private or direct; "
                    "“%(visibility)s” is not."
                )
                % {"visibility": visibility},
                field="options",
            )
        )
    spoiler = request.options.get("spoiler_text") or ""
    if not isinstance(spoiler, str):
        problems.append(
            Problem(gettext("A Mastodon content warning must be text."), field="options")
        )
        spoiler = ""
    if not request.parts:
        problems.append(Problem(gettext("There is nothing to publish to Mastodon.")))
    if len(request.parts) > limits.max_parts:
        problems.append(
            Problem(
                gettext(
                    "Roost publishes at most %(limit)d posts in one Mastodon thread; "
                    "this one has %(count)d."
                )
                % {"limit": limits.max_parts, "count": len(request.parts)}
            )
        )
    for index, part in enumerate(request.parts):
        problems.extend(_part_problems(index, part, spoiler, url_chars, limits, where))
    return problems


def _part_problems(
    index: int,
    part: Part,
    spoiler: str,
    url_chars: int,
    limits: Limits,
    where: dict[str, str],
) -> list[Problem]:
    problems: list[Problem] = []
    number = {**where, "part": index + 1}
    if not part.text.strip() and not part.media:
        problems.append(
            Problem(
                gettext(
                    "Mastodon (%(host)s) needs text or an image in every post; "
                    "part %(part)d is empty."
                )
                % number,
                part=index,
            )
        )
    length = status_length(part.text, spoiler, url_chars)
    if length > limits.max_chars:
        if spoiler:
            message = gettext(
                "Mastodon (%(host)s) allows %(limit)d characters per post; part %(part)d "
                "has %(count)d, counting the content warning."
            )
        else:
            message = gettext(
                "Mastodon (%(host)s) allows %(limit)d characters per post; "
                "part %(part)d has %(count)d."
            )
        problems.append(
            Problem(message % {**number, "limit": limits.max_chars, "count": length}, index)
        )
    if len(part.media) > limits.max_media:
        problems.append(
            Problem(
                gettext(
                    "Mastodon (%(host)s) allows %(limit)d images per post; "
                    "part %(part)d has %(count)d."
                )
                % {**number, "limit": limits.max_media, "count": len(part.media)},
                part=index,
                field="media",
            )
        )
    for position, media in enumerate(part.media, start=1):
        problems.extend(_media_problems(index, position, media, limits, number))
    return problems


def _media_problems(
    index: int, position: int, media: Media, limits: Limits, number: dict[str, Any]
) -> list[Problem]:
    problems: list[Problem] = []
    image = {**number, "image": position}
    if media.mime_type not in limits.image_types:
        problems.append(
            Problem(
                gettext(
                    "Mastodon (%(host)s) accepts images of these types: %(types)s; "
                    "image %(image)d in part %(part)d is %(type)s."
                )
                % {
                    **image,
                    "types": ", ".join(sorted(limits.image_types)),
                    "type": media.mime_type,
                },
                part=index,
                field="media",
            )
        )
    if media.size > limits.max_image_bytes:
        problems.append(
            Problem(
                gettext(
                    "Mastodon (%(host)s) allows images up to %(limit)s; "
                    "image %(image)d in part %(part)d is %(size)s."
                )
                % {
                    **image,
                    "limit": filesizeformat(limits.max_image_bytes),
                    "size": filesizeformat(media.size),
                },
                part=index,
                field="media",
            )
        )
    if len(media.alt_text) > limits.max_alt_text:
        problems.append(
            Problem(
                gettext(
                    "Mastodon (%(host)s) allows %(limit)d characters of alt text; "
                    "image %(image)d in part %(part)d has %(count)d."
                )
                % {**image, "limit": limits.max_alt_text, "count": len(media.alt_text)},
                part=index,
                field="alt_text",
            )
        )
    return problems
