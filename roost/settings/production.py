"""Production profile: refuses to start with the embedded default secret or DEBUG on."""

import os

from django.core.exceptions import ImproperlyConfigured

from roost.settings import *  # noqa: F403
from roost.settings.env import env_bool, env_int

DEBUG = env_bool("ROOST_DEBUG", False)
if DEBUG:
    raise ImproperlyConfigured("Production settings refuse DEBUG: unset ROOST_DEBUG.")
# Every web server and worker must share one key, so production takes it from the
# environment rather than a file generated on one machine (roost.settings.secret_key).
if not os.environ.get("SECRET_KEY") or len(SECRET_KEY) < 40:  # noqa: F405
    raise ImproperlyConfigured(
        "Production settings need SECRET_KEY: a random value of at least 40 characters "
        "(for example: python -c 'import secrets; print(secrets.token_urlsafe(50))')."
    )

# E-mail: the console, in-memory and file backends would print invite, reset and review
# links into logs (or drop them) instead of sending them.
_UNSENT_MAIL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
}
for _mailer, _conf in MAILERS.items():  # noqa: F405
    if _conf.get("BACKEND") in _UNSENT_MAIL_BACKENDS:
        raise ImproperlyConfigured(
            f"Production settings refuse the e-mail backend {_conf['BACKEND']} (mailer "
            f"{_mailer!r}): it writes invite, password-reset and review links into the log "
            "instead of sending them. Set ROOST_EMAIL_BACKEND="
            "django.core.mail.backends.smtp.EmailBackend and ROOST_EMAIL_HOST (see README)."
        )

SESSION_COOKIE_SECURE = env_bool("ROOST_SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# HTTPS only (docs/security.md, "Links and the Content-Security-Policy"). HSTS covers
# subdomains; preload (ROOST_HSTS_PRELOAD) is a promise that is slow to take back, so it is
# off unless asked, and needs a max-age of at least a year (ROOST_HSTS_SECONDS=31536000).
SECURE_HSTS_SECONDS = env_int("ROOST_HSTS_SECONDS", 60 * 60 * 24 * 30)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("ROOST_HSTS_PRELOAD", False)
if SECURE_HSTS_PRELOAD and SECURE_HSTS_SECONDS < 60 * 60 * 24 * 365:
    raise ImproperlyConfigured(
        "ROOST_HSTS_PRELOAD needs ROOST_HSTS_SECONDS of at least 31536000 (a year)."
    )
SECURE_SSL_REDIRECT = env_bool("ROOST_SSL_REDIRECT", True)
# A load balancer's health check may come over plain http from inside.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
# Trust X-Forwarded-Proto only behind a reverse proxy that sets it (and drops a client's
# own): the same setting that says how many proxies to trust for the client's address.
if env_int("ROOST_TRUSTED_PROXY_COUNT", 0) > 0:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
