"""The Sandbox's public conversation: what made-up people say in public, for listening.

A pure model, like engagement.py: every post is a function of the seed, the rate and its
hour, so a post "exists" once model time passes its timestamp and nothing is stored. Only
the hours a search asks for are generated (and a few recent hours kept in a small cache),
so a history of a million posts costs nothing until it is read.

- **Base rate**: `rate` posts per hour on average, shaped by the hour of day in
  Europe/Warsaw (quiet nights, a morning coffee peak, a lunch bump, an evening tail).
- **Subjects**: our brand "Demo Coffee" (#democoffee, @democoffee), its campaign
  "Winter Blend" (#winterblend), two competitors "Bean Barn" (#beanbarn) and "Kawa Nova"
  (#kawanova), and background chatter about coffee and everything else. English and Polish.
- **Labels**: every post has an intended sentiment (positive, neutral, negative) and an
  intent ("purchase" for "where can I buy…", "gdzie kupię…", "ile kosztuje…"; else "").
  Templates vary in wording, and some sentences are hard on purpose (sarcasm, negated
  praise, a complaint without a negative word), so a lexicon alone does not read them all.
- **Bursts**: planted surges of one term for a few hours (`bursts`): the Winter Blend
  launch, a complaint burst about Demo Coffee ("spilled/cold/late delivery" — a negative
  shift for the brand), a Kawa Nova promotion, and one seeded burst a day further back.
  The times are relative to an `anchor` (the Sandbox's start hour unless set). A burst
  planted "now" through the control API (`Plant`) joins them.
- **Deletions**: a seeded 2 % of posts is deleted between 10 minutes and 6 hours after it
  was written. Search never returns a deleted post; it names the deleted posts it met in
  the window it read (matching the term) in `deleted`, so a listener can forget them.

Search (`search`) reads newest first from model time back to `since`, and never further
back than SEARCH_DAYS; the cursor is the last post's exact time and id, so pages neither
skip nor repeat. A search that has generated MAX_SCAN_POSTS posts stops with a cursor even
if its page is short. `rate` is capped at MAX_RATE (ids keep 100,000 posts per hour).

`truth` lists the bursts and each post's labels, for tests and benches to measure recall
and accuracy against.
"""

from __future__ import annotations

import functools
import math
import re
import zlib
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

ZONE = ZoneInfo("Europe/Warsaw")
HOUR = 3600
DEFAULT_RATE = 240  # posts per hour, on average over a day
MAX_RATE = (
    50_000  # the busiest hour (1.96 × the rate) stays under 100,000 posts: ids keep that many
)
HISTORY_DAYS = 30  # how far back the conversation's daily bursts go
SEARCH_DAYS = 3  # how far back a search goes (at most, and without `since`)
DELETE_SHARE = 0.02
DELETE_AFTER = (600, 6 * HOUR)  # seconds after writing
MAX_PAGE = 500
MAX_PLANTS = 400  # bursts planted now, per world (ids keep 10,000 posts for each)
PLACE_SALT = 7919  # a second stream of dice per post: when and what it is about
# Hours a search generates before it stops with a cursor (the page may then be short).
MAX_SCAN_POSTS = 400_000
# Posts per hour of day (Warsaw), relative; the mean over a day is 1.
_DAY_SHAPE = (
    0.25, 0.15, 0.1, 0.1, 0.15, 0.35, 0.8, 1.6, 1.9, 1.7, 1.4, 1.3,
    1.5, 1.4, 1.2, 1.1, 1.1, 1.2, 1.3, 1.3, 1.2, 1.0, 0.7, 0.45,
)  # fmt: skip
DAY_SHAPE = tuple(value * 24 / sum(_DAY_SHAPE) for value in _DAY_SHAPE)

SENTIMENTS = ("positive", "neutral", "negative")
LANGUAGES = ("en", "pl")
PURCHASE = "purchase"


# Subjects: how each is named in text, and its share of the base conversation.


