"""A Content-Security-Policy on every page, and pages that need no exception from it: no
inline script without this response's nonce, no inline event handler, no style attribute.

Walks every web route (as the isolation test does), full page and htmx partial, so a new
page is checked without anyone remembering to."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from roost.conftest import World
from roost.routes import fill
from roost.web.tests.test_isolation import kind, samples, web_routes

GET_ROUTES = [(r, cb) for r, cb in web_routes() if kind(cb) != "unclassified"]


def policy(response: Any) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy")
    assert header, "no Content-Security-Policy header"
    directives: dict[str, list[str]] = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


class _Scan(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts: list[dict[str, str | None]] = []
        self.styles: list[dict[str, str | None]] = []
        self.handlers: list[str] = []
        self.style_attrs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag == "script":
            self.scripts.append(named)
        if tag == "style":
            self.styles.append(named)
        for name, _value in attrs:
            if name.startswith("on"):
                self.handlers.append(f"<{tag} {name}>")
            if name == "style":
                self.style_attrs.append(f"<{tag} style>")
            if name.startswith("hx-on"):
                self.handlers.append(f"<{tag} {name}> (htmx evaluates it)")


def problems(response: Any) -> list[str]:
    """What in this page the policy would block, or would need loosening for."""
    directives = policy(response)
    found = []
    script_src = directives.get("script-src", directives.get("default-src", []))
    for bad in ("'unsafe-inline'", "'unsafe-eval'", "*", "data:", "https:", "http:"):
        if bad in script_src:
            found.append(f"script-src allows {bad}")
    for needed in ("object-src", "base-uri", "frame-ancestors"):
        if directives.get(needed) != ["'none'"]:
            found.append(f"{needed} is not 'none'")
    nonces = {v[len("'nonce-") : -1] for v in script_src if v.startswith("'nonce-")}
    if "text/html" not in response.get("Content-Type", ""):
        return found
    scan = _Scan()
    scan.feed(response.content.decode())
    for script in scan.scripts:
        src = script.get("src")
        if script.get("type") == "application/json":
            continue  # data, never run
        if src is None and script.get("nonce") not in nonces:
            found.append("inline <script> without this response's nonce")
        if src is not None and not src.startswith("/"):
            found.append(f"<script src={src}> from another site")
    for style in scan.styles:
        if style.get("nonce") is None:
            found.append("inline <style>")
    found += scan.handlers + scan.style_attrs
    return found


def _get(client: Client, url: str, htmx: bool) -> Any:
    with transaction.atomic():
        headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
        response = client.get(url, **headers)
        transaction.set_rollback(True)
    return response


@pytest.mark.parametrize(("route", "callback"), GET_ROUTES, ids=[r for r, _ in GET_ROUTES])
def test_every_page_has_a_strict_policy_and_needs_no_exception(
    world: World, route: str, callback: Any
) -> None:
    url = fill(route, samples(world, world.members["owner"]))
    clients = [world.client_for("owner")]
    if kind(callback) == "public":
        clients.append(Client())
    for client in clients:
        for htmx in (False, True):
            response = _get(client, url, htmx)
            assert problems(response) == [], (url, htmx, response.status_code)


@pytest.mark.parametrize(
    "path", ["/login/", "/password-reset/", "/health/", "/api/v1/docs", "/no-such-page/"]
)
def test_anonymous_pages_too(db: Any, path: str) -> None:
    response = Client().get(path)
    assert response.status_code in {200, 404, 503}, path
    assert problems(response) == [], path


def test_the_policy_as_sent(db: Any) -> None:
    response = Client().get("/login/")
    directives = policy(response)
    [nonce] = [v for v in directives["script-src"] if v.startswith("'nonce-")]
    assert directives == {
        "default-src": ["'self'"],
        "script-src": ["'self'", nonce],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    # The nonce is new on every response, and is the one htmx's own <script> carries.
    body = response.content.decode()
    assert f'nonce="{nonce[len("nonce-") + 1 : -1]}"' in body
    assert policy(Client().get("/login/"))["script-src"] != directives["script-src"]
    # htmx may neither eval nor add its inline <style>.
    assert '"allowEval":false' in body and '"includeIndicatorStyles":false' in body


def test_only_the_connect_page_lets_its_form_end_on_another_site(world: World) -> None:
    """Mastodon's connect form answers with a redirect to the person's own server."""
    client = world.client_for("owner")
    connect = policy(client.get(f"/w/{world.a.slug}/channels/connect/mastodon/"))
    assert connect["form-action"] == ["'self'", "https:", "http:"]
    assert [v for v in connect["script-src"] if not v.startswith("'nonce-")] == ["'self'"]
    assert policy(client.get(f"/w/{world.a.slug}/channels/"))["form-action"] == ["'self'"]


def test_the_page_check_can_fail(db: Any) -> None:
    """problems() sees each thing the policy forbids."""

    class Fake:
        def __init__(self, body: str, header: str | None = None) -> None:
            self.content = body.encode()
            self.headers = {
                "Content-Security-Policy": header
                or "script-src 'self' 'nonce-abc'; object-src 'none'; base-uri 'none'; "
                "frame-ancestors 'none'"
            }

        def get(self, name: str, default: str = "") -> str:
            return "text/html; charset=utf-8"

    assert problems(Fake('<script nonce="abc">ok()</script><script src="/s.js"></script>')) == []
    assert problems(Fake('<script type="application/json">{"a": 1}</script>')) == []
    for body in [
        "<script>alert(1)</script>",
        '<script nonce="other">alert(1)</script>',
        '<script src="https://cdn.example/x.js"></script>',
        '<select onchange="this.form.submit()"></select>',
        '<form ONSUBMIT="return confirm(1)"></form>',
        '<button hx-on:click="alert(1)"></button>',
        '<ul style="padding:0"></ul>',
        "<style>p{}</style>",
    ]:
        assert problems(Fake(body)) != [], body
    loose = "script-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'"
    assert problems(Fake("", loose)) == [
        "script-src allows 'unsafe-inline'",
        "frame-ancestors is not 'none'",
    ]
