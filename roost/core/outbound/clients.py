"""HTTP clients whose every connection goes through the guard: httpx (Bluesky, webhooks,
the Sandbox), requests (Mastodon.py) and aiohttp (the publisher's Sandbox calls)."""

from __future__ import annotations

import socket
from collections.abc import Iterable
from typing import Any

import aiohttp
import httpcore
import httpx
import requests
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.client_middlewares import ClientHandlerType
from aiohttp.resolver import DefaultResolver
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError
from urllib3.util.connection import create_connection

from roost.core.outbound.addresses import DEFAULT_PORTS, invalid, normal_host
from roost.core.outbound.allowlist import allow_list
from roost.core.outbound.errors import OutboundRefused
from roost.core.outbound.policy import (
    check_address,
    check_host,
    checked_addresses,
    https_required,
    literal_refusal,
    plain_http_allowed,
)

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
        refused = literal_refusal(allow, url.host, port)
        if (
            refused is None
            and self._require_https
            and url.scheme != "https"
            and not plain_http_allowed(normal_host(url.host) or "", port, allow)
        ):
            refused = https_required()
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
        name = normal_host(host)
        if name is None:
            raise invalid(host)
        allow = allow_list()
        check_host(name, port, allow)
        results = await self._inner.resolve(host, port, family)
        for result in results:
            check_address(name, port, result["host"], allow)
        return results

    async def close(self) -> None:
        await self._inner.close()


async def _guard_literal_hosts(
    request: aiohttp.ClientRequest, handler: ClientHandlerType
) -> aiohttp.ClientResponse:
    """aiohttp connects to a literal address without asking the resolver: check it here
    (every request, redirects included)."""
    url = request.url
    refused = literal_refusal(allow_list(), url.raw_host or "", url.port or 0)
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
