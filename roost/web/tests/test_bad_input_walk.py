"""Every workspace page, as its owner, with hostile values in the query string and in every
field of the page's own forms: ids past 2^63, negative ids, dates in year 1 and 9999, text
longer than any column, digits that are not ASCII. The answer may be a page, a redirect
or a refusal — never a 5xx. A new page is walked without touching this file."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from roost.conftest import World
from roost.routes import fill
from roost.web.tests.test_isolation import WORKSPACE_ROUTES, samples

HOSTILE = [
    str(2**63),
    "-1",
    "9999-12-31T23:59",
    "0001-01-01",
    "x" * 300,
    "١٢٣",  # digits, but not ASCII ones
]
QUERY_NAMES = [
    "q", "channel", "campaign", "author", "status", "tag", "group", "priority", "assignee",
    "kind", "language", "start", "month", "week", "view", "next", "state", "code",
    "skip", "hour", "grid", "mine", "groups",
]  # fmt: skip
FIELD = re.compile(r'<(?:input|select|textarea)[^>]*\sname="([^"]+)"', re.IGNORECASE)
SKIP_FIELDS = {"csrfmiddlewaretoken"}


def _request(client: Client, method: str, url: str, data: dict[str, Any] | None = None) -> Any:
    with transaction.atomic():
        response = client.get(url, data) if method == "get" else client.post(url, data or {})
        transaction.set_rollback(True)
    return response


@pytest.mark.parametrize(
    ("route", "callback"), WORKSPACE_ROUTES, ids=[r for r, _ in WORKSPACE_ROUTES]
)
def test_hostile_values_never_make_a_5xx(world: World, route: str, callback: Any) -> None:
    client = world.client_for("owner")
    client.raise_request_exception = False
    url = fill(route, samples(world, world.members["owner"]))
    page = _request(client, "get", url)
    html = b"" if page.streaming else page.content  # a media file: no form to fill
    fields = sorted(set(FIELD.findall(html.decode(errors="replace"))) - SKIP_FIELDS)
    for value in HOSTILE:
        response = _request(client, "get", url, dict.fromkeys(QUERY_NAMES, value))
        assert response.status_code < 500, ("GET", url, value, response.status_code)
        if fields:
            response = _request(client, "post", url, dict.fromkeys(fields, value))
            assert response.status_code < 500, ("POST", url, value, fields)


def test_every_id_in_a_route_is_an_id_the_database_can_hold() -> None:
    """Ids in routes use `<id:…>` (1 … 2^63−1), never `<int:…>`: an int converter hands a
    20-digit number to the database, which overflows (a 500) instead of answering 404."""
    from roost.routes import iter_routes

    loose = [route for route, _callback in iter_routes() if "<int:" in route]
    assert loose == []
