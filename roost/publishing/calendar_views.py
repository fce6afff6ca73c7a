"""The content calendar: month, week and list views of the posts in the workspace's time
zone, moving posts (drag and drop, or a small form), and the secret ICS feed."""

from __future__ import annotations

import calendar as pycal
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import quote, urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from roost.channels.selectors import channels_visible_to
from roost.core import clock
from roost.core.exceptions import Conflict, NotFound, RoostError, ValidationFailed
from roost.core.moments import format_moment, is_ambiguous, utc_offset
from roost.core.validation import moment_problem, parse_ids
from roost.http.decorators import public_view
from roost.networks import registry
from roost.publishing import hooks, selectors
from roost.publishing.models import Post, PostStatus
from roost.publishing.services import calendar as calendar_services
from roost.publishing.services import scheduling
from roost.workspaces.decorators import workspace_view
from roost.workspaces.models import Membership
from roost.workspaces.roles import Perm

TEMPLATES = {
    "month": "publishing/calendar_month.html",
    "week": "publishing/calendar_week.html",
    "list": "publishing/calendar_list.html",
}
# The calendar moves only posts that are waiting to go out (or failed: moving retries them).
# Drafts and posts in review are scheduled from their own page, where review applies.
MOVABLE = {PostStatus.SCHEDULED, PostStatus.FAILED}
LIST_BEFORE = timedelta(days=7)  # the list view starts this far back: "recent"
LIST_SPAN = timedelta(days=35)
MONTH_RE = re.compile(r"^\d{4}-\d{2}$")
DAY_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _actor(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined]


def access_post(actor: Membership, post_id: int) -> Post:
    post = selectors.post_detail(actor, post_id)
    if post is None:
        raise NotFound()
    return post


# --- filters ------------------------------------------------------------------------------


@dataclass
class Filters:
    """The filter GET parameters, read once; `query` carries them onto every link."""

    post_filter: selectors.PostFilter
    query: str
    chosen: dict[str, str] = field(default_factory=dict)

    @property
    def active(self) -> bool:
        return bool(self.query)


def read_filters(data: QueryDict) -> Filters:
    post_filter = selectors.PostFilter(
        channel_ids=parse_ids(data.getlist("channel")),
        campaign_ids=parse_ids(data.getlist("campaign")),
        tags=[t.strip() for t in data.getlist("tag") if t.strip()],
        statuses=[s for s in data.getlist("status") if s in PostStatus.values],
        author_ids=parse_ids(data.getlist("author")),
    )
    pairs: list[tuple[str, Any]] = [
        *(("channel", v) for v in post_filter.channel_ids),
        *(("campaign", v) for v in post_filter.campaign_ids),
        *(("tag", v) for v in post_filter.tags),
        *(("status", v) for v in post_filter.statuses),
        *(("author", v) for v in post_filter.author_ids),
    ]
    chosen: dict[str, str] = {}
    for key, value in pairs:
        chosen.setdefault(key, str(value))
    return Filters(post_filter, urlencode(pairs), chosen)


def _filter_options(actor: Membership) -> dict[str, list[Any]]:
    return {
        "channels": list(
            channels_visible_to(actor).order_by("name", "id").only("id", "name", "network")
        ),
        "campaigns": list(selectors.campaigns(actor)),
        "tags": list(selectors.tags(actor)),
        "authors": [
            m.user
            for m in Membership.objects.filter(workspace_id=actor.workspace_id)
            .select_related("user")
            .order_by("user__name", "user__email")
        ],
        "statuses": list(PostStatus.choices),
    }


# --- building the views -------------------------------------------------------------------


# How many cards a period shows before "+N more": a month's day, a week's hour cell. The
# rest of a day (or an hour) comes on demand, DAY_PAGE at a time; the list view pages too.
MONTH_CARDS = 3
WEEK_CARDS = 2
DAY_PAGE = 100
LIST_PAGE = 100
EXCERPT = 80  # characters of text on a card
SHORT = 40  # … and in the Move link's name for screen readers
CARD_CHANNELS = 2  # channel names on a card; more are counted


