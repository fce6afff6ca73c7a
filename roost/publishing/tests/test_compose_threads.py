"""Thread parts per channel: a channel's variant carries its own further parts (or none),
and the publisher sends exactly those — not the main thread after a translated first part."""

from __future__ import annotations

import httpx

from roost.conftest import World, make_channel
from roost.networks.sandbox.testing import SandboxHandle
from roost.publishing.content import build_request
from roost.publishing.models import Post, PostStatus, PostVariant
from roost.publishing.services.compose import PostInput, post_compose
from roost.publishing.tests.conftest import drain


def texts(sandbox: SandboxHandle, post: Post) -> dict[int, list[str]]:
    """What the Sandbox holds for each channel of the post, part by part."""
    return {
        d.channel_id: [
            httpx.get(f"{sandbox.url}/api/posts/{part}").json()["text"] for part in d.part_ids
        ]
        for d in post.deliveries.all()
    }


def test_each_channel_gets_its_own_thread_through_the_publisher(
    world: World, sandbox: SandboxHandle
) -> None:
    from roost.channels.services import connect_with_form

    manager = world.members["social_media_manager"]
    en, pl, short = (
        connect_with_form(actor=manager, network="sandbox", fields={"name": name})
        for name in ("Coffee EN", "Coffee PL", "Coffee Short")
    )
    post = post_compose(
        actor=manager,
        data=PostInput(
            text="Fresh roast of the week",
            channel_ids=[en.pk, pl.pk, short.pk],
            thread=["1. Fresh beans", "2. Order today"],
            variants={pl.pk: "Świeże palenie tygodnia"},
            variant_threads={pl.pk: ["1. Świeże ziarna", "2. Zamów dziś"], short.pk: []},
        ),
        mode="now",
    )
    drain()
    post.refresh_from_db()
    assert post.status == PostStatus.PUBLISHED
    assert texts(sandbox, post) == {
        en.pk: ["Fresh roast of the week", "1. Fresh beans", "2. Order today"],
        pl.pk: ["Świeże palenie tygodnia", "1. Świeże ziarna", "2. Zamów dziś"],
        short.pk: ["Fresh roast of the week"],  # its own thread: none at all
    }
    stored = {v.channel_id: (v.text, v.thread) for v in PostVariant.objects.filter(post=post)}
    assert stored == {
        pl.pk: ("Świeże palenie tygodnia", ["1. Świeże ziarna", "2. Zamów dziś"]),
        short.pk: ("", []),
    }


def test_build_request_uses_the_variants_thread_only_when_it_has_one(world: World) -> None:
    manager = world.members["social_media_manager"]
    a = world.a_channel
    b = make_channel(world.a, "Beta Sandbox")
    post = post_compose(
        actor=manager,
        data=PostInput(
            text="Main",
            channel_ids=[a.pk, b.pk],
            thread=["Main 2"],
            variant_threads={b.pk: ["Own 2", "  ", "Own 3"]},
        ),
    )
    assert [p.text for p in build_request(post, a).parts] == ["Main", "Main 2"]
    assert [p.text for p in build_request(post, b).parts] == ["Main", "Own 2", "Own 3"]
    # Back to following the main thread: the variant (with no own text) goes.
    post = post_compose(
        actor=manager,
        data=PostInput(text="Main", channel_ids=[a.pk, b.pk], thread=["Main 2"]),
        post=post,
    )
    assert [p.text for p in build_request(post, b).parts] == ["Main", "Main 2"]
    assert not PostVariant.objects.filter(post=post).exists()