@dataclass(frozen=True)
class Subject:
    key: str
    names: tuple[str, ...]  # as people write it: plain name, #tag, @handle
    share: float
    sentiments: tuple[float, float, float]  # positive, neutral, negative
    intent_share: float


SUBJECTS = (
    Subject(
        "democoffee",
        ("Demo Coffee", "#democoffee", "@democoffee", "Demo Coffee"),
        0.18,
        (0.42, 0.38, 0.20),
        0.10,
    ),
    Subject(
        "winterblend",
        ("Winter Blend", "#winterblend", "the Winter Blend from @democoffee"),
        0.05,
        (0.50, 0.35, 0.15),
        0.12,
    ),
    Subject("beanbarn", ("Bean Barn", "#beanbarn", "@beanbarn"), 0.12, (0.35, 0.40, 0.25), 0.08),
    Subject("kawanova", ("Kawa Nova", "#kawanova", "@kawanova"), 0.12, (0.38, 0.40, 0.22), 0.08),
    Subject("chatter", ("",), 0.53, (0.30, 0.50, 0.20), 0.0),
)
BY_KEY = {subject.key: subject for subject in SUBJECTS}

# Templates by language and label. {s} is the subject's name; {d} a drink, {p} a place,
# {t} a time, {f} a food. Texts read like posts: openers and closers vary around a core.
CORES: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        "positive": (
            "{s} just made my morning, the {d} was perfect",
            "honestly the best {d} I've had in {p}, thank you {s}",
            "can't stop thinking about that {d} from {s}",
            "{s} never disappoints. {d} + {f} = happy me",
            "shoutout to the barista at {s} who remembered my order",
            "tried {s} for the first time {t} and wow",
            "not gonna lie, {s} is worth the queue",
            "I didn't expect much from {s} but the {d} was really smooth",
            "whoever picked the beans at {s} deserves a raise",
            "{s} {d} on a cold day is exactly what I needed",
        ),
        "neutral": (
            "grabbing a {d} at {s} before the meeting",
            "{s} has a new menu board, same prices as far as I can tell",
            "at {s} {t}, pretty busy in here",
            "is {s} open on Sundays? asking for a friend",
            "switched from {s} {d} to tea this week, we'll see how long that lasts",
            "{s} is opening a new shop in {p} next month apparently",
            "reading about how {s} roasts its beans",
            "ordered a {d} at {s}. it's a {d}.",
            "{s} posted their winter opening hours",
            "the {p} {s} now takes cards only",
        ),
        "negative": (
            "my {d} from {s} was cold again. third time this month",
            "waited 40 minutes for a delivery from {s} and it arrived spilled",
            "{s} charged me twice and nobody answers emails",
            "great, {s} lost my order. love that for me",
            "the {d} at {s} tasted like burnt toast {t}",
            "{s} delivery was late and the lid was off, coffee everywhere",
            "not impressed with {s}, the {f} was stale",
            "oh wonderful, another 'we're sorry' email from {s}. still no refund",
            "used to love {s}, not anymore",
            "the new {s} cups leak. who approved this",
        ),
        "purchase": (
            "where can I buy {s} beans in {p}?",
            "does anyone know if {s} sells gift cards?",
            "how much is a bag of {s} {d} beans?",
            "want to order {s} for the office, who do I talk to?",
            "is {s} available online or only in shops?",
            "looking to buy a {s} subscription, worth it?",
        ),
    },
    "pl": {
        "positive": (
            "{s} uratowało mi poranek, {d} idealne",
            "najlepsze {d} w {p}, dzięki {s}",
            "{s} jak zawsze w formie, {d} i {f} to mój rytuał",
            "pierwszy raz w {s} {t} i jestem zachwycona",
            "barista w {s} pamiętał moje zamówienie, miło",
            "nie spodziewałem się wiele po {s}, a {d} naprawdę dobre",
            "dla takiego {d} z {s} warto stać w kolejce",
            "{s} w zimny dzień to jest to",
        ),
        "neutral": (
            "wpadam na {d} do {s} przed spotkaniem",
            "{s} ma nowe menu, ceny chyba bez zmian",
            "siedzę w {s} {t}, dużo ludzi",
            "czy {s} jest otwarte w niedzielę?",
            "zamówiłem {d} w {s}. jest to {d}.",
            "{s} podało zimowe godziny otwarcia",
            "{s} w {p} przyjmuje już tylko karty",
            "czytam, jak {s} pali ziarna",
        ),
        "negative": (
            "{d} z {s} znowu zimne, trzeci raz w tym miesiącu",
            "czekałam 40 minut na dostawę z {s} i wszystko wylane",
            "{s} pobrało opłatę dwa razy i nikt nie odpisuje",
            "super, {s} zgubiło moje zamówienie. brawo",
            "{d} w {s} smakowało jak spalony tost {t}",
            "dostawa z {s} spóźniona, pokrywka odpadła, kawa wszędzie",
            "kiedyś lubiłem {s}, już nie",
            "nowe kubki {s} przeciekają, kto to zatwierdził",
        ),
        "purchase": (
            "gdzie kupię ziarna {s} w {p}?",
            "ile kosztuje paczka {d} z {s}?",
            "czy {s} sprzedaje karty podarunkowe?",
            "chcę zamówić {s} do biura, do kogo pisać?",
            "gdzie kupię {s} online?",
            "ile kosztuje subskrypcja {s}?",
        ),
    },
}
# Background chatter: no subject (the coffee world and beyond).
CHATTER: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        "positive": (
            "first snow in {p} today, so pretty",
            "finally finished my book, what a great ending",
            "home made {d} turned out great this time",
            "sunny morning walk, best start to a week",
        ),
        "neutral": (
            "trains to {p} are running late {t}",
            "anyone know a good dentist in {p}?",
            "making {d} at home, which grinder do you use?",
            "meeting moved to {t}",
            "reading the news with a {d}",
        ),
        "negative": (
            "my bus didn't show up {t}. again",
            "raining in {p} for the fifth day straight",
            "spilled {d} on my keyboard, great start",
            "the wifi at work is down, nothing works",
        ),
    },
    "pl": {
        "positive": (
            "pierwszy śnieg w {p}, pięknie",
            "domowe {d} wyszło dziś świetnie",
            "słoneczny spacer {t}, dobry początek tygodnia",
        ),
        "neutral": (
            "pociągi do {p} spóźnione {t}",
            "zna ktoś dobrego dentystę w {p}?",
            "robię {d} w domu, jakiego młynka używacie?",
            "spotkanie przesunięte na {t}",
        ),
        "negative": (
            "autobus znowu nie przyjechał {t}",
            "w {p} pada piąty dzień z rzędu",
            "wylałem {d} na klawiaturę, świetny początek dnia",
        ),
    },
}
FILL = {
    "en": {
        "d": ("flat white", "latte", "cold brew", "espresso", "cappuccino", "filter coffee"),
        "p": ("Warsaw", "Kraków", "town", "the city centre", "Gdańsk", "the old town"),
        "t": ("this morning", "today", "at lunch", "tonight", "yesterday"),
        "f": ("croissant", "cinnamon roll", "banana bread", "cheesecake"),
    },
    "pl": {
        "d": ("flat white", "latte", "cold brew", "espresso", "cappuccino", "przelewowa"),
        "p": ("Warszawie", "Krakowie", "mieście", "centrum", "Gdańsku", "na starówce"),
        "t": ("rano", "dzisiaj", "w przerwie", "wieczorem", "wczoraj"),
        "f": ("croissant", "cynamonka", "sernik", "szarlotka"),
    },
}
OPENERS = {
    "en": ("", "", "", "ok so ", "PSA: ", "update: ", "lol ", "hmm, "),
    "pl": ("", "", "", "no więc ", "uwaga: ", "serio, ", "hmm, "),
}
CLOSERS = {
    "positive": ("", "", " ☕", " 😍", "!", " 10/10"),
    "neutral": ("", "", "", ".", " ☕"),
    "negative": ("", "", " 😡", "...", " 👎", "!!"),
    PURCHASE: ("", "", " thx", " 🙏"),
}
FIRST = {
    "en": ("Emily", "James", "Priya", "Lucas", "Grace", "Sam", "Olivia", "Noah", "Mia", "Leo"),
    "pl": ("Anna", "Piotr", "Kasia", "Marek", "Ola", "Tomek", "Zosia", "Kuba", "Ewa", "Michał"),
}
LAST = {
    "en": ("Roberts", "Brooks", "Shah", "Martin", "Huang", "Evans", "Clarke", "Reid", "Patel"),
    "pl": ("Nowak", "Kowalska", "Wiśniewski", "Zieliński", "Lewandowska", "Dąbrowski", "Wójcik"),
}
PEOPLE_PER_LANGUAGE = 5000


