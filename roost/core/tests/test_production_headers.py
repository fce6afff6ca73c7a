"""The production profile's HTTPS headers, read in a fresh interpreter as a deployment
would, and `manage.py check --deploy` against it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
SHOW = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({n: getattr(s, n, None) for n in ["
    "'SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SECURE_HSTS_PRELOAD', "
    "'SECURE_SSL_REDIRECT', 'SECURE_REDIRECT_EXEMPT', 'SECURE_PROXY_SSL_HEADER', "
    "'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE']}))"
)
# Variables that change what is checked here: never inherited from the caller's shell.
OURS = {
    "SECRET_KEY",
    "ROOST_DEBUG",
    "ROOST_HSTS_SECONDS",
    "ROOST_HSTS_PRELOAD",
    "ROOST_SSL_REDIRECT",
    "ROOST_TRUSTED_PROXY_COUNT",
    "ROOST_SECURE_COOKIES",
    "ROOST_EMAIL_BACKEND",
    "ROOST_ALLOWED_HOSTS",
}


def production(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in OURS}
    return {
        **env,
        "DJANGO_SETTINGS_MODULE": "roost.settings.production",
        "SECRET_KEY": "k" * 20 + "production-test-secret-not-for-use",
        "ROOST_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "ROOST_ALLOWED_HOSTS": "roost.example",
        **extra,
    }


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def settings_of(env: dict[str, str]) -> dict[str, object]:
    result = run([sys.executable, "-c", SHOW], env)
    assert result.returncode == 0, result.stderr
    values: dict[str, object] = json.loads(result.stdout)
    return values


def test_production_sends_hsts_with_subdomains_and_redirects_to_https() -> None:
    assert settings_of(production()) == {
        "SECURE_HSTS_SECONDS": 60 * 60 * 24 * 30,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": False,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_REDIRECT_EXEMPT": ["^health/$"],
        # No proxy declared: a client's own X-Forwarded-Proto is not believed.
        "SECURE_PROXY_SSL_HEADER": None,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
    }


def test_the_operator_chooses_proxy_preload_and_redirect() -> None:
    chosen = settings_of(
        production(
            ROOST_TRUSTED_PROXY_COUNT="1",
            ROOST_HSTS_PRELOAD="1",
            ROOST_HSTS_SECONDS="31536000",
            ROOST_SSL_REDIRECT="0",
        )
    )
    assert chosen["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert (chosen["SECURE_HSTS_PRELOAD"], chosen["SECURE_HSTS_SECONDS"]) == (True, 31536000)
    assert chosen["SECURE_SSL_REDIRECT"] is False
    # Preload with a short max-age would be refused by the preload list: refused here first.
    result = run([sys.executable, "-c", SHOW], production(ROOST_HSTS_PRELOAD="1"))
    assert result.returncode != 0 and "31536000" in result.stderr


def _deploy_warnings(env: dict[str, str]) -> list[str]:
    result = run([sys.executable, "manage.py", "check", "--deploy"], env)
    return [
        line.split(")")[0].lstrip("?: (")
        for line in (result.stdout + result.stderr).splitlines()
        if line.startswith("?: (")
    ]


def test_check_deploy_has_no_https_or_csp_warning() -> None:
    # W021 (no preload) is the one left by default: preload is the operator's choice.
    assert _deploy_warnings(production()) == ["security.W021"]
    preload = production(ROOST_HSTS_PRELOAD="1", ROOST_HSTS_SECONDS="31536000")
    assert _deploy_warnings(preload) == []
