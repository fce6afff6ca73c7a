"""The operator's allow-list (ROOST_ALLOW_PRIVATE_HOSTS) plus the Sandbox's own address."""

from __future__ import annotations

import ipaddress
import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

from roost.core.outbound.addresses import (
    DEFAULT_PORTS,
    Address,
    Network,
    literal_address,
    normal_host,
)

logger = logging.getLogger(__name__)

DEFAULT_SANDBOX_URL = "http://127.0.0.1:8025"


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
        name = normal_host(host)
        if name is None or literal_address(name) is not None:
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
