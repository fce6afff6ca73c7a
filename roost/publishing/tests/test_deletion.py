"""Deleting a post deletes it on the networks first; a refusal keeps it, with the reason."""

from __future__ import annotations

import httpx
import pytest

from roost.channels.models import Channel
from roost.conftest import World
from roost.core.exceptions import Conflict
from roost.networks.sandbox.testing import SandboxHandle
from roost.publishing.models import Post
from roost.publishing.services.compose import PostInput, post_compose
from roost.publishing.services.deletion import post_delete
from roost.publishing.tests.conftest import drain
from roost.workspaces.models import AuditEntry


def published(world: World, channels: list[Channel]) -> Post:
    post = post_compose(
        actor=world.members["owner"],
        data=PostInput(text="Short-lived", channel_ids=[c.pk for c in channels]),
        mode="now",
    )
    drain()
    return post


def test_delete_removes_every_copy_then_the_post(
    world: World, channels: list[Channel], sandbox: SandboxHandle
) -> None:
    post = published(world, channels)
    remote = [d.remote_id for d in post.deliveries.all()]
    assert all(httpx.get(f"{sandbox.url}/api/posts/{r}").status_code == 200 for r in remote)
    post_delete(actor=world.members["owner"], post=post)
    assert not Post.objects.filter(pk=post.pk).exists()
    assert all(httpx.get(f"{sandbox.url}/api/posts/{r}").status_code == 404 for r in remote)
    entry = AuditEntry.objects.get(action="post.deleted")
    assert sorted(entry.data["removed_from"]) == sorted(c.name for c in channels)


def test_a_network_refusal_keeps_the_post_and_says_why(
    world: World, channels: list[Channel], sandbox: SandboxHandle
) -> None:
    post = published(world, channels[:1])
    sandbox.control(fail_5xx_rate=1.0, all_endpoints=True)
    with pytest.raises(Conflict) as exc:
        post_delete(actor=world.members["owner"], post=post)
    assert "The post was not deleted" in exc.value.message
    assert channels[0].name in exc.value.message
    assert Post.objects.filter(pk=post.pk).exists()


def test_the_post_page_deletes(
    world: World, channels: list[Channel], sandbox: SandboxHandle
) -> None:
    post = published(world, channels[:1])
    response = world.client_for("owner").post(f"/w/alpha/posts/{post.pk}/delete/")
    assert response.status_code == 302 and response.headers["Location"] == "/w/alpha/calendar/list/"
    assert not Post.objects.filter(pk=post.pk).exists()