def _card_time(local: datetime) -> str:
    """A card's time; the autumn hour that happens twice carries its offset."""
    shown = local.strftime("%H:%M")
    offset = local.utcoffset()
    if offset is not None and is_ambiguous(local):
        return f"{shown} (UTC{utc_offset(offset)})"
    return shown


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass
class Card:
    """A post as the calendar shows it: only what the card prints, worked out here (the
    template does no lookups), and whether this person may move it."""

    id: int
    status: str
    status_label: str
    local: datetime | None
    excerpt: str
    short: str
    movable: bool
    drag: bool  # movable by drag and drop in this view (month, week)
    at_risk: bool
    url: str
    move_url: str
    channels: str = ""  # "Main (Sandbox), Shop +2": the first few by name, the rest counted
    networks: list[tuple[str, str]] = field(default_factory=list)  # (key, label), each once
    thumb: str = ""  # the first image's thumbnail address
    thumb_alt: str = ""
    time: str = ""  # HH:MM, in the workspace's zone
    iso: str = ""  # with the zone's offset: a drop keeps its wall-clock time of day
    paused: bool = False  # scheduled, but held by a pause (the crisis switch)
    actions: list[tuple[str, str]] = field(default_factory=list)  # other apps' (hooks)


_SENTINEL_ID = 4_611_686_018_427_387_904


def _id_url(name: str, slug: str) -> Callable[[int], str]:
    """The URL of an object of the workspace by id, from one reverse() for all cards."""
    # The id comes after the slug: the last occurrence is the id's place.
    url = reverse(name, args=[slug, _SENTINEL_ID])
    before, _sentinel, after = url.rpartition(str(_SENTINEL_ID))
    return lambda pk: f"{before}{pk}{after}"


def _channel_text(names: list[tuple[str, str]], sandbox: str) -> str:
    shown = ", ".join(
        f"{name} ({sandbox})" if network == "sandbox" else name
        for name, network in names[:CARD_CHANNELS]
    )
    rest = len(names) - CARD_CHANNELS
    return f"{shown} +{rest}" if rest > 0 else shown


def _cards(actor: Membership, rows: list[dict[str, Any]], drag: bool) -> list[Card]:
    """Cards for light rows (selectors.CARD_FIELDS), with their channels (one query)."""
    can_move = actor.has_perm(Perm.COMPOSE)
    tz = actor.workspace.tzinfo
    post_url = _id_url("publishing:post", actor.workspace.slug)
    move_url = _id_url("calendar:move", actor.workspace.slug)
    labels = {value: str(label) for value, label in PostStatus.choices}
    no_text = _("(no text)")
    risk_until = clock.now() + timedelta(hours=2)
    ids = [row["id"] for row in rows]
    channels = selectors.card_channels(ids) if rows else {}
    images = selectors.card_media(ids) if rows else {}
    held = selectors.held_by_pause(ids)  # posts waiting on the crisis switch: "Paused"
    actions = hooks.post_actions(actor, [(row["id"], row["status"]) for row in rows])
    paused_label = _("Paused")
    thumb_url = _id_url("publishing:media_thumb", actor.workspace.slug)
    sandbox = _("Sandbox")
    network_labels = {n.key: n.label for n in registry.networks()} | {"sandbox": sandbox}
    cards = []
    for row in rows:
        at: datetime | None = row["scheduled_at"]
        text = " ".join((row["excerpt"] or "").split()) or no_text
        movable = can_move and row["status"] in MOVABLE and at is not None
        names = channels.get(row["id"], [])
        local = at.astimezone(tz) if at else None
        image = images.get(row["id"])
        networks = list(dict.fromkeys(network for _name, network in names))
        cards.append(
            Card(
                id=row["id"],
                status=row["status"],
                status_label=paused_label
                if row["id"] in held
                else labels.get(row["status"], row["status"]),
                paused=row["id"] in held,
                local=local,
                time=_card_time(local) if local else "",
                iso=local.isoformat() if local else "",
                url=post_url(row["id"]),
                move_url=move_url(row["id"]) if movable else "",
                excerpt=_cut(text, EXCERPT),
                short=_cut(text, SHORT),
                movable=movable,
                drag=movable and drag,
                at_risk=row["status"] == PostStatus.IN_REVIEW
                and at is not None
                and at <= risk_until,
                channels=_channel_text(names, sandbox),
                networks=[(key, network_labels.get(key, key)) for key in networks],
                thumb=thumb_url(image["asset_id"]) if image else "",
                thumb_alt=image["asset__alt_text"] if image else "",
                actions=actions.get(row["id"], []),
            )
        )
    return cards


