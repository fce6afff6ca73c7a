"""Topics: create, change and delete (MANAGE_LISTENING), and fetch-and-authorize helpers
for topics and mentions (VIEW_LISTENING)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from roost.core import clock
from roost.core.exceptions import NotFound, ValidationFailed
from roost.listening.models import Mention, Topic
from roost.listening.query import QueryError, parse
from roost.publishing.models import Campaign
from roost.workspaces.access import require
from roost.workspaces.models import Membership
from roost.workspaces.roles import Perm
from roost.workspaces.services import audit_record

NAME_MAX = 100


@dataclass(frozen=True)
class TopicInput:
    name: str
    query: str
    kind: str = Topic.Kind.BRAND
    campaign_id: int | None = None
    exclude_own: bool = True
    is_active: bool = True
    alert_volume: bool = True
    alert_negative: bool = True
    alert_to_inbox: bool = False


def query_error_text(error: QueryError) -> str:
    """The parser's message (it already names the character)."""
    return error.message


def _validated(actor: Membership, data: TopicInput, topic: Topic | None) -> dict[str, object]:
    errors: dict[str, list[str]] = {}
    name = data.name.strip()
    if not name:
        errors["name"] = [_("Give the topic a name.")]
    elif len(name) > NAME_MAX:
        errors["name"] = [_("At most %(n)d characters.") % {"n": NAME_MAX}]
    else:
        clash = Topic.objects.filter(workspace_id=actor.workspace_id, name=name)
        if topic is not None:
            clash = clash.exclude(pk=topic.pk)
        if clash.exists():
            errors["name"] = [_("This workspace already has a topic with that name.")]
    try:
        parse(data.query)
    except QueryError as error:
        errors["query"] = [query_error_text(error)]
    if data.kind not in Topic.Kind.values:
        errors["kind"] = [_("Choose brand, competitor, campaign or other.")]
    if (
        data.campaign_id is not None
        and not Campaign.objects.filter(
            workspace_id=actor.workspace_id, pk=data.campaign_id
        ).exists()
    ):
        errors["campaign_id"] = [_("No such campaign in this workspace.")]
    if errors:
        raise ValidationFailed(errors)
    return {
        "name": name,
        "query": data.query,
        "kind": data.kind,
        "campaign_id": data.campaign_id,
        "exclude_own": data.exclude_own,
        "is_active": data.is_active,
        "alert_volume": data.alert_volume,
        "alert_negative": data.alert_negative,
        "alert_to_inbox": data.alert_to_inbox,
    }


def _saved(topic: Topic) -> Topic:
    try:
        with transaction.atomic():
            topic.save()
    except IntegrityError:  # a concurrent create took the name
        raise ValidationFailed(
            {"name": [_("This workspace already has a topic with that name.")]}
        ) from None
    return topic


@transaction.atomic
def topic_create(*, actor: Membership, data: TopicInput) -> Topic:
    """A new topic; the query must parse (the error names the problem and where)."""
    require(actor, Perm.MANAGE_LISTENING)
    fields = _validated(actor, data, None)
    topic = _saved(Topic(workspace_id=actor.workspace_id, created_by=actor, **fields))
    audit_record(
        workspace=actor.workspace,
        actor=actor.user,
        action="listening.topic_created",
        target=topic,
        name=topic.name,
        query=topic.query,
    )
    return topic


@transaction.atomic
def topic_update(*, actor: Membership, topic: Topic, data: TopicInput) -> Topic:
    """Change a topic (mentions already found stay; new searches use the new query)."""
    require(actor, Perm.MANAGE_LISTENING)
    if topic.workspace_id != actor.workspace_id:
        raise NotFound()
    fields = _validated(actor, data, topic)
    before = {"name": topic.name, "query": topic.query}
    for key, value in fields.items():
        setattr(topic, key, value)
    topic.updated_at = clock.now()
    _saved(topic)
    audit_record(
        workspace=actor.workspace,
        actor=actor.user,
        action="listening.topic_updated",
        target=topic,
        before=before,
        name=topic.name,
        query=topic.query,
    )
    return topic


@transaction.atomic
def topic_delete(*, actor: Membership, topic: Topic) -> None:
    """Delete a topic with its links and roll-ups (mentions stay while other topics use them)."""
    require(actor, Perm.MANAGE_LISTENING)
    if topic.workspace_id != actor.workspace_id:
        raise NotFound()
    audit_record(
        workspace=actor.workspace,
        actor=actor.user,
        action="listening.topic_deleted",
        target=topic,
        name=topic.name,
        query=topic.query,
    )
    topic.delete()


def access_topic(actor: Membership, topic_id: int, perm: Perm = Perm.VIEW_LISTENING) -> Topic:
    """A topic of the actor's workspace, checked for `perm`."""
    require(actor, perm)
    found = Topic.objects.filter(workspace_id=actor.workspace_id, pk=topic_id).first()
    if found is None:
        raise NotFound(_("No such topic in this workspace."))
    return found


def access_mention(actor: Membership, mention_id: int) -> Mention:
    """A mention of the actor's workspace (VIEW_LISTENING)."""
    require(actor, Perm.VIEW_LISTENING)
    found = (
        Mention.objects.filter(workspace_id=actor.workspace_id, pk=mention_id)
        .select_related("channel")
        .first()
    )
    if found is None:
        raise NotFound(_("No such mention in this workspace."))
    return found
