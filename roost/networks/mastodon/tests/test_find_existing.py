"""find_existing(): trust the Idempotency-Key for its hour, then look at recent statuses."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from roost.networks.base import Media, Outcome, Part, Published, PublishRequest, Result
from roost.networks.mastodon.tests.replay import Replay, query
from roost.networks.mastodon.tests.support import ACCOUNT_ID, E0, E1, INSTANCE, NOW, connector

THREAD_PARTS = (
    Part("A thread about roosts (1/3)"),
    Part("Posts per week, in a chart (2/3)", (Media(b"png", "image/png"),)),
    Part("That's all (3/3)"),
)
FIRST_TRY = datetime(2026, 11, 27, 14, 0, tzinfo=NOW.tzinfo)  # 90 minutes before NOW


def request(
    first_attempt_at: datetime | None, parts: tuple[Part, ...] = THREAD_PARTS
) -> PublishRequest:
    return PublishRequest("delivery-8", parts, first_attempt_at=first_attempt_at)


def test_a_first_attempt_has_nothing_to_find(recorded: Callable[..., Replay]) -> None:
    assert connector(recorded()).find_existing(request(None)) == Result(Outcome.OK)


def test_within_55_minutes_the_idempotency_key_makes_a_resend_safe(
    recorded: Callable[..., Replay],
) -> None:
    replay = recorded()
    recent = NOW - timedelta(minutes=54, seconds=59)
    assert connector(replay).find_existing(request(recent)) == Result(Outcome.OK)
    assert replay.sent == []  # no request: the re-send itself is deduplicated by Mastodon


def test_later_it_finds_the_parts_that_landed(recorded: Callable[..., Replay]) -> None:
    replay = recorded("verify_credentials", "account_statuses_found")
    result = connector(replay).find_existing(request(FIRST_TRY))

    # Parts 1 and 2 landed (a boost of an identical text and an unrelated post are skipped);
    # part 3 did not, so the thread comes back one part short.
    assert result == Result(
        Outcome.OK,
        published=Published(E0, f"https://mastodon.social/@roost_demo/{E0}", (E0, E1)),
    )
    statuses = replay.sent[1]
    assert statuses.url is not None
    assert statuses.url.startswith(f"{INSTANCE}/api/v1/accounts/{ACCOUNT_ID}/statuses?")
    # The newest page, by the server's own paging: no id is computed from a time. Its last
    # status is from before the first try, so no second page is asked for.
    assert query(statuses) == {"exclude_reblogs": ["1"], "limit": ["40"]}
    assert len(replay.sent) == 2


def test_a_single_post_is_found_by_its_text(recorded: Callable[..., Replay]) -> None:
    replay = recorded("verify_credentials", "account_statuses_found")
    result = connector(replay).find_existing(request(FIRST_TRY, THREAD_PARTS[:1]))
    assert result.published == Published(E0, f"https://mastodon.social/@roost_demo/{E0}", (E0,))


def test_nothing_found_means_safe_to_send(recorded: Callable[..., Replay]) -> None:
    replay = recorded("verify_credentials", "account_statuses_none")
    assert connector(replay).find_existing(request(FIRST_TRY)) == Result(Outcome.OK)


def test_same_text_but_different_media_is_not_a_match(recorded: Callable[..., Replay]) -> None:
    parts = (Part("A thread about roosts (1/3)", (Media(b"png", "image/png"),)),)
    replay = recorded("verify_credentials", "account_statuses_found")
    assert connector(replay).find_existing(request(FIRST_TRY, parts)) == Result(Outcome.OK)


def test_a_naive_first_attempt_time_is_utc(recorded: Callable[..., Replay]) -> None:
    replay = recorded("verify_credentials", "account_statuses_found")
    result = connector(replay).find_existing(request(FIRST_TRY.replace(tzinfo=None)))
    assert result.published is not None


def test_when_the_server_cannot_answer_it_cannot_tell(recorded: Callable[..., Replay]) -> None:
    replay = recorded("verify_credentials", "account_statuses_503")
    assert connector(replay).find_existing(request(FIRST_TRY)) == Result(
        Outcome.RETRYABLE,
        reason="Mastodon (mastodon.social) had a temporary problem (HTTP 503).",
    )


def test_a_revoked_token_cannot_tell_either(recorded: Callable[..., Replay]) -> None:
    replay = recorded("verify_credentials_401")
    assert connector(replay).find_existing(request(FIRST_TRY)).outcome is Outcome.UNAUTHORIZED


AKKOMA = {"instance_url": "https://fedi.example", "domain": "fedi.example"}


def test_opaque_ids_are_paged_by_the_servers_own_ids_back_to_the_first_try(
    recorded: Callable[..., Replay],
) -> None:
    # Akkoma (like Pleroma and GoToSocial) has ids that carry no time: a min_id computed
    # from the first try's time would find nothing, and the post would go out twice.
    replay = recorded("akkoma_account_statuses_two_pages")
    result = connector(replay, config=AKKOMA).find_existing(request(FIRST_TRY))

    # Parts 1 and 2 are on the second page; the same words posted the day before (older
    # than the first try) are not taken for part 1.
    assert result == Result(
        Outcome.OK,
        published=Published(
            "AbCdEf123", "https://fedi.example/notice/AbCdEf123", ("AbCdEf123", "ZyXwV987")
        ),
    )
    first_page, second_page = replay.sent[1], replay.sent[2]
    assert query(first_page) == {"exclude_reblogs": ["1"], "limit": ["40"]}
    # The next page starts below the last id the server returned, not at a computed one.
    assert query(second_page) == {
        "exclude_reblogs": ["1"],
        "max_id": ["KV9EqW21UFTXwRgCP1"],
        "limit": ["40"],
    }
    assert len(replay.sent) == 3  # the second page reached past the first try: no third
