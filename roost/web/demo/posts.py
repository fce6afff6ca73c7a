"""The demo's publishing story: three weeks of published posts (with images, alt text and
engagement), posts in review at each step, changes requested, a scheduled week, the queue,
drafts and one failed delivery.

Everything goes through the apps' services (compose, media, campaigns, queue slots,
approvals, the publisher's own outcome recording), so statuses, audit entries and
notifications are what a real team's would be. Only times are written afterwards: a
service stamps "now", and the story needs "three weeks ago" (see `_backdate`).
"""

from __future__ import annotations

import uuid
import zoneinfo
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import F

from roost.analytics.services.recording import Reading, metrics_record, metrics_track
from roost.approvals.models import ApprovalEvent, ApprovalRequest, RequestStatus, Workflow
from roost.approvals.services import request_decide, workflow_save
from roost.channels.models import Channel
from roost.core import clock
from roost.networks.base import Outcome, Published, Result
from roost.publishing.models import (
    Campaign,
    Delivery,
    DeliveryStatus,
    MediaAsset,
    Post,
    QueueSlot,
)
from roost.publishing.services.campaigns import campaign_save, queue_slots_set
from roost.publishing.services.compose import PostInput, post_compose
from roost.publishing.services.delivery import record_many
from roost.publishing.services.media import media_upload
from roost.web.demo.history import HISTORY, PICTURES
from roost.web.demo.images import draw_png
from roost.workspaces.models import AuditEntry, Membership

# The worker name on the story's claims: history recorded by the demo, not sent by a worker.
STORY_WORKER = "demo-story"


@dataclass
class Cast:
    """Who and where: the demo's people by e-mail local part, its two Sandbox channels."""

    members: dict[str, Membership]
    en: Channel
    pl: Channel
    media: dict[str, MediaAsset] = field(default_factory=dict)

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.en.workspace.timezone)

    def local(self, days: int, hour: int, minute: int = 0) -> datetime:
        """`days` from today (negative: ago) at a wall-clock time in the workspace's zone."""
        day = (clock.now().astimezone(self.tz) + timedelta(days=days)).date()
        return datetime(day.year, day.month, day.day, hour, minute, tzinfo=self.tz)


def _upload(cast: Cast, name: str) -> MediaAsset:
    picture, alt = PICTURES[name]
    upload = SimpleUploadedFile(f"{name}.png", draw_png(picture), content_type="image/png")
    return media_upload(actor=cast.members["manager"], upload=upload, alt_text=alt)


def _compose(
    cast: Cast,
    who: str,
    text: str,
    *,
    channels: list[Channel],
    mode: str = "draft",
    at: datetime | None = None,
    pl: str = "",
    images: tuple[str, ...] = (),
    campaign: Campaign | None = None,
    tags: tuple[str, ...] = (),
) -> Post:
    data = PostInput(
        text=text,
        channel_ids=[c.pk for c in channels],
        variants={cast.pl.pk: pl} if pl and cast.pl in channels else {},
        media_ids=[cast.media[name].pk for name in images],
        campaign_id=campaign.pk if campaign else None,
        tags=list(tags),
    )
    return post_compose(actor=cast.members[who], data=data, mode=mode, at=at)


def _backdate(post: Post, when: datetime) -> None:
    """Move a post's own timestamps, and the records the services wrote about it, to when
    the story says it happened (the services stamped them with the real "now"): written the
    day before, with its images; scheduled "now" and sent at `when`."""
    written = when - timedelta(hours=20)
    Post.objects.filter(pk=post.pk).update(created_at=written, updated_at=written)
    about = AuditEntry.objects.filter(target_type="post", target_id=str(post.pk))
    about.filter(action="post.created").update(created_at=written)
    about.exclude(action="post.created").update(created_at=when)
    ApprovalEvent.objects.filter(kind="post", object_id=post.pk).update(created_at=when)
    assets = [str(pk) for pk in post.postmedia_set.values_list("asset_id", flat=True)]
    MediaAsset.objects.filter(pk__in=assets).update(created_at=written - timedelta(hours=1))
    AuditEntry.objects.filter(target_type="mediaasset", target_id__in=assets).update(
        created_at=written - timedelta(hours=1)
    )