def _midnight(day: date, actor: Membership) -> datetime:
    return datetime.combine(day, time.min, tzinfo=actor.workspace.tzinfo)


def _hour_start(day: date, hour: int, actor: Membership) -> datetime:
    """The start of an hour of the day in the workspace's zone, in UTC. An hour that a
    clock change skips is empty; one it repeats holds both (as `local.hour` sees them)."""
    if hour >= 24:
        return _midnight(day + timedelta(days=1), actor).astimezone(UTC)
    return datetime.combine(day, time(hour), tzinfo=actor.workspace.tzinfo).astimezone(UTC)


def _today(actor: Membership) -> date:
    return clock.now().astimezone(actor.workspace.tzinfo).date()


def _parse_day(value: str | None) -> date | None:
    if not value or not DAY_RE.match(value):
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return None
    # Outside Roost's window (2000 to ten years ahead) is treated like any unreadable value.
    return day if moment_problem(day) is None else None


def _parse_month(value: str | None) -> date | None:
    if not value or not MONTH_RE.match(value):
        return None
    return _parse_day(f"{value}-01")


def _parse_count(value: str | None, upper: int) -> int | None:
    """A small non-negative whole number from the query string (ASCII digits only)."""
    if not value or not value.isascii() or not value.isdigit() or len(value) > 7:
        return None
    number = int(value)
    return number if number <= upper else None


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


class Links:
    """URLs of the calendar views that keep the filters."""

    def __init__(self, actor: Membership, filters: Filters) -> None:
        self.slug = actor.workspace.slug
        self.filters = filters
        self._day_base = ""
        self._days: dict[date, tuple[str, str]] = {}

    def to(self, view: str, state: dict[str, str] | None = None, keep_filters: bool = True) -> str:
        filters = self.filters.query if keep_filters else ""
        query = "&".join(q for q in (urlencode(state or {}), filters) if q)
        url = reverse(f"calendar:{view}", args=[self.slug])
        return f"{url}?{query}" if query else url

    def day(self, day: date, state: dict[str, str] | None = None) -> str:
        """The day's page (or, with `skip`, `hour`, its cards for htmx), keeping filters."""
        if not self._day_base:  # one reverse() per page, however many days link to it
            self._day_base = reverse("calendar:day", args=[self.slug, "2000-01-01"])
        before, _sentinel, after = self._day_base.rpartition("2000-01-01")  # after the slug
        url = f"{before}{day.isoformat()}{after}"
        query = "&".join(q for q in (urlencode(state or {}), self.filters.query) if q)
        return f"{url}?{query}" if query else url

    def more(
        self, day: date, rest: int, skip: int, hour: int | None = None, grid: bool = True
    ) -> dict[str, Any]:
        """The "+N more" of a day (or an hour of it) with `rest` posts not shown from `skip`:
        a link to the day's page that htmx turns into a fetch of those cards, in place. From
        the month or week grid the link opens the whole day; on the day's page, what
        follows. Up to 168 of them on a week: each day's address and name are made once."""
        if rest <= 0:
            return {}
        if day not in self._days:
            self._days[day] = (self.day(day), date_format(day, "DATE_FORMAT"))
        page, when = self._days[day]
        state = f"skip={skip}" + (f"&hour={hour}" if hour is not None else "")
        if hour is not None:
            when = f"{when}, {hour:02d}:00"
        filters = f"&{self.filters.query}" if self.filters.query else ""
        url = page.split("?", 1)[0]
        return {
            "label": ngettext("+%(n)s more", "+%(n)s more", rest) % {"n": rest},
            "hidden": _("posts on %(when)s") % {"when": when},
            # From the grid: the whole day; on the day's page: what follows.
            "url": page if grid else f"{url}?{state}{filters}",
            # The cards land in the grid: draggable there.
            "get": f"{url}?{state}{'&grid=1' if grid else ''}{filters}",
        }


