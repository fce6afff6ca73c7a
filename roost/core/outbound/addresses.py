"""Hosts and addresses: how a host is written, what an address is, which ones are public."""

from __future__ import annotations

import ipaddress
import re
import socket

from roost.core.outbound.errors import OutboundRefused, _

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

DEFAULT_PORTS = {"http": 80, "https": 443}

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


def invalid(url: str) -> OutboundRefused:
    """The refusal of something that is not a web address at all."""
    return OutboundRefused(
        _("“%(url)s” is not a web address.") % {"url": url}, kind="invalid address"
    )


def normal_host(host: str) -> str | None:
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


def literal_address(host: str) -> Address | None:
    """The address a host spells, in any form a resolver accepts; None for a name."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if _NUMERIC_HOST.fullmatch(host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            raise invalid(host) from None
    return None


def is_local_name(host: str) -> bool:
    """Is this (normalised) name one that never means a public host?"""
    return host in _LOCAL_NAMES or host.endswith(_LOCAL_SUFFIXES)
