"""validate(): Mastodon's limits, named with the instance, before anything is sent."""

from __future__ import annotations

from collections.abc import Callable

from roost.networks.base import Limits, Media, Part, Problem, PublishRequest
from roost.networks.mastodon.client import DEFAULT_IMAGE_TYPES
from roost.networks.mastodon.tests.replay import Replay
from roost.networks.mastodon.tests.support import CONFIG, INSTANCE, connector

URL = "https://roost.example.com/blog/2026/11/27/how-we-schedule-posts-across-networks"
PNG = Media(data=b"\x89PNG\r\n\x1a\n" + b"\0" * 100, mime_type="image/png", alt_text="A bird")


def request(*texts: str, **options: str) -> PublishRequest:
    return PublishRequest("key", tuple(Part(text) for text in texts), options=options)


def test_limits_come_from_the_cached_config_without_a_request(
    recorded: Callable[..., Replay],
) -> None:
    limits = connector(recorded()).limits()
    assert limits == Limits(
        max_chars=500,
        max_media=4,
        max_image_bytes=16 * 1024 * 1024,
        image_types=frozenset(DEFAULT_IMAGE_TYPES),
        alt_text_required=False,
        max_alt_text=1500,
        max_parts=25,
    )


def test_limits_are_read_once_from_the_instance_when_not_cached(
    recorded: Callable[..., Replay],
) -> None:
    replay = recorded("instance_v2_mastodon_social")
    mastodon = connector(replay, config={"instance_url": INSTANCE})
    assert mastodon.limits().max_chars == 500
    assert mastodon.limits().max_media == 4
    assert [r.url for r in replay.sent] == [f"{INSTANCE}/api/v2/instance/"]


def test_limits_fall_back_to_mastodon_defaults_when_the_instance_is_down(
    recorded: Callable[..., Replay],
) -> None:
    mastodon = connector(recorded("instance_v2_503"), config={"instance_url": INSTANCE})
    assert mastodon.limits().max_chars == 500
    assert mastodon.limits().max_image_bytes == 16 * 1024 * 1024


def test_a_post_within_the_limit_has_no_problems(recorded: Callable[..., Replay]) -> None:
    assert connector(recorded()).validate(request("x" * 500)) == []


def test_too_long_names_mastodon_the_instance_and_the_limit(
    recorded: Callable[..., Replay],
) -> None:
    assert connector(recorded()).validate(request("x" * 512)) == [
        Problem("Mastodon (mastodon.social) allows 500 characters per post; part 1 has 512.", 0)
    ]


def test_a_link_counts_23_so_a_long_one_fits(recorded: Callable[..., Replay]) -> None:
    text = "x" * 476 + " " + URL  # 556 characters as typed, 500 as Mastodon counts
    assert connector(recorded()).validate(request(text)) == []
    assert connector(recorded()).validate(request(text + "!")) == [
        Problem("Mastodon (mastodon.social) allows 500 characters per post; part 1 has 501.", 0)
    ]


def test_a_remote_mention_counts_only_its_user_part(recorded: Callable[..., Replay]) -> None:
    mention = "@bob@a-rather-long-server-name.example.org"
    text = "x" * (500 - len("@bob") - 1) + " " + mention
    assert len(text) == 538
    assert connector(recorded()).validate(request(text)) == []


def test_the_content_warning_counts_toward_the_limit(recorded: Callable[..., Replay]) -> None:
    problems = connector(recorded()).validate(request("x" * 495, spoiler_text="Birds!"))
    assert problems == [
        Problem(
            "Mastodon (mastodon.social) allows 500 characters per post; part 1 has 501, "
            "counting the content warning.",
            0,
        )
    ]


def test_each_thread_part_is_checked_and_named(recorded: Callable[..., Replay]) -> None:
    problems = connector(recorded()).validate(request("fine", "y" * 600, ""))
    assert problems == [
        Problem("Mastodon (mastodon.social) allows 500 characters per post; part 2 has 600.", 1),
        Problem(
            "Mastodon (mastodon.social) needs text or an image in every post; part 3 is empty.", 2
        ),
    ]


def test_the_instances_own_limits_are_used(recorded: Callable[..., Replay]) -> None:
    config = {
        "instance_url": "https://social.example.org",
        "domain": "example.org",
        "limits": {"max_characters": 1000, "max_media_attachments": 6},
    }
    mastodon = connector(recorded(), config=config)
    assert mastodon.validate(request("x" * 1000)) == []
    assert mastodon.validate(request("x" * 1001)) == [
        Problem(
            "Mastodon (social.example.org) allows 1000 characters per post; part 1 has 1001.", 0
        )
    ]


def test_media_count_size_type_and_alt_text(recorded: Callable[..., Replay]) -> None:
    big = Media(data=b"\0" * (17 * 1024 * 1024), mime_type="image/jpeg", alt_text="Big")
    bmp = Media(data=b"BM" + b"\0" * 10, mime_type="image/bmp", alt_text="Bitmap")
    wordy = Media(data=b"\0" * 10, mime_type="image/png", alt_text="a" * 1501)
    part = Part("Five images", (PNG, big, bmp, wordy, PNG))
    problems = connector(recorded()).validate(PublishRequest("key", (part,)))
    assert problems == [
        Problem("Mastodon (mastodon.social) allows 4 images per post; part 1 has 5.", 0, "media"),
        Problem(
            "Mastodon (mastodon.social) allows images up to 16.0\xa0MB; "
            "image 2 in part 1 is 17.0\xa0MB.",
            0,
            "media",
        ),
        Problem(
            "Mastodon (mastodon.social) accepts images of these types: image/avif, image/gif, "
            "image/heic, image/heif, image/jpeg, image/png, image/webp; "
            "image 3 in part 1 is image/bmp.",
            0,
            "media",
        ),
        Problem(
            "Mastodon (mastodon.social) allows 1500 characters of alt text; "
            "image 4 in part 1 has 1501.",
            0,
            "alt_text",
        ),
    ]


def test_an_image_alone_is_a_post(recorded: Callable[..., Replay]) -> None:
    assert connector(recorded()).validate(PublishRequest("key", (Part("", (PNG,)),))) == []


def test_visibility_must_be_one_mastodon_knows(recorded: Callable[..., Replay]) -> None:
    mastodon = connector(recorded())
    for visibility in ("public", "unlisted", "private", "direct"):
        assert mastodon.validate(request("hi", visibility=visibility)) == []
    assert mastodon.validate(request("hi", visibility="friends")) == [
        Problem(
            "Mastodon visibility is one of public, unlisted, private or direct; “friends” is not.",
            None,
            "options",
        )
    ]


def test_nothing_to_publish(recorded: Callable[..., Replay]) -> None:
    assert connector(recorded()).validate(PublishRequest("key", ())) == [
        Problem("There is nothing to publish to Mastodon.")
    ]


def test_config_is_not_changed_by_validation(recorded: Callable[..., Replay]) -> None:
    before = repr(CONFIG)
    connector(recorded()).validate(request("x" * 600))
    assert repr(CONFIG) == before
