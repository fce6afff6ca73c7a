"""The demo's listening: a brand topic ("Demo Coffee"), two competitors and a campaign topic
with thirty days of public mentions in English and Polish, their hourly roll-ups and two
spike alerts, written directly to the models (the way ingestion would leave them), so the
listening pages are alive on first run. Deterministic: the same day gives the same story.

Two days ago the brand had a burst of complaints about a delayed delivery (a negative
spike); the campaign's hashtag rose through last week."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction

from roost.core import clock
from roost.listening.models import (
    Alert,
    Mention,
    Sentiment,
    TermHour,
    Topic,
    TopicHour,
    TopicMention,
)
from roost.publishing.models import Campaign
from roost.workspaces.models import Workspace

DAYS = 30
CAMPAIGN_NAME = "Winter Blend 2026"
POS, NEU, NEG = Sentiment.POSITIVE, Sentiment.NEUTRAL, Sentiment.NEGATIVE
COLUMN: dict[int, str] = {1: "positive", -1: "negative"}


@dataclass(frozen=True)
class Line:
    text: str
    language: str
    sentiment: int
    intent: bool
    terms: tuple[str, ...]


@dataclass(frozen=True)
class Story:
    name: str
    kind: str
    query: str
    per_day: tuple[int, int]  # mentions a day, from … to
    lines: tuple[Line, ...]


BRAND = Story(
    "Demo Coffee",
    Topic.Kind.BRAND,
    '"demo coffee" OR #democoffee OR @democoffee -from:@democoffee',
    (6, 14),
    (
        Line(
            "Best flat white in town at Demo Coffee, again.",
            "en",
            POS,
            False,
            ("flat white", "#democoffee"),
        ),
        Line(
            "Where can I buy the Demo Coffee house blend beans?",
            "en",
            NEU,
            True,
            ("house blend", "beans"),
        ),
        Line(
            "Demo Coffee's new oat latte is lovely #democoffee",
            "en",
            POS,
            False,
            ("oat latte", "#democoffee"),
        ),
        Line("Queue at Demo Coffee was long this morning.", "en", NEG, False, ("queue",)),
        Line(
            "Najlepsza kawa w mieście, Demo Coffee #democoffee",
            "pl",
            POS,
            False,
            ("kawa", "#democoffee"),
        ),
        Line(
            "Gdzie kupić ziarna Demo Coffee? Chcę zamówić dwie paczki.",
            "pl",
            NEU,
            True,
            ("ziarna",),
        ),
        Line("Demo Coffee opened a new place near the station", "en", NEU, False, ("new place",)),
    ),
)
SPIKE = (
    Line(
        "My Demo Coffee order is a week late and nobody answers. @democoffee",
        "en",
        NEG,
        False,
        ("delivery", "late"),
    ),
    Line("Demo Coffee, where is my delivery? Paid ten days ago.", "en", NEG, False, ("delivery",)),
    Line(
        "Zamówienie z Demo Coffee nie dotarło, brak kontaktu.",
        "pl",
        NEG,
        False,
        ("zamówienie", "dostawa"),
    ),
)
RIVALS = (
    Story(
        "Bean Brothers",
        Topic.Kind.COMPETITOR,
        '"bean brothers" OR #beanbrothers',
        (3, 8),
        (
            Line(
                "Bean Brothers espresso is solid.", "en", POS, False, ("espresso", "#beanbrothers")
            ),
            Line("Bean Brothers raised prices again", "en", NEG, False, ("prices",)),
            Line("Trying Bean Brothers cold brew today", "en", NEU, False, ("cold brew",)),
        ),
    ),
    Story(
        "Kawa Corner",
        Topic.Kind.COMPETITOR,
        '"kawa corner" OR #kawacorner',
        (2, 6),
        (
            Line(
                "Kawa Corner ma świetne ciasto #kawacorner",
                "pl",
                POS,
                False,
                ("ciasto", "#kawacorner"),
            ),
            Line("Kawa Corner was too loud to work in.", "en", NEG, False, ("loud",)),
            Line("Kawa Corner: gdzie kupić ich kawę?", "pl", NEU, True, ("kawa",)),
        ),
    ),
)
CAMPAIGN = Story(
    "Winter Blend",
    Topic.Kind.CAMPAIGN,
    '#winterblend OR "winter blend"',
    (0, 5),
    (
        Line(
            "The #winterblend from Demo Coffee tastes like Christmas",
            "en",
            POS,
            False,
            ("#winterblend", "christmas"),
        ),
        Line("Is the winter blend worth it? #winterblend", "en", NEU, True, ("#winterblend",)),
        Line(
            "Zimowa mieszanka #winterblend jest za słodka",
            "pl",
            NEG,
            False,
            ("#winterblend", "mieszanka"),
        ),
    ),
)
AUTHORS = (
    "@ania.bsky.social",
    "@tom.example",
    "@kasia.bsky.social",
    "@lee.example",
    "@marek.example",
    "@jo.example",
)


def _unit(*parts: object) -> float:
    """A stable number in [0, 1) from the parts (the demo's own dice)."""
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def _pick(options: Sequence[Line], *parts: object) -> Line:
    return options[int(_unit(*parts) * len(options))]


def _campaign(workspace: Workspace) -> Campaign | None:
    """The story's campaign (roost/web/demo/posts.py makes it), once the story is told."""
    return Campaign.objects.filter(workspace=workspace, name=CAMPAIGN_NAME).first()


def _plan(story: Story, start: datetime) -> list[tuple[datetime, Line]]:
    """When each of the story's mentions was posted, and what it said."""
    low, high = story.per_day
    found = []
    for day in range(DAYS):
        n = low + int(_unit(story.name, day, "n") * (high - low + 1))
        if story is CAMPAIGN:
            n += max(0, day - 20) // 2  # rising through the last ten days
        for i in range(n):
            at = start + timedelta(days=day, minutes=int(_unit(story.name, day, i, "t") * 24 * 60))
            found.append((at, _pick(story.lines, story.name, day, i)))
    return found


@transaction.atomic
def seed_listening(workspace: Workspace, now: datetime | None = None) -> int:
    """Write the demo's topics, mentions, roll-ups and alerts once; the mentions written
    (0 when the demo has them already, or before the story made its campaign)."""
    campaign = _campaign(workspace)
    if campaign is None or Topic.objects.filter(workspace=workspace, name=BRAND.name).exists():
        return 0
    now = (now or clock.now()).replace(minute=0, second=0, microsecond=0)
    start = now - timedelta(days=DAYS)
    plans: list[tuple[Topic, list[tuple[datetime, Line]]]] = []
    for story in (BRAND, *RIVALS, CAMPAIGN):
        t = Topic.objects.create(
            workspace=workspace,
            name=story.name,
            kind=story.kind,
            query=story.query,
            campaign=campaign if story is CAMPAIGN else None,
        )
        plan = [(at, line) for at, line in _plan(story, start) if at < now]
        if story is BRAND:  # the delivery complaints, two days ago
            burst = now - timedelta(days=2, hours=5)
            plan += [(burst + timedelta(minutes=4 * i), SPIKE[i % len(SPIKE)]) for i in range(24)]
        plans.append((t, plan))

    mentions: list[Mention] = []
    owners: list[Topic] = []
    for t, plan in plans:
        for i, (at, line) in enumerate(plan):
            author = AUTHORS[int(_unit(t.name, i, "a") * len(AUTHORS))]
            remote = f"demo-{t.pk}-{i}"
            mentions.append(
                Mention(
                    workspace=workspace,
                    network="sandbox",
                    remote_id=remote,
                    url=f"https://sandbox.example/posts/{remote}",
                    author_id=author,
                    author_handle=author,
                    author_name=author.strip("@").split(".")[0].title(),
                    text=line.text,
                    posted_at=at,
                    found_at=at + timedelta(minutes=5),
                    language=line.language,
                    sentiment=line.sentiment,
                    sentiment_score=float(line.sentiment) * 0.8,
                    intent=line.intent,
                    intent_score=0.9 if line.intent else 0.05,
                    terms=list(line.terms),
                )
            )
            owners.append(t)
    Mention.objects.bulk_create(mentions, batch_size=500)
    saved = {
        m.remote_id: m
        for m in Mention.objects.filter(workspace=workspace, remote_id__startswith="demo-")
    }

    links = []
    hours: dict[tuple[int, datetime], Counter[str]] = {}
    terms: Counter[tuple[int, datetime, str]] = Counter()
    for m, t in zip(mentions, owners, strict=True):
        stored = saved[m.remote_id]
        links.append(
            TopicMention(
                topic=t,
                mention=stored,
                posted_at=m.posted_at,
                sentiment=m.sentiment,
                intent=m.intent,
            )
        )
        hour = m.posted_at.replace(minute=0, second=0, microsecond=0)
        counts = hours.setdefault((t.pk, hour), Counter())
        counts["mentions"] += 1
        counts[COLUMN.get(int(m.sentiment), "neutral")] += 1
        counts["intent"] += int(m.intent)
        for term in m.terms:
            terms[(t.pk, hour, term)] += 1
    TopicMention.objects.bulk_create(links, batch_size=500)
    TopicHour.objects.bulk_create(
        [TopicHour(topic_id=tid, hour=hour, **counts) for (tid, hour), counts in hours.items()],
        batch_size=500,
    )
    TermHour.objects.bulk_create(
        [
            TermHour(topic_id=tid, hour=hour, term=term, count=n)
            for (tid, hour, term), n in terms.items()
        ],
        batch_size=500,
    )
    brand = plans[0][0]
    burst_hour = (now - timedelta(days=2, hours=5)).replace(minute=0)
    Alert.objects.create(
        workspace=workspace,
        topic=brand,
        kind=Alert.Kind.NEGATIVE,
        started_at=burst_hour,
        observed=0.86,
        expected=0.14,
        detail={"window_hours": 1},
        created_at=burst_hour + timedelta(minutes=20),
        quiet_until=burst_hour + timedelta(hours=6),
    )
    Alert.objects.create(
        workspace=workspace,
        topic=brand,
        kind=Alert.Kind.VOLUME,
        started_at=burst_hour,
        observed=14.0,
        expected=0.5,
        detail={"window_hours": 1},
        created_at=burst_hour + timedelta(minutes=20),
        quiet_until=burst_hour + timedelta(hours=6),
    )
    return len(mentions)
