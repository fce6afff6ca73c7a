"""Safe defaults: DEBUG off, a per-install secret key, credentials no public value opens,
and `roost run` turning debug pages on only when asked, and only on loopback."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command

from roost.channels.models import Channel
from roost.conftest import World, make_channel
from roost.core import crypto
from roost.core.management.commands import run
from roost.settings import secret_key
from roost.settings.secret_key import LEGACY_DEFAULT_SECRET_KEY

ROOT = Path(__file__).resolve().parents[3]


def _legacy_fernet() -> Fernet:
    """The key every install without SECRET_KEY used to encrypt with: public."""
    digest = hashlib.sha256(f"roost-credentials:{LEGACY_DEFAULT_SECRET_KEY}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def _setting(name: str, env: dict[str, str]) -> str:
    code = (
        f"import django; django.setup(); from django.conf import settings; print(settings.{name})"
    )
    clean = {k: v for k, v in os.environ.items() if k not in {"ROOST_DEBUG", "SECRET_KEY"}}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "roost.settings", **env},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


# --- DEBUG and SECRET_KEY ----------------------------------------------------------------


def test_debug_is_off_unless_asked_for() -> None:
    assert _setting("DEBUG", {}) == "False"
    assert _setting("DEBUG", {"ROOST_DEBUG": "1"}) == "True"


def test_without_secret_key_the_install_uses_its_own_generated_file() -> None:
    from django.conf import settings

    key = _setting("SECRET_KEY", {})
    assert key != LEGACY_DEFAULT_SECRET_KEY and len(key) >= 60
    path = settings.SECRET_KEY_FILE
    assert path == ROOT / "var" / "secret_key"
    assert path.read_text().strip() == key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert _setting("SECRET_KEY", {}) == key  # the same key on every start
    assert _setting("SECRET_KEY", {"SECRET_KEY": "mine-" + "x" * 40}) == "mine-" + "x" * 40


def test_the_key_file_is_created_once_with_owner_only_access(tmp_path: Path) -> None:
    path = tmp_path / "var" / "secret_key"
    first = secret_key.load_or_create(path)
    assert len(first) >= 60 and path.read_text() == first + "\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert secret_key.load_or_create(path) == first
    assert [p.name for p in path.parent.iterdir()] == ["secret_key"]  # no temporary left


def test_a_process_that_loses_the_race_takes_the_winners_key(
    tmp_path: Path, monkeypatch: Any
) -> None:
    path = tmp_path / "secret_key"
    real_link = os.link

    def another_process_wins(src: Any, dst: Any) -> None:
        Path(dst).write_text("w" * 60 + "\n")
        real_link(src, dst)  # now fails: the winner's file is there

    monkeypatch.setattr(os, "link", another_process_wins)
    assert secret_key.load_or_create(path) == "w" * 60
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]


def test_processes_starting_together_agree_on_one_key(tmp_path: Path) -> None:
    path = tmp_path / "secret_key"
    code = (
        "import sys; from pathlib import Path;"
        "from roost.settings.secret_key import load_or_create;"
        "print(load_or_create(Path(sys.argv[1])))"
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code, str(path)], cwd=ROOT, stdout=subprocess.PIPE, text=True
        )
        for _ in range(6)
    ]
    keys = {p.communicate()[0].strip() for p in procs}
    assert keys == {path.read_text().strip()}


def test_the_old_public_default_is_refused_as_a_key(tmp_path: Path) -> None:
    with pytest.raises(ImproperlyConfigured, match="old public default"):
        secret_key.secret_key_from_env_or_file(LEGACY_DEFAULT_SECRET_KEY, tmp_path / "k")
    assert not (tmp_path / "k").exists()


def test_a_damaged_key_file_is_reported_not_replaced(tmp_path: Path) -> None:
    path = tmp_path / "secret_key"
    path.write_text("short\n")
    with pytest.raises(ImproperlyConfigured, match="no usable secret key"):
        secret_key.load_or_create(path)
    assert path.read_text() == "short\n"


# --- credentials: nothing public opens them ---------------------------------------------


def test_stored_credentials_do_not_open_with_the_public_default(world: World) -> None:
    channel = make_channel(world.a, "Private")
    channel.set_credentials({"token": "sbx_private"})
    channel.save()
    stored = Channel.objects.get(pk=channel.pk).credentials_encrypted
    with pytest.raises(InvalidToken):
        _legacy_fernet().decrypt(stored.encode())
    # And a value written under the public key is not accepted as a credential either.
    planted = _legacy_fernet().encrypt(b'{"token": "x"}').decode()
    with pytest.raises(crypto.SecretUnreadable):
        crypto.decrypt_json(planted)


def test_credentials_under_the_old_default_move_to_the_install_key_once(world: World) -> None:
    channel = make_channel(world.a, "Old install")
    legacy = _legacy_fernet().encrypt(b'{"token": "sbx_from_2025"}').decode()
    Channel.objects.filter(pk=channel.pk).update(credentials_encrypted=legacy)
    out = io.StringIO()
    call_command("rotate_secrets", from_legacy_default=True, stdout=out)
    assert out.getvalue() == (
        "moved 1 channel(s) from the old default key to this install's key; 0 unreadable\n"
    )
    stored = Channel.objects.get(pk=channel.pk)
    assert stored.credentials == {"token": "sbx_from_2025"}
    with pytest.raises(InvalidToken):
        _legacy_fernet().decrypt(stored.credentials_encrypted.encode())
    # Nothing is left to move; the other channels were never touched.
    others = dict(Channel.objects.exclude(pk=channel.pk).values_list("pk", "credentials_encrypted"))
    out = io.StringIO()
    call_command("rotate_secrets", from_legacy_default=True, stdout=out)
    assert out.getvalue().startswith("moved 0 channel(s)")
    assert others == dict(
        Channel.objects.exclude(pk=channel.pk).values_list("pk", "credentials_encrypted")
    )


def test_passphrase_keys_are_stretched_and_old_values_still_open(
    world: World, settings: Any
) -> None:
    passphrase = "our ops team passphrase"
    plain_sha = Fernet(base64.urlsafe_b64encode(hashlib.sha256(passphrase.encode()).digest()))
    before = plain_sha.encrypt(b'{"token": "t-old"}').decode()  # how Roost derived it before
    settings.ROOST_SECRET_KEYS = [passphrase]
    assert crypto.decrypt_json(before) == {"token": "t-old"}
    fresh = crypto.encrypt_json({"token": "t-new"})
    with pytest.raises(InvalidToken):
        plain_sha.decrypt(fresh.encode())  # a SHA-256 guess per candidate no longer opens it
    stretched = hashlib.pbkdf2_hmac(
        "sha256", passphrase.encode(), crypto.PASSPHRASE_KDF_SALT, crypto.PASSPHRASE_KDF_ITERATIONS
    )
    assert Fernet(base64.urlsafe_b64encode(stretched)).decrypt(fresh.encode()) == (
        b'{"token": "t-new"}'
    )
    rotated = crypto.rotate(before)
    with pytest.raises(InvalidToken):
        plain_sha.decrypt(rotated.encode())
    assert crypto.decrypt_json(rotated) == {"token": "t-old"}


# --- roost run ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bind", "loopback"),
    [
        ("127.0.0.1:8000", True),
        ("localhost:8000", True),
        ("[::1]:8000", True),
        ("127.0.0.2", True),
        ("0.0.0.0:8000", False),
        ("[::]:8000", False),
        ("192.168.1.5:80", False),
        ("example.org:80", False),
        ("unix:/run/roost.sock", False),
    ],
)
def test_which_binds_count_as_loopback(bind: str, loopback: bool) -> None:
    assert run.is_loopback_bind(bind) is loopback


class _FakeSupervisor:
    """Records the children `roost run` would start, and starts nothing."""

    started: list[tuple[list[str], dict[str, str]]] = []

    def __init__(self, children: list[Any], **_kwargs: Any) -> None:
        _FakeSupervisor.started = [(list(c.argv), dict(c.env)) for c in children]

    def handle_signals(self) -> None:
        pass

    def run(self) -> None:
        pass


@pytest.fixture
def fake_run(monkeypatch: Any) -> list[tuple[str, dict[str, Any]]]:
    """`roost run` with its servers and setup commands recorded instead of started."""
    commands: list[tuple[str, dict[str, Any]]] = []
    _FakeSupervisor.started = []
    monkeypatch.setattr(run, "Supervisor", _FakeSupervisor)
    monkeypatch.setattr(run, "call_command", lambda name, **kw: commands.append((name, kw)))
    monkeypatch.setattr(run.Command, "_start_sandbox", lambda self, exe, env: None)
    monkeypatch.delenv("ROOST_DEBUG", raising=False)
    return commands


def test_run_serves_without_debug_and_with_redacted_access_logs(
    fake_run: list[tuple[str, dict[str, Any]]], settings: Any
) -> None:
    settings.DEBUG = False
    call_command("run", no_demo=True, stdout=io.StringIO())
    (web, web_env), (worker, worker_env) = _FakeSupervisor.started
    assert worker[-2:] == ["roost.cli", "worker"]
    assert web_env["ROOST_DEBUG"] == "0" and worker_env["ROOST_DEBUG"] == "0"
    assert web[web.index("--logger-class") + 1] == "roost.core.gunicorn_logging.RedactingLogger"
    assert ("rotate_secrets", {"from_legacy_default": True, "verbosity": 0}) in fake_run


def test_run_debug_turns_debug_on_for_its_servers(
    fake_run: list[tuple[str, dict[str, Any]]], settings: Any
) -> None:
    settings.DEBUG = False
    out = io.StringIO()
    call_command("run", no_demo=True, debug=True, stdout=out)
    assert [env["ROOST_DEBUG"] for _cmd, env in _FakeSupervisor.started] == ["1", "1"]
    assert "debug pages are on" in out.getvalue()


def test_run_refuses_debug_pages_on_a_public_address(
    fake_run: list[tuple[str, dict[str, Any]]], settings: Any
) -> None:
    settings.DEBUG = False
    with pytest.raises(CommandError, match=r"refusing to serve them on 0\.0\.0\.0:8000"):
        call_command("run", no_demo=True, debug=True, bind="0.0.0.0:8000")
    settings.DEBUG = True  # ROOST_DEBUG=1 in the environment: the same refusal
    with pytest.raises(CommandError, match="refusing"):
        call_command("run", no_demo=True, bind="0.0.0.0:8000")
    assert fake_run == [] and _FakeSupervisor.started == []
