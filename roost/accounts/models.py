"""People who log in. Identity is the e-mail address."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from roost.core import clock


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractUser):
    """A person. Logs in with e-mail; the UI speaks `language` when it is set."""

    username = None  # type: ignore[assignment]
    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]
    email = models.EmailField(_("e-mail address"), unique=True)
    name = models.CharField(_("name"), max_length=150, blank=True)
    language = models.CharField(
        _("language"),
        max_length=10,
        blank=True,
        choices=settings.LANGUAGES,
        help_text=_("Empty: use the workspace's language."),
    )
    last_workspace = models.ForeignKey(
        "workspaces.Workspace",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    # A login that stops working at this moment (a candidate's assessment login, made by
    # roost.team's hiring kit); empty for everyone else. Checked on every request.
    access_expires_at = models.DateTimeField(null=True, blank=True, editable=False)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()  # type: ignore[misc,assignment]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name or self.email


class RateLimitHit(models.Model):
    """One counted request under a rate limit (password-reset asks, per e-mail and per IP).

    `key` is a SHA-256 of what is limited, so the table holds no addresses; rows older
    than the limit's window are deleted as new ones come in.
    """

    scope = models.CharField(max_length=32)
    key = models.CharField(max_length=64)
    at = models.DateTimeField(default=clock.now)

    class Meta:
        indexes = [models.Index(fields=["scope", "key", "at"], name="ratelimit_scope_key_at")]

    def __str__(self) -> str:
        return f"{self.scope} at {self.at:%Y-%m-%d %H:%M:%S}"
