"""The inbox's indexes: the list reads its first page from an index in the list's own
order (a poll stores a whole page of items with one received_at, and a list that had to
sort them all to show 50 grew slower with every poll: 40 ms at 1,000,000 messages); and
ingestion, which writes a message and often a conversation per item, maintains no index
entry for a reference that is empty."""

from __future__ import annotations

import pytest
from django.db import connection

from roost.conftest import World
from roost.inbox import selectors


@pytest.mark.skipif(connection.vendor != "sqlite", reason="reads SQLite's query plan")
@pytest.mark.parametrize("status", ["open", "complete"])
def test_the_default_list_is_read_in_index_order_without_a_sort(world: World, status: str) -> None:
    owner = world.members["owner"]
    query = selectors.messages_list(owner, selectors.InboxFilter(status=status)).query
    sql, params = query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = [row[-1] for row in cursor.fetchall()]

    assert any("USING INDEX inbox_list" in step for step in plan), plan
    assert not any("TEMP B-TREE" in step for step in plan), plan


def indexes(table: str) -> dict[str, str]:
    """Index name → its definition, as the database has it."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [table]
            )
        else:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s",
                [table],
            )
        return {name: sql or "" for name, sql in cursor.fetchall()}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("table", "columns"),
    [
        ("inbox_message", ["assignee_id", "group_id", "completed_by_id", "sent_by_id"]),
        ("inbox_conversation", ["delivery_id"]),
    ],
)
def test_empty_references_have_no_index_entries(table: str, columns: list[str]) -> None:
    found = indexes(table)
    for column in columns:
        using = {name: sql for name, sql in found.items() if column in sql}
        assert using, f"nothing indexes {table}.{column}"
        for name, sql in using.items():
            _head, _where, condition = sql.partition(" WHERE ")
            assert column in condition and "IS NOT NULL" in condition, (name, sql)


@pytest.mark.django_db
def test_conversations_keep_no_index_that_nothing_reads() -> None:
    found = indexes("inbox_conversation")
    assert not any("last_message_at" in sql for sql in found.values()), found
    # Look-ups by channel use the unique (channel, key).
    assert all("key" in sql for sql in found.values() if "channel_id" in sql), found