class NewPostLinks:
    """The "+" of an empty day or hour: compose with that time filled in (`?at=`), for
    people who may compose, on days and hours not yet past. Names are made once per day."""

    DAY_TIME = time(9)  # a day's "+" suggests its morning; the hour's "+" its own hour

    def __init__(self, actor: Membership) -> None:
        self.base = (
            reverse("publishing:compose", args=[actor.workspace.slug])
            if actor.has_perm(Perm.COMPOSE)
            else ""
        )
        self.now = clock.now().astimezone(actor.workspace.tzinfo)
        self._names: dict[date, str] = {}

    def _link(self, day: date, at: time) -> dict[str, str]:
        if day not in self._names:
            self._names[day] = f"{date_format(day, 'l')}, {date_format(day, 'DATE_FORMAT')}"
        when = f"{self._names[day]}, {at:%H:%M}"
        return {
            "url": f"{self.base}?at={day.isoformat()}T{at:%H:%M}",
            "label": _("New post on %(when)s") % {"when": when},
        }

    def day(self, day: date) -> dict[str, str]:
        if not self.base or day < self.now.date():
            return {}
        if day > self.now.date():
            return self._link(day, self.DAY_TIME)
        if self.now.hour >= 23:  # too late today for a next full hour
            return {}
        return self._link(day, max(self.DAY_TIME, time(self.now.hour + 1)))

    def hour(self, day: date, hour: int) -> dict[str, str]:
        if not self.base or (day, hour) <= (self.now.date(), self.now.hour):
            return {}
        return self._link(day, time(hour))


def _month_context(request: HttpRequest, filters: Filters) -> dict[str, Any]:
    actor = _actor(request)
    today = _today(actor)
    first = _parse_month(request.GET.get("month")) or today.replace(day=1)
    weeks = pycal.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    days = [day for week in weeks for day in week]
    bounds = [_midnight(day, actor) for day in days]
    bounds.append(_midnight(days[-1] + timedelta(days=1), actor))
    rows, totals = selectors.calendar_cards(actor, bounds, filters.post_filter, MONTH_CARDS)
    by_day: dict[int, list[Card]] = {}
    for row, card in zip(rows, _cards(actor, rows, drag=True), strict=True):
        by_day.setdefault(row["bucket"], []).append(card)
    links = Links(actor, filters)
    previous = (first - timedelta(days=1)).replace(day=1)
    following = (first + timedelta(days=31)).replace(day=1)
    anchor = today if (today.year, today.month) == (first.year, first.month) else first
    state = {"month": first.strftime("%Y-%m")}
    new_post = NewPostLinks(actor)
    cells = []
    for i, day in enumerate(days):
        cards = by_day.get(i, [])
        cells.append(
            {
                "date": day,
                "iso": day.isoformat(),
                "in_month": day.month == first.month,
                "today": day == today,
                "cards": cards,
                "more": links.more(day, totals.get(i, 0) - len(cards), len(cards)),
                "add": new_post.day(day),
            }
        )
    return {
        "month_start": first,
        "weekdays": weeks[0],
        "weeks": [cells[i : i + 7] for i in range(0, len(cells), 7)],
        "state": state,
        "links": {
            "previous": links.to("month", {"month": previous.strftime("%Y-%m")}),
            "next": links.to("month", {"month": following.strftime("%Y-%m")}),
            "today": links.to("month"),
            "here": links.to("month", state),
            "month": links.to("month", state),
            "week": links.to("week", {"week": _monday(anchor).isoformat()}),
            "list": links.to("list"),
        },
    }