# Bursts.


@dataclass(frozen=True)
class Burst:
    """A term surging: `per_hour` extra posts about `subject` from `start` to `end`."""

    term: str  # what a listener would search for
    subject: str
    start: float
    end: float
    kind: str  # "launch", "complaint", "promo", "viral", "planted"
    sentiment: str  # the burst's posts' sentiment ("mixed": as the subject's usual mix)
    language: str  # "" for both
    per_hour: int
    name: str = ""
    count: int = 0  # planted-now bursts: exactly this many posts, all at `start`

    def as_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "term": self.term,
            "subject": self.subject,
            "start": _iso(self.start),
            "end": _iso(self.end),
            "kind": self.kind,
            "sentiment": self.sentiment,
            "language": self.language,
            "per_hour": self.per_hour,
            "count": self.count,
        }


# The fixed bursts around the anchor: (name, term, subject, from hour, hours, kind,
# sentiment, language, extra posts per hour as a multiple of the subject's base rate).
FIXED_BURSTS = (
    ("winterblend-launch", "#winterblend", "winterblend", -30, 4, "launch", "positive", "", 8),
    ("democoffee-complaints", "Demo Coffee", "democoffee", -6, 3, "complaint", "negative", "", 5),
    ("kawanova-promo", "#kawanova", "kawanova", -54, 3, "promo", "positive", "pl", 6),
    ("winterblend-evening", "#winterblend", "winterblend", 2, 2, "launch", "positive", "en", 6),
)
DAILY_KINDS = (
    ("#beanbarn", "beanbarn", "promo", "positive"),
    ("Bean Barn", "beanbarn", "complaint", "negative"),
    ("#kawanova", "kawanova", "promo", "positive"),
    ("#democoffee", "democoffee", "viral", "positive"),
    ("Demo Coffee", "democoffee", "complaint", "negative"),
)
COMPLAINT_WORDS = {
    "en": (
        "my delivery from {s} came late and cold",
        "{s} order arrived spilled all over the bag",
        "late delivery again from {s}, coffee was cold",
        "{s} courier dropped it, spilled everywhere",
        "cold coffee, late delivery, thanks {s}",
    ),
    "pl": (
        "dostawa z {s} spóźniona i zimna",
        "zamówienie z {s} przyszło wylane",
        "znowu spóźniona dostawa z {s}, kawa zimna",
        "kurier {s} upuścił paczkę, wszystko wylane",
    ),
}


