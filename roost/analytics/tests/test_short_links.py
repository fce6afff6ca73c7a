"""Short links: the public redirect counts people (not bots, not HEAD), keeps and adds UTM
tags, stores nothing about who clicked; the publishing transform makes one per delivery."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.test import Client

from roost.analytics.models import ChannelDay, PostMetrics, RoiSettings, ShortLink
from roost.analytics.services import links
from roost.analytics.testing import published
from roost.core import clock
from roost.core.exceptions import ValidationFailed
from roost.publishing import transforms
from roost.publishing.content import build_request
from roost.publishing.models import Campaign, Post
from roost.publishing.services.delivery import publish_inputs

BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"


def _link(world: Any, target: str = "https://shop.example/winter?ref=x", **kw: Any) -> Any:
    return links.short_link_create(actor=world.members["analyst"], target=target, **kw)


def _delivery_link(world: Any, campaign: Campaign | None = None) -> Any:
    post = Post.objects.create(
        workspace=world.a, text="See https://shop.example/x", campaign=campaign
    )
    d = published(world.a_channel, clock.now() - timedelta(hours=2), post=post)
    link = links.link_for_delivery(d, "https://shop.example/x")
    assert link is not None
    return d, link


def test_people_are_counted_bots_and_head_are_not(world: Any) -> None:
    d, link = _delivery_link(world)
    client = Client()
    url = f"/l/{link.code}"
    assert client.get(url, HTTP_USER_AGENT=BROWSER).status_code == 302
    assert client.get(url, HTTP_USER_AGENT=BROWSER).status_code == 302
    for ua in (
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "facebookexternalhit/1.1",
        "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
        "Twitterbot/1.0",
        "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
        "curl/8.5.0",
        "python-requests/2.32.3",
        "http.rb/5.1.1 (Mastodon/4.2.0; +https://mastodon.example/)",
        "",
    ):
        response = client.get(url, HTTP_USER_AGENT=ua)
        assert response.status_code == 302, ua
    assert client.head(url, HTTP_USER_AGENT=BROWSER).status_code == 302
    link.refresh_from_db()
    assert link.clicks == 2
    pm = PostMetrics.objects.get(delivery=d)
    assert pm.link_clicks == 2
    assert ChannelDay.objects.get(channel=world.a_channel, day=pm.day).link_clicks == 2


def test_unknown_code_is_a_404_page(world: Any) -> None:
    response = Client().get("/l/NoSuchCode", HTTP_USER_AGENT=BROWSER)
    assert response.status_code == 404
    assert "This short link does not exist." in response.content.decode()
    assert Client().post("/l/NoSuchCode").status_code == 405


@pytest.mark.parametrize(
    "target",
    [
        "javascript:alert(1)",
        "data:text/html,hi",
        "ftp://files.example/x",
        "/relative/path",
        "https://",
        "https://exa mple.com/",
        "https://example.com/" + "x" * 2000,
        "",
    ],
)
def test_only_http_targets_become_links(world: Any, target: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        _link(world, target=target)
    assert "target" in caught.value.errors
    assert ShortLink.objects.count() == 0


def test_a_link_without_campaign_keeps_its_target_as_it_is(world: Any) -> None:
    link = _link(world, target="https://shop.example/a?utm_source=news&b=1")
    response = Client().get(f"/l/{link.code}", HTTP_USER_AGENT=BROWSER)
    assert response["Location"] == "https://shop.example/a?utm_source=news&b=1"
    assert response["Referrer-Policy"] == "no-referrer"


def test_utm_tags_are_kept_and_the_missing_ones_added(world: Any) -> None:
    campaign = Campaign.objects.create(workspace=world.a, name="Winter Blend 2026")
    post = Post.objects.create(workspace=world.a, text="x", campaign=campaign)
    d = published(world.a_channel, clock.now() - timedelta(hours=1), post=post)
    kept = links.link_for_delivery(d, "https://shop.example/a?utm_source=newsletter&q=1")
    assert kept is not None
    location = Client().get(f"/l/{kept.code}", HTTP_USER_AGENT=BROWSER)["Location"]
    assert location.startswith("https://shop.example/a?utm_source=newsletter&q=1&")
    query = parse_qs(urlsplit(location).query)
    assert query == {
        "utm_source": ["newsletter"],
        "q": ["1"],
        "utm_medium": ["social"],
        "utm_campaign": ["winter-blend-2026"],
    }
    plain = links.link_for_delivery(d, "https://shop.example/b")
    assert plain is not None
    location = Client().get(f"/l/{plain.code}", HTTP_USER_AGENT=BROWSER)["Location"]
    assert parse_qs(urlsplit(location).query) == {
        "utm_source": ["sandbox"],
        "utm_medium": ["social"],
        "utm_campaign": ["winter-blend-2026"],
    }


def test_a_click_stores_nothing_about_the_person(world: Any) -> None:
    from django.apps import apps
    from django.db import connection

    _d, link = _delivery_link(world)
    ip, ua = "203.0.113.77", "Mozilla/5.0 UniqueAgent-7f3a9"
    Client().get(f"/l/{link.code}", HTTP_USER_AGENT=ua, REMOTE_ADDR=ip)
    assert ShortLink.objects.get(pk=link.pk).clicks == 1
    # Nothing in the database holds the address or the agent.
    with connection.cursor() as cursor:
        for model in apps.get_models():
            table = model._meta.db_table
            text_columns = [
                f.column
                for f in model._meta.concrete_fields
                if f.get_internal_type() in {"CharField", "TextField", "JSONField"}
            ]
            for column in text_columns:
                cursor.execute(
                    f'SELECT COUNT(*) FROM "{table}" WHERE CAST("{column}" AS TEXT) LIKE %s '
                    f'OR CAST("{column}" AS TEXT) LIKE %s',
                    [f"%{ip}%", "%UniqueAgent-7f3a9%"],
                )
                assert cursor.fetchone()[0] == 0, (table, column)
    # and the link's row has no place for either
    names = {f.name for f in ShortLink._meta.get_fields()}
    assert not names & {"ip", "ip_address", "user_agent", "referrer", "clicked_at"}


def test_the_transform_gives_each_delivery_its_own_links(world: Any) -> None:
    RoiSettings.objects.create(workspace=world.a, shorten_links=True)
    post = Post.objects.create(
        workspace=world.a,
        text="New https://shop.example/a and https://shop.example/b.",
        thread=["More at https://shop.example/a"],
    )
    d = published(world.a_channel, clock.now(), post=post)
    d = type(d).objects.select_related("post__campaign", "channel").get(pk=d.pk)
    inputs = publish_inputs([d])[d.pk]
    request = build_request(
        d.post, d.channel, variants=inputs.variants, threads=inputs.threads, assets=[]
    )
    first, second = request.parts[0].text, request.parts[1].text
    made = {link.target: link for link in ShortLink.objects.filter(delivery=d)}
    assert set(made) == {"https://shop.example/a", "https://shop.example/b"}
    base = settings.ROOST_SHORT_LINK_BASE
    a, b = made["https://shop.example/a"], made["https://shop.example/b"]
    assert first == f"New {base}/l/{a.code} and {base}/l/{b.code}."
    assert second == f"More at {base}/l/{a.code}"
    assert a.channel_id == world.a_channel.pk and a.post_id == post.pk
    # A retry of the same delivery gets the same links.
    again = publish_inputs([d])[d.pk]
    assert again.variants[d.channel_id] == inputs.variants[d.channel_id]
    assert ShortLink.objects.filter(delivery=d).count() == 2
    # The post itself is unchanged.
    post.refresh_from_db()
    assert post.text == "New https://shop.example/a and https://shop.example/b."


def test_the_transform_is_off_unless_the_workspace_shortens(world: Any) -> None:
    post = Post.objects.create(workspace=world.a, text="See https://shop.example/a")
    d = published(world.a_channel, clock.now(), post=post)
    d = type(d).objects.select_related("post__campaign", "channel").get(pk=d.pk)
    inputs = publish_inputs([d])[d.pk]
    assert d.channel_id not in inputs.variants
    assert ShortLink.objects.count() == 0


def test_campaign_tags_are_not_added_to_short_links(world: Any) -> None:
    RoiSettings.objects.create(workspace=world.a, shorten_links=True)
    campaign = Campaign.objects.create(workspace=world.a, name="W", utm_source="ours")
    post = Post.objects.create(
        workspace=world.a, text="See https://shop.example/a", campaign=campaign
    )
    d = published(world.a_channel, clock.now(), post=post)
    d = type(d).objects.select_related("post__campaign", "channel").get(pk=d.pk)
    inputs = publish_inputs([d])[d.pk]
    text = (
        build_request(
            d.post, d.channel, variants=inputs.variants, threads=inputs.threads, assets=[]
        )
        .parts[0]
        .text
    )
    link = ShortLink.objects.get(delivery=d)
    assert text == f"See {settings.ROOST_SHORT_LINK_BASE}/l/{link.code}"
    location = Client().get(f"/l/{link.code}", HTTP_USER_AGENT=BROWSER)["Location"]
    assert parse_qs(urlsplit(location).query)["utm_source"] == ["ours"]


def test_a_failing_transform_leaves_the_text_alone(world: Any) -> None:
    def broken(_batch: Any) -> list[list[str]]:
        raise RuntimeError("boom")

    transforms.register_text_transform(broken)
    try:
        post = Post.objects.create(workspace=world.a, text="See https://shop.example/a")
        d = published(world.a_channel, clock.now(), post=post)
        assert transforms.apply_text_transforms([(d, ["a", "b"])]) == [["a", "b"]]
    finally:
        transforms._TRANSFORMS.remove(broken)


def test_is_bot() -> None:
    assert links.is_bot(None) and links.is_bot("  ")
    assert links.is_bot("Mozilla/5.0 (compatible; bingbot/2.0)")
    assert links.is_bot(
        "Mozilla/5.0 (Macintosh) AppleWebKit/605 (KHTML) Version/17 Safari/605 Preview"
    )
    assert not links.is_bot(BROWSER)
