"""Mastodon.py objects for one instance, instance addresses, and the instance's limits."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import requests
from django.utils.translation import gettext
from mastodon import (
    Mastodon,
    MastodonAPIError,
    MastodonServerError,
    MastodonUnauthorizedError,
)

from roost.core import outbound

# Seconds Mastodon.py waits for the server to connect or send the next bytes (its default is 300).
TIMEOUT = 30.0
SCOPES = ("read", "write")
APP_NAME = "Roost"
USER_AGENT = "Roost (self-hosted social media management)"

# Declaring a version keeps Mastodon.py from fetching /api/v1/instance and /api/v2/instance
# before the first media upload of every client object (two extra requests per delivery).
# Every endpoint used here exists since Mastodon 3.1.4 (/api/v2/media); the instance's own
# version is not needed.
ASSUMED_VERSION = "4.0.0"

MEBIBYTE = 1024 * 1024
DEFAULT_IMAGE_TYPES = (
    "image/jpeg",
    "image/png",
    "image/gif",
    "image/heic",
    "image/heif",
    "image/webp",
    "image/avif",
)
DEFAULT_LIMITS: dict[str, Any] = {
    "max_characters": 500,
    "max_media_attachments": 4,
    "image_size_limit": 16 * MEBIBYTE,
    "supported_mime_types": list(DEFAULT_IMAGE_TYPES),
    "characters_reserved_per_url": 23,
    "description_limit": 1500,
}

# A secret or id from a server is only ever a token: no spaces, no control characters.
_TOKEN = re.compile(r"[\x21-\x7e]{1,512}")
_HOST_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")


class InstanceUrlError(ValueError):
    """An instance address Roost cannot use; the message is for people."""


def normalize_instance_url(raw: str) -> str:
    """Return "https://host[:port]" for what a person typed as their instance, or raise.
    (Plain "http://" only for a host on the operator's allow-list, typed with http://.)"""
    text = (raw or "").strip()
    if not text:
        raise InstanceUrlError(gettext("Enter the address of your Mastodon server."))
    # "@alice@mastodon.social" or "alice@mastodon.social": the part after the last @.
    if "://" not in text and "@" in text:
        text = text.rsplit("@", 1)[1]
    if "://" not in text:
        text = "https://" + text
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise InstanceUrlError(
            gettext("“%(address)s” is not a web address.") % {"address": raw.strip()}
        ) from None
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http"):
        raise InstanceUrlError(_https_only())
    if parts.username or parts.password:
        raise InstanceUrlError(
            gettext("Leave the user name and password out of the server address.")
        )
    host = _ascii_host(parts.hostname or "")
    if host is None:
        raise InstanceUrlError(
            gettext("“%(address)s” is not a web address.") % {"address": raw.strip()}
        )
    # A pasted profile or post link ("https://mastodon.social/@alice") names the same server.
    netloc = f"[{host}]" if ":" in host else host
    default = 443 if scheme == "https" else 80
    url = f"{scheme}://{netloc}" + (f":{port}" if port and port != default else "")
    # Public servers only (checked again on every connection), over https unless the
    # operator allows the host (a local Mastodon-compatible server).
    try:
        outbound.validate_url(url, require_https=True)
    except outbound.OutboundRefused as exc:
        raise InstanceUrlError(
            _https_only() if exc.kind == "https required" else str(exc)
        ) from None
    return url


def host_of(instance_url: str) -> str:
    """The host (and port) of an instance URL, for messages: "mastodon.social"."""
    return urlsplit(instance_url).netloc or instance_url


def is_token(value: object) -> bool:
    """Whether a value from a server looks like an OAuth id, secret or token."""
    return isinstance(value, str) and _TOKEN.fullmatch(value) is not None


def _ascii_host(host: str) -> str | None:
    host = host.strip().rstrip(".").lower()
    if not host:
        return None
    try:
        ipaddress.ip_address(host)
        return host
    except ValueError:
        pass
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    labels = host.split(".")
    if len(labels) < 2 and host != "localhost":
        return None
    if not all(_HOST_LABEL.fullmatch(label) for label in labels):
        return None
    return host


def _https_only() -> str:
    return gettext("Roost connects to Mastodon servers over https:// only.")


class Client:
    """A Mastodon.py `Mastodon` object for one instance, and the last HTTP response it got."""

    def __init__(
        self,
        instance_url: str,
        *,
        access_token: str = "",
        client_id: str = "",
        client_secret: str = "",
        session: requests.Session | None = None,
    ) -> None:
        self.instance_url = instance_url
        self.host = host_of(instance_url)
        # Every request, OAuth and media uploads included, goes through Roost's outbound
        # guard; tests pass a session that replays recorded exchanges.
        self.session = session if session is not None else outbound.guarded_requests_session()
        self.last_response: requests.Response | None = None
        self.session.hooks["response"].append(self._remember)
        self.api = Mastodon(
            api_base_url=instance_url,
            session=self.session,
            request_timeout=TIMEOUT,
            # Raise on 429 so the connector decides; "wait" would sleep inside a worker.
            ratelimit_method="throw",
            mastodon_version=ASSUMED_VERSION,
            version_check_mode="created",
            user_agent=USER_AGENT,
        )
        # Set after construction on purpose: given to the constructor, a client id or token
        # that happens to name an existing file is read from that file and sent to the server.
        self.api.client_id = client_id or None
        self.api.client_secret = client_secret or None
        self.api.access_token = access_token or None

    def _remember(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        self.last_response = response

    def register_app(self, redirect_uri: str) -> tuple[str, str]:
        """Register Roost as an OAuth app on the instance; return (client_id, client_secret)."""
        self.last_response = None
        client_id, client_secret = Mastodon.create_app(
            APP_NAME,
            scopes=list(SCOPES),
            redirect_uris=redirect_uri,
            api_base_url=self.instance_url,
            request_timeout=TIMEOUT,
            session=self.session,
            user_agent=USER_AGENT,
        )
        return client_id, client_secret

    def read_instance(self) -> tuple[dict[str, Any], str]:
        """The instance's limits and its account domain, from /api/v2/instance or v1."""
        try:
            info: Mapping[str, Any] = self.api.instance_v2()
        except (MastodonServerError, MastodonUnauthorizedError):
            raise
        except MastodonAPIError:
            # Not found, or not JSON: a server older than Mastodon 4.0.
            info = self.api.instance_v1()
        domain = info.get("domain") or info.get("uri") or ""
        if not isinstance(domain, str) or "/" in domain or not domain:
            domain = self.host
        return limits_from_instance(info), domain.lower()


def limits_from_instance(info: Mapping[str, Any]) -> dict[str, Any]:
    """Roost's stored limits from an instance answer (v2 or v1 shape), with defaults."""
    configuration = _mapping(info.get("configuration"))
    statuses = _mapping(configuration.get("statuses"))
    media = _mapping(configuration.get("media_attachments"))
    return parse_limits(
        {
            "max_characters": statuses.get("max_characters") or info.get("max_toot_chars"),
            "max_media_attachments": statuses.get("max_media_attachments"),
            "image_size_limit": media.get("image_size_limit"),
            "supported_mime_types": media.get("supported_mime_types"),
            "characters_reserved_per_url": statuses.get("characters_reserved_per_url"),
            "description_limit": media.get("description_limit"),
        }
    )


def parse_limits(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Stored limits with every key present and sane; unknown or bad values become defaults."""
    limits: dict[str, Any] = {}
    for key in (
        "max_characters",
        "max_media_attachments",
        "image_size_limit",
        "characters_reserved_per_url",
        "description_limit",
    ):
        value = raw.get(key)
        ok = isinstance(value, int) and not isinstance(value, bool) and value > 0
        limits[key] = value if ok else DEFAULT_LIMITS[key]
    types = raw.get("supported_mime_types")
    images = (
        sorted({t for t in types if isinstance(t, str) and t.startswith("image/")})
        if isinstance(types, list | tuple)
        else []
    )
    limits["supported_mime_types"] = images or list(DEFAULT_IMAGE_TYPES)
    return limits


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}
