"""Many new rows into one table in a few statements, skipping rows that conflict with a
unique constraint: ingestion's hot path.

Django's `bulk_create` builds every row through a model instance and compiles every value
through the field (about 150-200 µs of CPU a message row on this machine); these take the
values as they are. SQLite gets one prepared INSERT run for every row (~30 µs a row, the
database's own work included). PostgreSQL gets the rows by COPY into a temporary table,
then one INSERT … SELECT from it: psycopg writes COPY rows in C (~8 µs a row), where an
INSERT from UNNEST(arrays), as Django's bulk_create does there, spent ~37 µs a row quoting
the arrays in Python; the server's work is the same.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from typing import Any

from django.db import connection, models, transaction
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL

STAGING = "roost_bulk_insert"  # the temporary table of PostgreSQL's COPY


def insert_ignoring_conflicts(
    model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> int:
    """Insert `rows` (values in the order of `columns`, attribute names such as
    "channel_id") into `model`'s table; a row that conflicts with a unique constraint is
    left out. Columns not named take their field's default, computed once for all rows.
    Values must be what the field stores: text, numbers, booleans, None and aware
    datetimes (no expressions, no JSON). In one transaction (a savepoint inside one).
    Returns how many rows were inserted."""
    if not rows:
        return 0
    named = set(columns)
    fields = {f.attname: f for f in model._meta.concrete_fields if not f.primary_key}
    unknown = named - set(fields)
    if unknown:
        raise ValueError(f"{model.__name__} has no columns {sorted(unknown)}")
    rest = [name for name in fields if name not in named]
    every = [*columns, *rest]
    defaults = tuple(fields[name].get_default() for name in rest)
    quote = connection.ops.quote_name
    into = f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(c) for c in every)})"
    # All or none; and one transaction, not one per row, when called in autocommit.
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            given = ", ".join(quote(c) for c in columns)
            staging = quote(STAGING)
            # The defaults once each, cast to their columns' types.
            types = [str(fields[name].db_type(connection)) for name in rest]
            constants = "".join(f", %s::{t}" for t in types)
            # Names and types come from the model; every value is bound or copied.
            cursor.execute(
                f"CREATE TEMPORARY TABLE {staging} ON COMMIT DROP AS "  # noqa: S608
                f"SELECT {given} FROM {quote(model._meta.db_table)} WITH NO DATA"
            )
            with cursor.cursor.copy(f"COPY {staging} ({given}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute(
                f"{into} SELECT *{constants} FROM {staging} ON CONFLICT DO NOTHING",  # noqa: S608
                defaults,
            )
            inserted = int(cursor.rowcount)
            cursor.execute(f"DROP TABLE {staging}")
            return inserted
        # SQLite: one prepared statement, run for each row.
        adapt = connection.ops.adapt_datetimefield_value
        when = [
            i for i, name in enumerate(every) if fields[name].get_internal_type() == "DateTimeField"
        ]
        # The last value adapted per column: rows often share one (the time of a poll).
        last: dict[int, tuple[Any, Any]] = {i: (None, None) for i in when}
        prepared: list[list[Any]] = []
        for row in rows:
            values = [*row, *defaults]
            for i in when:
                value = values[i]
                if value is not None:
                    seen, adapted = last[i]
                    if value is not seen:
                        adapted = adapt(value)
                        last[i] = (value, adapted)
                    values[i] = adapted
            prepared.append(values)
        sql = f"{into} VALUES ({', '.join(['%s'] * len(every))}) ON CONFLICT DO NOTHING"
        cursor.executemany(sql, prepared)
        return int(cursor.rowcount)


def among(model: type[models.Model], field: str, values: Collection[Any]) -> Q | RawSQL:
    """A filter: `model`'s `field` is one of `values` (text or numbers), passed as one
    parameter — an array on PostgreSQL (`= ANY(%s)`), JSON on SQLite (`IN (SELECT value FROM
    json_each(%s))`) — where an IN list of a page's 10,000 placeholders cost ~12 µs (~7 on
    SQLite) of CPU a value to build and parse, against ~3. Elsewhere `field__in`."""
    if connection.vendor not in ("postgresql", "sqlite"):
        return Q(**{f"{field}__in": list(values)})
    target = model._meta.get_field(field)
    if not isinstance(target, models.Field) or not target.column:
        raise ValueError(f"{model.__name__}.{field} is not a column")
    quote = connection.ops.quote_name
    column = f"{quote(model._meta.db_table)}.{quote(target.column)}"
    # The column is named by the model; the values are one bound parameter.
    if connection.vendor == "postgresql":
        return RawSQL(f"{column} = ANY(%s)", (list(values),), output_field=BooleanField())  # noqa: S611
    return RawSQL(  # noqa: S611
        f"{column} IN (SELECT value FROM json_each(%s))",  # noqa: S608
        (json.dumps(list(values)),),
        output_field=BooleanField(),
    )
