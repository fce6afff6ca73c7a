"""Secrets in link paths never reach a log line: the redaction patterns cover every token
route in the URLconf, gunicorn's access log and Django's request loggers use them."""

from __future__ import annotations

import logging
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from gunicorn.config import Config

from roost.core.gunicorn_logging import RedactingLogger
from roost.core.redaction import SECRET_ROUTES, redact
from roost.core.tokens import new_secret
from roost.routes import params

# Route parameters that carry a secret. A new route with one of these must be listed in
# roost.core.redaction.SECRET_ROUTES, or the first test below fails.
SECRET_PARAMS = {"token", "uidb64", "secret"}


def _named_routes(patterns: Any = None, ns: str = "", prefix: str = "") -> list[tuple[str, str]]:
    found = []
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            inner = f"{ns}{p.namespace}:" if p.namespace else ns
            found += _named_routes(p.url_patterns, inner, prefix + str(p.pattern))
        elif isinstance(p, URLPattern) and p.name:
            found.append((f"{ns}{p.name}", prefix + str(p.pattern)))
    return found


def secret_urls() -> list[tuple[str, str, list[str]]]:
    """(URL name, a real path with fresh secrets in it, those secrets) per token route."""
    urls = []
    for name, route in _named_routes():
        secret_params = [p for p in params(route) if p in SECRET_PARAMS]
        if not secret_params:
            continue
        values = {p: new_secret(p[:3]) for p in params(route)}
        urls.append((name, reverse(name, kwargs=values), [values[p] for p in secret_params]))
    return urls


# Named by route, not by the random secrets: every pytest-xdist worker collects the same ids.
SECRET_URL_CASES = [pytest.param(*case, id=case[0]) for case in secret_urls()]


def test_every_token_route_is_known_to_the_redaction() -> None:
    names = {name for name, _path, _secrets in secret_urls()}
    assert (
        names
        == set(SECRET_ROUTES)
        == {
            "accounts:invite",
            "accounts:password_reset_confirm",
            "approvals:link",
            "calendar:ics",
            "analytics:share",
            "team:assess_start",
        }
    )


@pytest.mark.parametrize(("name", "path", "secrets"), SECRET_URL_CASES)
def test_each_token_route_is_redacted_wherever_it_appears(
    name: str, path: str, secrets: list[str]
) -> None:
    for text in (
        f'"GET {path} HTTP/1.1" 200',
        f"http://127.0.0.1:8000{path}?next=/",
        f"Not Found: {path}",
        path.rstrip("/"),  # the same link before the trailing-slash redirect
    ):
        clean = redact(text)
        assert all(s not in clean for s in secrets), (name, clean)
        assert "…" in clean


def test_redaction_keeps_what_a_line_needs() -> None:
    assert redact('"GET /password-reset/sent/ HTTP/1.1" 302') == (
        '"GET /password-reset/sent/ HTTP/1.1" 302'
    )
    assert redact("GET /password-reset/MTI/cx1-4f5e6a/ HTTP/1.1") == (
        "GET /password-reset/…/…/ HTTP/1.1"
    )
    assert redact("GET /ics/cal_AbCdEf0123456789AbCdEf0123.ics") == "GET /ics/….ics"
    assert redact("GET /w/alpha/invite-settings/ HTTP/1.1") == (
        "GET /w/alpha/invite-settings/ HTTP/1.1"
    )
    token = new_secret("roost")
    assert redact(f"Authorization: Bearer {token}") == "Authorization: Bearer roost_…"
    assert redact("ROOST_SECRET_KEYS and roost_publish are names") == (
        "ROOST_SECRET_KEYS and roost_publish are names"
    )


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def gunicorn_logger() -> Any:
    cfg = Config()
    cfg.set("accesslog", "-")
    cfg.set(
        "access_log_format",
        '%(h)s "%(r)s" %(s)s %(U)s ?%(q)s "%(f)s" {raw_uri}e {authorization}i {cookie}i',
    )
    logger = RedactingLogger(cfg)
    collect = _Collect()
    logger.access_log.addHandler(collect)
    logger.error_log.addHandler(collect)
    yield logger, collect.lines
    for log in (logger.access_log, logger.error_log):
        log.handlers.clear()
        log.filters.clear()


@pytest.mark.parametrize(("name", "path", "secrets"), SECRET_URL_CASES)
def test_gunicorn_access_log_never_prints_a_token(
    gunicorn_logger: Any, name: str, path: str, secrets: list[str]
) -> None:
    logger, lines = gunicorn_logger
    api_token = new_secret("roost")
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"{path}?from=mail",
        "PATH_INFO": path,
        "QUERY_STRING": f"back={path}",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "192.0.2.1",
        "HTTP_REFERER": f"https://roost.example.org{path}",
        "HTTP_USER_AGENT": "curl/8",
    }
    request = SimpleNamespace(
        headers=[("AUTHORIZATION", f"Bearer {api_token}"), ("COOKIE", "sessionid=s3cr3t")]
    )
    response = SimpleNamespace(status="200 OK", sent=10, headers=[])
    logger.access(response, request, environ, timedelta(milliseconds=3))
    (line,) = lines
    assert line.startswith('192.0.2.1 "GET ') and '" 200 ' in line
    for secret in [*secrets, api_token, "s3cr3t"]:
        assert secret not in line, (name, line)
    # And gunicorn's own error lines, which quote the request path when a worker fails.
    logger.error("Error handling request %s", path)
    assert all(s not in lines[-1] for s in secrets) and "…" in lines[-1]


def test_django_request_log_of_a_refused_token_link_is_redacted(
    db: Any, caplog: pytest.LogCaptureFixture
) -> None:
    token = new_secret("inv")
    with caplog.at_level(logging.DEBUG):
        assert Client().get(f"/invite/{token}/").status_code == 404
        assert Client().get(f"/review/{token}/").status_code == 404
    warnings = [r for r in caplog.records if r.name == "django.request"]
    assert [r.getMessage() for r in warnings] == ["Not Found: /invite/…/", "Not Found: /review/…/"]
    assert all(token not in r.getMessage() and token not in repr(r.args) for r in caplog.records)


def test_runserver_access_log_is_redacted(caplog: pytest.LogCaptureFixture) -> None:
    token = new_secret("cal")
    server_log = logging.getLogger("django.server")
    collect = _Collect()
    server_log.addHandler(collect)
    try:
        server_log.info('"%s" %s %s', f"GET /ics/{token}.ics HTTP/1.1", "200", "512")
    finally:
        server_log.removeHandler(collect)
    assert collect.lines == ['"GET /ics/….ics HTTP/1.1" 200 512']
