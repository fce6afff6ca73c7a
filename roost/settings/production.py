"""Production profile: refuses to start with the embedded default secret or DEBUG on."""

from django.core.exceptions import ImproperlyConfigured

from roost.settings import *  # noqa: F403
from roost.settings.base import DEFAULT_SECRET_KEY
from roost.settings.env import env_bool

DEBUG = env_bool("ROOST_DEBUG", False)
if DEBUG:
    raise ImproperlyConfigured("Production settings refuse DEBUG: unset ROOST_DEBUG.")
if SECRET_KEY == DEFAULT_SECRET_KEY or len(SECRET_KEY) < 40:  # noqa: F405
    raise ImproperlyConfigured(
        "Production settings need SECRET_KEY: a random value of at least 40 characters "
        "(for example: python -c 'import secrets; print(secrets.token_urlsafe(50))')."
    )

SESSION_COOKIE_SECURE = env_bool("ROOST_SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 30
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
