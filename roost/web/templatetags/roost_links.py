"""Links to addresses that came from outside: `{% load roost_links %}`.

`{{ url|safe_href }}` is the URL when it is an absolute http(s) URL, else "" — so a
template writes `{% if x|safe_href %}<a href="{{ x|safe_href }}">…</a>{% else %}…{% endif %}`
and a `javascript:` URL from a network is shown as text, never as a link.
`{{ path|local_href }}` is the same for paths on this site that Roost stored itself.
roost/web/tests/test_safe_links.py fails for an `href`/`src` that uses neither.
"""

from __future__ import annotations

from django import template

from roost.core.urls import safe_http_url, safe_local_path

register = template.Library()


@register.filter
def safe_href(value: object) -> str:
    """The URL if it is safe to link to (absolute http or https), else ""."""
    return safe_http_url(str(value) if value is not None else "")


@register.filter
def local_href(value: object) -> str:
    """The path if it is a path on this site, else ""."""
    return safe_local_path(str(value) if value is not None else "")