def _published_in_the_past(
    post: Post,
    when: datetime,
    metrics: dict[int, tuple[int, int, int, int]],
    failed: dict[int, str] | None = None,
) -> None:
    """A post scheduled "now" through compose is recorded as having gone out at `when`.

    Claimed under the story's own token (only this post's deliveries: a real due delivery
    of someone else's is never touched), then recorded through the publisher's own
    `record_many`, which sets the statuses and tells the author about a failure. The
    Sandbox is not asked: this is history from before the install. Its counts are one
    reading an hour ago, tracked with no further readings due (the remote ids are not
    Sandbox ids: there is nothing to read there).
    """
    token = uuid.uuid4().hex
    now = clock.now()
    Delivery.objects.filter(post=post, status=DeliveryStatus.SCHEDULED).update(
        status=DeliveryStatus.SENDING,
        claim_token=token,
        claimed_by=STORY_WORKER,
        claimed_at=now,
        attempts=F("attempts") + 1,
        first_attempt_at=now,
    )
    claimed = list(Delivery.objects.filter(claim_token=token).select_related("post", "channel"))
    failed = failed or {}
    outcomes: list[tuple[Delivery, Result, datetime | None]] = []
    for d in claimed:
        if d.channel_id in failed:
            result = Result(Outcome.REJECTED, reason=failed[d.channel_id])
        else:
            result = Result(Outcome.OK, published=Published(remote_id=f"demo-{d.pk}", url=""))
        outcomes.append((d, result, now))
    record_many(outcomes)
    # The story's times: due, called and published at `when`; counts as read an hour ago.
    fetched = now - timedelta(hours=1)
    readings: list[Reading] = []
    for d in claimed:
        likes, reposts, replies, quotes = metrics.get(d.channel_id, (0, 0, 0, 0))
        published = d.channel_id not in failed
        Delivery.objects.filter(pk=d.pk).update(
            due_at=when,
            next_attempt_at=when,
            first_attempt_at=when,
            called_at=when,
            published_at=when if published else None,
        )
        if published:
            counts = {"likes": likes, "reposts": reposts, "replies": replies, "quotes": quotes}
            readings.append(Reading(d.pk, counts, fetched))
    metrics_track(
        deliveries=Delivery.objects.filter(pk__in=[r.delivery_id for r in readings])
        .select_related("channel__workspace")
        .order_by("pk"),
        next_collect_at=None,
    )
    metrics_record(readings=readings)
    Post.objects.filter(pk=post.pk).update(scheduled_at=when)
    _backdate(post, when)