@dataclass(frozen=True)
class World:
    """What the conversation depends on: the seed, the rate and the bursts' anchor."""

    seed: int = 0
    rate: int = DEFAULT_RATE
    anchor: float = 0.0  # epoch seconds; bursts are placed around it
    plants: tuple[Burst, ...] = ()


@dataclass(frozen=True)
class ConvPost:
    """One post of the public conversation, with its intended labels."""

    id: int
    created_at: float
    text: str
    language: str
    author_id: int
    author_handle: str
    author_name: str
    subject: str
    sentiment: str
    intent: str
    burst: str  # the burst's name, or ""
    deleted_at: float | None
    likes: int
    reposts: int
    replies: int
    followers: int
    lowered: str = field(default="", repr=False)

    def label(self) -> dict[str, object]:
        return {
            "id": str(self.id),
            "created_at": _iso(self.created_at),
            "language": self.language,
            "subject": self.subject,
            "sentiment": self.sentiment,
            "intent": self.intent,
            "burst": self.burst,
            "deleted_at": _iso(self.deleted_at) if self.deleted_at is not None else None,
        }


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat().replace("+00:00", "Z")


MASK = 2**64 - 1


def _u(*parts: object) -> float:
    """A uniform number in [0, 1) from the parts: the same for the same parts, everywhere.
    (CRC-32 alone is linear: near ids would give related numbers, so it is mixed through
    the SplitMix64 finaliser.)"""
    x = (zlib.crc32(":".join(map(str, parts)).encode()) * 0x9E3779B97F4A7C15) & MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & MASK
    return ((x ^ (x >> 31)) >> 11) / 2**53