def _week_context(request: HttpRequest, filters: Filters) -> dict[str, Any]:
    actor = _actor(request)
    today = _today(actor)
    monday = _monday(_parse_day(request.GET.get("week")) or today)
    days = [monday + timedelta(days=i) for i in range(7)]
    # One period per day and hour, day by day: bucket = day index * 24 + hour.
    bounds = [_hour_start(day, hour, actor) for day in days for hour in range(24)]
    bounds.append(_hour_start(days[-1], 24, actor))
    rows, totals = selectors.calendar_cards(actor, bounds, filters.post_filter, WEEK_CARDS)
    by_slot: dict[int, list[Card]] = {}
    for row, card in zip(rows, _cards(actor, rows, drag=True), strict=True):
        by_slot.setdefault(row["bucket"], []).append(card)
    links = Links(actor, filters)
    state = {"week": monday.isoformat()}
    isos = [day.isoformat() for day in days]  # each day's, once for its 24 cells
    new_post = NewPostLinks(actor)
    hours = []
    for hour in range(24):
        cells = []
        for i, day in enumerate(days):
            slot = i * 24 + hour
            cards = by_slot.get(slot, [])
            more = links.more(day, totals.get(slot, 0) - len(cards), len(cards), hour)
            # The "+" only where the hour is empty: a busy hour is one click from its posts.
            add = {} if cards else new_post.hour(day, hour)
            cells.append({"date": day, "iso": isos[i], "cards": cards, "more": more, "add": add})
        hours.append({"hour": hour, "label": f"{hour:02d}:00", "hh": f"{hour:02d}", "cells": cells})
    return {
        "days": [{"date": d, "today": d == today} for d in days],
        "hours": hours,
        "week_start": monday,
        "week_end": days[-1],
        "state": state,
        "links": {
            "previous": links.to("week", {"week": (monday - timedelta(days=7)).isoformat()}),
            "next": links.to("week", {"week": (monday + timedelta(days=7)).isoformat()}),
            "today": links.to("week"),
            "here": links.to("week", state),
            "month": links.to("month", {"month": monday.strftime("%Y-%m")}),
            "week": links.to("week", state),
            "list": links.to("list"),
        },
    }


def _list_context(request: HttpRequest, filters: Filters) -> dict[str, Any]:
    actor = _actor(request)
    today = _today(actor)
    start = _parse_day(request.GET.get("start")) or today - LIST_BEFORE
    end = start + LIST_SPAN
    skip = _parse_count(request.GET.get("skip"), 10**6) or 0
    rows, total = selectors.calendar_page(
        actor,
        _midnight(start, actor),
        _midnight(end, actor),
        filters.post_filter,
        skip,
        LIST_PAGE,
        include_unscheduled=True,
    )
    by_day: dict[date, list[Card]] = {}
    unscheduled: list[Card] = []
    for card in _cards(actor, rows, drag=False):
        if card.local is None:
            unscheduled.append(card)
        else:
            by_day.setdefault(card.local.date(), []).append(card)
    links = Links(actor, filters)
    state = {"start": start.isoformat()}
    if skip:
        state["skip"] = str(skip)
    period = {"start": start.isoformat()}
    return {
        "list_start": start,
        "list_end": end - timedelta(days=1),
        "groups": [
            {"date": day, "today": day == today, "past": day < today, "cards": by_day[day]}
            for day in sorted(by_day)
        ],
        "unscheduled": unscheduled,
        "page": {
            "first": skip + 1,
            "last": skip + len(rows),
            "total": total,
            "earlier": links.to("list", {**period, "skip": str(max(0, skip - LIST_PAGE))})
            if skip
            else "",
            "later": links.to("list", {**period, "skip": str(skip + LIST_PAGE)})
            if skip + LIST_PAGE < total
            else "",
        },
        "state": state,
        "links": {
            "previous": links.to("list", {"start": (start - LIST_SPAN).isoformat()}),
            "next": links.to("list", {"start": end.isoformat()}),
            "today": links.to("list"),
            "here": links.to("list", state),
            "month": links.to("month", {"month": start.strftime("%Y-%m")}),
            "week": links.to("week", {"week": _monday(today).isoformat()}),
            "list": links.to("list", period),
        },
    }


BUILDERS = {"month": _month_context, "week": _week_context, "list": _list_context}


def calendar_context(request: HttpRequest, view: str) -> dict[str, Any]:
    actor = _actor(request)
    filters = read_filters(request.GET)
    context = BUILDERS[view](request, filters)
    move_query = urlencode({"view": view, **context["state"]})
    if filters.query:
        move_query += "&" + filters.query
    context.update(
        area="calendar",
        view=view,
        filters=filters,
        options=_filter_options(actor),
        can_move=actor.has_perm(Perm.COMPOSE),
        tz_name=actor.workspace.timezone,
        move_query=move_query,
        move_next=quote(context["links"]["here"], safe="/"),
        action=reverse(f"calendar:{view}", args=[actor.workspace.slug]),
        clear_url=Links(actor, filters).to(view, context["state"], keep_filters=False),
    )
    return context


