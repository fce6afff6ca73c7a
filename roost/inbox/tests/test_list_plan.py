"""The inbox list reads its first page from an index in the list's own order: a poll
stores a whole page of items with one received_at, and a list that had to sort them all
to show 50 grew slower with every poll (40 ms at 1,000,000 messages)."""

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
