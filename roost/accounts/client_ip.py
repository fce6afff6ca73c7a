"""The client's IP address, the one place that decides it (login throttling, reset limits).

Behind reverse proxies REMOTE_ADDR is the nearest proxy, and X-Forwarded-For is a list
anyone can start: each proxy appends the address it was reached from, so only the last
ROOST_TRUSTED_PROXY_COUNT entries were written by proxies you run. With N trusted proxies
the client is the N-th address from the right; everything left of it is the client's own
claim and is ignored. With 0 (the default) the header is ignored altogether.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    remote = request.META.get("REMOTE_ADDR", "") or ""
    count = int(getattr(settings, "ROOST_TRUSTED_PROXY_COUNT", 0))
    if count <= 0:
        return remote
    header = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop.strip() for hop in header.split(",") if hop.strip()]
    if len(hops) < count:
        # Fewer hops than proxies: the request did not come through all of them.
        return remote
    return _parse_ip(hops[-count]) or remote


def _parse_ip(value: str) -> str | None:
    """An address as proxies write it: `1.2.3.4`, `1.2.3.4:5678`, `2001:db8::1`,
    `[2001:db8::1]:443`; None for anything else."""
    candidates = [value]
    if value.startswith("[") and "]" in value:
        candidates.append(value[1 : value.index("]")])
    elif value.count(":") == 1:
        candidates.append(value.split(":", 1)[0])
    for candidate in candidates:
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            continue
    return None
