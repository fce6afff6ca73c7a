"""Each section on crafted data: exact texts, figures and links."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from roost.analytics.models import ChannelDay, PostMetrics
from roost.analytics.testing import published
from roost.approvals.models import ApprovalRequest, RequestStatus, StepState, StepStatus
from roost.briefing import builtin, sections, services
from roost.briefing.tests.conftest import NOW
from roost.channels.models import ChannelStatus
from roost.inbox.models import Message, Priority, Task, TaskKind
from roost.inbox.services.ingest import ingest
from roost.listening import brief as listening_brief
from roost.listening.models import Alert, Mention, TermHour, Topic, TopicHour
from roost.listening.trends import rising_terms_for_workspace
from roost.networks.base import Inbound, InboundKind, InboxPage
from roost.publishing.models import Delivery, DeliveryStatus, Post, PostStatus
from roost.workspaces.models import Membership

DAY = date(2031, 3, 13)
SINCE = datetime.fromisoformat("2031-03-12T07:45:00+00:00")  # Wednesday 08:45 in Warsaw


def ctx(owner: Membership) -> sections.Context:
    ws = owner.workspace
    return sections.Context(ws, NOW, SINCE, DAY, ws.tzinfo)


def texts(result: sections.SectionResult) -> list[str]:
    return [i.text for i in result.items]


def _messages(channel: Any, specs: list[tuple[str, int, datetime]]) -> list[Message]:
    items = tuple(
        Inbound(
            remote_id=f"m{n}",
            kind=InboundKind(kind),
            text=f"Message {n} about the price",
            created_at=at,
            author_id=f"a{n}",
            author_handle=f"user{n}.sandbox",
            conversation_id=f"c{n}" if kind == "direct" else "",
        )
        for n, (kind, _p, at) in enumerate(specs)
    )
    ingest(channel, InboxPage(items=items))
    found = []
    for n, (_kind, priority, at) in enumerate(specs):
        Message.objects.filter(channel=channel, remote_id=f"m{n}").update(
            received_at=at, priority=priority
        )
        found.append(Message.objects.get(channel=channel, remote_id=f"m{n}"))
    return found


def test_overnight_counts_by_type_and_priority_and_lists_notable(
    owner: Membership, channel: Any
) -> None:
    slug = owner.workspace.slug
    night = SINCE + timedelta(hours=5)
    msgs = _messages(
        channel,
        [
            ("mention", Priority.NORMAL, night),
            ("mention", Priority.URGENT, night + timedelta(minutes=1)),
            ("reply", Priority.HIGH, night + timedelta(minutes=2)),
            ("direct", Priority.HIGH, night + timedelta(minutes=3)),
            ("mention", Priority.URGENT, SINCE - timedelta(hours=1)),  # before: not counted
        ],
    )
    channel.status = ChannelStatus.NEEDS_RECONNECT
    channel.save(update_fields=["status"])
    post = Post.objects.create(workspace=owner.workspace, text="x", status=PostStatus.FAILED)
    Delivery.objects.create(
        post=post,
        channel=channel,
        status=DeliveryStatus.FAILED,
        idempotency_key=uuid.uuid4().hex,
        due_at=night,
    )

    result = builtin.overnight(ctx(owner))

    assert texts(result) == [
        "4 new inbox items: 1 direct messages, 2 mentions, 1 replies",
        "1 of them urgent priority",
        "2 of them high priority",
        "5 open items are past their first-response target",
        "Urgent mentions from user1.sandbox: “Message 1 about the price”",
        "High direct messages from user3.sandbox",  # a DM's text stays private
        "High replies from user2.sandbox: “Message 2 about the price”",
        "1 delivery failed",
        "Channel Brief Sandbox needs reconnecting",
    ]
    assert result.items[0].figures == {
        "total": 4,
        "kind_mention": 2,
        "kind_reply": 1,
        "kind_direct": 1,
    }
    assert result.items[0].link == f"/w/{slug}/inbox/"
    assert result.items[1].link == f"/w/{slug}/inbox/?priority=3"
    assert result.items[4].link == f"/w/{slug}/inbox/{msgs[1].pk}/"
    assert result.items[7].link == f"/w/{slug}/calendar/"
    assert result.items[8].link == f"/w/{slug}/channels/"
    assert [i.severity for i in result.items] == [
        "info",
        "warning",
        "notice",
        "warning",
        "warning",
        "notice",
        "notice",
        "critical",
        "warning",
    ]


def test_overnight_quiet(owner: Membership) -> None:
    result = builtin.overnight(ctx(owner))
    assert result.items == [] and result.empty == "A quiet night: nothing new."


def test_traction_against_the_channels_usual_level(owner: Membership, channel: Any) -> None:
    ws = owner.workspace
    hot = published(channel, NOW - timedelta(hours=3), text="Our spring launch is here")
    cold = published(channel, NOW - timedelta(hours=5), text="A quiet update")
    old = published(channel, NOW - timedelta(hours=30), text="Yesterday")
    PostMetrics.objects.filter(delivery=hot).update(engagements=120)
    PostMetrics.objects.filter(delivery=cold).update(engagements=20)
    PostMetrics.objects.filter(delivery=old).update(engagements=999)
    ChannelDay.objects.filter(workspace=ws).delete()
    for back, (posts, eng) in enumerate([(2, 80), (3, 100)], start=1):
        ChannelDay.objects.create(
            workspace=ws,
            channel=channel,
            day=DAY - timedelta(days=back),
            posts=posts,
            engagements=eng,
        )

    result = builtin.traction(ctx(owner))

    assert texts(result) == [
        "“Our spring launch is here” on Brief Sandbox: 120 engagements, 3.3× the usual 36",
        "“A quiet update” on Brief Sandbox: 20 engagements, 0.6× the usual 36",
    ]
    assert result.items[0].figures == {"engagements": 120, "usual": 36.0, "ratio": 3.33}
    assert result.items[0].link == f"/w/{ws.slug}/posts/{hot.post_id}/"
    assert [i.severity for i in result.items] == ["notice", "info"]


def _pending(owner: Membership, due: datetime | None, title: str) -> ApprovalRequest:
    post = Post.objects.create(workspace=owner.workspace, text=title, status=PostStatus.IN_REVIEW)
    request = ApprovalRequest.objects.create(
        workspace=owner.workspace,
        kind="post",
        object_id=post.pk,
        status=RequestStatus.PENDING,
        snapshot={"title": title},
    )
    StepState.objects.create(
        request=request, position=1, name="Legal", status=StepStatus.WAITING, due_at=due
    )
    return request


def test_scheduled_today_and_pending_approvals(owner: Membership) -> None:
    ws = owner.workspace
    today_post = Post.objects.create(
        workspace=ws,
        text="Launch day",
        status=PostStatus.SCHEDULED,
        scheduled_at=datetime.fromisoformat("2031-03-13T14:30:00+00:00"),  # 15:30 Warsaw
    )
    Post.objects.create(  # tomorrow in Warsaw: not today's
        workspace=ws,
        text="Tomorrow",
        status=PostStatus.SCHEDULED,
        scheduled_at=datetime.fromisoformat("2031-03-13T23:30:00+00:00"),
    )
    request = _pending(owner, NOW + timedelta(hours=2), "Spring copy")

    result = builtin.scheduled(ctx(owner))

    assert texts(result) == [
        "1 post scheduled today",
        "15:30 Launch day",
        "1 approval still pending",
        "Legal: Spring copy (due 2031-03-13 11:00)",
    ]
    assert result.items[1].link == f"/w/{ws.slug}/posts/{today_post.pk}/"
    assert result.items[2].link == f"/w/{ws.slug}/approvals/"
    assert result.items[3].link == f"/w/{ws.slug}/approvals/{request.pk}/"


def test_risks_at_risk_and_late_approvals(owner: Membership) -> None:
    late = _pending(owner, NOW - timedelta(hours=1), "Late")
    soon = _pending(owner, NOW + timedelta(hours=3), "Soon")
    _pending(owner, NOW + timedelta(hours=30), "Later")  # not at risk yet
    _pending(owner, None, "No deadline")

    result = builtin.risks(ctx(owner))

    assert texts(result) == [
        "Approval step “Legal” is past its deadline (08:00)",
        "Approval step “Legal” is due at 12:00 and not decided",
    ]
    assert [i.severity for i in result.items] == ["critical", "warning"]
    assert [i.link for i in result.items] == [
        f"/w/{owner.workspace.slug}/approvals/{late.pk}/",
        f"/w/{owner.workspace.slug}/approvals/{soon.pk}/",
    ]


def _topic(owner: Membership, name: str) -> Topic:
    return Topic.objects.create(workspace=owner.workspace, name=name, query=name)


def test_trending_terms_and_volume_spikes(owner: Membership) -> None:
    topic = _topic(owner, "Roost")
    hour = NOW.replace(minute=0) - timedelta(hours=2)
    # A week of history at the same hours (the trends' baseline), the term rarely used.
    for back in range(1, 9):
        TopicHour.objects.create(topic=topic, hour=hour - timedelta(days=back, hours=6), mentions=8)
        TopicHour.objects.create(topic=topic, hour=hour - timedelta(days=back), mentions=8)
        TermHour.objects.create(
            topic=topic, hour=hour - timedelta(days=back), term="outage", count=1
        )
    TopicHour.objects.create(topic=topic, hour=hour, mentions=40)
    TermHour.objects.create(topic=topic, hour=hour, term="outage", count=30)
    TermHour.objects.create(topic=topic, hour=hour, term="price", count=4)  # too few uses
    Alert.objects.create(
        workspace=owner.workspace,
        topic=topic,
        kind=Alert.Kind.VOLUME,
        started_at=hour,
        observed=40,
        expected=6,
        created_at=NOW - timedelta(hours=1),
        quiet_until=NOW + timedelta(hours=5),
    )

    lines = listening_brief.trending_lines(owner.workspace, now=NOW, since=SINCE)

    trend = rising_terms_for_workspace(owner.workspace.pk, now=NOW)[0]
    assert [line.text for line in lines] == [
        f"“outage” is rising: 30 uses in the last hours, {trend.ratio:.1f}× the usual",
        "Spike on Roost: 40 mentions in an hour (usually 6)",
    ]
    assert lines[0].figures == {
        "term": "outage",
        "count": 30,
        "expected": trend.expected,
        "ratio": trend.ratio,
    }
    assert trend.ratio > 10
    assert [line.severity for line in lines] == ["notice", "warning"]


def test_listening_risks(owner: Membership, channel: Any) -> None:
    ws = owner.workspace
    topic = _topic(owner, "Roost")
    quiet = _topic(owner, "Nestbox")
    Alert.objects.create(
        workspace=ws,
        topic=topic,
        kind=Alert.Kind.NEGATIVE,
        started_at=NOW.replace(minute=0),
        observed=0.6,
        expected=0.1,
        created_at=NOW - timedelta(minutes=30),
        quiet_until=NOW + timedelta(hours=6),
    )
    Post.objects.create(
        workspace=ws,
        text="Sale",
        status=PostStatus.SCHEDULED,
        scheduled_at=NOW + timedelta(hours=2),
    )
    msgs = _messages(channel, [("mention", Priority.NORMAL, NOW - timedelta(hours=1))])
    for n, inbox_id in enumerate([None, msgs[0].pk, None]):
        Mention.objects.create(
            workspace=ws,
            network="sandbox",
            remote_id=f"p{n}",
            text="where can I buy it",
            posted_at=NOW - timedelta(hours=2),
            intent=n < 2,
            inbox_message_id=inbox_id,
        )
    # The second one became an inbox item with a lead task: not counted.
    Task.objects.create(workspace=ws, message=msgs[0], kind=TaskKind.LEAD)
    for t, recent in ((topic, 12), (quiet, 9)):
        TopicHour.objects.create(
            topic=t, hour=NOW.replace(minute=0) - timedelta(hours=1), mentions=recent
        )
    Post.objects.create(workspace=ws, text="All about Roost", created_at=NOW - timedelta(days=1))

    lines = listening_brief.risk_lines(ws, now=NOW, since=SINCE)

    assert [line.text for line in lines] == [
        "Negative spike on Roost: 60% negative (usually 10%)",
        "1 post is scheduled in the next 24 h during a spike: check it",
        "1 mention shows purchase intent and has no lead task",
        "Nestbox is rising (9 mentions in 24 h) and we have not posted about it",
    ]
    assert [line.severity for line in lines] == ["critical", "warning", "notice", "notice"]
    assert lines[1].link == f"/w/{ws.slug}/calendar/"


def test_a_broken_section_is_marked_unavailable_and_the_rest_is_built(
    owner: Membership, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(ctx: sections.Context) -> sections.SectionResult:
        raise RuntimeError("bad data")

    monkeypatch.setattr(sections.SECTIONS["traction"], "builders", [broken])
    brief = services.brief_build(owner.workspace, now=NOW)

    by_key = {s["key"]: s for s in brief.content["sections"]}
    assert list(by_key) == ["overnight", "trending", "traction", "scheduled", "risks"]
    assert by_key["traction"]["unavailable"] is True
    assert by_key["traction"]["note"] == (
        "This section could not be built; the rest of the brief is complete."
    )
    assert [s["unavailable"] for s in brief.content["sections"]] == [
        False,
        False,
        True,
        False,
        False,
    ]
    assert brief.content["minutes"] == 15
    assert brief.date == DAY


def test_a_broken_contribution_keeps_the_sections_own_items(
    owner: Membership, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(ctx: sections.Context) -> sections.SectionResult:
        raise RuntimeError("listening is down")

    _pending(owner, NOW - timedelta(hours=1), "Late")
    monkeypatch.setattr(sections.SECTIONS["risks"], "builders", [builtin.risks, broken])
    risks = sections.build_section(sections.SECTIONS["risks"], ctx(owner))
    assert risks["unavailable"] is False
    assert risks["note"] == "Part of this section could not be built."
    assert [i["text"] for i in risks["items"]] == [
        "Approval step “Legal” is past its deadline (08:00)"
    ]


def test_the_brief_takes_a_fixed_handful_of_queries(
    owner: Membership, channel: Any, django_assert_max_num_queries: Any
) -> None:
    night = SINCE + timedelta(hours=5)
    _messages(channel, [("mention", Priority.HIGH, night), ("reply", Priority.NORMAL, night)])
    published(channel, NOW - timedelta(hours=3))
    _pending(owner, NOW + timedelta(hours=1), "Soon")
    services.brief_build(owner.workspace, now=NOW)  # the first makes inbox settings
    # 15 reads for the sections, the brief's settings, and saving it.
    with django_assert_max_num_queries(22):
        services.brief_build(owner.workspace, now=NOW)


def test_risks_say_when_publishing_is_paused(
    owner: Membership, monkeypatch: pytest.MonkeyPatch
) -> None:
    from roost.publishing.selectors import PauseState

    state = PauseState(
        paused=True,
        reason="Outage",
        by="Brief Lead",
        channel_ids_paused=frozenset({7}),
        channels=((7, "Coffee PL", "", NOW, "Brief Lead"),),
    )
    # The crisis switch's read (publishing.selectors.pause_state, tested with publishing).
    monkeypatch.setattr(builtin, "pause_state", lambda ws_id: state)
    result = builtin.risks(ctx(owner))
    assert texts(result) == [
        "Publishing is paused: nothing goes out until someone resumes it. (Outage)",
        "Publishing on Coffee PL is paused",
    ]
    assert [i.severity for i in result.items] == ["critical", "warning"]
    assert {i.link for i in result.items} == {f"/w/{owner.workspace.slug}/publishing/pause/"}
