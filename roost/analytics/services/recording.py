"""Recording what the networks report: history, the latest counts, and the day roll-ups,
kept consistent in one transaction per batch (set-based: a batch of thousands of readings
costs a handful of statements per channel-day, not per reading)."""

from __future__ import annotations

import json
import zoneinfo
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import BooleanField, F, Field, Model, Q
from django.db.models.expressions import RawSQL

from roost.analytics.models import ENGAGEMENTS, METRICS, ChannelDay, MetricSnapshot, PostMetrics
from roost.channels.models import Channel
from roost.core import clock
from roost.publishing.models import Delivery, DeliveryStatus


@dataclass(frozen=True)
class Reading:
    """One delivery's counts at `taken_at`. A metric missing or None: not available."""

    delivery_id: int
    values: Mapping[str, int | None]
    taken_at: datetime = field(default_factory=clock.now)


def engagements_of(values: Mapping[str, int | None]) -> int:
    """Interactions the network provides, added up (see models.ENGAGEMENTS)."""
    return sum(values.get(name) or 0 for name in ENGAGEMENTS)


def day_of(moment: datetime, zone: str) -> date:
    """The calendar day of `moment` in the workspace's zone (the roll-ups' day)."""
    return moment.astimezone(zoneinfo.ZoneInfo(zone)).date()


def metrics_track(
    *, deliveries: Iterable[Delivery], next_collect_at: datetime | None = None
) -> int:
    """Start following published deliveries (idempotent): one PostMetrics row each, counted
    as a post of its channel's day. Returns how many were new."""
    chosen = [
        d for d in deliveries if d.status == DeliveryStatus.PUBLISHED and d.published_at is not None
    ]
    if not chosen:
        return 0
    # The channels' workspaces and zones in one query (not one per delivery).
    owners = {
        pk: (workspace_id, zoneinfo.ZoneInfo(zone))
        for pk, workspace_id, zone in Channel.objects.filter(
            pk__in={d.channel_id for d in chosen}
        ).values_list("pk", "workspace_id", "workspace__timezone")
    }
    rows: list[tuple[Any, ...]] = []
    for d in chosen:
        workspace_id, zone = owners[d.channel_id]
        published_at = d.published_at
        assert published_at is not None
        rows.append(
            (
                d.pk,
                workspace_id,
                d.channel_id,
                d.post_id,
                published_at,
                published_at.astimezone(zone).date(),
                next_collect_at,
            )
        )
    with transaction.atomic():
        known: set[int] = set()
        for chunk in _chunks([r[0] for r in rows], _CHUNK):
            known.update(
                PostMetrics.objects.filter(_among(PostMetrics, "delivery_id", chunk)).values_list(
                    "delivery_id", flat=True
                )
            )
        fresh, seen = [], set(known)
        for r in rows:
            if r[0] not in seen:
                seen.add(r[0])
                fresh.append(r)
        if not fresh:
            return 0
        _insert_post_metrics(fresh)
        per_day: dict[tuple[int, int, date], dict[str, int]] = {}
        for r in fresh:
            delta = per_day.setdefault((r[1], r[2], r[5]), {"posts": 0})
            delta["posts"] += 1
        _add_to_days(per_day)
    return len(fresh)


def _ensure_days(keys: Iterable[tuple[int, int, date]]) -> None:
    ChannelDay.objects.bulk_create(
        [ChannelDay(workspace_id=w, channel_id=c, day=d) for w, c, d in keys],
        ignore_conflicts=True,
        batch_size=500,
    )


# A tracked delivery's state as metrics_record reads and changes it (one list per delivery).
_STATE = ("workspace_id", "channel_id", "day", *METRICS, "engagements", "snapshots", "collected_at")
_FIRST_METRIC = 3
_ENGAGEMENTS = _FIRST_METRIC + len(METRICS)
_SNAPSHOTS = _ENGAGEMENTS + 1
_COLLECTED = _SNAPSHOTS + 1
_ENGAGEMENT_AT = tuple(_FIRST_METRIC + METRICS.index(name) for name in ENGAGEMENTS)
_CHUNK = 5000  # deliveries per lookup


