"""Bluesky's limits, checked before anything is sent: problems in words for people."""

from __future__ import annotations

from django.utils import formats
from django.utils.translation import gettext as _

from roost.networks.base import Part, Problem, PublishRequest
from roost.networks.bluesky.text import grapheme_count, utf8_length

MAX_GRAPHEMES = 300
MAX_TEXT_BYTES = 3000  # the lexicon's maxLength: many-codepoint emoji can reach it first
MAX_IMAGES = 4
MAX_IMAGE_BYTES = 1_000_000
IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/gif"})
MAX_ALT_TEXT = 2000  # graphemes, as in the Bluesky app
MAX_PARTS = 25


def validate(request: PublishRequest) -> list[Problem]:
    """Every way this request breaks Bluesky's limits (graphemes, images, alt text)."""
    problems: list[Problem] = []
    if not request.parts:
        return [Problem(_("A Bluesky post needs some text or an image."))]
    if len(request.parts) > MAX_PARTS:
        problems.append(
            Problem(
                _("Bluesky threads from Roost can have %(limit)d posts; this one has %(count)d.")
                % {"limit": MAX_PARTS, "count": len(request.parts)}
            )
        )
    thread = len(request.parts) > 1
    for index, part in enumerate(request.parts):
        where = _("part %(number)d") % {"number": index + 1} if thread else _("this post")
        problems.extend(_part_problems(part, index, where))
    language = request.options.get("language")
    if language is not None and not (isinstance(language, str) and 2 <= len(language) <= 20):
        problems.append(
            Problem(
                _("Bluesky needs a language code such as “pl” or “en”; got %(value)r.")
                % {"value": language},
                field="options",
            )
        )
    return problems


def _part_problems(part: Part, index: int, where: str) -> list[Problem]:
    """The problems of one thread part."""
    problems = []
    count = grapheme_count(part.text)
    if count > MAX_GRAPHEMES:
        problems.append(
            Problem(
                _("Bluesky allows %(limit)d characters per post; %(where)s has %(count)d.")
                % {"limit": MAX_GRAPHEMES, "where": where, "count": count},
                part=index,
            )
        )
    elif utf8_length(part.text) > MAX_TEXT_BYTES:
        problems.append(
            Problem(
                _(
                    "Bluesky allows %(limit)s bytes of text per post (an emoji takes several); "
                    "%(where)s has %(count)s."
                )
                % {
                    "limit": _number(MAX_TEXT_BYTES),
                    "where": where,
                    "count": _number(utf8_length(part.text)),
                },
                part=index,
            )
        )
    if not part.text.strip() and not part.media:
        problems.append(
            Problem(
                _("Bluesky needs text or an image; %(where)s is empty.") % {"where": where}, index
            )
        )
    if len(part.media) > MAX_IMAGES:
        problems.append(
            Problem(
                _("Bluesky allows %(limit)d images per post; %(where)s has %(count)d.")
                % {"limit": MAX_IMAGES, "where": where, "count": len(part.media)},
                part=index,
                field="media",
            )
        )
    for number, item in enumerate(part.media, start=1):
        image = {"image": number, "where": where}
        if item.mime_type not in IMAGE_TYPES:
            problems.append(
                Problem(
                    _(
                        "Bluesky accepts JPEG, PNG, WebP and GIF images; image %(image)d of "
                        "%(where)s is %(type)s."
                    )
                    % {**image, "type": item.mime_type or _("of unknown type")},
                    part=index,
                    field="media",
                )
            )
        if item.size > MAX_IMAGE_BYTES:
            problems.append(
                Problem(
                    _(
                        "Bluesky allows images of up to %(limit)s bytes; image %(image)d of "
                        "%(where)s has %(size)s."
                    )
                    % {**image, "limit": _number(MAX_IMAGE_BYTES), "size": _number(item.size)},
                    part=index,
                    field="media",
                )
            )
        alt = grapheme_count(item.alt_text)
        if alt > MAX_ALT_TEXT:
            problems.append(
                Problem(
                    _(
                        "Bluesky allows %(limit)s characters of alt text; image %(image)d of "
                        "%(where)s has %(count)s."
                    )
                    % {**image, "limit": _number(MAX_ALT_TEXT), "count": _number(alt)},
                    part=index,
                    field="alt_text",
                )
            )
    return problems


def _number(value: int) -> str:
    """A whole number with the locale's thousands separator."""
    return formats.number_format(value, force_grouping=True)
