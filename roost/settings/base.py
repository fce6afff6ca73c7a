"""Core Django settings shared by every profile."""

from django.utils.translation import gettext_lazy as _

from roost.settings.env import BASE_DIR, env_bool, env_list, env_str
from roost.settings.secret_key import secret_key_from_env_or_file

VAR_DIR = BASE_DIR / "var"

# SECRET_KEY from the environment, else this install's own random key, generated on first
# start into var/secret_key (mode 0600). Keep that file with the database's backups: it
# also derives the key that encrypts channel credentials (roost/core/crypto.py).
SECRET_KEY_FILE = VAR_DIR / "secret_key"
SECRET_KEY = secret_key_from_env_or_file(env_str("SECRET_KEY", ""), SECRET_KEY_FILE)
# Off unless asked for (ROOST_DEBUG=1, or `roost run --debug`): debug pages show code,
# settings and data to anyone who reaches the server.
DEBUG = env_bool("ROOST_DEBUG", False)
ALLOWED_HOSTS = env_list("ROOST_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("ROOST_CSRF_TRUSTED_ORIGINS", [])
ROOST_BASE_URL = env_str("ROOST_BASE_URL", "http://127.0.0.1:8000")
# Where short links (/l/<code>, analytics) point: the site itself unless a shorter domain
# that reaches this server is set.
ROOST_SHORT_LINK_BASE = env_str("ROOST_SHORT_LINK_BASE", ROOST_BASE_URL).rstrip("/")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.admin",
    "django_htmx",
    "ninja",
    "axes",
    "django_tasks_db",
    "roost.core",
    "roost.accounts",
    "roost.workspaces",
    "roost.notifications",
    "roost.networks",
    "roost.channels",
    "roost.publishing",
    "roost.approvals",
    "roost.inbox",
    "roost.analytics",
    "roost.listening",
    "roost.paid",
    "roost.team",
    "roost.briefing",
    "roost.web",
    "roost.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Temporary logins (assessment candidates) end at their expiry, on every request.
    "roost.accounts.middleware.ExpiringLoginMiddleware",
    "roost.accounts.middleware.UserLanguageMiddleware",
    # Before any view or the CSRF check reads the input: nulls, non-UTF-8, too large.
    "roost.web.middleware.BadInputMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "roost.urls"
WSGI_APPLICATION = "roost.wsgi.application"
ASGI_APPLICATION = "roost.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "roost.web.context_processors.navigation",
            ],
            # `{{ moment|when }}` in every template: one way to show a time (see roost_time).
            "builtins": ["roost.web.templatetags.roost_time"],
        },
    }
]

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Internationalisation: every user-facing string is marked; English and Polish ship.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("pl", _("Polish"))]
LOCALE_PATHS = [BASE_DIR / "roost" / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True
# How dates read per language (24-hour, never an all-digit month/day): roost/formats/.
FORMAT_MODULE_PATH = ["roost.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
# MEDIA_ROOT and STORAGES (local disk or S3): roost/settings/storage.py
WHITENOISE_USE_FINDERS = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# E-mail: the console by default; SMTP (or any backend) from the environment.
_mail_backend = env_str("ROOST_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
_mail_options: dict[str, object] = {}
if _mail_backend.endswith("smtp.EmailBackend"):
    _mail_options = {
        "host": env_str("ROOST_EMAIL_HOST", "localhost"),
        "port": int(env_str("ROOST_EMAIL_PORT", "25")),
        "username": env_str("ROOST_EMAIL_HOST_USER", ""),
        "password": env_str("ROOST_EMAIL_HOST_PASSWORD", ""),
        "use_tls": env_bool("ROOST_EMAIL_USE_TLS", False),
    }
MAILERS = {"default": {"BACKEND": _mail_backend, "OPTIONS": _mail_options}}
DEFAULT_FROM_EMAIL = env_str("ROOST_DEFAULT_FROM_EMAIL", "Roost <roost@localhost>")

ROOST_INVITE_DAYS = 7

# Secrets never reach a log line: django.request ("Not Found: /invite/inv_…") and the
# runserver access log (django.server) are redacted at the source, every other record on
# its way out (roost/core/redaction.py).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_secrets": {"()": "roost.core.redaction.RedactSecrets"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_secrets"],
        },
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["redact_secrets"],
        },
    },
    "root": {"handlers": ["console"], "level": env_str("ROOST_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        "django.request": {"filters": ["redact_secrets"]},
        # Its DEBUG records dump whole template contexts (a token shown once, a request).
        "django.template": {"level": "INFO", "filters": ["redact_secrets"]},
        "django.server": {
            "handlers": ["django.server"],
            "level": "INFO",
            "propagate": False,
            "filters": ["redact_secrets"],
        },
    },
}

# Channel credentials are encrypted with these keys (newest first); see roost/core/crypto.py.
ROOST_SECRET_KEYS = env_list("ROOST_SECRET_KEYS", [])