def seed_posts(cast: Cast) -> dict[str, Post]:
    """The whole publishing story; returns its posts by a short name (for the tests)."""
    m = cast.members
    en, pl = cast.en, cast.pl
    both = [en, pl]
    for name in PICTURES:
        cast.media[name] = _upload(cast, name)
    # What someone already made with these names (a demo from before the story) is used as
    # it is, never replaced.
    winter = Campaign.objects.filter(workspace=en.workspace, name="Winter Blend 2026").first()
    if winter is None:
        winter = campaign_save(
            actor=m["manager"],
            name="Winter Blend 2026",
            utm={
                "utm_source": "social",
                "utm_medium": "organic",
                "utm_campaign": "winter-blend-2026",
            },
        )
    # A narrower workflow beside the workspace-wide "Brand review": the Polish channel's
    # copy is checked by the manager (a workflow narrowed to a channel wins over a broad one).
    if not Workflow.objects.filter(workspace=en.workspace, name="Polish channel review").exists():
        workflow_save(
            actor=m["owner"],
            name="Polish channel review",
            steps=[{"name": "Polish copy check", "member_ids": [m["manager"].pk]}],
            channel_ids=[pl.pk],
        )
    # Weekday queue slots on the main channel, for the posts "added to the queue".
    if not QueueSlot.objects.filter(channel=en).exists():
        queue_slots_set(
            actor=m["manager"],
            channel=en,
            slots=[(day, t) for day in range(5) for t in ("09:30", "16:00")],
        )
    posts: dict[str, Post] = {}

    # Three weeks of history, published by the manager (no approval needed for her role).
    by_key = {"en": en, "pl": pl}
    for past in HISTORY:
        post = _compose(
            cast,
            "manager",
            past.text,
            channels=[by_key[key] for key in ("en", "pl") if key in past.counts],
            mode="now",
            pl=past.pl,
            images=past.images,
            campaign=winter if past.in_campaign else None,
            tags=past.tags,
        )
        counts = {by_key[key].pk: value for key, value in past.counts.items()}
        _published_in_the_past(post, cast.local(-past.days, past.hour), counts)
        posts[past.name] = post

    # Yesterday's giveaway went out on the main channel; the Polish channel refused it.
    giveaway = _compose(
        cast,
        "manager",
        "Weekend giveaway: a year of coffee for one of you. Follow us and tag a friend by "
        "Sunday 20:00. Terms: https://demo-coffee.example/giveaway",
        channels=both,
        mode="now",
        pl="Weekendowe rozdanie: rok kawy dla jednej osoby. Regulamin na stronie.",
        tags=("giveaway",),
    )
    _published_in_the_past(
        giveaway,
        cast.local(-1, 17),
        {en.pk: (128, 40, 57, 3)},
        failed={
            pl.pk: "Sandbox refused the post: contests need the organiser's address in the "
            "Polish channel's posts. Edit the Polish text and try again."
        },
    )
    posts["giveaway"] = giveaway

    # In review: Kuba's posts wait at each step of Brand review (Legal review, then Maja).
    contest = _compose(
        cast,
        "creator",
        "Spring photo contest: share your home-brew setup with #CoffeeCoAtHome and win a "
        "grinder. Entries close March 31.",
        channels=[en],
        mode="at",
        at=cast.local(3, 11),
        tags=("giveaway",),
    )
    posts["review_legal"] = contest
    kenya = _compose(
        cast,
        "creator",
        "Just roasted: Kenya AA. Blackcurrant, grapefruit and a long sweet finish. "
        "https://demo-coffee.example/kenya",
        channels=[en],
        mode="at",
        at=cast.local(2, 9, 30),
        images=("winter",),
        campaign=winter,
        tags=("product",),
    )
    _decide(kenya, m["admin"], "approve", "Tasting notes are fine, no claims to check.")
    posts["review_manager"] = kenya
    gift = _compose(
        cast,
        "creator",
        "Holiday gift boxes: 20% off everything! Order now.",
        channels=[en],
        mode="at",
        at=cast.local(4, 12),
        campaign=winter,
    )
    _decide(
        gift,
        m["admin"],
        "request_changes",
        "Say until when the discount runs and that it is while stocks last — a promotion "
        "needs its terms.",
    )
    posts["changes_requested"] = gift
    # The Polish channel's own workflow: one step, Maja checks the copy.
    polish = _compose(
        cast,
        "creator",
        "Zimowa mieszanka wraca w przyszłym tygodniu: cynamon, pomarańcza, gorzka czekolada. ☕",
        channels=[pl],
        mode="at",
        at=cast.local(2, 8),
        images=("winter",),
        campaign=winter,
    )
    posts["review_polish"] = polish

    # The coming days: scheduled by the manager, two in the queue.
    posts["scheduled_tomorrow"] = _compose(
        cast,
        "manager",
        "Start the day with a cortado. We open at 7:00 — see you there.",
        channels=both,
        mode="at",
        at=cast.local(1, 7, 30),
        pl="Dzień zaczynamy od cortado. Otwieramy o 7:00.",
    )
    posts["scheduled_winter"] = _compose(
        cast,
        "manager",
        "Winter Blend 2026 is here: cinnamon, orange, dark chocolate. Order yours: "
        "https://demo-coffee.example/winter-blend",
        channels=both,
        mode="at",
        at=cast.local(5, 10),
        pl="Zimowa mieszanka 2026 już jest: cynamon, pomarańcza, gorzka czekolada.",
        images=("winter",),
        campaign=winter,
        tags=("product",),
    )
    posts["queued_brewguide"] = _compose(
        cast,
        "manager",
        "Brew guide: the AeroPress recipe our baristas use — 15 g, 250 ml, 2 minutes. "
        "https://demo-coffee.example/brew/aeropress",
        channels=[en],
        mode="queue",
    )
    posts["queued_playlist"] = _compose(
        cast,
        "manager",
        "What are you listening to with your morning coffee? Our café playlist is up.",
        channels=[en],
        mode="queue",
        tags=("community",),
    )
    # Drafts: an idea of Kuba's and a half-written teaser of Maja's.
    posts["draft_poll"] = _compose(
        cast,
        "creator",
        "Idea: a poll — V60, AeroPress, moka pot or espresso? Which one is yours?",
        channels=[en],
    )
    posts["draft_teaser"] = _compose(
        cast,
        "manager",
        "Spring menu teaser (text to come)",
        channels=both,
        images=("latte",),
    )
    return posts


def _decide(post: Post, member: Membership, decision: str, comment: str) -> None:
    req = ApprovalRequest.objects.get(kind="post", object_id=post.pk, status=RequestStatus.PENDING)
    request_decide(req=req, decision=decision, user=member.user, comment=comment)
