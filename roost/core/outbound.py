"""The one guard for every request to a URL that a person or a network supplied.

Webhooks, Bluesky PDS addresses, Mastodon instances and the Sandbox all go through it. It
refuses loopback, private, link-local, shared (CGNAT), multicast, unspecified and reserved
addresses in every spelling, twice:

- when a URL is entered (`validate_url`), so the person gets a clear message at once;
- when a connection is opened, on the address actually connected to: the transports below
  resolve the name once, check every address, and connect to a checked address (TLS still
  verifies the host name). A name that resolves elsewhere later (DNS rebinding) or a
  redirect to a refused address fails there.

The operator's allow-list (`ROOST_ALLOW_PRIVATE_HOSTS`: host names, addresses, host:port,
networks such as 10.0.0.0/8) exempts internal hosts, which may then also use plain http.
The Sandbox's own address (`ROOST_SANDBOX_URL`) is always on it. Environment proxies are
never used. See docs/security.md.

Pure infrastructure: reads settings (or the environment without Django), imports no app.
"""

from __future__ import annotations

import functools
import ipaddress
import logging
import os
import re
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import httpcore
import httpx
import requests
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.client_middlewares import ClientHandlerType
from aiohttp.resolver import DefaultResolver
from django.conf import settings
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError
from urllib3.util.connection import create_connection

logger = logging.getLogger(__name__)

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

DEFAULT_PORTS = {"http": 80, "https": 443}
DEFAULT_SANDBOX_URL = "http://127.0.0.1:8025"

_RFC1918 = tuple(ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))
_UNIQUE_LOCAL = ipaddress.ip_network("fc00::/7")
_SHARED = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
# Ranges `ipaddress` calls global that no public service lives in: the deprecated 6to4
# relay anycast, IPv4-compatible IPv6, site-local, SRv6 SIDs, IPv6 documentation (3fff::/20).
_EXTRA_DENY = tuple(
    ipaddress.ip_network(n)
    for n in ("192.88.99.0/24", "::/96", "fec0::/10", "5f00::/16", "3fff::/20")
)
# Names that never mean a public host; refused before any DNS lookup.
_LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})
_LOCAL_SUFFIXES = (".localhost", ".local", ".internal", ".localdomain", ".home.arpa")
# Legacy IPv4 spellings that resolvers accept: 127.1, 0x7f.1, 0177.0.0.1, 2130706433.
_NUMERIC_HOST = re.compile(r"(?:0x[0-9a-f]*|[0-9]+)(?:\.(?:0x[0-9a-f]*|[0-9]+)){0,3}", re.I)
_HOST_LABEL = re.compile(r"(?!-)[a-z0-9_-]{1,63}(?<!-)")


def _(message: str) -> str:
    """Django's gettext once Django is set up; the message itself in a bare script."""
    from django.apps import apps

    if settings.configured and apps.ready:
        from django.utils.translation import gettext

        return gettext(message)
    return message


class OutboundRefused(ValueError, OSError):
    """Roost will not send this request. The message is for people; `kind` is a short
    English name for logs ("loopback address", "https required", …).

    A ValueError for validation code, and an OSError so that every HTTP library treats a
    refusal at connect time as a failed connection: callers keep their usual error
    handling, and `refusal(exc)` finds the reason in the exception chain."""

    def __init__(self, message: str, *, kind: str) -> None:
        super().__init__(message)
        self.kind = kind

    def __str__(self) -> str:
        return str(self.args[0])


def refusal(exc: BaseException | None) -> OutboundRefused | None:
    """The OutboundRefused behind an error from an HTTP library or SDK, if there is one."""
    seen: set[int] = set()
    stack = [exc]
    while stack:
        current = stack.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, OutboundRefused):
            return current
        stack += [current.__cause__, current.__context__]
        # urllib3's MaxRetryError keeps the cause in `reason`; requests wraps it in args.
        reason = getattr(current, "reason", None)
        if isinstance(reason, BaseException):
            stack.append(reason)
        stack += [arg for arg in current.args if isinstance(arg, BaseException)]
    return None


