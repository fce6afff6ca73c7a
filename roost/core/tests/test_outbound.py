"""The outbound guard: refused addresses in every spelling, at validation and at connect time,
through each guarded client (httpx, requests/Mastodon.py, aiohttp); the allow-list; DNS
rebinding; redirects; environment proxies; redacted request logs."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import aiohttp
import httpcore
import httpx
import pytest
import requests
from mastodon import MastodonNetworkError

from roost.core import outbound
from roost.core.checks import allow_list_check
from roost.core.outbound import OutboundRefused, refusal, validate_url
from roost.core.redact import redact_url

REAL_GETADDRINFO = socket.getaddrinfo
PUBLIC = "93.184.215.14"  # a public address; nothing connects to it in these tests


@dataclass
class Server:
    """A tiny HTTP server on 127.0.0.1 that counts what it got."""

    port: int
    hits: list[str] = field(default_factory=list)
    redirect_to: str = ""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def entry(self) -> str:
        return f"127.0.0.1:{self.port}"


@pytest.fixture
def serve() -> Iterator[Callable[..., Server]]:
    servers: list[ThreadingHTTPServer] = []

    def start(redirect_to: str = "") -> Server:
        state = Server(port=0, redirect_to=redirect_to)

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                state.hits.append(self.path)
                if state.redirect_to:
                    self.send_response(302)
                    self.send_header("Location", state.redirect_to)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                body = b'{"hello": "from loopback"}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        servers.append(server)
        state.port = server.server_address[1]
        threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True).start()
        return state

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture(autouse=True)
def nothing_allowed(settings: Any) -> None:
    """No operator entries, and a Sandbox address that allows nothing on this machine."""
    settings.ROOST_ALLOW_PRIVATE_HOSTS = []
    settings.ROOST_SANDBOX_URL = "http://sandbox.invalid:8025"


def fake_dns(monkeypatch: pytest.MonkeyPatch, answers: dict[str, list[str]]) -> list[str]:
    """Answer lookups of the given names from `answers` (one address per lookup, the last
    one repeating); every other name goes to the real resolver. Returns the names looked up."""
    looked_up: list[str] = []

    def getaddrinfo(
        host: Any, port: Any, family: int = 0, type: int = 0, proto: int = 0, flags: int = 0
    ) -> list[Any]:
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name not in answers:
            return REAL_GETADDRINFO(host, port, family, type, proto, flags)
        looked_up.append(name)
        queue = answers[name]
        address = queue.pop(0) if len(queue) > 1 else queue[0]
        port_number = int(port or 0)
        if ":" in address:
            return [(socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, port_number, 0, 0))]
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port_number))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return looked_up


# --- Fetching a URL through each guarded client: (status, body) or the exception ----------


def with_httpx(url: str, *, follow: bool = False) -> tuple[int, str]:
    with outbound.guarded_httpx_client(timeout=2.0, follow_redirects=follow) as client:
        response = client.get(url)
        return response.status_code, response.text


def with_requests(url: str) -> tuple[int, str]:
    with outbound.guarded_requests_session() as session:
        response = session.get(url, timeout=2.0)
        return response.status_code, response.text


def with_aiohttp(url: str) -> tuple[int, str]:
    async def fetch() -> tuple[int, str]:
        async with outbound.guarded_aiohttp_session() as session, session.get(url) as response:
            return response.status, await response.text()

    return asyncio.run(fetch())


CLIENTS: dict[str, Callable[[str], tuple[int, str]]] = {
    "httpx": with_httpx,
    "requests": with_requests,
    "aiohttp": with_aiohttp,
}
CLIENT_ERRORS = (httpx.HTTPError, requests.RequestException, aiohttp.ClientError)


def refused_by(fetch: Callable[[str], tuple[int, str]], url: str) -> OutboundRefused:
    """Fetch `url` and return the guard's refusal behind the client's own error."""
    with pytest.raises(CLIENT_ERRORS) as error:
        fetch(url)
    found = refusal(error.value)
    assert found is not None, f"{error.value!r} is not a refusal"
    return found


# --- Every spelling ---------------------------------------------------------------------

REFUSED = [
    ("127.0.0.1", "loopback address"),
    ("127.1", "loopback address"),
    ("0x7f.1", "loopback address"),
    ("0177.0.0.1", "loopback address"),
    ("2130706433", "loopback address"),
    ("0.0.0.0", "unspecified address"),
    ("[::1]", "loopback address"),
    ("[::]", "unspecified address"),
    ("[::ffff:127.0.0.1]", "loopback address"),
    ("[::ffff:7f00:1]", "loopback address"),
    ("169.254.169.254", "link-local address"),
    ("10.0.0.1", "private address"),
    ("172.16.0.1", "private address"),
    ("192.168.1.1", "private address"),
    ("100.64.0.1", "shared address"),
    ("224.0.0.1", "multicast address"),
    ("[fe80::1]", "link-local address"),
    ("[fc00::1]", "private address"),
    ("localhost", "local name"),
    ("foo.localhost", "local name"),
]


@pytest.mark.parametrize(("host", "kind"), REFUSED)
def test_validate_url_refuses_every_spelling(host: str, kind: str) -> None:
    with pytest.raises(OutboundRefused) as error:
        validate_url(f"https://{host}/hook")
    assert error.value.kind == kind
    assert str(error.value).startswith("Roost does not send requests to private or local ")
    assert str(error.value).endswith(
        "The server's operator can allow it in ROOST_ALLOW_PRIVATE_HOSTS."
    )


def test_messages_name_the_address_and_what_it_is() -> None:
    def message(url: str) -> str:
        with pytest.raises(OutboundRefused) as error:
            validate_url(url)
        return str(error.value)

    hint = " The server's operator can allow it in ROOST_ALLOW_PRIVATE_HOSTS."
    assert message("http://127.0.0.1:8000/") == (
        "Roost does not send requests to private or local addresses "
        "(127.0.0.1 is a loopback address)." + hint
    )
    assert message("http://0x7f.1/") == (
        "Roost does not send requests to private or local addresses "
        "(0x7f.1 means 127.0.0.1, a loopback address)." + hint
    )
    assert message("http://localhost:8025/api") == (
        "Roost does not send requests to private or local addresses "
        "(localhost is a local name)." + hint
    )
    assert message("ftp://example.com/") == (
        "Roost sends requests only to http:// and https:// addresses."
    )
    assert message("https://me:pw@example.com/") == (
        "Leave the user name and password out of the address."
    )
    assert (
        message("https://example.com:99999/")
        == "“https://example.com:99999/” is not a web address."
    )


@pytest.mark.parametrize("client", CLIENTS)
@pytest.mark.parametrize(("host", "kind"), REFUSED)
def test_every_spelling_is_refused_at_connect_time(
    serve: Callable[..., Server], client: str, host: str, kind: str
) -> None:
    server = serve()
    url = f"http://{host}:{server.port}/secret"
    if (client, host) == ("httpx", "0177.0.0.1"):
        # httpx refuses this spelling itself, before any connection.
        with pytest.raises(httpx.InvalidURL, match=r"Invalid IPv4 address: '0177\.0\.0\.1'"):
            CLIENTS[client](url)
    else:
        assert refused_by(CLIENTS[client], url).kind == kind
    assert server.hits == []


def test_a_name_that_resolves_to_loopback_is_refused(
    serve: Callable[..., Server], monkeypatch: pytest.MonkeyPatch
) -> None:
    server = serve()
    fake_dns(monkeypatch, {"intranet.example": ["127.0.0.1"], "v6.example": ["::1"]})
    with pytest.raises(OutboundRefused) as error:
        validate_url(f"https://intranet.example:{server.port}/")
    assert str(error.value).startswith(
        "Roost does not send requests to private or local addresses "
        "(intranet.example resolves to 127.0.0.1, a loopback address)."
    )
    for fetch in CLIENTS.values():
        for name in ("intranet.example", "v6.example"):
            assert refused_by(fetch, f"http://{name}:{server.port}/").kind == "loopback address"
    assert server.hits == []


def test_one_refused_address_among_public_ones_refuses_the_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", (PUBLIC, port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.1.2.3", port)),
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    with pytest.raises(OutboundRefused) as error:
        outbound.checked_addresses("mixed.example", 443)
    assert error.value.kind == "private address"
    assert "mixed.example resolves to 10.1.2.3" in str(error.value)


def test_a_name_that_does_not_resolve_passes_validation_and_fails_to_connect() -> None:
    assert validate_url("https://no-such-host.invalid/x") == "https://no-such-host.invalid/x"
    with pytest.raises(httpx.ConnectError):
        with_httpx("https://no-such-host.invalid/x")


@pytest.mark.parametrize("client", CLIENTS)
def test_dns_rebinding_is_caught_on_the_address_connected_to(
    serve: Callable[..., Server], monkeypatch: pytest.MonkeyPatch, client: str
) -> None:
    server = serve()
    looked_up = fake_dns(monkeypatch, {"rebind.example": [PUBLIC, "127.0.0.1"]})
    url = f"http://rebind.example:{server.port}/"
    assert validate_url(url) == url  # the first answer is public
    assert refused_by(CLIENTS[client], url).kind == "loopback address"
    assert looked_up == ["rebind.example", "rebind.example"]
    assert server.hits == []


# --- The allow-list -----------------------------------------------------------------------


@pytest.mark.parametrize("client", CLIENTS)
def test_a_loopback_server_is_reachable_only_when_allow_listed(
    serve: Callable[..., Server], settings: Any, client: str
) -> None:
    server = serve()
    fetch = CLIENTS[client]
    assert refused_by(fetch, server.url + "/a").kind == "loopback address"
    settings.ROOST_ALLOW_PRIVATE_HOSTS = ["127.0.0.1:1", "crm.corp"]  # other hosts only
    assert refused_by(fetch, server.url + "/b").kind == "loopback address"
    assert server.hits == []
    settings.ROOST_ALLOW_PRIVATE_HOSTS = ["crm.corp", server.entry]
    assert fetch(server.url + "/c") == (200, '{"hello": "from loopback"}')
    assert server.hits == ["/c"]


def test_mastodon_py_uses_the_guarded_session(serve: Callable[..., Server], settings: Any) -> None:
    from roost.networks.mastodon.client import Client

    server = serve()
    client = Client(server.url)
    with pytest.raises(MastodonNetworkError) as error:
        client.api.instance_v1()
    assert refusal(error.value) is not None
    with pytest.raises(MastodonNetworkError) as error:
        client.register_app("urn:ietf:wg:oauth:2.0:oob")
    assert refusal(error.value) is not None
    assert server.hits == []
    settings.ROOST_ALLOW_PRIVATE_HOSTS = [server.entry]
    assert client.api.instance_v1()["hello"] == "from loopback"
    assert server.hits == ["/api/v1/instance/"]


def test_the_sandbox_address_is_always_allowed(serve: Callable[..., Server], settings: Any) -> None:
    server = serve()
    settings.ROOST_SANDBOX_URL = server.url + "/"
    assert with_httpx(server.url + "/health")[0] == 200
    assert validate_url(server.url, require_https=True) == server.url


@pytest.mark.parametrize("client", CLIENTS)
def test_a_redirect_to_a_refused_address_is_not_followed(
    serve: Callable[..., Server], settings: Any, client: str
) -> None:
    inner = serve()
    outer = serve(redirect_to=inner.url + "/admin")
    settings.ROOST_ALLOW_PRIVATE_HOSTS = [outer.entry]
    fetch = CLIENTS[client]
    if client == "httpx":
        assert with_httpx(outer.url + "/go") == (302, "")  # redirects are off by default
        fetch = lambda url: with_httpx(url, follow=True)  # noqa: E731
    assert refused_by(fetch, outer.url + "/go").kind == "loopback address"
    assert inner.hits == []
    assert outer.hits[-1] == "/go"


@pytest.mark.parametrize("client", CLIENTS)
def test_proxies_from_the_environment_are_ignored(
    serve: Callable[..., Server], settings: Any, monkeypatch: pytest.MonkeyPatch, client: str
) -> None:
    proxy = serve()
    target = serve()
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.setenv(name, proxy.url)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    settings.ROOST_ALLOW_PRIVATE_HOSTS = [target.entry, proxy.entry]
    assert CLIENTS[client](target.url + "/direct")[0] == 200
    assert (target.hits, proxy.hits) == (["/direct"], [])


def test_allow_list_entries() -> None:
    allow = outbound.parse_allow_list(
        [" CRM.corp ", "pds.lan:2583", "10.0.0.0/8", "192.168.1.5:8080", "[fd00::1]:443", "::1"]
    )
    assert allow.allows_name("crm.corp", 1234) and allow.allows_name("pds.lan", 2583)
    assert not allow.allows_name("pds.lan", 2584)
    assert allow.allows_address(ipaddress.ip_address("10.9.8.7"), 80)
    assert allow.allows_address(ipaddress.ip_address("::ffff:10.9.8.7"), 80)
    assert allow.allows_address(ipaddress.ip_address("192.168.1.5"), 8080)
    assert not allow.allows_address(ipaddress.ip_address("192.168.1.5"), 80)
    assert allow.allows_address(ipaddress.ip_address("fd00::1"), 443)
    assert allow.allows_address(ipaddress.ip_address("::1"), 5)
    not_a_host = " is not a host name, an IP address, host:port or a network such as 10.0.0.0/8"
    for bad, message in (
        ("crm.corp:http", "'crm.corp:http': the port must be a number from 1 to 65535"),
        ("host:0", "'host:0': the port must be a number from 1 to 65535"),
        ("a b", "'a b'" + not_a_host),
        ("127.1", "'127.1'" + not_a_host),
        ("[fd00::1]443", "'[fd00::1]443': write an IPv6 address with a port as [fd00::1]:443"),
    ):
        with pytest.raises(ValueError) as error:
            outbound.parse_allow_list([bad])
        assert str(error.value) == message


def test_a_bad_allow_list_is_a_system_check_error_and_allows_nothing(
    serve: Callable[..., Server], settings: Any
) -> None:
    server = serve()
    settings.ROOST_ALLOW_PRIVATE_HOSTS = [server.entry, "not a host"]
    [error] = allow_list_check()
    assert error.id == "outbound.E001"
    assert error.msg == (
        "ROOST_ALLOW_PRIVATE_HOSTS: 'not a host' is not a host name, an IP address, "
        "host:port or a network such as 10.0.0.0/8."
    )
    assert refused_by(with_httpx, server.url).kind == "loopback address"
    settings.ROOST_ALLOW_PRIVATE_HOSTS = [server.entry]
    assert allow_list_check() == []


def test_plain_http_only_for_allow_listed_hosts_when_https_is_required(
    serve: Callable[..., Server], settings: Any
) -> None:
    with pytest.raises(OutboundRefused) as error:
        validate_url("http://pds.example.com", require_https=True)
    assert (error.value.kind, str(error.value)) == (
        "https required",
        "Use an https:// address. Plain http:// is allowed only for hosts the server's "
        "operator allows in ROOST_ALLOW_PRIVATE_HOSTS.",
    )
    assert validate_url("http://pds.example.com") == "http://pds.example.com"  # webhooks
    server = serve()
    settings.ROOST_ALLOW_PRIVATE_HOSTS = ["pds.example.com", server.entry]
    assert validate_url("http://pds.example.com", require_https=True) == "http://pds.example.com"
    # The transport checks every request, so a redirect to http:// is caught too.
    with outbound.guarded_httpx_client(require_https=True) as client:
        assert client.get(server.url + "/ok").status_code == 200
    settings.ROOST_ALLOW_PRIVATE_HOSTS = ["10.0.0.0/8"]
    with (
        outbound.guarded_httpx_client(require_https=True) as client,
        pytest.raises(httpx.ConnectError) as failed,
    ):
        client.get("http://public.example/")
    assert refusal(failed.value) is not None
    assert refusal(failed.value).kind == "https required"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("8.8.8.8", None),
        ("2606:4700::1", None),
        ("::ffff:8.8.8.8", None),
        ("64:ff9b::808:808", None),  # NAT64 of a public address
        ("64:ff9b::a00:1", "private address"),
        ("192.0.2.1", "reserved address"),
        ("198.18.0.1", "reserved address"),
        ("240.0.0.1", "reserved address"),
        ("255.255.255.255", "reserved address"),
        ("0.1.2.3", "reserved address"),
        ("ff02::1", "multicast address"),
        ("fec0::1", "reserved address"),
        ("2001:db8::1", "reserved address"),
        ("2002:0a00:0001::", "private address"),  # 6to4 around 10.0.0.1
        ("2002:0808:0808::", "reserved address"),  # 6to4 is a tunnel, not a host
        ("::0a00:1", "private address"),  # IPv4-compatible 10.0.0.1
    ],
)
def test_address_policy(address: str, kind: str | None) -> None:
    assert outbound.address_kind(ipaddress.ip_address(address)) == kind


def test_the_transport_really_uses_the_guarded_backend(serve: Callable[..., Server]) -> None:
    transport = outbound.guarded_transport()
    assert isinstance(transport._pool._network_backend, outbound.GuardedBackend)
    server = serve()
    with pytest.raises(httpcore.ConnectError) as error:
        outbound.GuardedBackend().connect_tcp("127.0.0.1", server.port)
    assert refusal(error.value).kind == "loopback address"  # type: ignore[union-attr]
    assert server.hits == []
    for forbidden in ({"proxy": "http://127.0.0.1:1"}, {"trust_env": True}, {"transport": None}):
        with pytest.raises(ValueError, match=r"sets|directly"):
            outbound.guarded_httpx_client(**forbidden)


# --- Logs ---------------------------------------------------------------------------------


def test_request_logs_leave_out_credentials_and_query(
    serve: Callable[..., Server], settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    server = serve()
    settings.ROOST_ALLOW_PRIVATE_HOSTS = [server.entry]
    with caplog.at_level(logging.INFO, logger="httpx"):
        with_httpx(f"http://hook:pa55word@127.0.0.1:{server.port}/hooks/in?token=s3cret")
    lines = [r.getMessage() for r in caplog.records if r.name == "httpx"]
    assert lines == [f'HTTP Request: GET http://127.0.0.1:{server.port}/hooks/in "HTTP/1.0 200 OK"']
    assert redact_url("https://u:p@[::1]:8443/a/b?c=d#e") == "https://[::1]:8443/a/b"