def _pick[T](options: Sequence[T], *parts: object) -> T:
    return options[int(_u(*parts) * len(options))]


def _mix(x: int) -> int:
    """SplitMix64's finaliser: a well-spread 64-bit number from any 64-bit number."""
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & MASK
    return x ^ (x >> 31)


class _Dice:
    """Uniform numbers for one post: a SplitMix64 stream keyed by the seed and the post's id
    (one hash per number would cost ten times as much)."""

    __slots__ = ("_state",)

    def __init__(self, seed: int, post_id: int) -> None:
        self._state = _mix((seed * 0x9E3779B97F4A7C15 + post_id) & MASK)

    def __call__(self) -> float:
        self._state = (self._state + 0x9E3779B97F4A7C15) & MASK
        return (_mix(self._state) >> 11) / 2**53

    def pick[T](self, options: Sequence[T]) -> T:
        return options[int(self() * len(options))]


def bursts(world: World, since: float, until: float) -> list[Burst]:
    """Every burst that overlaps [since, until): the fixed ones around the anchor, one
    seeded burst per day of history before it, and the planted ones."""
    anchor = math.floor(world.anchor / HOUR) * HOUR
    found: list[Burst] = []
    for name, term, subject, offset, hours, kind, sentiment, language, times in FIXED_BURSTS:
        start = anchor + offset * HOUR
        found.append(
            Burst(
                term=term,
                subject=subject,
                start=start,
                end=start + hours * HOUR,
                kind=kind,
                sentiment=sentiment,
                language=language,
                per_hour=max(1, round(world.rate * BY_KEY[subject].share * times)),
                name=name,
            )
        )
    # One a day, 3 to HISTORY_DAYS days before the anchor, at a seeded hour.
    first_day = max(3, math.floor((anchor - until) / 86400))
    last_day = min(HISTORY_DAYS, math.ceil((anchor - since) / 86400) + 1)
    for day in range(first_day, last_day + 1):
        term, subject, kind, sentiment = _pick(DAILY_KINDS, world.seed, "daily", day)
        start = anchor - day * 86400 + int(_u(world.seed, "daily-hour", day) * 20) * HOUR
        found.append(
            Burst(
                term=term,
                subject=subject,
                start=start,
                end=start + 3 * HOUR,
                kind=kind,
                sentiment=sentiment,
                language="",
                per_hour=max(1, round(world.rate * BY_KEY[subject].share * 5)),
                name=f"daily-{day}",
            )
        )
    found.extend(world.plants)
    return sorted(
        (b for b in found if b.start < until and b.end > since), key=lambda b: (b.start, b.name)
    )


def hourly_base(world: World, hour: int) -> int:
    """How many base posts the hour starting at `hour` × 3600 has."""
    local = datetime.fromtimestamp(hour * HOUR, ZONE).hour
    expected = world.rate * DAY_SHAPE[local]
    whole = math.floor(expected)
    return whole + (1 if _u(world.seed, "rate", hour) < expected - whole else 0)


