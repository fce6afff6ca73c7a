"""Local validation: limits named in words, per part, before anything is sent."""

from __future__ import annotations

from roost.networks.base import Limits, Media, Part, Problem, PublishRequest
from roost.networks.sandbox.connector import SandboxConnector

from .conftest import png, request

connector = SandboxConnector({"base_url": "http://127.0.0.1:1"}, {"token": "unused"})


def test_limits() -> None:
    assert connector.limits() == Limits(
        max_chars=500,
        max_media=4,
        max_image_bytes=5 * 1024 * 1024,
        image_types=frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"}),
        alt_text_required=False,
        max_alt_text=1000,
        max_parts=25,
    )


def test_a_valid_request_has_no_problems() -> None:
    media = tuple(Media(png(), "image/png") for _ in range(4))
    parts = (Part("x" * 500, media), Part("", (Media(png(), "image/png"),)))
    assert connector.validate(PublishRequest("k", parts, {"language": "pt-BR"})) == []


def test_over_long_text_single_post() -> None:
    assert connector.validate(request("k", "x" * 512)) == [
        Problem("Sandbox allows 500 characters per post; this one has 512.", 0)
    ]


def test_over_long_text_counts_characters_not_bytes() -> None:
    assert connector.validate(request("k", "ż" * 500)) == []
    assert connector.validate(request("k", "ż" * 501)) == [
        Problem("Sandbox allows 500 characters per post; this one has 501.", 0)
    ]


def test_over_long_text_in_a_thread_names_the_part() -> None:
    assert connector.validate(request("k", "fine", "x" * 512)) == [
        Problem("Sandbox allows 500 characters per post; part 2 has 512.", 1)
    ]


def test_empty_parts() -> None:
    assert connector.validate(request("k", "  ")) == [
        Problem("Sandbox needs text or an image; this post is empty.", 0)
    ]
    assert connector.validate(request("k", "a", "")) == [
        Problem("Sandbox needs text or an image in every post; part 2 is empty.", 1)
    ]
    assert connector.validate(PublishRequest("k", ())) == [Problem("There is nothing to publish.")]


def test_too_many_parts() -> None:
    assert connector.validate(request("k", *["x"] * 26)) == [
        Problem("Sandbox allows threads of up to 25 posts; this one has 26.")
    ]


def test_media_problems() -> None:
    big = Media(b"\x89PNG\r\n\x1a\n" + bytes(5 * 1024 * 1024), "image/png")
    parts = (
        Part("a", tuple(Media(png(), "image/png") for _ in range(5))),
        Part("b", (Media(png(), "image/bmp"), big, Media(png(), "image/png", alt_text="a" * 1001))),
    )
    assert connector.validate(PublishRequest("k", parts)) == [
        Problem("Sandbox allows 4 images per post; part 1 has 5.", 0, "media"),
        Problem(
            "Sandbox accepts JPEG, PNG, GIF and WebP images; image 1 in part 2 is image/bmp.",
            1,
            "media",
        ),
        Problem("Sandbox allows images of up to 5 MB; image 2 in part 2 has 5.1 MB.", 1, "media"),
        Problem(
            "Sandbox allows 1000 characters of alt text; image 3 in part 2 has 1001.",
            1,
            "alt_text",
        ),
    ]


def test_image_size_in_a_single_post() -> None:
    big = Media(bytes(6 * 1024 * 1024), "image/jpeg")
    assert connector.validate(PublishRequest("k", (Part("a", (big,)),))) == [
        Problem("Sandbox allows images of up to 5 MB; image 1 has 6 MB.", 0, "media")
    ]


def test_language_option() -> None:
    assert connector.validate(request("k", "a", language="English!")) == [
        Problem(
            "Sandbox needs the language as a code such as “en” or “pt-BR”, not “English!”.",
            field="options",
        )
    ]
