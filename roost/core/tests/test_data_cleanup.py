"""Data stored before the security fixes is cleaned by migrations: unsafe link URLs become
empty (shown as text), and the webhook delivery log keeps only error classes."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as global_apps

from roost.conftest import World
from roost.inbox.models import Message, WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db

HOSTILE = "javascript:alert(document.domain)"


def run(app: str, name: str) -> None:
    module = importlib.import_module(f"roost.{app}.migrations.{name}")
    module.clean(global_apps, None)


def test_inbox_urls_and_delivery_errors_are_cleaned(world: World) -> None:
    from roost.inbox.tests.conftest import put

    good = put(world.a_channel, "m-good", "hello")
    bad = put(world.a_channel, "m-bad", "hello")
    Message.objects.filter(pk=good.pk).update(url="https://social.example/@a/1")
    Message.objects.filter(pk=bad.pk).update(url=HOSTILE)
    endpoint = WebhookEndpoint(workspace=world.a, name="CRM", url="https://crm.example/")
    endpoint.secret = "whsec_x"
    endpoint.save()
    rows = {
        (403, "<!DOCTYPE html><title>403 Forbidden</title> internal admin"): "HTTP 403",
        (None, "ConnectError: [Errno 111] Connection refused"): "ConnectError",
        (None, "Refused: loopback address"): "Refused: loopback address",
        (None, "something odd happened"): "Error",
        (200, ""): "",
    }
    made = {
        WebhookDelivery.objects.create(
            endpoint=endpoint, event="task.created", payload={}, response_code=code, last_error=text
        ).pk: expected
        for (code, text), expected in rows.items()
    }

    run("inbox", "0007_clean_stored_urls_and_delivery_errors")

    assert Message.objects.get(pk=good.pk).url == "https://social.example/@a/1"
    assert Message.objects.get(pk=bad.pk).url == ""
    assert {pk: WebhookDelivery.objects.get(pk=pk).last_error for pk in made} == made


def test_channel_and_delivery_urls_are_cleaned(world: World) -> None:
    from roost.channels.models import Channel
    from roost.publishing.models import Delivery
    from roost.publishing.services.compose import PostInput, post_compose

    Channel.objects.filter(pk=world.a_channel.pk).update(profile_url=" JaVaScRiPt:alert(1)")
    run("channels", "0004_clean_stored_urls")
    assert Channel.objects.get(pk=world.a_channel.pk).profile_url == ""

    post = post_compose(
        actor=world.members["owner"],
        data=PostInput(text="hello", channel_ids=[world.a_channel.pk]),
        mode="draft",
    )
    Delivery.objects.filter(post=post).update(remote_url="data:text/html,<script>1</script>")
    run("publishing", "0003_clean_stored_urls")
    assert list(Delivery.objects.filter(post=post).values_list("remote_url", flat=True)) == [""]