# --- The allow-list -----------------------------------------------------------------------


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: one object per setting
class AllowList:
    """Hosts the operator lets Roost reach although they are private or local."""

    names: frozenset[tuple[str, int | None]] = frozenset()
    networks: tuple[tuple[Network, int | None], ...] = ()

    def allows_name(self, host: str, port: int) -> bool:
        """Is this host name (as written in the URL) on the list, for this port?"""
        return (host, None) in self.names or (host, port) in self.names

    def allows_address(self, address: Address, port: int) -> bool:
        """Is this address inside a listed address or network, for this port?"""
        candidates = [address]
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            candidates.append(address.ipv4_mapped)
        return any(
            (allowed_port is None or allowed_port == port)
            and candidate.version == network.version
            and candidate in network
            for network, allowed_port in self.networks
            for candidate in candidates
        )


def parse_allow_list(entries: Iterable[str]) -> AllowList:
    """An AllowList from entries such as "crm.corp", "10.1.2.3", "pds.lan:2583", "[fd00::1]:443",
    "10.0.0.0/8"; raises ValueError naming the first entry it cannot read."""
    names: set[tuple[str, int | None]] = set()
    networks: list[tuple[Network, int | None]] = []
    for raw in entries:
        entry = raw.strip().lower()
        if not entry:
            continue
        if "://" in entry:  # a pasted URL: its host and port
            entry = urlsplit(entry).netloc.rpartition("@")[2]
        host, port = _split_host_port(entry, raw)
        try:
            networks.append((ipaddress.ip_network(host, strict=False), port))
            continue
        except ValueError:
            pass
        name = _normal_host(host)
        if name is None or _literal(name) is not None:
            raise ValueError(
                f"{raw!r} is not a host name, an IP address, host:port or a network "
                "such as 10.0.0.0/8"
            )
        names.add((name, port))
    return AllowList(frozenset(names), tuple(networks))


def _split_host_port(entry: str, raw: str) -> tuple[str, int | None]:
    if entry.startswith("["):
        host, _bracket, rest = entry[1:].partition("]")
        port_text = rest.removeprefix(":") if rest.startswith(":") else None
        if rest and port_text is None:
            raise ValueError(f"{raw!r}: write an IPv6 address with a port as [fd00::1]:443")
    elif entry.count(":") == 1:
        host, port_text = entry.split(":")
    else:
        host, port_text = entry, None
    if port_text is None:
        return host, None
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise ValueError(f"{raw!r}: the port must be a number from 1 to 65535")
    return host, int(port_text)


_allow_cache: list[tuple[tuple[tuple[str, ...], str], AllowList]] = []


def _configured() -> tuple[tuple[str, ...], str]:
    """(ROOST_ALLOW_PRIVATE_HOSTS, ROOST_SANDBOX_URL) from settings, else the environment."""
    if settings.configured:
        entries = getattr(settings, "ROOST_ALLOW_PRIVATE_HOSTS", ())
        sandbox = getattr(settings, "ROOST_SANDBOX_URL", DEFAULT_SANDBOX_URL)
        return tuple(entries), str(sandbox or "")
    raw = os.environ.get("ROOST_ALLOW_PRIVATE_HOSTS", "")
    entries = tuple(item.strip() for item in raw.split(",") if item.strip())
    return entries, os.environ.get("ROOST_SANDBOX_URL", DEFAULT_SANDBOX_URL)


def allow_list() -> AllowList:
    """The effective allow-list: the operator's entries plus the Sandbox's own host:port.
    Parsed once per change of the settings; cheap to call on every connection."""
    key = _configured()
    cached = _allow_cache[0] if _allow_cache else None
    if cached is not None and cached[0] == key:
        return cached[1]
    entries, sandbox = key
    try:
        parsed = parse_allow_list(entries)
    except ValueError as exc:
        # Fail closed: nothing extra is allowed until the setting is fixed (`roost check`
        # reports it too, see roost/core/checks.py).
        logger.error("ROOST_ALLOW_PRIVATE_HOSTS is ignored: %s", exc)
        parsed = AllowList()
    parsed = _with_sandbox(parsed, sandbox)
    _allow_cache[:] = [(key, parsed)]
    return parsed


