"""Only http(s) links from outside: a `javascript:`, `data:` or `vbscript:` URL from a
network is dropped at the boundary and, if one is stored anyway, shown as text.

The template walk finds every `href`/`src`/`action` in every template under roost/, so a
new template that links a variable without |safe_href or |local_href fails here."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from roost.channels.models import Channel
from roost.channels.services import connect_with_oauth
from roost.conftest import World
from roost.core import clock
from roost.core.urls import safe_http_url, safe_local_path
from roost.inbox.models import Message
from roost.inbox.services.ingest import ingest
from roost.networks.base import (
    Account,
    Connection,
    Inbound,
    InboundKind,
    InboxPage,
    Outcome,
    Published,
    Result,
)
from roost.notifications.models import Notification
from roost.publishing.models import Delivery, DeliveryStatus
from roost.publishing.services.compose import PostInput, post_compose
from roost.publishing.services.delivery import claim_due, record

ROOST = Path(__file__).resolve().parents[2]

# What a hostile network (or a member who connects an account on a server they run) can
# hand back as a "profile" or "post" URL.
HOSTILE = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "\tjavascript:alert(1)",
    "\njavascript:alert(1)",
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    "\x00javascript:alert(1)",
    "\u200bjavascript:alert(1)",
    "javascript://example.com/%0Aalert(1)",
    "data:text/html,<script>alert(1)</script>",
    "DATA:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "https:evil.example",
    "//evil.example/path",
    "/\\evil.example/path",
    "https://evil.example\\@roost.example/",
    "https://",
    "http://[::1",
    "https://example.com:99999/",
    "https://example.com/ x",
    "ftp://example.com/file",
]
SAFE = [
    "https://mastodon.example/@alice",
    "http://127.0.0.1:8425/posts/1",
    "HTTPS://bsky.app/profile/alice.bsky.social/post/3k",
    "https://example.com/a?b=1&c=<2>#frag",
]


# --- the helpers --------------------------------------------------------------------------


@pytest.mark.parametrize("value", HOSTILE)
def test_only_absolute_http_urls_are_kept(value: str) -> None:
    assert safe_http_url(value) == ""


@pytest.mark.parametrize("value", SAFE)
def test_http_and_https_urls_are_kept_as_they_came(value: str) -> None:
    assert safe_http_url(value) == value


def test_odd_values_and_long_urls_are_dropped() -> None:
    assert safe_http_url(None) == ""
    assert safe_http_url(42) == ""
    assert safe_http_url("") == ""
    long = "https://example.com/" + "a" * 481
    assert len(long) == 501
    assert safe_http_url(long) == ""
    assert safe_http_url(long[:-1]) == long[:-1]


def test_local_paths() -> None:
    assert safe_local_path("/w/alpha/posts/1/") == "/w/alpha/posts/1/"
    for value in ["//evil.example/", "/\\evil.example", "javascript:alert(1)", "w/alpha/"]:
        assert safe_local_path(value) == "", value
    assert safe_local_path("https://example.com/") == ""
    assert safe_local_path("/w/a\tb") == ""


# --- at the network boundary ---------------------------------------------------------------


@pytest.mark.parametrize("value", HOSTILE[:4] + HOSTILE[10:13])
def test_the_boundary_types_drop_unsafe_urls(value: str) -> None:
    assert Account(remote_id="1", handle="a", url=value).url == ""
    assert Published(remote_id="1", url=value).url == ""
    inbound = Inbound(
        remote_id="1",
        kind=InboundKind.MENTION,
        text="hi",
        created_at=clock.now(),
        author_id="x",
        author_handle="x",
        url=value,
    )
    assert inbound.url == ""
    assert Published(remote_id="1", url=SAFE[0]).url == SAFE[0]


def test_a_connected_profile_url_is_stored_only_when_http(world: World) -> None:
    owner = world.members["owner"]

    def connect(remote_id: str, url: str) -> Channel:
        connection = Connection(
            result=Result(Outcome.OK),
            account=Account(remote_id=remote_id, handle=f"{remote_id}@evil.example", url=url),
            config={"instance_url": "https://evil.example"},
            credentials={"access_token": "t"},
        )
        return connect_with_oauth(actor=owner, network="mastodon", connection=connection)

    bad = connect("101", "javascript:alert(document.domain)")
    good = connect("102", "https://evil.example/@alice")
    bad.refresh_from_db()
    good.refresh_from_db()
    assert (bad.profile_url, good.profile_url) == ("", "https://evil.example/@alice")


def test_a_published_url_is_stored_only_when_http(world: World) -> None:
    post = post_compose(
        actor=world.members["owner"],
        data=PostInput(text="Out it goes", channel_ids=[world.a_channel.pk]),
        mode="now",
    )
    [delivery] = claim_due(worker_id="t", limit=10, now=clock.now() + timedelta(hours=1))
    assert delivery.post_id == post.pk
    published = Published(remote_id="r1", url="JaVaScRiPt:alert(1)")
    assert record(delivery, Result(Outcome.OK, published=published), clock.now())
    stored = Delivery.objects.get(pk=delivery.pk)
    assert (stored.status, stored.remote_id, stored.remote_url) == (
        DeliveryStatus.PUBLISHED,
        "r1",
        "",
    )


def test_an_inbound_url_is_stored_only_when_http(world: World) -> None:
    channel = world.a_channel
    items = tuple(
        Inbound(
            remote_id=f"hostile-{n}",
            kind=InboundKind.MENTION,
            text=f"hello {n}",
            created_at=clock.now(),
            author_id="evil",
            author_handle="evil.sandbox",
            url=url,
        )
        for n, url in enumerate(["data:text/html,<b>x</b>", " javascript:alert(1)", SAFE[1]])
    )
    ingest(channel, InboxPage(items=items))
    stored = dict(
        Message.objects.filter(channel=channel, remote_id__startswith="hostile-").values_list(
            "remote_id", "url"
        )
    )
    assert stored == {"hostile-0": "", "hostile-1": "", "hostile-2": SAFE[1]}


# --- the template walk ---------------------------------------------------------------------

# Attributes whose value a browser follows or fetches.
URL_ATTRS = (
    r"href|src|srcset|action|formaction|poster|data|xlink:href|hx-(?:get|post|put|patch|delete)"
)
URL_ATTR = re.compile(
    rf"(?<![\w-])(?P<attr>{URL_ATTRS})\s*=\s*(?P<q>[\"']?)\s*(?P<value>\{{\{{.*?\}}\}}|\{{%.*?%\}}|[^\"'\s>]*)",
    re.IGNORECASE | re.DOTALL,
)
SAFE_FILTERS = ("safe_href", "local_href")
# Variables that Roost builds itself and never come from a network or a user, each with
# the reason. Keep this list short: a new entry needs the same kind of reason.
INTERNAL = {
    "links.previous": "calendar: reverse() + query string (calendar_views.Links.to)",
    "links.next": "calendar: reverse() + query string",
    "links.today": "calendar: reverse() + query string",
    "links.month": "calendar: reverse() + query string",
    "links.week": "calendar: reverse() + query string",
    "links.list": "calendar: reverse() + query string",
    "clear_url": "calendar: reverse() + query string",
    "card.url": "calendar card: reverse() once a page + the post's id (calendar_views._id_url)",
    "card.move_url": "calendar card: reverse() once a page + the post's id",
    "more.url": "calendar +N more: reverse() + date + query string (calendar_views.Links.day)",
    "more.get": "calendar +N more: reverse() + date + query string",
    "action": "calendar filters form: reverse()",
    "next": "calendar move: checked by url_has_allowed_host_and_scheme (this host only)",
    "a.file.url": "media library: the storage's URL for an uploaded file",
    "asset.file.url": "compose: the storage's URL for an uploaded file",
    "pm.asset.file.url": "post page: the storage's URL for an uploaded file",
}
SAFE_TAGS = {"url", "static"}


def unsafe_url_attributes(text: str) -> list[str]:
    """Every URL attribute in a template's text whose value could start with a scheme
    that is not Roost's own choice."""
    found = []
    for m in URL_ATTR.finditer(text):
        value = m.group("value")
        if value.startswith("{{"):
            expr = value[2:-2].strip()
            filters = [f.split(":")[0].strip() for f in expr.split("|")[1:]]
            if (filters and filters[-1] in SAFE_FILTERS) or expr in INTERNAL:
                continue
            found.append(m.group(0))
        elif value.startswith("{%"):
            if value[2:-2].split()[0] not in SAFE_TAGS:
                found.append(m.group(0))
        elif re.match(r"\s*(javascript|data|vbscript):", html.unescape(value), re.I):
            found.append(m.group(0))
    return found


