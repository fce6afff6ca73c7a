"""Raw HTTP to a Sandbox server over httpx. Every failure becomes a `SandboxError`."""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote

import httpx

# Explicit timeouts; `pool` is generous because hundreds of threads may share one pool.
TIMEOUT = httpx.Timeout(connect=5.0, read=30.0, write=30.0, pool=30.0)
# Enough keep-alive connections for ~256 concurrent publishes without reconnecting.
LIMITS = httpx.Limits(max_connections=512, max_keepalive_connections=256, keepalive_expiry=30.0)

_clients: dict[str, httpx.Client] = {}
_clients_lock = threading.Lock()


def shared_client(base_url: str) -> httpx.Client:
    """The one pooled client for this base URL (httpx.Client is thread-safe)."""
    with _clients_lock:
        client = _clients.get(base_url)
        if client is None:
            # trust_env=False: a proxy from the environment must not capture a local service.
            client = httpx.Client(
                timeout=TIMEOUT, limits=LIMITS, trust_env=False, headers={"User-Agent": "Roost"}
            )
            _clients[base_url] = client
        return client


def forget(base_url: str) -> None:
    """Close and drop the shared client of a base URL (a test server that has stopped)."""
    with _clients_lock:
        client = _clients.pop(base_url.rstrip("/"), None)
    if client is not None:
        client.close()


class SandboxError(Exception):
    """A call that failed. `status` is the HTTP status, or 0 when no usable answer came."""

    def __init__(self, status: int, message: str, retry_after: float | None = None) -> None:
        super().__init__(f"{status}: {message}" if status else message)
        self.status = status
        self.message = message
        self.retry_after = retry_after


@dataclass(frozen=True)
class RemotePost:
    id: str
    url: str
    idempotency_key: str = ""


@dataclass(frozen=True)
class RemoteAccount:
    id: str
    handle: str
    name: str = ""
    token: str = ""


@dataclass(frozen=True)
class UploadImage:
    data: bytes
    mime_type: str
    alt: str = ""


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError, IndexError):
        return None


class SandboxClient:
    """The Sandbox API for one token."""

    def __init__(self, base_url: str, token: str = "", *, timeout: float | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self._token = token
        self._timeout = httpx.Timeout(timeout, connect=min(timeout, 5.0)) if timeout else TIMEOUT
        self._http = shared_client(self.base_url)

    def _request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: list[tuple[str, str | int | float | bool | None]] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """Send one request; the decoded JSON answer, None for 204, or SandboxError."""
        all_headers = dict(headers or {})
        if self._token:
            all_headers["Authorization"] = f"Bearer {self._token}"
        try:
            response = self._http.request(
                method,
                self.base_url + path,
                json=json,
                params=params,
                headers=all_headers,
                timeout=self._timeout,
            )
        except httpx.TimeoutException as exc:
            raise SandboxError(0, f"no answer in time ({type(exc).__name__})") from exc
        except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError) as exc:
            raise SandboxError(0, f"could not reach {self.base_url} ({exc})") from exc
        if response.status_code >= 400:
            raise SandboxError(
                response.status_code,
                _error_message(response),
                parse_retry_after(response.headers.get("Retry-After")),
            )
        if response.status_code == 204:
            return None
        try:
            return response.json()
        except ValueError as exc:
            raise SandboxError(0, f"an unreadable answer (HTTP {response.status_code})") from exc

    def create_account(self, name: str) -> RemoteAccount:
        """A new account on the Sandbox (no token needed)."""
        data = self._request("POST", "/api/accounts", json={"name": name})
        return _shape(
            lambda: RemoteAccount(
                id=str(data["id"]), handle=str(data["handle"]), name=name, token=str(data["token"])
            )
        )

    def me(self) -> RemoteAccount:
        """The token's account."""
        data = self._request("GET", "/api/me")
        return _shape(
            lambda: RemoteAccount(
                id=str(data["id"]), handle=str(data["handle"]), name=str(data["name"])
            )
        )

    def create_post(
        self,
        *,
        idempotency_key: str,
        text: str,
        reply_to: str | None = None,
        media: Sequence[UploadImage] = (),
        language: str | None = None,
    ) -> RemotePost:
        """Publish one post."""
        body = {
            "text": text,
            "reply_to": reply_to,
            "language": language,
            "media": [
                {
                    "alt": image.alt,
                    "mime_type": image.mime_type,
                    "data_b64": base64.b64encode(image.data).decode("ascii"),
                }
                for image in media
            ],
        }
        data = self._request(
            "POST", "/api/posts", json=body, headers={"Idempotency-Key": idempotency_key}
        )
        return _shape(lambda: _remote_post(data))

    def posts_by_keys(self, keys: Sequence[str]) -> list[RemotePost]:
        """The token's live posts made with any of these idempotency keys, oldest first."""
        data = self._request("GET", "/api/posts", params=[("idempotency_key", key) for key in keys])
        return _shape(lambda: [_remote_post(item) for item in data["posts"]])

    def delete_post(self, post_id: str) -> None:
        """Delete one of the token's posts."""
        self._request("DELETE", f"/api/posts/{quote(post_id, safe='')}")

    def metrics(self, post_id: str) -> dict[str, int]:
        """A post's counters."""
        data = self._request("GET", f"/api/posts/{quote(post_id, safe='')}/metrics")
        names = ("likes", "reposts", "replies", "quotes")
        return _shape(lambda: {name: int(data[name]) for name in names})


def _remote_post(item: Any) -> RemotePost:
    return RemotePost(
        id=str(item["id"]),
        url=str(item["url"]),
        idempotency_key=str(item.get("idempotency_key", "")),
    )


def _shape[T](build: Callable[[], T]) -> T:
    """Build a typed value from an answer; a malformed answer is a SandboxError like any."""
    try:
        value = build()
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise SandboxError(0, f"an answer of an unexpected shape ({exc!r})") from exc
    return value


def _error_message(response: httpx.Response) -> str:
    """The server's own words for an error, or the status text."""
    try:
        data = response.json()
    except ValueError:
        data = None
    if isinstance(data, dict) and isinstance(data.get("error"), str):
        return data["error"]
    return response.text.strip()[:200] or response.reason_phrase or f"HTTP {response.status_code}"
