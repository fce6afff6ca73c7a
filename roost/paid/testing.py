"""Test data for paid media, stored directly, for the route-walking suites (isolation, API
fuzz): `samples(workspace, marker)` gives a value for each paid URL parameter."""

from __future__ import annotations

from decimal import Decimal

from roost.channels.models import Channel
from roost.paid.models import AdAccount, AdSource, Boost, BoostStatus
from roost.publishing.models import Post
from roost.workspaces.models import Workspace


def sample_boost(workspace: Workspace, marker: str = "") -> Boost:
    """A boost waiting for approval, of the workspace's first post on its first channel
    (made once); `marker` goes into its ad account's name, so a leak is visible."""
    found = Boost.objects.filter(workspace=workspace).order_by("pk").first()
    if found is not None:
        return found
    channel = Channel.objects.filter(workspace=workspace).order_by("pk").first()
    post = Post.objects.filter(workspace=workspace).order_by("pk").first()
    assert channel is not None and post is not None, "the workspace needs a channel and a post"
    account, _made = AdAccount.objects.get_or_create(
        workspace=workspace,
        name=f"Sample ads {marker}".strip(),
        defaults={
            "source": AdSource.SANDBOX,
            "external_id": f"act_sample_{workspace.pk}",
            "currency": "EUR",
            "channel": channel,
        },
    )
    return Boost.objects.create(
        workspace=workspace,
        post=post,
        channel=channel,
        ad_account=account,
        budget=Decimal("150.00"),
        days=7,
        audience={"countries": ["PL"], "age_min": 18, "age_max": 65, "interests": []},
        status=BoostStatus.IN_REVIEW,
    )


def samples(workspace: Workspace, marker: str = "") -> dict[str, int]:
    """URL parameter samples (made once per workspace)."""
    return {"boost_id": sample_boost(workspace, marker).pk}
