"""The shared inbox: messages grouped into conversations, assigned to people or groups,
tagged, turned into tasks (lead, support…), answered, and measured against SLAs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from roost.channels.models import Channel
from roost.core import clock, crypto
from roost.workspaces.models import Group, Membership, Workspace


class Conversation(models.Model):
    """A thread (a reply chain under one root) or a direct conversation on one channel."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    # No index of its own: the unique (channel, key) leads with it. Ingestion makes up to a
    # conversation per message, and every index slows it.
    channel = models.ForeignKey(
        Channel, on_delete=models.CASCADE, related_name="conversations", db_index=False
    )
    key = models.CharField(max_length=500)  # the root's remote id, or the DM conversation id
    direct = models.BooleanField(default=False)
    # The published post of ours it answers, when it answers one (indexed where it does).
    delivery = models.ForeignKey(
        "publishing.Delivery",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    last_message_at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["channel", "key"], name="conversation_once_per_channel")
        ]
        indexes = [
            models.Index(
                fields=["delivery"],
                condition=models.Q(delivery__isnull=False),
                name="conversation_delivery",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel_id}:{self.key}"


class MessageStatus(models.TextChoices):
    OPEN = "open", _("Open")
    COMPLETE = "complete", _("Complete")


class Priority(models.IntegerChoices):
    LOW = 0, _("Low")
    NORMAL = 1, _("Normal")
    HIGH = 2, _("High")
    URGENT = 3, _("Urgent")


class Message(models.Model):
    # No single-column indexes on these two: the composite indexes below (and the unique
    # constraint) lead with them, and every extra index slows ingestion.
    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    channel = models.ForeignKey(
        Channel, on_delete=models.CASCADE, related_name="messages", db_index=False
    )
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    remote_id = models.CharField(max_length=500)
    kind = models.CharField(max_length=16)  # mention, reply, quote, direct
    outgoing = models.BooleanField(default=False)  # our own reply
    author_id = models.CharField(max_length=255, blank=True)
    author_handle = models.CharField(max_length=255, blank=True)
    author_name = models.CharField(max_length=255, blank=True)
    text = models.TextField(blank=True)
    url = models.URLField(max_length=500, blank=True)
    parent_remote_id = models.CharField(max_length=500, blank=True)
    language = models.CharField(max_length=16, blank=True)
    sent_at = models.DateTimeField()  # when the author wrote it (the network's time)
    received_at = models.DateTimeField(default=clock.now)  # when Roost stored it
    status = models.CharField(
        max_length=10, choices=MessageStatus.choices, default=MessageStatus.OPEN
    )
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.NORMAL)
    # The four nullable references below are indexed only where set (see Meta.indexes):
    # they are empty on nearly every message ingested, and each index slows ingestion.
    assignee = models.ForeignKey(
        Membership,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    group = models.ForeignKey(
        Group, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    tags: models.ManyToManyField[InboxTag, Any] = models.ManyToManyField(
        "InboxTag", blank=True, related_name="messages"
    )
    first_response_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    # Who sent it, for our own replies (collision checks: "Maja answered a minute ago").
    sent_by = models.ForeignKey(
        Membership,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    # Our own replies: the key the reply was sent with, so a retry returns this row.
    idempotency_key = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "remote_id"], name="message_once_per_channel"
            ),
            models.UniqueConstraint(
                fields=["workspace", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="reply_once_per_key",
            ),
        ]
        indexes = [
            # The default inbox list: a workspace's open items, newest first. With the id, in
            # the list's own order: a poll stores a whole page with one received_at, and
            # without it the database sorted that whole page to show the first 50.
            models.Index(fields=["workspace", "status", "-received_at", "-id"], name="inbox_list"),
            # Only the assigned or routed items: "mine" and a group's filter name one, and
            # an index entry for every unassigned message would cost each ingest.
            models.Index(
                fields=["workspace", "assignee", "status"],
                condition=models.Q(assignee__isnull=False),
                name="inbox_mine",
            ),
            models.Index(
                fields=["workspace", "group", "status"],
                condition=models.Q(group__isnull=False),
                name="inbox_group",
            ),
            models.Index(fields=["channel", "author_id"], name="inbox_author"),
            # For the references' own look-ups (SET NULL when a member, group or user goes).
            *(
                models.Index(
                    fields=[name],
                    condition=models.Q(**{f"{name}__isnull": False}),
                    name=f"inbox_message_{name}",
                )
                for name in ("assignee", "group", "completed_by", "sent_by")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.author_handle}: {self.text[:40]}"


class InboxTag(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=50)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="inbox_tag_once")]

    def __str__(self) -> str:
        return self.name


class InboxCursor(models.Model):
    """Where polling a channel's inbox got to. Moved only after the items are stored."""

    channel = models.OneToOneField(Channel, on_delete=models.CASCADE, related_name="inbox_cursor")
    cursor = models.CharField(max_length=500, blank=True)
    polled_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    activity = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return f"{self.channel_id}@{self.cursor}"


class TaskKind(models.TextChoices):
    LEAD = "lead", _("Lead")
    SUPPORT = "support", _("Support")
    FEEDBACK = "feedback", _("Feedback")
    OTHER = "other", _("Other")


class Task(models.Model):
    """Work that leaves the inbox: a lead for Sales, a support case for Customer Care…"""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="tasks")
    kind = models.CharField(max_length=10, choices=TaskKind.choices)
    done = models.BooleanField(default=False)
    due_at = models.DateTimeField(null=True, blank=True)
    notes = models.TextField(blank=True)
    assignee = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    group = models.ForeignKey(
        Group, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} on {self.message_id}"


