"""The checks: a host before any lookup, every address a name resolves to, a whole URL."""

from __future__ import annotations

import functools
import ipaddress
import socket
from urllib.parse import urlsplit

from roost.core.outbound.addresses import (
    DEFAULT_PORTS,
    Address,
    address_kind,
    invalid,
    is_local_name,
    literal_address,
    normal_host,
)
from roost.core.outbound.allowlist import AllowList, allow_list
from roost.core.outbound.errors import OutboundRefused, _


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
    literal = literal_address(host)
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


def check_host(host: str, port: int, allow: AllowList | None = None) -> None:
    """Refuse a host before any lookup: a literal address that is not public, a local name.
    `host` is normalised (see normal_host)."""
    allow = allow or allow_list()
    if allow.allows_name(host, port):
        return
    literal = literal_address(host)
    if literal is not None:
        kind = address_kind(literal)
        if kind is not None and not allow.allows_address(literal, port):
            raise _refused_address(host, literal, kind)
    elif is_local_name(host):
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
    name = normal_host(host)
    if name is None:
        raise invalid(host)
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
    literal = literal_address(host)
    return literal is not None and allow.allows_address(literal, port)


def https_required() -> OutboundRefused:
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
        raise invalid(text) from None
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
    host = normal_host(parts.hostname or "")
    if host is None:
        raise invalid(text)
    port = port or DEFAULT_PORTS[scheme]
    allow = allow_list()
    check_host(host, port, allow)
    if scheme == "http" and require_https and not plain_http_allowed(host, port, allow):
        raise https_required()
    if resolve and literal_address(host) is None and not allow.allows_name(host, port):
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError:
            return text
        for address in dict.fromkeys(str(info[4][0]) for info in infos):
            check_address(host, port, address, allow)
    return text


def literal_refusal(allow: AllowList, host: str, port: int) -> OutboundRefused | None:
    """The refusal when this URL host is a refused literal address; None otherwise (names
    are checked when they are resolved, on connect)."""
    if not host or _literal_passes(allow, host, port):
        return None  # no host at all: the HTTP library refuses the URL itself
    name = normal_host(host)
    try:
        if name is None:
            raise invalid(host)
        check_host(name, port, allow)
    except OutboundRefused as exc:
        return exc
    return None


@functools.lru_cache(maxsize=1024)
def _literal_passes(allow: AllowList, host: str, port: int) -> bool:
    """Is this URL host a name, an allowed or a public address? Cached per allow-list: the
    publisher's hot path asks on every request."""
    name = normal_host(host)
    try:
        if name is None:
            return False
        if literal_address(name) is not None:
            check_host(name, port, allow)
    except OutboundRefused:
        return False
    return True