class Generator:
    """Posts hour by hour, with recent hours cached: an hour's own posts never change, and
    the bursts planted now are added to the one hour they fall in."""

    CACHE_POSTS = 400_000  # a few hundred MB; at the default rate, weeks of hours

    def __init__(self) -> None:
        self._cache: OrderedDict[tuple[World, int], list[ConvPost]] = OrderedDict()
        self._cached_posts = 0

    def hour(self, world: World, hour: int) -> list[ConvPost]:
        """Every post written in this hour (deleted ones too), oldest first."""
        plain = replace(world, plants=()) if world.plants else world
        key = (plain, hour)
        posts = self._cache.get(key)
        if posts is None:
            posts = generate_hour(plain, hour)
            self._cache[key] = posts
            self._cached_posts += len(posts)
            while self._cached_posts > self.CACHE_POSTS and len(self._cache) > 1:
                _key, dropped = self._cache.popitem(last=False)
                self._cached_posts -= len(dropped)
        else:
            self._cache.move_to_end(key)
        planted = [
            post
            for number, burst in enumerate(world.plants)
            if hour * HOUR <= burst.start < (hour + 1) * HOUR
            for post in _planted(world, hour, number, burst)
        ]
        if planted:
            return sorted([*posts, *planted], key=lambda post: (post.created_at, post.id))
        return posts


def generate_hour(world: World, hour: int) -> list[ConvPost]:
    """Every post of one hour (deleted ones too), oldest first: a pure function."""
    start = hour * HOUR
    posts: list[ConvPost] = []
    base = hourly_base(world, hour)
    for i in range(base):
        post_id = hour * 10_000_000 + i
        place = _Dice(world.seed + PLACE_SALT, post_id)
        at = start + (i + place()) * HOUR / base
        posts.append(_post(world, post_id, at, _subject(place()), "", "", "", hour, i))
    for number, burst in enumerate(bursts(world, start, start + HOUR)):
        if burst.count:  # planted now: see _planted
            continue
        slot = hour * 10_000_000 + (number + 1) * 100_000
        # The hour's share of the burst, rising to a peak in its middle hour.
        left, right = max(start, burst.start), min(start + HOUR, burst.end)
        middle = (burst.start + burst.end) / 2
        weight = 1.5 - abs((left + right) / 2 - middle) / max(1.0, burst.end - burst.start)
        count = round(burst.per_hour * weight * (right - left) / HOUR)
        for i in range(min(count, 99_999)):
            place = _Dice(world.seed + PLACE_SALT, slot + i)
            at = left + (i + place()) * (right - left) / count
            sentiment = burst.sentiment
            if place() < 0.2:
                sentiment = ""  # a fifth of a burst is ordinary talk about the subject
            posts.append(
                _post(world, slot + i, at, burst.subject, sentiment, burst.language,
                      burst.name, hour, i, term=burst.term, complaint=burst.kind == "complaint")
            )  # fmt: skip
    posts.sort(key=lambda post: (post.created_at, post.id))
    return posts


def _planted(world: World, hour: int, number: int, burst: Burst) -> list[ConvPost]:
    """The posts of the `number`-th burst planted now, all written just before it was
    planted (so they exist at once), within its hour."""
    slot = hour * 10_000_000 + 5_000_000 + number * 10_000
    start = hour * HOUR
    return [
        _post(world, slot + i, max(start, burst.start - 0.001 * (burst.count - i)),
              burst.subject, burst.sentiment, burst.language, burst.name, hour, i,
              term=burst.term)
        for i in range(min(burst.count, 9_999))
    ]  # fmt: skip


def generate_hour_with_plants(world: World, hour: int) -> list[ConvPost]:
    """`Generator.hour` without a cache."""
    return Generator().hour(world, hour)


def _subject(roll: float) -> str:
    for subject in SUBJECTS:
        if roll < subject.share:
            return subject.key
        roll -= subject.share
    return SUBJECTS[-1].key


