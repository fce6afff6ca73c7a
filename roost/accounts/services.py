"""Writes for people: profile and language, and sign-up through an invite."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from roost.accounts.models import User
from roost.core.exceptions import Conflict, ValidationFailed
from roost.workspaces.models import Membership
from roost.workspaces.services import invite_accept, invite_for_token

LANGUAGE_CODES = {code for code, _label in settings.LANGUAGES}


def user_update_profile(*, user: Any, name: str | None = None, language: str | None = None) -> Any:
    fields = []
    if language is not None:
        if language and language not in LANGUAGE_CODES:
            raise ValidationFailed({"language": [_("Unknown language: %(l)s.") % {"l": language}]})
        user.language = language
        fields.append("language")
    if name is not None:
        user.name = name.strip()[:150]
        fields.append("name")
    if fields:
        user.save(update_fields=fields)
    return user


def user_signup_with_invite(*, token: str, name: str, password: str) -> tuple[User, Membership]:
    """Create the invited person's account and accept the invite, all or nothing."""
    invite = invite_for_token(token)
    if User.objects.filter(email__iexact=invite.email).exists():
        raise Conflict(
            _("%(email)s already has an account: log in to accept.") % {"email": invite.email}
        )
    with transaction.atomic():
        user = User.objects.create_user(invite.email, password, name=name.strip())
        membership = invite_accept(user=user, token=token)
    return user, membership
