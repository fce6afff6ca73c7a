"""Replay recorded HTTP exchanges to Mastodon.py through a requests adapter.

The adapter is mounted on the `requests.Session` handed to Mastodon.py, so the SDK's own
request code runs (headers, form encoding, multipart uploads, status handling) and only the
socket is replaced. Exchanges are answered strictly in order; a request that does not match
the next recorded one fails the test, and so does one left unanswered (see `check`).
"""

from __future__ import annotations

import json
from collections import deque
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

EXCHANGES = Path(__file__).parent / "exchanges"


@dataclass(frozen=True)
class Exchange:
    """One recorded request (method and URL) and the response, or the error, it got."""

    method: str
    url: str
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    error: str = ""  # "read_timeout" or "connection": raised instead of a response


def load(name: str) -> list[Exchange]:
    """The exchanges recorded in exchanges/<name>.json; "<name>:1" or "<name>:1-2" picks
    some of them (0-based, inclusive), to interleave recordings."""
    name, _, picked = name.partition(":")
    data = json.loads((EXCHANGES / f"{name}.json").read_text())
    exchanges = [_exchange(item) for item in data["exchanges"]]
    if not picked:
        return exchanges
    first, _, last = picked.partition("-")
    return exchanges[int(first) : int(last or first) + 1]


def _exchange(item: dict[str, Any]) -> Exchange:
    request = item["request"]
    response = item.get("response", {})
    if "json" in response:
        body = json.dumps(response["json"]).encode()
    else:
        body = response.get("text", "").encode()
    return Exchange(
        method=request["method"],
        url=request["url"],
        status=response.get("status", 200),
        headers=response.get("headers", {}),
        body=body,
        error=item.get("error", ""),
    )


class Replay(BaseAdapter):
    """A transport adapter that answers with recorded exchanges and keeps what was sent."""

    def __init__(self, *exchanges: Exchange) -> None:
        super().__init__()
        self.pending: deque[Exchange] = deque(exchanges)
        self.sent: list[requests.PreparedRequest] = []
        self.timeouts: list[Any] = []
        self.problems: list[str] = []

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: Any = True,
        cert: Any = None,
        proxies: Any = None,
    ) -> requests.Response:
        self.sent.append(request)
        self.timeouts.append(timeout)
        exchange = self.pending.popleft() if self.pending else None
        if exchange is None or (request.method, request.url) != (exchange.method, exchange.url):
            # Mastodon.py turns any exception here into MastodonNetworkError, so the test
            # would only see RETRYABLE: keep the mismatch for `check()` to report.
            recorded = f"{exchange.method} {exchange.url}" if exchange else "nothing"
            self.problems.append(f"sent {request.method} {request.url}, recorded {recorded}")
            raise AssertionError(self.problems[-1])
        if exchange.error == "read_timeout":
            raise requests.ReadTimeout(f"Read timed out. (read timeout={timeout})")
        if exchange.error == "connection":
            host = urlsplit(request.url or "").hostname
            raise requests.ConnectionError(f"Failed to resolve '{host}'")
        response = requests.Response()
        response.status_code = exchange.status
        response.reason = HTTPStatus(exchange.status).phrase
        response.headers = CaseInsensitiveDict(exchange.headers)
        response._content = exchange.body
        response.encoding = "utf-8"
        response.url = request.url or exchange.url
        response.request = request
        return response

    def close(self) -> None:
        pass

    def check(self) -> None:
        """Fail unless every request matched a recording and every recording was used."""
        assert not self.problems, self.problems
        left = [f"{e.method} {e.url}" for e in self.pending]
        assert not left, f"recorded but never requested: {left}"


def session(replay: Replay) -> requests.Session:
    """A Session whose every request goes to `replay`."""
    http = requests.Session()
    http.trust_env = False  # no proxies or .netrc from the environment
    http.mount("https://", replay)
    http.mount("http://", replay)
    return http


def form(request: requests.PreparedRequest) -> dict[str, list[str]]:
    """The fields of a form-encoded request body."""
    body = request.body or ""
    text = body.decode() if isinstance(body, bytes) else body
    assert isinstance(text, str)
    return parse_qs(text, keep_blank_values=True)


def query(request: requests.PreparedRequest) -> dict[str, list[str]]:
    """The query parameters of a request URL."""
    return parse_qs(urlsplit(request.url or "").query, keep_blank_values=True)


def multipart(request: requests.PreparedRequest) -> dict[str, tuple[str | None, str, bytes]]:
    """The parts of a multipart body: name -> (file name, content type, bytes)."""
    body = request.body
    assert isinstance(body, bytes)
    content_type = request.headers["Content-Type"]
    assert isinstance(content_type, str)
    head = f"Content-Type: {content_type}\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + body)
    parts: dict[str, tuple[str | None, str, bytes]] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        assert isinstance(name, str) and isinstance(payload, bytes)
        parts[name] = (part.get_filename(), part.get_content_type(), payload)
    return parts
