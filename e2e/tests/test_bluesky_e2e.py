"""Roost against a real (local) Bluesky network: connect, publish, read the inbox, reply.

Everything Roost does goes through its own services (connect form, compose, the publisher,
the inbox poll, the inbox reply); the SDK is used only to create the test accounts and to
act as the *other* person (the second account).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from atproto import client_utils, models
from network_helpers import PDS_URL, Account, AppView, drain, wait_for

from roost.analytics.models import ChannelDay, PostMetrics
from roost.analytics.services.collection import READINGS, audience_collect, metrics_collect
from roost.analytics.services.recording import day_of
from roost.channels.models import Channel, ChannelStatus
from roost.channels.services import connect_with_form
from roost.core import clock
from roost.inbox.models import InboxCursor, Message
from roost.inbox.services.poll import poll_channels
from roost.inbox.services.replies import reply_send
from roost.publishing import hooks as publishing_hooks
from roost.publishing.models import Delivery, DeliveryStatus
from roost.publishing.services.compose import PostInput, post_compose
from roost.workspaces.models import Membership

pytestmark = pytest.mark.django_db(transaction=True)

LINK = "https://roost.example/e2e?lang=pl"
TAG = "RoostE2E"


def utf8_range(text: str, fragment: str) -> tuple[int, int]:
    """Byte range of `fragment` in `text` (UTF-8), computed independently of Roost."""
    start = text.encode("utf-8").index(fragment.encode("utf-8"))
    return start, start + len(fragment.encode("utf-8"))


def connect(owner: Membership, account: Account) -> Channel:
    return connect_with_form(
        actor=owner,
        network="bluesky",
        fields={
            "service_url": PDS_URL,
            "handle": account.handle,
            # An account password works where Roost asks for an app password.
            "app_password": account.password,
        },
    )


def publish_now(owner: Membership, channel: Channel, text: str) -> Delivery:
    post = post_compose(
        actor=owner, data=PostInput(text=text, channel_ids=[channel.pk]), mode="now"
    )
    drain()
    delivery = Delivery.objects.get(post=post, channel=channel)
    assert delivery.status == DeliveryStatus.PUBLISHED, (delivery.status, delivery.error)
    return delivery


def test_connect_publish_inbox_and_reply(
    owner: Membership, make_account: Callable[[str], Account], appview: AppView
) -> None:
    ala = make_account("ala")
    bob = make_account("bob")

    # 1. Connect through Roost's connect form.
    channel = connect(owner, ala)
    assert channel.network == "bluesky"
    assert channel.status == ChannelStatus.ACTIVE
    assert channel.remote_id == ala.did
    assert channel.handle == ala.handle
    assert channel.config["service_url"] == PDS_URL

    # 2. Publish now through compose and the real publisher.
    text = f"Zażółć gęślą jaźń 🦜 — Roost działa! #{TAG} cześć @{bob.handle}, więcej: {LINK} 🎉"
    delivery = publish_now(owner, channel, text)
    uri = delivery.remote_id
    assert uri.startswith(f"at://{ala.did}/app.bsky.feed.post/")

    # 3. Read it back from the AppView (it indexes with a delay: poll).
    view = wait_for(f"the AppView to index {uri}", lambda: appview.post(uri))
    record = view["record"]
    assert record["text"] == text
    assert view["author"]["did"] == ala.did
    facets = sorted(
        (
            (f["index"]["byteStart"], f["index"]["byteEnd"]),
            f["features"][0]["$type"],
            f["features"][0],
        )
        for f in record.get("facets", [])
    )
    expected = sorted(
        [
            (utf8_range(text, f"#{TAG}"), "app.bsky.richtext.facet#tag"),
            (utf8_range(text, f"@{bob.handle}"), "app.bsky.richtext.facet#mention"),
            (utf8_range(text, LINK), "app.bsky.richtext.facet#link"),
        ]
    )
    assert [(r, t) for r, t, _f in facets] == expected, facets
    features = {t: f for _r, t, f in facets}
    assert features["app.bsky.richtext.facet#tag"]["tag"] == TAG
    assert features["app.bsky.richtext.facet#mention"]["did"] == bob.did
    assert features["app.bsky.richtext.facet#link"]["uri"] == LINK
    # The byte ranges really cover the fragments (not just agree with our arithmetic).
    raw = text.encode("utf-8")
    for (start, end), _t, _f in facets:
        assert raw[start:end].decode("utf-8") in (f"#{TAG}", f"@{bob.handle}", LINK)

    # Analytics follows the post from the moment it was published: first reading in 1 h.
    tracked = PostMetrics.objects.get(delivery=delivery)
    assert delivery.published_at is not None
    assert tracked.next_collect_at == delivery.published_at + READINGS[0]

    # 4. The other person answers: a reply that also @mentions Ala (Bluesky notifies it as
    # "mention" only), a separate mention, a like, a repost and a follow.
    parent = models.create_strong_ref(models.ComAtprotoRepoStrongRef.Main(uri=uri, cid=view["cid"]))
    reply_text = client_utils.TextBuilder().text("Dzięki! ").mention(f"@{ala.handle}", ala.did)
    reply_text.text(" świetny wpis 👍")
    reply = bob.sdk.send_post(
        reply_text, reply_to=models.AppBskyFeedPost.ReplyRef(root=parent, parent=parent)
    )
    mention_text = client_utils.TextBuilder().text("Polecam ").mention(f"@{ala.handle}", ala.did)
    mention = bob.sdk.send_post(mention_text)
    bob.sdk.like(uri, view["cid"])
    bob.sdk.repost(uri, view["cid"])
    bob.sdk.follow(ala.did)

    def notified() -> bool:
        answer = ala.sdk.app.bsky.notification.list_notifications()
        reasons = sorted(n.reason for n in answer.notifications)
        return reasons == ["follow", "like", "mention", "mention", "repost"]

    wait_for("Ala's notifications on the AppView", notified)

    # 5. Roost's inbox: the first poll ingests the reply and the mention, the second nothing.
    first = poll_channels([channel])[channel.pk]
    second = poll_channels([channel])[channel.pk]
    assert (first.created, first.skipped) == (2, 0), first
    assert (second.created, second.duplicates, second.skipped) == (0, 0, 0), second
    messages = {m.remote_id: m for m in Message.objects.filter(channel=channel)}
    assert set(messages) == {reply.uri, mention.uri}
    got_reply, got_mention = messages[reply.uri], messages[mention.uri]
    assert got_reply.kind == "reply"
    assert got_reply.parent_remote_id == uri
    assert got_reply.author_id == bob.did and got_reply.author_handle == bob.handle
    assert got_reply.text == f"Dzięki! @{ala.handle} świetny wpis 👍"
    assert got_reply.conversation.key == uri
    assert got_reply.conversation.delivery_id == delivery.pk
    assert got_mention.kind == "mention"
    assert got_mention.parent_remote_id == ""
    cursor = InboxCursor.objects.get(channel=channel)
    assert cursor.last_error == ""
    assert cursor.activity.get("likes") == 1 and cursor.activity.get("reposts") == 1, cursor

    # 6. Reply from Roost's inbox: threaded under Bob's reply, in the thread of Ala's post.
    answer_text = "Dziękujemy, @" + bob.handle + "! Zapraszamy ponownie 🙂"
    sent = reply_send(actor=owner, message=got_reply, text=answer_text)
    assert isinstance(sent, Message) and sent.outgoing
    answer_view = wait_for(
        f"the AppView to index Roost's reply {sent.remote_id}", lambda: appview.post(sent.remote_id)
    )
    assert answer_view["author"]["did"] == ala.did
    assert answer_view["record"]["text"] == answer_text
    assert answer_view["record"]["reply"]["parent"]["uri"] == reply.uri
    assert answer_view["record"]["reply"]["root"]["uri"] == uri
    mentioned = [f["features"][0].get("did") for f in answer_view["record"].get("facets", [])]
    assert mentioned == [bob.did]

    def threaded() -> bool:
        thread = appview.get("app.bsky.feed.getPostThread", uri=uri, depth=5)["thread"]
        for child in thread.get("replies", []):
            if child["post"]["uri"] == reply.uri:
                return any(g["post"]["uri"] == sent.remote_id for g in child.get("replies", []))
        return False

    wait_for("Roost's reply in the thread on the AppView", threaded)

    # A third poll must not bring Roost's own reply back as inbound.
    third = poll_channels([channel])[channel.pk]
    assert third.created == 0, third
    assert Message.objects.filter(channel=channel, outgoing=False).count() == 2

    # 7. Engagement reaches Roost's analytics: the post's counts at its first reading (an
    # hour after publishing), its channel's day, and the channel's audience today.
    def indexed() -> bool:
        post = appview.post(uri) or {}
        profile = appview.profile(ala.did) or {}
        counts = (post.get("likeCount"), post.get("repostCount"), post.get("replyCount"))
        audience = (profile.get("followersCount"), profile.get("postsCount"))
        return counts == (1, 1, 1) and audience == (1, 2)

    wait_for("the like, repost, reply and follow counted on the AppView", indexed)
    first_reading = delivery.published_at + READINGS[0]
    report = metrics_collect(now=first_reading, channel_ids=[channel.pk])
    assert (report.readings, report.failed_channels) == (1, []), report
    pm = PostMetrics.objects.get(delivery=delivery)
    assert (pm.likes, pm.reposts, pm.replies) == (1, 1, 1), pm.values()
    assert pm.quotes in (0, None)  # None: an AppView version that does not count quotes
    # Bluesky reports no impressions, reach, clicks or video views: not available, not 0.
    assert (pm.impressions, pm.reach, pm.clicks, pm.video_views) == (None, None, None, None)
    assert pm.engagements == 3 + (pm.quotes or 0) + (pm.bookmarks or 0)
    assert pm.snapshots == 1 and pm.next_collect_at == delivery.published_at + READINGS[1]
    line = publishing_hooks.engagement_of([delivery.pk])[delivery.pk]
    assert line.startswith("1 like · 1 repost · 1 reply"), line
    day = ChannelDay.objects.get(channel=channel, day=pm.day)
    assert (day.posts, day.likes, day.reposts, day.replies, day.impressions) == (1, 1, 1, 1, None)

    assert audience_collect(channel_ids=[channel.pk]) == 1
    today = day_of(clock.now(), owner.workspace.timezone)
    audience = ChannelDay.objects.get(channel=channel, day=today)
    # Ala's posts: the one Roost published and Roost's reply from the inbox.
    assert (audience.followers, audience.following, audience.posts_total) == (1, 0, 2)
    assert Channel.objects.get(pk=channel.pk).metrics_failures == 0


def test_image_with_alt_text(
    owner: Membership, make_account: Callable[[str], Account], appview: AppView
) -> None:
    from io import BytesIO

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from roost.publishing.services.media import media_upload

    ala = make_account("ala")
    channel = connect(owner, ala)
    buffer = BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 60)).save(buffer, format="PNG")
    alt = "Czerwony prostokąt — test źdźbła 🦜"
    asset = media_upload(
        actor=owner,
        upload=SimpleUploadedFile("red.png", buffer.getvalue(), content_type="image/png"),
        alt_text=alt,
    )
    post = post_compose(
        actor=owner,
        data=PostInput(text="Obrazek z opisem", channel_ids=[channel.pk], media_ids=[asset.pk]),
        mode="now",
    )
    drain()
    delivery = Delivery.objects.get(post=post, channel=channel)
    assert delivery.status == DeliveryStatus.PUBLISHED, (delivery.status, delivery.error)
    view = wait_for("the image post on the AppView", lambda: appview.post(delivery.remote_id))
    images = view["embed"]["images"]
    assert [i["alt"] for i in images] == [alt]
    ratio = images[0]["aspectRatio"]
    assert (ratio["width"], ratio["height"]) == (64, 48)
    assert view["record"]["embed"]["images"][0]["image"]["mimeType"] == "image/png"


def test_deleting_in_roost_deletes_on_the_network(
    owner: Membership, make_account: Callable[[str], Account], appview: AppView
) -> None:
    from roost.publishing.models import Post
    from roost.publishing.services.deletion import post_delete

    ola = make_account("ola")
    channel = connect(owner, ola)
    delivery = publish_now(owner, channel, "Ten post zaraz zniknie")
    wait_for("the post on the AppView", lambda: appview.post(delivery.remote_id))
    post_delete(actor=owner, post=delivery.post)
    assert not Post.objects.filter(pk=delivery.post_id).exists()
    wait_for("the post gone from the AppView", lambda: appview.post(delivery.remote_id) is None)


def test_revoked_app_password_waits_for_reconnect_then_publishes(
    owner: Membership, make_account: Callable[[str], Account], appview: AppView
) -> None:
    from roost.publishing.models import PostStatus

    eva = make_account("eva")
    first = eva.sdk.com.atproto.server.create_app_password(
        models.ComAtprotoServerCreateAppPassword.Data(name="roost-1")
    )
    channel = connect_with_form(
        actor=owner,
        network="bluesky",
        fields={"service_url": PDS_URL, "handle": eva.handle, "app_password": first.password},
    )
    eva.sdk.com.atproto.server.revoke_app_password(
        models.ComAtprotoServerRevokeAppPassword.Data(name="roost-1")
    )
    # The stored session has run out too: the next call must log in with the revoked
    # app password, and the network says no.
    credentials = channel.credentials
    credentials.pop("session", None)
    channel.set_credentials(credentials)
    channel.save(update_fields=["credentials_encrypted"])

    post = post_compose(
        actor=owner,
        data=PostInput(text="Czeka na ponowne połączenie", channel_ids=[channel.pk]),
        mode="now",
    )
    drain()
    delivery = Delivery.objects.get(post=post, channel=channel)
    channel.refresh_from_db()
    assert delivery.status == DeliveryStatus.WAITING_RECONNECT, (delivery.status, delivery.error)
    assert channel.status == ChannelStatus.NEEDS_RECONNECT

    second = eva.sdk.com.atproto.server.create_app_password(
        models.ComAtprotoServerCreateAppPassword.Data(name="roost-2")
    )
    again = connect_with_form(
        actor=owner,
        network="bluesky",
        fields={"service_url": PDS_URL, "handle": eva.handle, "app_password": second.password},
    )
    assert again.pk == channel.pk  # the same channel, reconnected
    drain()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PUBLISHED, (delivery.status, delivery.error)
    post.refresh_from_db()
    assert post.status == PostStatus.PUBLISHED
    wait_for("the post on the AppView", lambda: appview.post(delivery.remote_id))
