"""Thread parts per channel: a channel's variant carries its own further parts (or none),
and the publisher sends exactly those — not the main thread after a translated first part."""

from __future__ import annotations

import httpx
import pytest
from django.test import Client

from roost.channels.models import Channel
from roost.conftest import World, make_channel
from roost.networks.sandbox.testing import SandboxHandle
from roost.publishing.content import build_request
from roost.publishing.models import Post, PostStatus, PostVariant
from roost.publishing.services.compose import PostInput, post_compose
from roost.publishing.tests.conftest import drain

COMPOSE = "/w/alpha/compose/"


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
    # An edit that says nothing of own threads (the API's) keeps them.
    post = post_compose(
        actor=manager,
        data=PostInput(text="Main", channel_ids=[a.pk, b.pk], thread=["Main 2b"]),
        post=post,
    )
    assert [p.text for p in build_request(post, a).parts] == ["Main", "Main 2b"]
    assert [p.text for p in build_request(post, b).parts] == ["Main", "Own 2", "Own 3"]
    # Back to following the main thread: the variant (with no own text) goes.
    post = post_compose(
        actor=manager,
        data=PostInput(
            text="Main", channel_ids=[a.pk, b.pk], thread=["Main 2"], variant_threads={}
        ),
        post=post,
    )
    assert [p.text for p in build_request(post, b).parts] == ["Main", "Main 2"]
    assert not PostVariant.objects.filter(post=post).exists()


@pytest.fixture
def beta(world: World) -> Channel:
    return make_channel(world.a, "Beta Sandbox")


def test_compose_form_saves_and_shows_a_channels_own_thread(world: World, beta: Channel) -> None:
    client: Client = world.client_for("social_media_manager")
    a = world.a_channel
    response = client.post(
        COMPOSE,
        {
            "text": "Main words",
            "channels": [str(a.pk), str(beta.pk)],
            "thread": "Main two\n---\nMain three",
            f"variant_{beta.pk}": "Beta words",
            f"variant_thread_{beta.pk}": "Beta two\r\n---\r\nBeta three",
            f"variant_nothread_{a.pk}": "1",
            "mode": "draft",
        },
    )
    assert response.status_code == 302, response.content.decode()
    post = Post.objects.get(text="Main words")
    assert [p.text for p in build_request(post, beta).parts] == [
        "Beta words",
        "Beta two",
        "Beta three",
    ]
    assert [p.text for p in build_request(post, a).parts] == ["Main words"]
    # Editing shows each channel's own boxes filled in, and the post page says so.
    html = client.get(f"/w/alpha/posts/{post.pk}/edit/").content.decode()
    assert (
        f'name="variant_thread_{beta.pk}" rows="2" placeholder="Follows the main thread until '
        'you edit it">Beta two\n---\nBeta three</textarea>'
    ) in html
    assert f'name="variant_nothread_{a.pk}" value="1" checked>' in html
    assert f'name="variant_nothread_{beta.pk}" value="1" >' in html
    page = client.get(f"/w/alpha/posts/{post.pk}/").content.decode()
    assert "Own thread: 2 more parts" in page
    assert "No thread parts here" in page