def metrics_record(*, readings: Sequence[Reading]) -> int:
    """Store readings of tracked deliveries: each becomes a snapshot, the delivery's latest
    counts, and the difference is added to its channel's day. Readings of deliveries not
    tracked (see metrics_track) are skipped. Returns how many were stored."""
    if not readings:
        return 0
    ids = sorted({r.delivery_id for r in readings})
    with transaction.atomic():
        # The tracked deliveries' latest counts, locked until the batch is written.
        latest: dict[int, list[Any]] = {}
        for chunk in _chunks(ids, _CHUNK):
            rows = (
                PostMetrics.objects.select_for_update()
                .filter(_among(PostMetrics, "delivery_id", chunk))
                .order_by("delivery_id")
                .values_list("delivery_id", *_STATE)
            )
            for row in rows:
                latest[row[0]] = list(row[1:])
        snapshots: list[tuple[Any, ...]] = []
        deltas: dict[tuple[int, int, date], dict[str, int]] = {}
        changed: set[int] = set()
        for reading in sorted(readings, key=lambda r: r.taken_at):
            pm = latest.get(reading.delivery_id)
            if pm is None:
                continue
            values = [_count(reading.values.get(name)) for name in METRICS]
            snapshots.append((reading.delivery_id, reading.taken_at, *values))
            key = (pm[0], pm[1], pm[2])
            delta = deltas.get(key)
            if delta is None:
                delta = deltas[key] = {}
            for i, new in enumerate(values):
                if new is None:  # not reported this time: the last value stands
                    continue
                at = _FIRST_METRIC + i
                name = METRICS[i]
                delta[name] = delta.get(name, 0) + new - (pm[at] or 0)
                pm[at] = new
            engagements = sum(pm[i] or 0 for i in _ENGAGEMENT_AT)
            delta["engagements"] = delta.get("engagements", 0) + engagements - pm[_ENGAGEMENTS]
            pm[_ENGAGEMENTS] = engagements
            pm[_SNAPSHOTS] += 1
            taken = reading.taken_at
            pm[_COLLECTED] = taken if pm[_COLLECTED] is None else max(pm[_COLLECTED], taken)
            changed.add(reading.delivery_id)
        if not snapshots:
            return 0
        _insert_snapshots(snapshots)
        _update_post_metrics([(pk, *latest[pk][_FIRST_METRIC:]) for pk in sorted(changed)])
        _add_to_days(deltas)
    return len(snapshots)


# == set-based writes ==
# Django's bulk_create and bulk_update build a model instance and compile every value per
# row (bulk_update a CASE per column): ~150 µs a row. These pass the values as they are:
# SQLite runs one prepared statement per row (in-process, cheap); PostgreSQL gets the rows
# by COPY (written in C by psycopg) and one statement over them.

_SNAPSHOT_COLUMNS = ("delivery_id", "taken_at", *METRICS)
_POST_COLUMNS = (
    "delivery_id",
    "workspace_id",
    "channel_id",
    "post_id",
    "published_at",
    "day",
    "next_collect_at",
)
_LATEST_COLUMNS = ("delivery_id", *METRICS, "engagements", "snapshots", "collected_at")
_DAY_SUMS = ("posts", *METRICS, "engagements", "link_clicks")
_STAGING = "roost_analytics_staging"