def _post(
    world: World,
    post_id: int,
    at: float,
    subject_key: str,
    sentiment: str,
    language: str,
    burst: str,
    hour: int,
    i: int,
    *,
    term: str = "",
    complaint: bool = False,
) -> ConvPost:
    """One post, its text written from templates chosen by seeded dice."""
    roll = _Dice(world.seed, post_id)
    subject = BY_KEY[subject_key]
    language = language or ("pl" if roll() < 0.4 else "en")
    intent = ""
    intent_roll, sentiment_roll = roll(), roll()
    if not sentiment:
        if subject.intent_share and intent_roll < subject.intent_share:
            intent, sentiment = PURCHASE, "neutral"
        else:
            positive, neutral, _negative = subject.sentiments
            sentiment = (
                "positive"
                if sentiment_roll < positive
                else "neutral"
                if sentiment_roll < positive + neutral
                else "negative"
            )
    fill = FILL[language]
    if subject_key == "chatter":
        core = roll.pick(CHATTER[language][sentiment])
        name = ""
    else:
        if complaint and sentiment == "negative":
            pool = COMPLAINT_WORDS[language]
        else:
            pool = CORES[language][PURCHASE if intent else sentiment]
        core = roll.pick(pool)
        # A burst's posts name its term (so search finds them); others vary the name.
        name = term if term else roll.pick(subject.names)
    text = core.format(
        s=name, d=roll.pick(fill["d"]), p=roll.pick(fill["p"]), t=roll.pick(fill["t"]),
        f=roll.pick(fill["f"]),
    )  # fmt: skip
    opener = roll.pick(OPENERS[language])
    closer = roll.pick(CLOSERS[PURCHASE if intent else sentiment])
    text = (opener + text + closer).strip()
    if roll() < 0.5:
        text = text[0].upper() + text[1:]
    person = int(roll() * PEOPLE_PER_LANGUAGE)
    people = _people(language)
    handle, author_name, followers = people[person]
    deleted_at = None
    if roll() < DELETE_SHARE:
        low, high = DELETE_AFTER
        deleted_at = at + low + roll() * (high - low)
    popularity = roll()
    return ConvPost(
        id=post_id,
        created_at=at,
        text=text,
        language=language,
        author_id=(0 if language == "en" else PEOPLE_PER_LANGUAGE) + person + 1,
        author_handle=handle,
        author_name=author_name,
        subject=subject_key,
        sentiment=sentiment,
        intent=intent,
        burst=burst,
        deleted_at=deleted_at,
        likes=int(popularity**3 * 200),
        reposts=int(popularity**4 * 40),
        replies=int(roll() ** 3 * 20),
        followers=followers,
        lowered=text.lower(),
    )


