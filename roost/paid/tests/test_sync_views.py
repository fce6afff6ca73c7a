"""The Sandbox Ads page: who sees it, connecting a channel's ad account, syncing it now."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from roost.channels.models import Channel
from roost.channels.services import connect_with_form
from roost.conftest import World, make_channel
from roost.networks.sandbox.testing import SandboxHandle
from roost.paid.models import AdAccount, AdDay, ImportRun
from roost.paid.services.sync import sandbox_channels
from roost.paid.testing import sandbox_ad_account


@pytest.fixture
def channel(world: World, sandbox: SandboxHandle) -> Channel:
    return connect_with_form(
        actor=world.members["social_media_manager"], network="sandbox", fields={"name": "Coffee"}
    )


def page_url(world: World) -> str:
    return f"/w/{world.a.slug}/paid/accounts/sandbox/"


def test_connect_then_sync_now(world: World, sandbox: SandboxHandle, channel: Channel) -> None:
    client = world.client_for("paid_media")
    page = client.get(page_url(world))
    assert page.status_code == 200
    assert "Connect Sandbox Ads" in page.content.decode()

    response = client.post(f"{page_url(world)}{channel.pk}/connect/", follow=True)

    account = AdAccount.objects.get(channel=channel)
    assert account.external_id == "act_1"
    body = response.content.decode()
    assert f"Connected: {account.name}." in body
    assert "never" in body

    response = client.post(f"{page_url(world)}sync/{account.pk}/", follow=True)

    assert "Synced coffee.sandbox Sandbox Ads: 0 new days, 0 changed, 0 the same." in (
        response.content.decode()
    )
    assert ImportRun.objects.filter(ad_account=account, status="imported").count() == 1
    assert AdDay.objects.count() == 0


def test_a_failed_connect_is_said_in_words(world: World) -> None:
    # The sample channel points at a closed port: the connect fails, nothing is made.
    response = world.client_for("owner").post(
        f"{page_url(world)}{world.a_channel.pk}/connect/", follow=True
    )

    assert response.status_code == 200
    assert "Sandbox" in response.content.decode()
    assert 'class="msg-error"' in response.content.decode()
    assert AdAccount.objects.count() == 0


def test_only_those_who_manage_budgets(world: World, channel: Channel) -> None:
    for role in ("analyst", "social_media_manager", "content_creator"):
        client = world.client_for(role)
        assert client.get(page_url(world)).status_code == 403
        assert client.post(f"{page_url(world)}{channel.pk}/connect/").status_code == 403
    assert AdAccount.objects.count() == 0
    assert Client().get(page_url(world)).status_code == 302


def test_the_page_costs_the_same_queries_however_many_accounts(
    world: World, django_assert_num_queries: Any
) -> None:
    account = sandbox_ad_account(world.a)
    ImportRun.objects.create(
        workspace=world.a, ad_account=account, source="sandbox", status="imported", rows=2
    )
    with django_assert_num_queries(3):
        rows = sandbox_channels(world.a.pk)
    assert [[(a.pk, run.rows if run else None) for a, run in row.accounts] for row in rows] == [
        [(account.pk, 2)]
    ]
    for n in range(3):
        make_channel(world.a, f"More {n}")
    with django_assert_num_queries(3):
        rows = sandbox_channels(world.a.pk)
    assert len(rows) == 4
