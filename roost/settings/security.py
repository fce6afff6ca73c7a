"""Login throttling, cookies and other security settings."""

from datetime import timedelta

from django.utils.csp import CSP

from roost.settings.env import env_bool, env_int

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("ROOST_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Content-Security-Policy on every response (docs/security.md, "Links and the
# Content-Security-Policy"). Scripts only from Roost's own static files (or an inline block
# carrying this response's nonce): no inline script, no inline event handler, no eval.
# Styles only from Roost's stylesheets too: no template uses a style attribute, and htmx's
# own inline <style> is switched off in web/base.html. Images: Roost's own and data: URIs
# (the API docs' icons); no page shows a remote image.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# Behind reverse proxies: how many of them append to X-Forwarded-For (0: trust only
# REMOTE_ADDR). See roost/accounts/client_ip.py and docs/security.md.
ROOST_TRUSTED_PROXY_COUNT = env_int("ROOST_TRUSTED_PROXY_COUNT", 0)

# django-axes: failed logins within the cool-off lock an account on one address, an
# address across accounts (spraying), or an account across addresses; each has its own
# limit (roost/accounts/throttle.py).
AXES_FAILURE_LIMIT = env_int("ROOST_LOGIN_FAILURE_LIMIT", 5)
ROOST_LOGIN_IP_FAILURE_LIMIT = env_int("ROOST_LOGIN_IP_FAILURE_LIMIT", 20)
ROOST_LOGIN_ACCOUNT_FAILURE_LIMIT = env_int("ROOST_LOGIN_ACCOUNT_FAILURE_LIMIT", 20)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("ROOST_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address", "username"]
AXES_HANDLER = "roost.accounts.throttle.LoginThrottle"
AXES_CLIENT_IP_CALLABLE = "roost.accounts.client_ip.client_ip"
AXES_USERNAME_CALLABLE = "roost.accounts.throttle.login_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_USERNAME_FORM_FIELD = "username"
AXES_VERBOSE = False

# Password-reset e-mails per hour, per address asked for and per client IP. Over either,
# the page still says "sent" (no hint whether the account exists) but nothing is sent.
ROOST_PASSWORD_RESET_EMAIL_LIMIT = env_int("ROOST_PASSWORD_RESET_EMAIL_LIMIT", 3)
ROOST_PASSWORD_RESET_IP_LIMIT = env_int("ROOST_PASSWORD_RESET_IP_LIMIT", 10)