@functools.cache
def _people(language: str) -> tuple[tuple[str, str, int], ...]:
    """(handle, name, followers) of everyone who writes in a language: the same people in
    every world."""
    firsts, lasts = FIRST[language], LAST[language]
    people = []
    for person in range(PEOPLE_PER_LANGUAGE):
        first = firsts[person % len(firsts)]
        last = lasts[(person // len(firsts)) % len(lasts)]
        handle = _ascii(f"{first}.{last}{person}".lower()) + ".public.sandbox"
        followers = int(_u("followers", language, person) ** 2 * 5000) + 10
        people.append((handle, f"{first} {last}", followers))
    return tuple(people)


_ASCII = str.maketrans("ąćęłńóśźż", "acelnoszz")


def _ascii(text: str) -> str:
    return re.sub(r"[^a-z0-9.]", "", text.translate(_ASCII))


# Matching a search term.


class TermError(ValueError):
    """A search term the Sandbox cannot read; the message says why."""


def matcher(term: str) -> re.Pattern[str]:
    """A pattern for one term, case-insensitive: a word matches whole words, "#tag" the
    hashtag, "@handle" the mention, a quoted phrase the phrase (on word boundaries)."""
    term = term.strip()
    if not term:
        raise TermError("q must not be empty")
    if len(term) > 200:
        raise TermError("q is longer than 200 characters")
    if len(term) >= 2 and term[0] == term[-1] == '"':
        phrase = " ".join(term[1:-1].split())
        if not phrase:
            raise TermError("q is an empty phrase")
        words = r"\s+".join(re.escape(word) for word in phrase.lower().split())
        return re.compile(rf"(?<![\w#@]){words}(?!\w)")
    if term[0] in "#@":
        body = term[1:].lower()
        if not re.fullmatch(r"\w[\w.-]*", body):
            raise TermError(f"{term[0]} must be followed by letters or digits")
        return re.compile(rf"(?<![\w#@]){re.escape(term[0] + body)}(?![\w])")
    if any(char.isspace() for char in term):
        # Several words without quotes: each must appear (as a search box would do it).
        patterns = [matcher(word) for word in term.split()]
        joined = "".join(f"(?=.*?{p.pattern})" for p in patterns)
        # Anchored: the lookaheads are tried once, not at every position of the text.
        return re.compile(rf"\A{joined}", re.DOTALL)
    return re.compile(rf"(?<![\w#@]){re.escape(term.lower())}(?!\w)")


# Searching.


@dataclass(frozen=True)
class SearchPage:
    posts: tuple[ConvPost, ...]
    cursor: str | None
    deleted: tuple[str, ...]


def parse_cursor(cursor: str) -> tuple[int, int]:
    """(created_at in microseconds, id) of the last post of the page before; raises
    TermError."""
    at, _, post_id = cursor.partition("_")
    if not (at.isascii() and at.isdigit() and post_id.isascii() and post_id.isdigit()):
        raise TermError(f"cursor {cursor!r} is not one this search gave")
    if len(at) > 18 or len(post_id) > 18:
        raise TermError(f"cursor {cursor!r} is not one this search gave")
    return int(at), int(post_id)


def _key(post: ConvPost) -> tuple[int, int]:
    """A post's place in the newest-first order, exact (no float comparisons)."""
    return round(post.created_at * 1_000_000), post.id


def search(
    world: World,
    term: str,
    *,
    now: float,
    since: float | None = None,
    cursor: str | None = None,
    language: str = "",
    limit: int = 100,
    generator: Generator | None = None,
) -> SearchPage:
    """Posts matching `term`, newest first, that exist at `now` and are not deleted by then;
    `cursor` continues with older ones. Deleted matches met on the way are named."""
    pattern = matcher(term)
    generator = generator or Generator()
    floor = max(since or 0.0, now - SEARCH_DAYS * 86400)
    top = parse_cursor(cursor) if cursor is not None else None
    found: list[ConvPost] = []
    deleted: list[str] = []
    scanned = 0
    hour = math.floor(min(now, top[0] / 1_000_000 if top else now) / HOUR)
    last_hour = math.floor(floor / HOUR)
    while hour >= last_hour:
        posts = generator.hour(world, hour)
        scanned += len(posts)
        for post in reversed(posts):
            if post.created_at > now or post.created_at < floor:
                continue
            if top is not None and _key(post) >= top:
                continue
            if language and post.language != language:
                continue
            if not pattern.search(post.lowered):
                continue
            if post.deleted_at is not None and post.deleted_at <= now:
                deleted.append(str(post.id))
                continue
            found.append(post)
            if len(found) == limit:
                return SearchPage(tuple(found), _cursor_of(post), tuple(deleted))
        hour -= 1
        if scanned >= MAX_SCAN_POSTS and hour >= last_hour:
            # Enough work for one answer: the caller continues from the hour's start.
            start = (hour + 1) * HOUR * 1_000_000
            return SearchPage(tuple(found), f"{start}_0", tuple(deleted))
    return SearchPage(tuple(found), None, tuple(deleted))


def _cursor_of(post: ConvPost) -> str:
    at, post_id = _key(post)
    return f"{at}_{post_id}"


def truth(
    world: World, *, since: float, until: float, generator: Generator | None = None
) -> Iterator[ConvPost]:
    """Every post written in [since, until), oldest first, with its labels."""
    generator = generator or Generator()
    for hour in range(math.floor(since / HOUR), math.floor((until - 1e-9) / HOUR) + 1):
        for post in generator.hour(world, hour):
            if since <= post.created_at < until:
                yield post
