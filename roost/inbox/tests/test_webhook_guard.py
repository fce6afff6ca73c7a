"""Outgoing webhooks and the outbound guard: local and private addresses are refused when an
endpoint is added and when a delivery is sent; the delivery log keeps the status code and
an error class, never what someone else's server answered."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from roost.conftest import World
from roost.core.exceptions import ValidationFailed
from roost.inbox.models import WebhookDelivery, WebhookEndpoint
from roost.inbox.services import config, webhooks

URL = "/w/alpha/inbox/"
HINT = "The server's operator can allow it in ROOST_ALLOW_PRIVATE_HOSTS."
INTERNAL = "<html><title>Internal admin</title>secret-internal-detail</html>"


def refused(problem: str) -> str:
    return f"Roost does not send requests to private or local addresses ({problem}). {HINT}"


@pytest.fixture
def internal_service() -> Iterator[tuple[int, list[str]]]:
    """Something listening on 127.0.0.1 that webhooks must not reach: (port, paths hit)."""
    paths: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            paths.append(self.path)
            body = INTERNAL.encode()
            self.send_response(403)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True).start()
    yield server.server_address[1], paths
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(
    ("address", "problem"),
    [
        ("http://127.0.0.1:{port}/hook", "127.0.0.1 is a loopback address"),
        ("http://[::1]:{port}/hook", "::1 is a loopback address"),
        ("http://localhost:{port}/api/inbox", "localhost is a local name"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address"),
        ("http://127.1:{port}/", ""),  # Django's URLField already refuses this spelling
        ("https://[::ffff:10.0.0.1]/", "::ffff:10.0.0.1 is a private address"),
    ],
)
def test_adding_a_webhook_to_a_local_address_is_a_form_error(
    world: World, internal_service: tuple[int, list[str]], address: str, problem: str
) -> None:
    port, paths = internal_service
    response = world.client_for("owner").post(
        f"{URL}settings/webhooks/", {"name": "Probe", "url": address.format(port=port)}
    )
    assert response.status_code == 422
    page = response.content.decode()
    expected = refused(problem) if problem else "Enter a valid URL."
    assert expected.replace("'", "&#x27;") in page
    assert "whsec_" not in page
    assert not WebhookEndpoint.objects.filter(name="Probe").exists()
    assert paths == []


def test_a_name_that_resolves_to_a_private_address_is_refused_when_added(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    def getaddrinfo(host: str, port: int, *args: Any, **kwargs: Any) -> list[Any]:
        assert host == "crm.example.com"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.20.30.40", port))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    problem = "crm.example.com resolves to 10.20.30.40, a private address"
    response = world.client_for("owner").post(
        f"{URL}settings/webhooks/", {"name": "CRM", "url": "https://crm.example.com/hook"}
    )
    assert response.status_code == 422
    assert refused(problem).replace("'", "&#x27;") in response.content.decode()
    with pytest.raises(ValidationFailed) as error:
        config.endpoint_create(
            actor=world.members["owner"],
            name="CRM",
            url="https://crm.example.com/hook",
            task_kinds=[],
        )
    assert error.value.errors == {"url": [refused(problem)]}
    assert not WebhookEndpoint.objects.filter(name="CRM").exists()


def test_the_allow_list_lets_an_internal_crm_in(world: World, settings: Any) -> None:
    settings.ROOST_ALLOW_PRIVATE_HOSTS = ["10.0.0.0/8"]
    endpoint, _secret = config.endpoint_create(
        actor=world.members["owner"], name="CRM", url="http://10.1.2.3/hook", task_kinds=[]
    )
    assert endpoint.url == "http://10.1.2.3/hook"


def _pending(world: World, url: str) -> WebhookDelivery:
    """A delivery to `url` stored directly: an endpoint saved before the guard existed, or
    a name whose address changed since."""
    endpoint = WebhookEndpoint.objects.create(
        workspace=world.a, name="Old CRM", url=url, secret="whsec_old", active=True
    )
    return WebhookDelivery.objects.create(
        endpoint=endpoint, event="task.created", payload={"event": "task.created"}
    )


def test_a_delivery_to_a_refused_address_fails_with_the_error_class_only(
    world: World, internal_service: tuple[int, list[str]]
) -> None:
    port, paths = internal_service
    delivery = _pending(world, f"http://127.0.0.1:{port}/admin/")
    assert webhooks.send_due() == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code, delivery.last_error) == (
        "failed",
        1,
        None,
        "Refused: loopback address",
    )
    assert paths == []

    # Replay goes through the same guard.
    client = world.client_for("owner")
    assert client.post(f"{URL}settings/deliveries/{delivery.pk}/replay/").status_code == 302
    assert webhooks.send_due() == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == (
        "failed",
        2,
        "Refused: loopback address",
    )
    assert paths == []
    page = client.get(f"{URL}settings/").content.decode()
    assert "<td>Refused: loopback address</td>" in page


def test_a_name_resolving_to_loopback_at_send_time_is_refused(
    world: World, internal_service: tuple[int, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    port, paths = internal_service
    real = socket.getaddrinfo

    def getaddrinfo(host: str, *args: Any, **kwargs: Any) -> list[Any]:
        return real("127.0.0.1" if host == "hooks.example.com" else host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    delivery = _pending(world, f"http://hooks.example.com:{port}/in")
    webhooks.send_due()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.last_error) == ("failed", "Refused: loopback address")
    assert paths == []


def test_an_error_answer_is_logged_as_its_status_not_its_body(
    world: World, internal_service: tuple[int, list[str]], settings: Any
) -> None:
    port, paths = internal_service
    settings.ROOST_ALLOW_PRIVATE_HOSTS = [f"127.0.0.1:{port}"]  # an allowed internal CRM
    delivery = _pending(world, f"http://127.0.0.1:{port}/hook")
    webhooks.send_due()
    delivery.refresh_from_db()
    assert paths == ["/hook"]
    assert (delivery.status, delivery.response_code, delivery.last_error) == (
        "pending",
        403,
        "HTTP 403",
    )
    page = world.client_for("owner").get(f"{URL}settings/").content.decode()
    assert "secret-internal-detail" not in page and "Internal admin" not in page


def test_a_connection_error_is_logged_as_its_class_not_its_text(
    world: World, settings: Any
) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.ROOST_ALLOW_PRIVATE_HOSTS = [f"127.0.0.1:{port}"]
    delivery = _pending(world, f"http://127.0.0.1:{port}/hook")
    webhooks.send_due()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.response_code, delivery.last_error) == (
        "pending",
        None,
        "ConnectError",
    )
