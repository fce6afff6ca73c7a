"""Bluesky's limits, checked before anything is sent, in words for people."""

from __future__ import annotations

from roost.networks.base import Limits, Media, Part, Problem, PublishRequest
from roost.networks.bluesky.tests.conftest import make_connector

FAMILY = "👨‍👩‍👧"


def problems(*parts: Part, **options: object) -> list[Problem]:
    return make_connector().validate(PublishRequest("key", parts, options=options))


def image(size: int = 1000, mime_type: str = "image/jpeg", alt: str = "") -> Media:
    return Media(b"\xff" * size, mime_type, alt_text=alt, width=4, height=3)


def test_limits() -> None:
    assert make_connector().limits() == Limits(
        max_chars=300,
        max_media=4,
        max_image_bytes=1_000_000,
        image_types=frozenset({"image/jpeg", "image/png", "image/webp", "image/gif"}),
        alt_text_required=False,
        max_alt_text=2000,
        max_parts=25,
    )


def test_a_good_post_has_no_problems() -> None:
    assert problems(Part("a" * 300, (image(1_000_000), image(), image(), image()))) == []
    assert problems(Part(FAMILY * 166 + "!"), language="pl") == []  # 167 graphemes, 2989 bytes
    assert problems(Part("", (image(),))) == []  # an image alone is a post


def test_text_is_counted_in_graphemes() -> None:
    assert problems(Part("ż" * 312)) == [
        Problem("Bluesky allows 300 characters per post; this post has 312.", part=0)
    ]
    assert problems(Part("1/2"), Part("👍🏽" * 301)) == [
        Problem("Bluesky allows 300 characters per post; part 2 has 301.", part=1)
    ]


def test_text_bytes_limit() -> None:
    assert problems(Part(FAMILY * 300)) == [
        Problem(
            "Bluesky allows 3,000 bytes of text per post (an emoji takes several); "
            "this post has 5,400.",
            part=0,
        )
    ]


def test_images() -> None:
    assert problems(Part("kawa", (image(),) * 5)) == [
        Problem("Bluesky allows 4 images per post; this post has 5.", part=0, field="media")
    ]
    assert problems(Part("kawa", (image(1_000_001, "image/heic"),))) == [
        Problem(
            "Bluesky accepts JPEG, PNG, WebP and GIF images; image 1 of this post is image/heic.",
            part=0,
            field="media",
        ),
        Problem(
            "Bluesky allows images of up to 1,000,000 bytes; image 1 of this post has 1,000,001.",
            part=0,
            field="media",
        ),
    ]


def test_alt_text_is_optional_but_limited() -> None:
    assert problems(Part("kawa", (image(alt="ż" * 2000),))) == []
    assert problems(Part("1"), Part("2", (image(), image(alt=FAMILY * 2001)))) == [
        Problem(
            "Bluesky allows 2,000 characters of alt text; image 2 of part 2 has 2,001.",
            part=1,
            field="alt_text",
        )
    ]


def test_empty_posts_and_threads() -> None:
    assert problems() == [Problem("A Bluesky post needs some text or an image.")]
    assert problems(Part("1"), Part("  ")) == [
        Problem("Bluesky needs text or an image; part 2 is empty.", part=1)
    ]
    assert problems(*(Part(str(n)) for n in range(26))) == [
        Problem("Bluesky threads from Roost can have 25 posts; this one has 26.")
    ]


def test_language_option() -> None:
    assert problems(Part("kawa"), language=7) == [
        Problem("Bluesky needs a language code such as “pl” or “en”; got 7.", field="options")
    ]