def _render_calendar(
    request: HttpRequest, view: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    template = TEMPLATES[view]
    htmx: Any = getattr(request, "htmx", None)
    if htmx and not htmx.history_restore_request:
        template += "#calendar"
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


@workspace_view(Perm.VIEW_CONTENT)
@require_GET
def month(request: HttpRequest) -> HttpResponse:
    return _render_calendar(request, "month", calendar_context(request, "month"))


@workspace_view(Perm.VIEW_CONTENT)
@require_GET
def week(request: HttpRequest) -> HttpResponse:
    return _render_calendar(request, "week", calendar_context(request, "week"))


@workspace_view(Perm.VIEW_CONTENT)
@require_GET
def post_list(request: HttpRequest) -> HttpResponse:
    return _render_calendar(request, "list", calendar_context(request, "list"))


@workspace_view(Perm.VIEW_CONTENT)
@require_GET
def day(request: HttpRequest, day: str) -> HttpResponse:
    """One day's posts (or one hour's, with `hour`), DAY_PAGE at a time from `skip`: a page
    of its own, or for htmx only the cards (what "+N more" on the grid fetches)."""
    actor = _actor(request)
    when = _parse_day(day)
    if when is None:
        raise NotFound(_("There is no such day in the calendar: use a date like 2031-03-20."))
    hour = _parse_count(request.GET.get("hour"), 23)
    skip = _parse_count(request.GET.get("skip"), 10**6) or 0
    filters = read_filters(request.GET)
    if hour is None:
        start, end = _midnight(when, actor), _midnight(when + timedelta(days=1), actor)
    else:
        start, end = _hour_start(when, hour, actor), _hour_start(when, hour + 1, actor)
    rows, total = selectors.calendar_page(actor, start, end, filters.post_filter, skip, DAY_PAGE)
    htmx: Any = getattr(request, "htmx", None)
    cards_only = bool(htmx) and not htmx.history_restore_request
    grid = cards_only and request.GET.get("grid") == "1"
    links = Links(actor, filters)
    shown = skip + len(rows)
    context: dict[str, Any] = {
        "view": "day",
        "cards": _cards(actor, rows, drag=grid),
        "more": links.more(when, total - shown, shown, hour, grid=grid),
    }
    if not cards_only:
        state = {"skip": str(skip)} if skip else {}
        if hour is not None:
            state["hour"] = str(hour)
        here = links.day(when, state)
        context.update(
            area="calendar",
            day=when,
            hour_label=f"{hour:02d}:00 - {hour + 1:02d}:00" if hour is not None else "",
            total=total,
            first=skip + 1,
            last=shown,
            filters=filters,
            tz_name=actor.workspace.timezone,
            can_move=False,  # no grid to drop on: the cards' Move links do it
            move_next=quote(here, safe="/"),
            links={
                "here": here,
                "previous": links.day(when - timedelta(days=1)),
                "next": links.day(when + timedelta(days=1)),
                "earlier": links.day(when, {**state, "skip": str(max(0, skip - DAY_PAGE))})
                if skip
                else "",
                "month": links.to("month", {"month": when.strftime("%Y-%m")}),
                "week": links.to("week", {"week": _monday(when).isoformat()}),
            },
            clear_url=Links(actor, Filters(selectors.PostFilter(), "")).day(when),
        )
    template = "publishing/calendar_day.html" + ("#cards" if cards_only else "")
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


# --- moving a post ------------------------------------------------------------------------


def _wall_time(data: QueryDict) -> datetime:
    """The new time as a naive wall-clock time: `at` ("YYYY-MM-DDTHH:MM", from a drop) or
    the `date` and `time` fields of the move form."""
    raw = str(data.get("at", "")).strip()
    if not raw and (data.get("date") or data.get("time")):
        raw = f"{str(data.get('date', '')).strip()}T{str(data.get('time', '')).strip()}"
    for fmt in ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"):
        try:
            wall = datetime.strptime(raw, fmt)
        except ValueError:
            continue
        if moment_problem(wall) is None:
            return wall
        raise ValidationFailed({"scheduled_at": [str(moment_problem(wall))]})
    raise ValidationFailed(
        {"scheduled_at": [_("Enter a date and a time, like 2026-12-24 and 09:30.")]}
    )


def _error_text(exc: RoostError) -> str:
    if isinstance(exc, ValidationFailed) and exc.errors:
        return " ".join(m for msgs in exc.errors.values() for m in msgs)
    return exc.message


def _not_movable_reason(post: Post) -> str:
    if post.status in (PostStatus.PUBLISHING, PostStatus.PUBLISHED, PostStatus.PARTIAL):
        return _("This post is already publishing or published.")
    return _("Only scheduled posts can be moved on the calendar. Open the post to schedule it.")


def _move(actor: Membership, post: Post, data: QueryDict) -> str:
    """Move the post; returns what happened, in words. Raises RoostError when refused."""
    wall = _wall_time(data)
    if post.status not in MOVABLE:
        raise Conflict(_not_movable_reason(post))
    post = scheduling.post_schedule(actor=actor, post=post, mode="at", at=wall)
    assert post.scheduled_at is not None
    local = post.scheduled_at.astimezone(actor.workspace.tzinfo)
    return _("Post moved to %(time)s.") % {"time": format_moment(local)}


def _next_url(request: HttpRequest, fallback: str) -> str:
    target = str(request.POST.get("next") or request.GET.get("next") or "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@workspace_view(Perm.COMPOSE)
def move(request: HttpRequest, post_id: int) -> HttpResponse:
    """Move a post to a new wall-clock time in the workspace's zone.

    From a drop (htmx): answers with the re-rendered calendar, or 422 and the reason.
    Without JavaScript: GET shows a small date-and-time form, POST moves and goes back."""
    actor = _actor(request)
    post = access_post(actor, post_id)
    view = request.GET.get("view", "")
    if request.method == "POST" and getattr(request, "htmx", False) and view in TEMPLATES:
        try:
            done = _move(actor, post, request.POST)
        except RoostError as exc:
            context = calendar_context(request, view)
            context["move_error"] = _error_text(exc)
            return _render_calendar(request, view, context, status=422)
        context = calendar_context(request, view)
        context["moved"] = done
        return _render_calendar(request, view, context)

    back = _next_url(request, reverse("calendar:month", args=[actor.workspace.slug]))
    error = ""
    if request.method == "POST":
        try:
            done = _move(actor, post, request.POST)
        except RoostError as exc:
            error = _error_text(exc)
        else:
            messages.success(request, done)
            return redirect(back)
    local = post.scheduled_at.astimezone(actor.workspace.tzinfo) if post.scheduled_at else None
    return render(
        request,
        "publishing/calendar_move.html",
        {
            "area": "calendar",
            "post": post,
            "local": local,
            "movable": post.status in MOVABLE and post.scheduled_at is not None,
            "reason": "" if post.status in MOVABLE else _not_movable_reason(post),
            "date_value": request.POST.get("date") or (local.date().isoformat() if local else ""),
            "time_value": request.POST.get("time") or (local.strftime("%H:%M") if local else ""),
            "error": error,
            "next": back,
            "tz_name": actor.workspace.timezone,
        },
        status=422 if error else 200,
    )


# --- the ICS feed -------------------------------------------------------------------------


def _feed_page(request: HttpRequest, secret: str = "", status: int = 200) -> HttpResponse:
    actor = _actor(request)
    response = render(
        request,
        "publishing/calendar_feed.html",
        {
            "area": "calendar",
            "feed": calendar_services.calendar_feed_of(actor.workspace),
            "feed_url": calendar_services.feed_url(secret) if secret else "",
            "can_rotate": actor.has_perm(Perm.MANAGE_SETTINGS),
        },
        status=status,
    )
    if secret:
        add_never_cache_headers(response)  # the address is shown this once
    return response


@workspace_view(Perm.VIEW_CONTENT)
@require_GET
def feed(request: HttpRequest) -> HttpResponse:
    return _feed_page(request)


@workspace_view(Perm.MANAGE_SETTINGS)
@require_POST
def feed_rotate(request: HttpRequest) -> HttpResponse:
    secret = calendar_services.calendar_feed_rotate(actor=_actor(request))
    return _feed_page(request, secret)


@public_view
@require_GET
def ics(request: HttpRequest, token: str) -> HttpResponse:
    """The workspace's posts as iCalendar; the secret in the address is the only key."""
    workspace = calendar_services.feed_workspace(token)
    if workspace is None:
        return HttpResponseNotFound(
            _("There is no calendar feed at this address. It may have been replaced."),
            content_type="text/plain; charset=utf-8",
        )
    now = clock.now()
    body = calendar_services.build_ics(workspace, calendar_services.feed_posts(workspace, now), now)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="roost.ics"'
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response
