"""Test helpers for boosts: a published post, an ad account, and a small fake ad network
registered at the network edge (roost.networks.registry) that counts what it is asked."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest

from roost.channels.models import Channel
from roost.networks import registry
from roost.networks.base import AdCreated, BoostRequest, Outcome, Result
from roost.paid.models import AdAccount, AdSource, CurrencyRate
from roost.publishing.models import Delivery, DeliveryStatus, Post, PostStatus
from roost.publishing.services.compose import PostInput, post_compose
from roost.workspaces.models import Membership, Workspace

FAKE = "fakeads"


def published_post(author: Membership, channel: Channel, text: str = "Winter latte") -> Post:
    """A post composed through the service and marked published on `channel` (publishing
    has tests of its own; boosts start where it ends)."""
    post = post_compose(actor=author, data=PostInput(text=text, channel_ids=[channel.pk]))
    Delivery.objects.filter(post=post, channel=channel).update(
        status=DeliveryStatus.PUBLISHED, remote_id=f"remote-{post.pk}"
    )
    Post.objects.filter(pk=post.pk).update(status=PostStatus.PUBLISHED)
    post.refresh_from_db()
    return post


def ad_account(
    workspace: Workspace, channel: Channel, currency: str = "EUR", name: str = "Ads"
) -> AdAccount:
    """A Sandbox Ads account reached through `channel` (the same one when asked twice)."""
    found, _made = AdAccount.objects.get_or_create(
        workspace=workspace,
        name=name,
        defaults={
            "source": AdSource.SANDBOX,
            "external_id": f"act_{name.lower().replace(' ', '_')}_{workspace.pk}",
            "currency": currency,
            "channel": channel,
        },
    )
    return found


def rate(workspace: Workspace, currency: str, value: str) -> None:
    CurrencyRate.objects.create(workspace=workspace, currency=currency, rate=Decimal(value))


def fake_channel(workspace: Workspace, name: str = "Fake Ads") -> Channel:
    channel = Channel(
        workspace=workspace,
        network=FAKE,
        name=name,
        handle=f"{name.lower().replace(' ', '-')}.fake",
        remote_id=name,
        config={},
    )
    channel.set_credentials({"token": "t"})
    channel.save()
    return channel


@dataclass
class FakeAdsNetwork:
    """What the fake network holds and was asked. `script` lists the outcomes of the next
    create calls (then OK); "lost" creates the boost but answers RETRYABLE (the answer
    was lost on the way back); `find_script` does the same for find_boost."""

    boosts: dict[str, AdCreated] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)
    script: list[Result | str] = field(default_factory=list)
    find_script: list[Result] = field(default_factory=list)
    requests: list[BoostRequest] = field(default_factory=list)
    during_call: Callable[[], None] | None = None

    def create(self, request: BoostRequest) -> tuple[Result, AdCreated | None]:
        self.calls.append("create")
        self.requests.append(request)
        if self.during_call is not None:
            self.during_call()
        step = self.script.pop(0) if self.script else None
        if isinstance(step, Result):
            return step, None
        made = self.boosts.get(request.idempotency_key)
        if made is None:
            n = len(self.boosts) + 1
            made = AdCreated(remote_id=f"boost-{n}", campaign_id=f"camp-{n}")
            self.boosts[request.idempotency_key] = made
        if step == "lost":
            return Result(Outcome.RETRYABLE, reason="The answer was lost."), None
        return Result(Outcome.OK), made

    def find(self, key: str) -> tuple[Result, AdCreated | None]:
        self.calls.append("find")
        if self.find_script:
            return self.find_script.pop(0), None
        return Result(Outcome.OK), self.boosts.get(key)


class FakeAdsConnector:
    """An AdsConnector over a FakeAdsNetwork (only the ads calls do anything)."""

    network = FAKE

    def __init__(self, net: FakeAdsNetwork) -> None:
        self.net = net

    def create_boost(self, request: BoostRequest) -> tuple[Result, AdCreated | None]:
        return self.net.create(request)

    def find_boost(self, idempotency_key: str) -> tuple[Result, AdCreated | None]:
        return self.net.find(idempotency_key)

    def credentials(self) -> dict[str, Any]:
        return {"token": "t"}

    def validate(self, request: Any) -> list[Any]:
        return []  # composing the post to boost

    # The rest of the protocol (isinstance checks every member): never asked here.
    def _unused(self, *args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the fake ad network was asked something a boost never needs")

    ad_accounts = create_split_test = fetch_insights = _unused
    limits = verify = publish = find_existing = delete = fetch_metrics = _unused


@pytest.fixture
def fake_ads(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeAdsNetwork]:
    """The fake network, registered for the test only."""
    net = FakeAdsNetwork()

    def factory(config: Mapping[str, Any], credentials: Mapping[str, Any]) -> Any:
        return FakeAdsConnector(net)

    registry.load()
    monkeypatch.setitem(
        registry._NETWORKS,  # a test network, removed after the test
        FAKE,
        registry.Network(key=FAKE, label="Fake Ads", factory=factory, sandbox=True),
    )
    yield net
