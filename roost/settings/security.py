"""Login throttling, cookies and other security settings."""

from datetime import timedelta

from roost.settings.env import env_bool, env_int

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("ROOST_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

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
