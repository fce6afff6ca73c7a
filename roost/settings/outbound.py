"""Outbound requests: which private or local hosts Roost may reach (docs/security.md)."""

from typing import Any, cast

from roost.settings.base import LOGGING
from roost.settings.env import env_list

# Roost never sends requests to loopback, private, link-local and other non-public
# addresses (roost/core/outbound/), except to these: host names, IP addresses, host:port
# or networks such as 10.0.0.0/8, comma-separated. Plain http is allowed only for them.
# The Sandbox's own address (ROOST_SANDBOX_URL) is always allowed.
ROOST_ALLOW_PRIVATE_HOSTS = env_list("ROOST_ALLOW_PRIVATE_HOSTS", [])

# Request lines of httpx (INFO) and urllib3 (DEBUG) name URLs, which may carry credentials
# in the user name or the query (webhook URLs): log them without either.
_logging = cast(dict[str, Any], LOGGING)
_logging.setdefault("filters", {})["redact_urls"] = {"()": "roost.core.redact.RedactUrls"}
for _name in ("httpx", "urllib3.connectionpool"):
    _logging["loggers"].setdefault(_name, {}).setdefault("filters", []).append("redact_urls")
