"""Working together on the inbox: who has a message open (collision detection), saved
replies (shared and personal) and internal notes."""

from __future__ import annotations

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from roost.core import clock
from roost.core.bookkeeping import best_effort
from roost.core.exceptions import PermissionDenied, ValidationFailed
from roost.inbox.models import InternalNote, Message, Presence, PresenceState, SavedReply
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


def saved_reply_can_share(actor: Membership) -> bool:
    """Shared saved replies speak for the team: written by the people who run the inbox
    (assign its work) or the workspace's settings."""
    return actor.has_perm(Perm.INBOX_ASSIGN) or actor.has_perm(Perm.MANAGE_SETTINGS)


def saved_reply_can_edit(actor: Membership, saved: SavedReply) -> bool:
    """A personal saved reply: its owner. A shared one: whoever may share."""
    if saved.workspace_id != actor.workspace_id:
        return False
    if saved.owner_id is not None:
        return saved.owner_id == actor.pk
    return saved_reply_can_share(actor)


def _saved_reply_clean(name: str, text: str) -> tuple[str, str]:
    name, text = name.strip()[:100], text.strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("Give the saved reply a name.")]
    if not text:
        errors["text"] = [_("Write the saved reply's text.")]
    elif len(text) > SAVED_REPLY_MAX:
        errors["text"] = [
            _("Keep the saved reply under %(n)s characters.") % {"n": SAVED_REPLY_MAX}
        ]
    if errors:
        raise ValidationFailed(errors)
    return name, text


SAVED_REPLY_MAX = 5000
_NAME_TAKEN = _("A saved reply with this name exists already.")


def saved_reply_create(
    *, actor: Membership, name: str, text: str, shared: bool = True
) -> SavedReply:
    """A saved reply: shared with the team (people who may share) or the actor's own
    (anyone who may reply)."""
    if shared:
        if not saved_reply_can_share(actor):
            raise PermissionDenied()
    else:
        require(actor, Perm.INBOX_REPLY)
    name, text = _saved_reply_clean(name, text)
    try:
        with transaction.atomic():
            saved = SavedReply.objects.create(
                workspace=actor.workspace, owner=None if shared else actor, name=name, text=text
            )
    except IntegrityError:
        raise ValidationFailed({"name": [_NAME_TAKEN]}) from None
    audit_record(
        workspace=actor.workspace,
        actor=actor.user,
        action="inbox.saved_reply_created",
        target=saved,
        shared=shared,
    )
    return saved


def saved_reply_update(*, actor: Membership, saved: SavedReply, name: str, text: str) -> SavedReply:
    if not saved_reply_can_edit(actor, saved):
        raise PermissionDenied()
    saved.name, saved.text = _saved_reply_clean(name, text)
    try:
        with transaction.atomic():
            saved.save(update_fields=["name", "text"])
    except IntegrityError:
        raise ValidationFailed({"name": [_NAME_TAKEN]}) from None
    audit_record(
        workspace=actor.workspace,
        actor=actor.user,
        action="inbox.saved_reply_changed",
        target=saved,
    )
    return saved


def saved_reply_delete(*, actor: Membership, saved: SavedReply) -> None:
    if not saved_reply_can_edit(actor, saved):
        raise PermissionDenied()
    audit_record(
        workspace=actor.workspace,
        actor=actor.user,
        action="inbox.saved_reply_deleted",
        target=saved,
    )
    saved.delete()


NOTE_MAX = 5000


def note_add(*, actor: Membership, message: Message, text: str) -> InternalNote:
    """An internal note on `message`'s conversation, for the team only: anyone who may
    read the item may add one. It is stored apart from messages and never sent."""
    require(actor, Perm.INBOX_READ_ROUTED)
    if message.workspace_id != actor.workspace_id:
        raise PermissionDenied()
    text = text.strip()
    if not text:
        raise ValidationFailed({"text": [_("Write the note first.")]})
    if len(text) > NOTE_MAX:
        raise ValidationFailed(
            {"text": [_("Keep the note under %(n)s characters.") % {"n": NOTE_MAX}]}
        )
    note = InternalNote.objects.create(
        workspace_id=message.workspace_id,
        conversation_id=message.conversation_id,
        message=message,
        author=actor,
        text=text,
    )
    audit_record(
        workspace=actor.workspace,
        actor=actor.user,
        action="inbox.note_added",
        target=message,
        note=note.pk,
    )
    return note


def saved_reply_render(text: str, message: Message) -> str:
    """Fill {first_name} and {handle} from the message's author; other braces stay as typed."""
    first = (message.author_name or message.author_handle).split(" ")[0] if message else ""
    return text.replace("{first_name}", first).replace("{handle}", "@" + message.author_handle)