def _with_sandbox(allow: AllowList, sandbox_url: str) -> AllowList:
    """The allow-list plus the Sandbox's host:port (the local test network Roost runs)."""
    try:
        parts = urlsplit(sandbox_url)
        port = parts.port or DEFAULT_PORTS.get(parts.scheme, 80)
        entry = parse_allow_list([f"{_bracketed(parts.hostname or '')}:{port}"])
    except ValueError:
        return allow
    return AllowList(allow.names | entry.names, allow.networks + entry.networks)


def _bracketed(host: str) -> str:
    return f"[{host}]" if ":" in host else host


# --- The address policy -------------------------------------------------------------------


def address_kind(address: Address) -> str | None:
    """Why Roost refuses to connect to this address (a short English name), or None when it
    is a public address."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            kind = address_kind(embedded)
            if kind is not None:
                return kind
            if address.ipv4_mapped or address in _NAT64:
                return None  # the IPv6 form of a public IPv4 address
            return "reserved address"  # 6to4, Teredo, IPv4-compatible: tunnels, not hosts
    if address.is_unspecified:
        return "unspecified address"
    if address.is_loopback:
        return "loopback address"
    if address.is_link_local:
        return "link-local address"
    if address.is_multicast:
        return "multicast address"
    if isinstance(address, ipaddress.IPv4Address):
        if address in _SHARED:
            return "shared address"
        if any(address in network for network in _RFC1918):
            return "private address"
    elif address in _UNIQUE_LOCAL:
        return "private address"
    if not address.is_global or any(
        address.version == network.version and address in network for network in _EXTRA_DENY
    ):
        return "reserved address"
    return None


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address inside an IPv4-mapped, NAT64, 6to4, Teredo or IPv4-compatible one."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in _NAT64 or (address in _IPV4_COMPATIBLE and int(address) > 1):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    return None


def _kind_words(kind: str) -> str:
    words = {
        "loopback address": _("a loopback address"),
        "private address": _("a private address"),
        "link-local address": _("a link-local address"),
        "shared address": _("a shared (carrier-grade NAT) address"),
        "multicast address": _("a multicast address"),
        "unspecified address": _("the unspecified address"),
    }
    return words.get(kind) or _("a reserved address")


def _operator_hint() -> str:
    return _("The server's operator can allow it in ROOST_ALLOW_PRIVATE_HOSTS.")


def _refused_address(host: str, address: Address, kind: str) -> OutboundRefused:
    values = {"host": host, "address": address, "kind": _kind_words(kind)}
    literal = _literal(host)
    if literal is not None and host == str(literal):
        message = _(
            "Roost does not send requests to private or local addresses (%(address)s is %(kind)s)."
        )
    elif literal is not None:  # a legacy spelling such as 127.1 or 0x7f.1
        message = _(
            "Roost does not send requests to private or local addresses "
            "(%(host)s means %(address)s, %(kind)s)."
        )
    else:
        message = _(
            "Roost does not send requests to private or local addresses "
            "(%(host)s resolves to %(address)s, %(kind)s)."
        )
    return OutboundRefused(f"{message % values} {_operator_hint()}", kind=kind)


def _refused_name(host: str) -> OutboundRefused:
    message = _(
        "Roost does not send requests to private or local addresses (%(host)s is a local name)."
    )
    return OutboundRefused(f"{message % {'host': host}} {_operator_hint()}", kind="local name")


def _invalid(url: str) -> OutboundRefused:
    return OutboundRefused(
        _("“%(url)s” is not a web address.") % {"url": url}, kind="invalid address"
    )


def _normal_host(host: str) -> str | None:
    """A host as compared and looked up: lower case, ASCII (IDNA), no brackets or final dot."""
    host = host.strip().lower().removeprefix("[").removesuffix("]").rstrip(".")
    if not host:
        return None
    if ":" in host:  # IPv6
        try:
            ipaddress.ip_address(host)
        except ValueError:
            return None
        return host
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    if not all(_HOST_LABEL.fullmatch(label) for label in host.split(".")):
        return None
    return host


def _literal(host: str) -> Address | None:
    """The address a host spells, in any form a resolver accepts; None for a name."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if _NUMERIC_HOST.fullmatch(host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            raise _invalid(host) from None
    return None


