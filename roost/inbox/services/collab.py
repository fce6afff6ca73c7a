"""Working together on the inbox: who has a message open (collision detection) and saved
replies."""

from __future__ import annotations

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from roost.core import clock
from roost.core.bookkeeping import best_effort
from roost.core.exceptions import ValidationFailed
from roost.inbox.models import Message, Presence, PresenceState, SavedReply
from roost.workspaces.access import require
from roost.workspaces.models import Membership
from roost.workspaces.roles import Perm
from roost.workspaces.services import audit_record

# The page reports every 5 s; someone not heard from for 15 s has left.
PRESENCE_FRESH = timedelta(seconds=15)


def presence_touch(*, actor: Membership, message: Message, state: str) -> bool:
    """Record that `actor` is viewing or typing on `message` right now.

    Best effort (False when skipped): the page sends this every 5 s, so a heartbeat the
    database cannot take right now (SQLite write-locked) is skipped, never a 500."""
    if state not in PresenceState.values:
        state = PresenceState.VIEWING
    return best_effort(
        "inbox presence",
        lambda: Presence.objects.update_or_create(
            message=message, membership=actor, defaults={"state": state, "seen_at": clock.now()}
        ),
    )


def presence_others(actor: Membership, message: Message) -> list[Presence]:
    """Everyone else who has had `message` open in the last few seconds."""
    return list(
        Presence.objects.filter(message=message, seen_at__gte=clock.now() - PRESENCE_FRESH)
        .exclude(membership=actor)
        .select_related("membership__user")
        .order_by("membership__user__name")
    )


def presence_sweep() -> int:
    """Drop presence rows nobody refreshes any more."""
    deleted, _detail = Presence.objects.filter(
        seen_at__lt=clock.now() - timedelta(hours=1)
    ).delete()
    return deleted


def saved_reply_create(*, actor: Membership, name: str, text: str) -> SavedReply:
    require(actor, Perm.MANAGE_SETTINGS)
    name, text = name.strip()[:100], text.strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("Give the saved reply a name.")]
    if not text:
        errors["text"] = [_("Write the saved reply's text.")]
    if errors:
        raise ValidationFailed(errors)
    try:
        with transaction.atomic():
            saved = SavedReply.objects.create(workspace=actor.workspace, name=name, text=text)
    except IntegrityError:
        raise ValidationFailed(
            {"name": [_("A saved reply with this name exists already.")]}
        ) from None
    audit_record(
        workspace=actor.workspace,
        actor=actor.user,
        action="inbox.saved_reply_created",
        target=saved,
    )
    return saved


def saved_reply_delete(*, actor: Membership, saved: SavedReply) -> None:
    require(actor, Perm.MANAGE_SETTINGS)
    audit_record(
        workspace=actor.workspace,
        actor=actor.user,
        action="inbox.saved_reply_deleted",
        target=saved,
    )
    saved.delete()


def saved_reply_render(text: str, message: Message) -> str:
    """Fill {first_name} and {handle} from the message's author; other braces stay as typed."""
    first = (message.author_name or message.author_handle).split(" ")[0] if message else ""
    return text.replace("{first_name}", first).replace("{handle}", "@" + message.author_handle)