class InboxRule(models.Model):
    """When (channels, keywords, languages, kinds) → then (tag, assign, priority, complete,
    task). Conditions and actions are small JSON objects, checked in order."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)
    when = models.JSONField(
        default=dict
    )  # {"channels": [...], "keywords": [...], "languages": [...], "kinds": [...]}
    then = models.JSONField(
        default=dict
    )  # {"tag": "...", "member": id, "group": id, "priority": n, "complete": bool, "task": kind}
    # Why the rule was turned off by Roost (its group was deleted…); empty when a person did.
    disabled_reason = models.CharField(max_length=300, blank=True)
    # A rule that could not apply to new messages is skipped, never raised: why, since when,
    # and in how many polls in a row. Cleared when it applies again.
    failing_reason = models.CharField(max_length=500, blank=True)
    failing_since = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class InboxSettings(models.Model):
    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="+")
    first_response_minutes = models.PositiveIntegerField(default=60)
    completion_hours = models.PositiveIntegerField(default=24)
    # Business hours: weekday → [start "HH:MM", end "HH:MM"]; empty: around the clock.
    business_hours = models.JSONField(default=dict, blank=True)
    per_member_cap = models.PositiveIntegerField(default=25)

    def __str__(self) -> str:
        return f"inbox settings of {self.workspace_id}"


class WebhookEndpoint(models.Model):
    """Where new tasks are sent, signed with a secret kept encrypted (like channel
    credentials); after a rotation the previous secret signs too until its grace ends."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=100)
    url = models.URLField(max_length=500)
    secret_encrypted = models.TextField(editable=False)
    previous_secret_encrypted = models.TextField(blank=True, editable=False)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    task_kinds = models.JSONField(default=list, blank=True)  # empty: every kind
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=clock.now)
    # Failed sends in a row (any of its deliveries), the last error, and since when.
    failures = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    failing_since = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name

    @property
    def secret(self) -> str:
        """The current signing secret, decrypted."""
        return str(crypto.decrypt_json(self.secret_encrypted).get("secret", ""))

    @secret.setter
    def secret(self, value: str) -> None:
        self.secret_encrypted = crypto.encrypt_json({"secret": value})

    def in_grace(self, at: datetime) -> bool:
        """Does the previous secret still sign at `at`?"""
        return bool(
            self.previous_secret_encrypted
            and self.previous_secret_expires_at is not None
            and at < self.previous_secret_expires_at
        )

    @property
    def previous_valid_until(self) -> datetime | None:
        """When the previous secret stops signing, while it still does."""
        return self.previous_secret_expires_at if self.in_grace(clock.now()) else None

    def signing_secrets(self, at: datetime) -> list[str]:
        """The secrets a delivery is signed with at `at`: the current one, then the
        previous one while its grace period lasts."""
        found = [self.secret]
        if self.in_grace(at):
            found.append(str(crypto.decrypt_json(self.previous_secret_encrypted)["secret"]))
        return found


class WebhookDelivery(models.Model):
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(max_length=50)
    payload = models.JSONField()
    status = models.CharField(max_length=10, default="pending")  # pending, sent, failed
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=clock.now)
    response_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=clock.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint_id}: {self.status}"


class SavedReply(models.Model):
    """A canned answer; {first_name} and {handle} are filled in from the message's author.

    Shared (no owner): every replier sees it; people who assign inbox work or manage
    settings write it. Personal (an owner): only its owner sees and edits it."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    owner = models.ForeignKey(
        Membership,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    name = models.CharField(_("name"), max_length=100)
    text = models.TextField(_("text"))

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "name"],
                condition=models.Q(owner__isnull=True),
                name="saved_reply_once",
            ),
            models.UniqueConstraint(
                fields=["owner", "name"],
                condition=models.Q(owner__isnull=False),
                name="saved_reply_once_per_owner",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def shared(self) -> bool:
        return self.owner_id is None


class InternalNote(models.Model):
    """A note the team leaves on a conversation, next to the item it was written on. Never
    sent to the network: it is not a Message and no reply path reads it."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="notes", db_index=False
    )
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(_("note"))
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["conversation", "created_at"], name="inbox_note_time")]

    def __str__(self) -> str:
        return f"note on {self.message_id}"


class PresenceState(models.TextChoices):
    VIEWING = "viewing", _("viewing")
    TYPING = "typing", _("typing")


class Presence(models.Model):
    """Who has a message open right now (refreshed by the page every few seconds)."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="presence")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=10, choices=PresenceState.choices)
    seen_at = models.DateTimeField(default=clock.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["message", "membership"], name="presence_once")
        ]

    def __str__(self) -> str:
        return f"{self.membership_id} {self.state} {self.message_id}"


class ReplyDraft(models.Model):
    """A reply waiting for approval (when the workspace requires it for inbox replies)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="drafts")
    author = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    text = models.TextField()
    complete = models.BooleanField(default=False)
    key = models.CharField(max_length=64)  # the reply's idempotency key
    status = models.CharField(
        max_length=12, default="pending"
    )  # pending, approved, sent, failed, returned
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "key"], name="reply_draft_once_per_key")
        ]

    def __str__(self) -> str:
        return f"draft reply to {self.message_id}: {self.status}"