def _is_local_name(host: str) -> bool:
    return host in _LOCAL_NAMES or host.endswith(_LOCAL_SUFFIXES)


def check_host(host: str, port: int, allow: AllowList | None = None) -> None:
    """Refuse a host before any lookup: a literal address that is not public, a local name.
    `host` is normalised (see _normal_host)."""
    allow = allow or allow_list()
    if allow.allows_name(host, port):
        return
    literal = _literal(host)
    if literal is not None:
        kind = address_kind(literal)
        if kind is not None and not allow.allows_address(literal, port):
            raise _refused_address(host, literal, kind)
    elif _is_local_name(host):
        raise _refused_name(host)


def check_address(host: str, port: int, address: str, allow: AllowList | None = None) -> None:
    """Refuse `address`, which `host` resolved to, unless it is public or allowed."""
    allow = allow or allow_list()
    if allow.allows_name(host, port):
        return
    ip = ipaddress.ip_address(address)
    kind = address_kind(ip)
    if kind is not None and not allow.allows_address(ip, port):
        raise _refused_address(host, ip, kind)


def checked_addresses(host: str, port: int) -> list[str]:
    """Resolve `host` once and return its addresses, every one of them checked; raises
    OutboundRefused when any is refused, socket.gaierror when the name does not resolve."""
    name = _normal_host(host)
    if name is None:
        raise _invalid(host)
    allow = allow_list()
    check_host(name, port, allow)
    infos = socket.getaddrinfo(name, port, type=socket.SOCK_STREAM)
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    for address in addresses:
        check_address(name, port, address, allow)
    return addresses


def plain_http_allowed(host: str, port: int, allow: AllowList | None = None) -> bool:
    """May Roost use plain http with this (normalised) host: is it on the allow-list by name,
    or an address inside a listed network?"""
    allow = allow or allow_list()
    if allow.allows_name(host, port):
        return True
    literal = _literal(host)
    return literal is not None and allow.allows_address(literal, port)


def _https_required() -> OutboundRefused:
    return OutboundRefused(
        _(
            "Use an https:// address. Plain http:// is allowed only for hosts the server's "
            "operator allows in ROOST_ALLOW_PRIVATE_HOSTS."
        ),
        kind="https required",
    )


def validate_url(url: str, *, require_https: bool = False, resolve: bool = True) -> str:
    """Check a URL a person entered or a network sent; return it (stripped) or raise
    OutboundRefused with a message for people. With `resolve`, a host name is looked up
    and every address checked (a name that does not resolve now passes: it is checked
    again on every connection)."""
    text = (url or "").strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise _invalid(text) from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise OutboundRefused(
            _("Roost sends requests only to http:// and https:// addresses."), kind="scheme"
        )
    if parts.username is not None or parts.password is not None:
        raise OutboundRefused(
            _("Leave the user name and password out of the address."),
            kind="credentials in address",
        )
    host = _normal_host(parts.hostname or "")
    if host is None:
        raise _invalid(text)
    port = port or DEFAULT_PORTS[scheme]
    allow = allow_list()
    check_host(host, port, allow)
    if scheme == "http" and require_https and not plain_http_allowed(host, port, allow):
        raise _https_required()
    if resolve and _literal(host) is None and not allow.allows_name(host, port):
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError:
            return text
        for address in dict.fromkeys(str(info[4][0]) for info in infos):
            check_address(host, port, address, allow)
    return text


