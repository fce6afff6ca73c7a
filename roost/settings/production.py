"""Production profile: refuses to start with the embedded default secret or DEBUG on."""

import os

from django.core.exceptions import ImproperlyConfigured

from roost.settings import *  # noqa: F403
from roost.settings.env import env_bool

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
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 30
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