def _chunks(values: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for i in range(0, len(values), size):
        yield values[i : i + size]


def _among(model: type[Model], field: str, values: Sequence[int]) -> Q | RawSQL:
    """`field` is one of the integer `values`, as one parameter on PostgreSQL (an array)
    and SQLite (JSON): an IN list of thousands of placeholders costs more to build."""
    quote = connection.ops.quote_name
    target = model._meta.get_field(field)
    assert isinstance(target, Field) and target.column
    column = f"{quote(model._meta.db_table)}.{quote(target.column)}"
    # The column is named by the model; the values are one bound parameter.
    if connection.vendor == "postgresql":
        return RawSQL(f"{column} = ANY(%s)", (list(values),), output_field=BooleanField())  # noqa: S611
    if connection.vendor == "sqlite":
        return RawSQL(  # noqa: S611
            f"{column} IN (SELECT value FROM json_each(%s))",  # noqa: S608
            (json.dumps(list(values)),),
            output_field=BooleanField(),
        )
    return Q(**{f"{field}__in": list(values)})


def _types(model: type[Model], columns: Sequence[str]) -> list[str]:
    fields = {f.attname: f for f in model._meta.concrete_fields}
    out = []
    for name in columns:
        field = fields[name]
        target: Any = getattr(field, "target_field", field) if field.is_relation else field
        kind = target.get_internal_type()
        out.append(
            "bigint" if kind in ("BigAutoField", "AutoField") else str(target.db_type(connection))
        )
    return out


def _stage(cursor: Any, model: type[Model], columns: Sequence[str], rows: Iterable[Any]) -> str:
    """PostgreSQL: `rows` copied into a temporary table with `columns` of `model`'s types;
    returns its quoted name (drop it after use)."""
    quote = connection.ops.quote_name
    staging = quote(_STAGING)
    spec = ", ".join(
        f"{quote(c)} {t}" for c, t in zip(columns, _types(model, columns), strict=True)
    )
    cursor.execute(f"DROP TABLE IF EXISTS {staging}")
    cursor.execute(f"CREATE TEMPORARY TABLE {staging} ({spec})")
    names = ", ".join(quote(c) for c in columns)
    with cursor.cursor.copy(f"COPY {staging} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
    return staging


def _adapter(model: type[Model], columns: Sequence[str]) -> Any:
    """SQLite: a function turning a row's datetimes and dates into what the backend stores
    (as Django's adapt_*field_value, without its per-value settings lookups)."""
    fields = {f.attname: f for f in model._meta.concrete_fields}
    zone = connection.timezone if settings.USE_TZ else None
    ops = connection.ops

    def moment(value: datetime) -> str:
        if value.tzinfo is None or zone is None:
            return str(ops.adapt_datetimefield_value(value))
        return str(value.astimezone(zone).replace(tzinfo=None))

    plan: list[tuple[int, Any]] = []
    for i, name in enumerate(columns):
        kind = fields[name].get_internal_type()
        if kind == "DateTimeField":
            plan.append((i, moment))
        elif kind == "DateField":
            plan.append((i, str))
    if not plan:
        return list

    def adapt(row: Sequence[Any]) -> list[Any]:
        values = list(row)
        for i, to_db in plan:
            if values[i] is not None:
                values[i] = to_db(values[i])
        return values

    return adapt


def _insert_snapshots(rows: Sequence[tuple[Any, ...]]) -> None:
    quote = connection.ops.quote_name
    table = quote(MetricSnapshot._meta.db_table)
    names = ", ".join(quote(c) for c in _SNAPSHOT_COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        adapt = _adapter(MetricSnapshot, _SNAPSHOT_COLUMNS)
        marks = ", ".join(["%s"] * len(_SNAPSHOT_COLUMNS))
        cursor.executemany(
            f"INSERT INTO {table} ({names}) VALUES ({marks})",  # noqa: S608
            [adapt(r) for r in rows],
        )


def _insert_post_metrics(rows: Sequence[tuple[Any, ...]]) -> None:
    """New PostMetrics rows (a delivery tracked meanwhile is left as it is)."""
    quote = connection.ops.quote_name
    table = quote(PostMetrics._meta.db_table)
    # Columns with a default (counts, snapshots…) take it, computed once for all rows.
    fields = {f.attname: f for f in PostMetrics._meta.concrete_fields}
    rest = [name for name in fields if name not in _POST_COLUMNS]
    defaults = [fields[name].get_default() for name in rest]
    every = ", ".join(quote(c) for c in (*_POST_COLUMNS, *rest))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            staging = _stage(cursor, PostMetrics, _POST_COLUMNS, rows)
            constants = "".join(f", %s::{t}" for t in _types(PostMetrics, rest))
            given = ", ".join(quote(c) for c in _POST_COLUMNS)
            cursor.execute(
                f"INSERT INTO {table} ({every}) SELECT {given}{constants} "  # noqa: S608
                f"FROM {staging} ON CONFLICT DO NOTHING",
                defaults,
            )
            cursor.execute(f"DROP TABLE {staging}")
            return
        adapt = _adapter(PostMetrics, (*_POST_COLUMNS, *rest))
        marks = ", ".join(["%s"] * (len(_POST_COLUMNS) + len(rest)))
        cursor.executemany(
            f"INSERT INTO {table} ({every}) VALUES ({marks}) ON CONFLICT DO NOTHING",  # noqa: S608
            [adapt((*r, *defaults)) for r in rows],
        )


def _update_post_metrics(rows: Sequence[tuple[Any, ...]]) -> None:
    """The latest counts of deliveries (rows in the order of _LATEST_COLUMNS)."""
    quote = connection.ops.quote_name
    table = quote(PostMetrics._meta.db_table)
    key = quote("delivery_id")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            staging = _stage(cursor, PostMetrics, _LATEST_COLUMNS, rows)
            sets = ", ".join(f"{quote(c)} = s.{quote(c)}" for c in _LATEST_COLUMNS[1:])
            cursor.execute(
                f"UPDATE {table} SET {sets} FROM {staging} AS s "  # noqa: S608
                f"WHERE {table}.{key} = s.{key}"
            )
            cursor.execute(f"DROP TABLE {staging}")
            return
        adapt = _adapter(PostMetrics, (*_LATEST_COLUMNS[1:], "delivery_id"))
        sets = ", ".join(f"{quote(c)} = %s" for c in _LATEST_COLUMNS[1:])
        cursor.executemany(
            f"UPDATE {table} SET {sets} WHERE {key} = %s",  # noqa: S608
            [adapt((*r[1:], r[0])) for r in rows],
        )


def _add_to_days(deltas: Mapping[tuple[int, int, date], Mapping[str, int]]) -> None:
    """Add each delta to its channel's day, creating the day when it is new: one upsert for
    all of them. A metric seen for the first time starts from 0; one not in a delta stays
    as it is (NULL: not available)."""
    if not deltas:
        return
    quote = connection.ops.quote_name
    table = quote(ChannelDay._meta.db_table)
    columns = ("workspace_id", "channel_id", "day", *_DAY_SUMS)
    rows = [
        (
            w,
            c,
            d,
            delta.get("posts", 0),
            *(delta.get(name) for name in METRICS),
            delta.get("engagements", 0),
            delta.get("link_clicks", 0),
        )
        for (w, c, d), delta in sorted(deltas.items(), key=lambda kv: (kv[0][1], kv[0][2]))
    ]
    sets = [
        f"{quote(n)} = {table}.{quote(n)} + excluded.{quote(n)}"
        for n in ("posts", "engagements", "link_clicks")
    ] + [
        f"{quote(n)} = CASE WHEN excluded.{quote(n)} IS NULL THEN {table}.{quote(n)} "
        f"ELSE COALESCE({table}.{quote(n)}, 0) + excluded.{quote(n)} END"
        for n in METRICS
    ]
    names = ", ".join(quote(c) for c in columns)
    conflict = (
        f"ON CONFLICT ({quote('channel_id')}, {quote('day')}) DO UPDATE SET {', '.join(sets)}"
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            staging = _stage(cursor, ChannelDay, columns, rows)
            cursor.execute(
                f"INSERT INTO {table} ({names}) SELECT {names} FROM {staging} {conflict}"  # noqa: S608
            )
            cursor.execute(f"DROP TABLE {staging}")
            return
        adapt = _adapter(ChannelDay, columns)
        marks = ", ".join(["%s"] * len(columns))
        cursor.executemany(
            f"INSERT INTO {table} ({names}) VALUES ({marks}) {conflict}",  # noqa: S608
            [adapt(r) for r in rows],
        )


def link_clicks_add(*, delivery_id: int, clicks: int = 1) -> None:
    """Count Roost short-link clicks on a tracked delivery (and its channel's day)."""
    with transaction.atomic():
        pm = PostMetrics.objects.filter(delivery_id=delivery_id).first()
        if pm is None:
            return
        PostMetrics.objects.filter(delivery_id=delivery_id).update(
            link_clicks=F("link_clicks") + clicks
        )
        ChannelDay.objects.filter(channel_id=pm.channel_id, day=pm.day).update(
            link_clicks=F("link_clicks") + clicks
        )


def channel_day_record(
    *,
    channel_id: int,
    workspace_id: int,
    day: date,
    followers: int | None = None,
    following: int | None = None,
    posts_total: int | None = None,
) -> None:
    """The channel's audience on `day` (the last reading of the day wins)."""
    with transaction.atomic():
        _ensure_days([(workspace_id, channel_id, day)])
        values = {
            name: value
            for name, value in (
                ("followers", followers),
                ("following", following),
                ("posts_total", posts_total),
            )
            if value is not None
        }
        if values:
            ChannelDay.objects.filter(channel_id=channel_id, day=day).update(**values)


def _count(value: object) -> int | None:
    """A reported count as stored: an int, or None when not available."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    return None