def templates() -> list[Path]:
    return sorted(
        p
        for p in ROOST.rglob("*")
        if p.is_file() and "templates" in p.relative_to(ROOST).parts and ".venv" not in p.parts
    )


def test_the_template_scan_catches_unfiltered_links() -> None:
    bad = [
        '<a href="{{ c.profile_url }}">',
        "<a href='{{ m.url|default:'' }}'>",
        "<img src={{ avatar }}>",
        '<a class="x" HREF = "{{ x.url|safe_href|upper }}">',
        '<form action="{% firstof a b %}">',
        '<a href="{% if x %}{{ x }}{% endif %}">',
        '<a href="javascript:void(0)">',
        '<a href="&#106;avascript:alert(1)">',
        '<button hx-get="{{ target }}">',
    ]
    for text in bad:
        assert unsafe_url_attributes(text) != [], text
    good = [
        '<a href="{{ c.profile_url|safe_href }}">',
        '<a href="{{ n.url|local_href }}">',
        "<a href=\"{% url 'web:home' %}?q={{ q }}\">",
        "<link href=\"{% static 'web/roost.css' %}\">",
        '<a href="{{ links.next }}">',
        '<a href="#main">',
        '<a data-move-url="{{ anything }}">',
    ]
    for text in good:
        assert unsafe_url_attributes(text) == [], text


