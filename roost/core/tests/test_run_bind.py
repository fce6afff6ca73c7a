"""`roost run --bind HOST:PORT`: e-mailed links follow the port (unless ROOST_BASE_URL
says otherwise), and the start-up says how to choose another port."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command

from roost.core.management.commands import run


class _Recorder:
    started: list[dict[str, str]] = []

    def __init__(self, children: list[Any], **_kwargs: Any) -> None:
        _Recorder.started = [dict(c.env) for c in children]

    def handle_signals(self) -> None:
        pass

    def run(self) -> None:
        pass


@pytest.fixture
def fake_run(monkeypatch: Any, settings: Any) -> Any:
    """`roost run` with its servers and setup commands recorded instead of started."""
    _Recorder.started = []
    monkeypatch.setattr(run, "Supervisor", _Recorder)
    monkeypatch.setattr(run, "call_command", lambda name, **kw: None)
    monkeypatch.setattr(run.Command, "_start_sandbox", lambda self, exe, env: None)
    for name in ("ROOST_DEBUG", "ROOST_BASE_URL", "ROOST_BIND"):
        monkeypatch.delenv(name, raising=False)
    settings.DEBUG = False
    settings.ROOST_BASE_URL = "http://127.0.0.1:8000"
    return settings


@pytest.mark.parametrize(
    ("bind", "url"),
    [
        ("127.0.0.1:8300", "http://127.0.0.1:8300"),
        ("localhost:9000", "http://localhost:9000"),
        ("0.0.0.0:8080", "http://127.0.0.1:8080"),
        ("[::1]:8300", "http://[::1]:8300"),
        ("[::]:8300", "http://[::1]:8300"),
        ("unix:/run/roost.sock", None),
        ("127.0.0.1", None),
    ],
)
def test_the_base_url_of_a_bind_address(bind: str, url: str | None) -> None:
    assert run.base_url_for(bind) == url


def test_links_follow_the_bound_port(fake_run: Any) -> None:
    out = io.StringIO()
    call_command("run", no_demo=True, bind="127.0.0.1:8300", stdout=out)
    assert [env["ROOST_BASE_URL"] for env in _Recorder.started] == ["http://127.0.0.1:8300"] * 2
    assert fake_run.ROOST_BASE_URL == "http://127.0.0.1:8300"  # this process (the demo) too
    assert "another port? roost run --bind 127.0.0.1:8300" in out.getvalue()
    assert "e-mailed links follow it (now http://127.0.0.1:8300)" in out.getvalue()


def test_an_explicit_base_url_wins(fake_run: Any, monkeypatch: Any) -> None:
    monkeypatch.setenv("ROOST_BASE_URL", "https://roost.example")
    call_command("run", no_demo=True, bind="127.0.0.1:8300", stdout=io.StringIO())
    assert [env["ROOST_BASE_URL"] for env in _Recorder.started] == ["https://roost.example"] * 2


def test_roost_bind_chooses_the_port_for_make_run(fake_run: Any, monkeypatch: Any) -> None:
    monkeypatch.setenv("ROOST_BIND", "127.0.0.1:8400")
    out = io.StringIO()
    # The default is read when the parser is built, as `make run` (no arguments) does.
    call_command("run", no_demo=True, stdout=out)
    assert "serving http://127.0.0.1:8400/" in out.getvalue()
    assert _Recorder.started[0]["ROOST_BASE_URL"] == "http://127.0.0.1:8400"


def test_an_invite_e_mail_links_to_the_bound_port(
    fake_run: Any, world: Any, mailoutbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from roost.workspaces import services

    call_command("run", no_demo=True, bind="127.0.0.1:8300", stdout=io.StringIO())
    with django_capture_on_commit_callbacks(execute=True):
        _invite, token = services.invite_create(
            actor=world.members["owner"], email="port@alpha.test", roles=["analyst"]
        )
    [mail] = mailoutbox
    assert f"http://127.0.0.1:8300/invite/{token}" in mail.body