# --- httpx ------------------------------------------------------------------------------


class GuardedBackend(httpcore.SyncBackend):
    """httpcore's network backend, connecting only to checked addresses."""

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        try:
            addresses = checked_addresses(host, port)
        except OSError as exc:  # refused, or the name did not resolve
            raise httpcore.ConnectError(str(exc)) from exc
        error: httpcore.ConnectError | None = None
        for address in addresses:
            try:
                # A literal address: no second lookup that could answer differently.
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except httpcore.ConnectError as exc:
                error = exc
        assert error is not None
        raise error


class GuardedTransport(httpx.HTTPTransport):
    """httpx's transport over GuardedBackend, never through a proxy; with `require_https`,
    plain http only to allow-listed hosts (checked on every request, redirects included)."""

    def __init__(self, *, require_https: bool = False, **kwargs: Any) -> None:
        if kwargs.get("proxy") is not None or kwargs.get("uds") is not None:
            raise ValueError("the guarded transport connects directly, over TCP")
        super().__init__(**kwargs)
        # httpx 0.28 has no public parameter for httpcore's network backend; the pool it
        # builds keeps it here (roost/core/tests/test_outbound.py checks that it is used).
        self._pool._network_backend = GuardedBackend()
        self._require_https = require_https

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        port = url.port or DEFAULT_PORTS.get(url.scheme, 80)
        allow = allow_list()
        # A literal address fails here, before the pool; a name when it connects.
        refused = _literal_refusal(allow, url.host, port)
        if (
            refused is None
            and self._require_https
            and url.scheme != "https"
            and not plain_http_allowed(_normal_host(url.host) or "", port, allow)
        ):
            refused = _https_required()
        if refused is not None:
            raise httpx.ConnectError(str(refused), request=request) from refused
        return super().handle_request(request)


def guarded_transport(**kwargs: Any) -> GuardedTransport:
    """A GuardedTransport; takes httpx.HTTPTransport's arguments (not proxy) and require_https."""
    return GuardedTransport(**kwargs)


_TRANSPORT_ARGS = ("verify", "cert", "http1", "http2", "limits", "retries", "require_https")


def guarded_httpx_client(**kwargs: Any) -> httpx.Client:
    """An httpx.Client whose every connection goes through the guard. Takes httpx.Client's
    arguments (the transport ones go to the transport) and `require_https`; redirects are
    off unless follow_redirects=True, and proxies from the environment are never used."""
    for forbidden in ("transport", "mounts", "proxy", "trust_env"):
        if forbidden in kwargs:
            raise ValueError(f"the guarded client sets {forbidden} itself")
    transport_args = {name: kwargs.pop(name) for name in _TRANSPORT_ARGS if name in kwargs}
    kwargs.setdefault("follow_redirects", False)
    return httpx.Client(transport=GuardedTransport(**transport_args), trust_env=False, **kwargs)


# --- requests (Mastodon.py) ---------------------------------------------------------------


class _GuardedConnect:
    """urllib3's `_new_conn`, connecting only to checked addresses."""

    host: str
    port: int
    timeout: Any
    source_address: tuple[str, int] | None
    socket_options: Any
    _dns_host: str

    def _new_conn(self) -> socket.socket:
        try:
            addresses = checked_addresses(self._dns_host, self.port)
        except socket.gaierror as exc:
            raise NameResolutionError(self.host, self, exc) from exc  # type: ignore[arg-type]
        except OSError as exc:  # refused (OutboundRefused), or the lookup failed
            raise NewConnectionError(self, f"Failed to establish a new connection: {exc}") from exc  # type: ignore[arg-type]
        error: OSError | None = None
        for address in addresses:
            try:
                return create_connection(
                    (address, self.port),
                    self.timeout,
                    source_address=self.source_address,
                    socket_options=self.socket_options,
                )
            except TimeoutError as exc:
                raise ConnectTimeoutError(
                    self, f"Connection to {self.host} timed out. (connect timeout={self.timeout})"
                ) from exc
            except OSError as exc:
                error = exc
        raise NewConnectionError(self, f"Failed to establish a new connection: {error}") from error  # type: ignore[arg-type]


