"""Inbox fixtures: the real Sandbox (from publishing's fixtures), inbound items, and a
local HTTP receiver that checks webhook signatures."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from roost.channels.models import Channel
from roost.inbox.models import Message
from roost.inbox.services.ingest import ingest
from roost.networks.base import Inbound, InboundKind, InboxPage
from roost.publishing.tests.conftest import channels, sandbox  # noqa: F401 - fixtures

T0 = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)


def put(channel: Channel, rid: str, text: str = "hello", **kw: Any) -> Message:
    """Store one inbound item through ingestion and return its message."""
    fields: dict[str, Any] = {
        "remote_id": rid,
        "kind": InboundKind.MENTION,
        "text": text,
        "created_at": T0,
        "author_id": "u-anna",
        "author_handle": "anna.sandbox",
        "author_name": "Anna Nowak",
    }
    fields.update(kw)
    ingest(channel, InboxPage(items=(Inbound(**fields),)))
    return Message.objects.get(channel=channel, remote_id=rid)


@dataclass
class Received:
    event: str
    payload: dict[str, Any]
    verified: bool


@dataclass
class Receiver:
    """A webhook receiver on 127.0.0.1 answering `status` after `delay` seconds."""

    secret: str = ""
    status: int = 200
    delay: float = 0.0
    got: list[Received] = field(default_factory=list)
    url: str = ""


@pytest.fixture
def receiver(settings: Any) -> Iterator[Any]:
    servers: list[ThreadingHTTPServer] = []

    def start(secret: str = "", status: int = 200, delay: float = 0.0) -> Receiver:
        state = Receiver(secret=secret, status=status, delay=delay)

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                stamp = self.headers["X-Roost-Timestamp"]
                expected = hmac.new(
                    state.secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256
                ).hexdigest()
                verified = hmac.compare_digest(
                    self.headers["X-Roost-Signature"], "sha256=" + expected
                )
                state.got.append(
                    Received(self.headers["X-Roost-Event"], json.loads(body), verified)
                )
                time.sleep(state.delay)
                self.send_response(state.status if verified else 401)
                self.end_headers()
                self.wfile.write(b"ok" if state.status < 300 else b"boom")

            def log_message(self, *args: Any) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        servers.append(server)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        state.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
        # Allow-listed, as an internal CRM would be (ROOST_ALLOW_PRIVATE_HOSTS).
        allowed = settings.ROOST_ALLOW_PRIVATE_HOSTS
        settings.ROOST_ALLOW_PRIVATE_HOSTS = [*allowed, f"127.0.0.1:{server.server_address[1]}"]
        return state

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()