def test_every_template_links_outside_addresses_only_through_the_safe_filters() -> None:
    paths = templates()
    names = {p.relative_to(ROOST).as_posix() for p in paths}
    # The walk really sees the templates that show network URLs.
    assert {
        "channels/templates/channels/list.html",
        "publishing/templates/publishing/post.html",
        "inbox/templates/inbox/inbox.html",
        "notifications/templates/notifications/list.html",
    } <= names
    problems = {
        p.relative_to(ROOST).as_posix(): found
        for p in paths
        if (found := unsafe_url_attributes(p.read_text(encoding="utf-8")))
    }
    assert problems == {}, "use |safe_href (network/user URLs) or |local_href (Roost's paths)"


# --- rendering the real pages ---------------------------------------------------------------


class _Attributes(HTMLParser):
    """Collects (tag, attribute, value) for every URL attribute; values come unescaped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if re.fullmatch(URL_ATTRS, name, re.I) and value is not None:
                self.found.append((tag, name, value))


def script_links(body: str) -> list[tuple[str, str, str]]:
    """URL attributes a browser would run as script (or load as a document of its own):
    the scheme is read the way browsers read it, ignoring leading blanks and controls and
    any tab or newline inside."""
    parser = _Attributes()
    parser.feed(body)
    bad = []
    for tag, name, value in parser.found:
        cleaned = re.sub(r"[\t\n\r]", "", value).lstrip("".join(map(chr, range(0x21))))
        if re.match(r"(javascript|data|vbscript):", cleaned, re.I):
            bad.append((tag, name, value))
    return bad


def links_to(body: str, url: str) -> bool:
    parser = _Attributes()
    parser.feed(body)
    return ("a", "href", url) in parser.found


@pytest.fixture
def shown(world: World) -> dict[str, Any]:
    """A channel, a published delivery, an inbox message and a notification of workspace A,
    with their URLs to be set to what a hostile network delivered."""
    owner = world.members["owner"]
    post = post_compose(
        actor=owner,
        data=PostInput(text="Published earlier", channel_ids=[world.a_channel.pk]),
        mode="now",
    )
    delivery = post.deliveries.get()
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.PUBLISHED, remote_id="r1", published_at=clock.now()
    )
    note = Notification.objects.create(
        workspace=world.a, recipient=owner.user, kind="test", key="k", text="Look here"
    )
    slug = world.a.slug
    message = world.a_inbox.message
    return {
        "client": world.client_for("owner"),
        "channel": world.a_channel,
        "delivery": delivery,
        "message": message,
        "note": note,
        "pages": {
            "channels": f"/w/{slug}/channels/",
            "post": f"/w/{slug}/posts/{post.pk}/",
            "inbox": f"/w/{slug}/inbox/",
            "inbox detail": f"/w/{slug}/inbox/{message.pk}/",
            "notifications": "/notifications/",
        },
    }


def _store(shown: dict[str, Any], url: str) -> None:
    Channel.objects.filter(pk=shown["channel"].pk).update(profile_url=url)
    Delivery.objects.filter(pk=shown["delivery"].pk).update(remote_url=url)
    Message.objects.filter(pk=shown["message"].pk).update(url=url)
    Notification.objects.filter(pk=shown["note"].pk).update(url=url)


def _get(client: Client, path: str, htmx: bool = False) -> str:
    response = client.get(path, HTTP_HX_REQUEST="true") if htmx else client.get(path)
    assert response.status_code == 200, path
    return response.content.decode()


# Stored as they are (NUL is left out: PostgreSQL refuses it in text).
RENDERED = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "\tjavascript:alert(1)",
    "\njavascript:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
]


@pytest.mark.parametrize("url", RENDERED)
def test_pages_show_a_hostile_stored_url_as_text(shown: dict[str, Any], url: str) -> None:
    _store(shown, url)
    client = shown["client"]
    for name, path in shown["pages"].items():
        for htmx in (False, True):
            body = _get(client, path, htmx)
            assert script_links(body) == [], (name, htmx)
    pages = {name: _get(client, path) for name, path in shown["pages"].items()}
    # The text is still shown, without a link.
    assert shown["channel"].handle in pages["channels"]
    assert 'data-testid="published-link"' not in pages["post"]
    assert 'data-testid="published-address"' in pages["post"]
    assert 'data-testid="unsafe-address"' in pages["inbox detail"]
    assert "Look here" in pages["notifications"]


@pytest.mark.parametrize("url", ["vbscript:msgbox(1)", "DATA:text/html;base64,PHNjcmlwdD4="])
def test_other_script_schemes_are_text_too(shown: dict[str, Any], url: str) -> None:
    _store(shown, url)
    for name, path in shown["pages"].items():
        assert script_links(_get(shown["client"], path)) == [], name


def test_an_https_url_is_still_a_link(shown: dict[str, Any]) -> None:
    url = "https://social.example/@alpha?x=1&y=2"
    _store(shown, url)
    client = shown["client"]
    pages = {name: _get(client, path) for name, path in shown["pages"].items()}
    assert links_to(pages["channels"], url)
    assert links_to(pages["post"], url)
    assert 'data-testid="published-link"' in pages["post"]
    assert links_to(pages["inbox detail"], url)
    # A notification's link is a path on this site, never another site.
    assert not links_to(pages["notifications"], url)
    Notification.objects.filter(pk=shown["note"].pk).update(url="/w/alpha/inbox/")
    assert links_to(_get(client, "/notifications/"), "/w/alpha/inbox/")


def test_the_page_check_sees_a_script_link() -> None:
    """The assertion above can fail: the checker reads schemes as a browser does."""
    for attr in [
        'href="javascript:alert(1)"',
        'href=" &#x09;JaVaScRiPt:alert(1)"',
        'href="java&#x0A;script:alert(1)"',
        "src='data:text/html,x'",
        'action="vbscript:x"',
    ]:
        assert script_links(f"<a {attr}>x</a>") != [], attr
    assert script_links('<a href="https://example.com/javascript:">x</a>') == []
