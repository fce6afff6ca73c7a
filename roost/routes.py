"""Every URL pattern of the project, for the isolation tests (and anyone curious)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

PARAM = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>")


def iter_routes(patterns: list[Any] | None = None, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Yield (route, callback) for every URL pattern, with included prefixes joined."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from iter_routes(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p.callback


def fill(route: str, values: dict[str, Any]) -> str:
    """Turn a route into a URL; KeyError names a parameter that has no sample value."""
    return "/" + PARAM.sub(lambda m: str(values[m.group("name")]), route)


def params(route: str) -> list[str]:
    return [m.group("name") for m in PARAM.finditer(route)]
