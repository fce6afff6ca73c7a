"""Many new rows into one table in a few statements, skipping rows that conflict with a
unique constraint: ingestion's hot path.

Django's `bulk_create` builds every row through a model instance and compiles every value
through the field (about 150-200 µs a message row on this machine); these statements take
the values as they are (about 30 µs a row, on SQLite and PostgreSQL alike). SQLite gets
one prepared INSERT run for every row; PostgreSQL one INSERT … SELECT FROM UNNEST(arrays)
per few thousand rows (as Django's own bulk_create does there, without the per-row work).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection, models, transaction

PG_CHUNK = 5000  # rows per UNNEST statement


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
            # Array types without their length: no value is cut (varchar[] not varchar(500)[]).
            types = [str(fields[name].db_type(connection)).split("(")[0] for name in every]
            arrays = ", ".join(f"%s::{t}[]" for t in types[: len(columns)])
            # The defaults once each, not as arrays of one value repeated.
            constants = "".join(f", %s::{t}" for t in types[len(columns) :])
            # Names and types come from the model; every value is a bound parameter.
            sql = f"{into} SELECT *{constants} FROM UNNEST({arrays}) ON CONFLICT DO NOTHING"  # noqa: S608
            inserted = 0
            for start in range(0, len(rows), PG_CHUNK):
                chunk = rows[start : start + PG_CHUNK]
                arrays_of = [list(column) for column in zip(*chunk, strict=True)]
                cursor.execute(sql, [*defaults, *arrays_of])
                inserted += cursor.rowcount
            return inserted
        # SQLite (and any other backend): one statement, run for each row.
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
