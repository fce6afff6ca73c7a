"""The one guard for every request to a URL that a person or a network supplied.

Webhooks, Bluesky PDS addresses, Mastodon instances and the Sandbox all go through it. It
refuses loopback, private, link-local, shared (CGNAT), multicast, unspecified and reserved
addresses in every spelling, twice:

- when a URL is entered (`validate_url`), so the person gets a clear message at once;
- when a connection is opened, on the address actually connected to: the clients (clients.py)
  resolve the name once, check every address, and connect to a checked address (TLS still
  verifies the host name). A name that resolves elsewhere later (DNS rebinding) or a
  redirect to a refused address fails there.

The operator's allow-list (`ROOST_ALLOW_PRIVATE_HOSTS`: host names, addresses, host:port,
networks such as 10.0.0.0/8) exempts internal hosts, which may then also use plain http.
The Sandbox's own address (`ROOST_SANDBOX_URL`) is always on it. Environment proxies are
never used. See docs/security.md.

Pure infrastructure: reads settings (or the environment without Django), imports no app.
"""

from roost.core.outbound.addresses import address_kind
from roost.core.outbound.allowlist import AllowList, allow_list, parse_allow_list
from roost.core.outbound.clients import (
    GuardedAdapter,
    GuardedBackend,
    GuardedResolver,
    GuardedTransport,
    guarded_aiohttp_session,
    guarded_httpx_client,
    guarded_requests_session,
    guarded_transport,
)
from roost.core.outbound.errors import OutboundRefused, refusal
from roost.core.outbound.policy import (
    check_address,
    check_host,
    checked_addresses,
    plain_http_allowed,
    validate_url,
)

__all__ = [
    "AllowList",
    "GuardedAdapter",
    "GuardedBackend",
    "GuardedResolver",
    "GuardedTransport",
    "OutboundRefused",
    "address_kind",
    "allow_list",
    "check_address",
    "check_host",
    "checked_addresses",
    "guarded_aiohttp_session",
    "guarded_httpx_client",
    "guarded_requests_session",
    "guarded_transport",
    "parse_allow_list",
    "plain_http_allowed",
    "refusal",
    "validate_url",
]