class _GuardedHTTPConnection(_GuardedConnect, HTTPConnection):
    pass


class _GuardedHTTPSConnection(_GuardedConnect, HTTPSConnection):
    pass


class _GuardedHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = _GuardedHTTPConnection


class _GuardedHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = _GuardedHTTPSConnection


class GuardedAdapter(HTTPAdapter):
    """A requests adapter whose connections go through the guard; never through a proxy."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        # urllib3 picks each pool's class from this mapping (PoolManager's public attribute).
        self.poolmanager.pool_classes_by_scheme = {
            "http": _GuardedHTTPConnectionPool,
            "https": _GuardedHTTPSConnectionPool,
        }

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        raise OutboundRefused("Roost does not send these requests through a proxy.", kind="proxy")


def guarded_requests_session() -> requests.Session:
    """A requests.Session (for Mastodon.py) whose every connection, redirects included, goes
    through the guard; the environment's proxies and .netrc are ignored."""
    session = requests.Session()
    session.trust_env = False
    adapter = GuardedAdapter()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


# --- aiohttp (the Sandbox's async client) -------------------------------------------------


class GuardedResolver(AbstractResolver):
    """aiohttp's default resolver, refusing names that resolve to a refused address."""

    def __init__(self, inner: AbstractResolver | None = None) -> None:
        self._inner = inner or DefaultResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        name = _normal_host(host)
        if name is None:
            raise _invalid(host)
        allow = allow_list()
        check_host(name, port, allow)
        results = await self._inner.resolve(host, port, family)
        for result in results:
            check_address(name, port, result["host"], allow)
        return results

    async def close(self) -> None:
        await self._inner.close()


def _literal_refusal(allow: AllowList, host: str, port: int) -> OutboundRefused | None:
    """The refusal when this URL host is a refused literal address; None otherwise (names
    are checked when they are resolved, on connect)."""
    if not host or _literal_passes(allow, host, port):
        return None  # no host at all: the HTTP library refuses the URL itself
    name = _normal_host(host)
    try:
        if name is None:
            raise _invalid(host)
        check_host(name, port, allow)
    except OutboundRefused as exc:
        return exc
    return None


@functools.lru_cache(maxsize=1024)
def _literal_passes(allow: AllowList, host: str, port: int) -> bool:
    """Is this URL host a name, an allowed or a public address? Cached per allow-list: the
    publisher's hot path asks on every request."""
    name = _normal_host(host)
    try:
        if name is None:
            return False
        if _literal(name) is not None:
            check_host(name, port, allow)
    except OutboundRefused:
        return False
    return True


async def _guard_literal_hosts(
    request: aiohttp.ClientRequest, handler: ClientHandlerType
) -> aiohttp.ClientResponse:
    """aiohttp connects to a literal address without asking the resolver: check it here
    (every request, redirects included)."""
    url = request.url
    refused = _literal_refusal(allow_list(), url.raw_host or "", url.port or 0)
    if refused is not None:
        raise aiohttp.ClientConnectionError(str(refused)) from refused
    return await handler(request)


def guarded_aiohttp_session(
    *, limit: int = 100, keepalive_timeout: float = 15.0, **kwargs: Any
) -> aiohttp.ClientSession:
    """An aiohttp.ClientSession whose connections go through the guard (call it inside the
    event loop); environment proxies are ignored. Takes ClientSession's arguments."""
    for forbidden in ("connector", "trust_env", "middlewares"):
        if forbidden in kwargs:
            raise ValueError(f"the guarded session sets {forbidden} itself")
    connector = aiohttp.TCPConnector(
        resolver=GuardedResolver(), limit=limit, keepalive_timeout=keepalive_timeout
    )
    return aiohttp.ClientSession(
        connector=connector, trust_env=False, middlewares=(_guard_literal_hosts,), **kwargs
    )
