"""Connect, reconnect and disconnect channels; record their health."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

from django.db import transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext as _

from roost.channels import hooks
from roost.channels.models import Channel, ChannelAccess, ChannelStatus
from roost.core import clock, crypto, references
from roost.core.exceptions import Conflict, NotFound, ValidationFailed
from roost.networks import registry
from roost.networks.base import Connection, Connector, Outcome
from roost.notifications.services import notify
from roost.workspaces.access import require
from roost.workspaces.models import Membership
from roost.workspaces.roles import Perm
from roost.workspaces.selectors import users_with_perm
from roost.workspaces.services import audit_record

log = logging.getLogger("roost.channels")
# Failures in a row before a channel counts as failing: on /health/, and told to the people
# who manage channels (once per streak). One failure is shown on its page at once.
FAILING_AFTER = 3
Activity = Literal["poll", "metrics"]


# In a channel's config: a channel that stands for one without being connected (the
# practical exercise of roost.team's hiring kit). Nothing opens a connector for it.
INERT = "inert"


class InertConnector:
    """The connector of a stand-in channel: `validate`, `limits` and `credentials` answer
    like its network's connector (no call is made for them); every other operation is
    refused with a Conflict before anything is sent."""

    def __init__(self, inner: Any, name: str) -> None:
        self._inner, self._name = inner, name

    def validate(self, request: Any) -> Any:
        return self._inner.validate(request)

    def limits(self) -> Any:
        return self._inner.limits()

    def credentials(self) -> dict[str, Any]:
        return {}

    def __getattr__(self, operation: str) -> Any:
        def refuse(*args: Any, **kwargs: Any) -> Any:
            raise Conflict(
                _("%(channel)s is not connected to any network.") % {"channel": self._name}
            )

        return refuse


@dataclass
class OpenConnector:
    """A connector built from a channel's stored credentials, with what it was built from.

    Every use of a connector goes through one (`channel_connector`, or `connector_open`
    where the calls run in other threads): afterwards `keep_refreshed()` stores the
    credentials the connector refreshed on the way (a new Bluesky session), so the next
    use starts from them instead of logging in again against the network's rate limit.
    """

    channel_id: int
    connector: Connector
    read: str  # the stored (encrypted) credentials the connector was built from
    stored: dict[str, Any]  # what they hold, as last stored

    def keep_refreshed(self) -> bool:
        """Store the connector's credentials if they changed since they were read, through
        `channel_store_refreshed_credentials`. Never raises (it runs on the way out of a
        call that may itself have failed). True: stored."""
        try:
            current = self.connector.credentials()
            if current == self.stored:
                return False
            written = channel_store_refreshed_credentials(
                channel_id=self.channel_id, read=self.read, credentials=current
            )
        except Exception:
            log.exception("channel %s: could not store its refreshed credentials", self.channel_id)
            return False
        self.stored = current  # written or refused, this change is settled
        if written is None:
            return False  # the channel changed meanwhile (disconnected, reconnected…)
        self.read = written
        return True


def connector_open(channel: Channel) -> OpenConnector:
    """A connector for `channel`, remembering the stored credentials it starts from. Call
    `keep_refreshed()` once its calls are done (in a thread that may use the database)."""
    if channel.config.get(INERT):
        # A stand-in channel (an assessment workspace's): its content is checked as its
        # network would, and no network is ever called.
        inner = registry.connector_for(channel.network, {"base_url": "http://127.0.0.1:9"}, {})
        return OpenConnector(channel.pk, InertConnector(inner, channel.name), "", {})
    read = channel.credentials_encrypted
    credentials = crypto.decrypt_json(read)
    connector = registry.connector_for(channel.network, channel.config, dict(credentials))
    return OpenConnector(channel.pk, connector, read, credentials)


@contextmanager
def channel_connector(channel: Channel) -> Iterator[Connector]:
    """`with channel_connector(channel) as connector:` — however the block ends, the
    credentials the connector refreshed are stored on the way out (see OpenConnector)."""
    opened = connector_open(channel)
    try:
        yield opened.connector
    finally:
        opened.keep_refreshed()


def channel_store_refreshed_credentials(
    *, channel_id: int, read: str, credentials: Mapping[str, Any]
) -> str | None:
    """Store credentials a connector refreshed in place of the ones it was built from
    (`read`, as stored). Returns the new stored value, or None when not written.

    A compare-and-set: written only while the channel still holds exactly `read` and is not
    disconnected. A disconnect (which blanks the credentials), a reconnect (new ones) or a
    newer session stored by another worker meanwhile wins; a refreshed session is never
    written over them. Values only re-encrypted meanwhile (`roost rotate_secrets`) are
    compared by what they hold, so a key rotation does not drop a refreshed session.
    """
    new = crypto.encrypt_json(dict(credentials))
    for _attempt in range(3):
        written = (
            Channel.objects.filter(pk=channel_id, credentials_encrypted=read)
            .exclude(status=ChannelStatus.DISCONNECTED)
            .update(credentials_encrypted=new)
        )
        if written:
            log.info("channel %s: stored its refreshed credentials", channel_id)
            return new
        now = (
            Channel.objects.filter(pk=channel_id)
            .exclude(status=ChannelStatus.DISCONNECTED)
            .values_list("credentials_encrypted", flat=True)
            .first()
        )
        if now is None or now == read or not crypto.opens(now):
            break
        if crypto.decrypt_json(now) != crypto.decrypt_json(read):
            break  # reconnected, or refreshed elsewhere: theirs is newer
        read = now  # the same credentials, re-encrypted: try again on the new value
    log.info(
        "channel %s: refreshed credentials not stored: the channel was disconnected, "
        "reconnected or refreshed elsewhere meanwhile",
        channel_id,
    )
    return None


def _connection_error(network_label: str, connection: Connection) -> ValidationFailed:
    reason = connection.result.reason or _("%(network)s did not accept the connection.") % {
        "network": network_label
    }
    return ValidationFailed({"__all__": [reason]})


def connect_with_form(
    *, actor: Membership, network: str, fields: Mapping[str, str], name: str = ""
) -> Channel:
    """Connect a channel through a network's connect form (Bluesky, Sandbox)."""
    require(actor, Perm.CONNECT_CHANNELS)
    try:
        net = registry.get(network)
    except LookupError:
        raise ValidationFailed(
            {"network": [_("Unknown network: %(n)s.") % {"n": network}]}
        ) from None
    if net.connect is None:
        raise ValidationFailed({"network": [_("%(n)s connects with OAuth.") % {"n": net.label}]})
    missing = [f.name for f in net.connect_fields if not str(fields.get(f.name, "")).strip()]
    if missing:
        raise ValidationFailed({m: [_("This field is required.")] for m in missing})
    # The network call happens outside any transaction.
    connection = net.connect(**{f.name: str(fields[f.name]).strip() for f in net.connect_fields})
    if connection.result.outcome is not Outcome.OK or connection.account is None:
        raise _connection_error(net.label, connection)
    return _store_connection(actor=actor, network=network, connection=connection, name=name)


def connect_with_oauth(*, actor: Membership, network: str, connection: Connection) -> Channel:
    """Store a channel after an OAuth flow finished (Mastodon)."""
    require(actor, Perm.CONNECT_CHANNELS)
    net = registry.get(network)
    if connection.result.outcome is not Outcome.OK or connection.account is None:
        raise _connection_error(net.label, connection)
    return _store_connection(actor=actor, network=network, connection=connection)


@transaction.atomic
def _store_connection(
    *, actor: Membership, network: str, connection: Connection, name: str = ""
) -> Channel:
    account = connection.account
    assert account is not None
    existing = (
        Channel.objects.filter(
            workspace=actor.workspace, network=network, remote_id=account.remote_id
        )
        .exclude(status=ChannelStatus.DISCONNECTED)
        .first()
    )
    channel = existing or Channel(workspace=actor.workspace, network=network)
    channel.name = (
        name.strip()[:100]
        or (existing.name if existing else "")
        or account.display_name
        or account.handle
    )[:100]
    channel.handle = account.handle
    channel.remote_id = account.remote_id
    channel.profile_url = account.url
    channel.config = dict(connection.config)
    channel.set_credentials(dict(connection.credentials))
    channel.status = ChannelStatus.ACTIVE
    channel.status_reason = ""
    channel.rate_limited_until = None
    channel.connected_by = actor.user
    channel.updated_at = clock.now()
    channel.save()
    audit_record(
        workspace=actor.workspace,
        actor=actor.user,
        action="channel.reconnected" if existing else "channel.connected",
        target=channel,
        network=network,
        handle=account.handle,
    )
    if existing:
        # Work that waited for this channel (publishing's deliveries) carries on.
        hooks.reconnected(channel)
    return channel


def channel_mark_unauthorized(*, channel_id: int, reason: str) -> bool:
    """The network refused the credentials: the channel needs reconnecting. Tells the people
    who manage channels, once per incident. Returns whether the state changed."""
    changed = Channel.objects.filter(pk=channel_id, status=ChannelStatus.ACTIVE).update(
        status=ChannelStatus.NEEDS_RECONNECT, status_reason=reason[:500], updated_at=clock.now()
    )
    if not changed:
        return False
    channel = Channel.objects.select_related("workspace").get(pk=channel_id)
    managers = [
        m.user
        for m in Membership.objects.filter(workspace=channel.workspace)
        .select_related("user")
        .prefetch_related("roles")
        if m.has_perm(Perm.CONNECT_CHANNELS)
    ]
    notify(
        workspace=channel.workspace,
        recipients=managers,
        kind="channel.needs_reconnect",
        key=f"channel:{channel.pk}:reconnect:{channel.updated_at.isoformat()}",
        text=_("%(channel)s (%(network)s) needs to be reconnected: %(reason)s")
        % {"channel": channel.name, "network": channel.network, "reason": reason},
        url=reverse("channels:list", args=[channel.workspace.slug]),
    )
    return True


def channel_record_failure(*, channel_id: int, activity: Activity, error: str) -> int:
    """One run of background work on a channel failed (an inbox poll, a metrics refresh):
    keep the error on the channel, count the failures in a row, and tell the people who
    manage channels when they reach FAILING_AFTER. Returns the failures in a row."""
    now = clock.now()
    log.warning("channel %s: %s failed: %s", channel_id, activity, error)
    Channel.objects.filter(pk=channel_id).update(
        **{
            f"{activity}_error": error[:500],
            f"{activity}_failures": F(f"{activity}_failures") + 1,
            f"{activity}_failing_since": Coalesce(F(f"{activity}_failing_since"), Value(now)),
        }
    )
    channel = Channel.objects.select_related("workspace").get(pk=channel_id)
    failures: int = getattr(channel, f"{activity}_failures")
    if failures == FAILING_AFTER:
        since = getattr(channel, f"{activity}_failing_since")
        texts = {
            "poll": _(
                "The inbox of %(channel)s (%(network)s) could not be read %(n)s times in a "
                "row: %(error)s"
            ),
            "metrics": _(
                "Engagement counts for %(channel)s (%(network)s) could not be fetched %(n)s "
                "times in a row: %(error)s"
            ),
        }
        notify(
            workspace=channel.workspace,
            recipients=users_with_perm(channel.workspace_id, Perm.CONNECT_CHANNELS),
            kind=f"channel.{activity}_failing",
            key=f"channel:{channel.pk}:{activity}_failing:{since.isoformat()}",
            text=texts[activity]
            % {"channel": channel.name, "network": channel.network, "n": failures, "error": error},
            url=reverse("channels:list", args=[channel.workspace.slug]),
        )
    return failures


def channel_record_success(*, channel_id: int, activity: Activity) -> None:
    """The work succeeded: a failure streak (if any) is over."""
    Channel.objects.filter(pk=channel_id, **{f"{activity}_failures__gt": 0}).update(
        **{f"{activity}_error": "", f"{activity}_failures": 0, f"{activity}_failing_since": None}
    )


def failing_count() -> int:
    """Active channels whose polls or metrics failed FAILING_AFTER times in a row or more."""
    return (
        Channel.objects.filter(status=ChannelStatus.ACTIVE)
        .filter(Q(poll_failures__gte=FAILING_AFTER) | Q(metrics_failures__gte=FAILING_AFTER))
        .count()
    )


@transaction.atomic
def channel_disconnect(*, actor: Membership, channel: Channel) -> Channel:
    """Forget the credentials; work queued on it (scheduled deliveries) is cancelled with a
    reason by the apps that registered for it (`roost.channels.hooks`)."""
    require(actor, Perm.CONNECT_CHANNELS)
    if channel.workspace_id != actor.workspace_id:
        raise NotFound()
    if channel.status == ChannelStatus.DISCONNECTED:
        raise Conflict(_("This channel is already disconnected."))
    channel.status = ChannelStatus.DISCONNECTED
    channel.credentials_encrypted = ""
    channel.status_reason = _("Disconnected by %(who)s.") % {"who": actor.user.display_name}
    channel.save(update_fields=["status", "credentials_encrypted", "status_reason"])
    # Rules and workflows that name it forget it, or are turned off saying why.
    references.removed(
        kind="channel",
        workspace_id=channel.workspace_id,
        pk=channel.pk,
        reason=_("The channel “%(channel)s” was disconnected.") % {"channel": channel.name},
        actor=actor.user,
    )
    # Work queued on it (publishing's scheduled deliveries) is cancelled, saying why.
    hooks.disconnected(channel)
    audit_record(
        workspace=actor.workspace, actor=actor.user, action="channel.disconnected", target=channel
    )
    return channel


@transaction.atomic
def channel_set_access(
    *, actor: Membership, member: Membership, all_channels: bool, channel_ids: Iterable[int]
) -> Membership:
    """Which channels a member may use: all of them, or the ones listed."""
    require(actor, Perm.MANAGE_MEMBERS)
    ids = set(channel_ids)
    channels = list(Channel.objects.filter(workspace=actor.workspace, pk__in=ids))
    if len(channels) != len(ids):
        raise ValidationFailed({"channels": [_("Some channels are not in this workspace.")]})
    member.all_channels = all_channels
    member.save(update_fields=["all_channels"])
    ChannelAccess.objects.filter(membership=member).exclude(channel__in=channels).delete()
    for channel in channels:
        ChannelAccess.objects.get_or_create(channel=channel, membership=member)
    audit_record(
        workspace=actor.workspace,
        actor=actor.user,
        action="member.channel_access",
        target=member,
        all_channels=all_channels,
        channels=sorted(ids),
    )
    return member


@transaction.atomic
def channel_update(*, actor: Membership, channel: Channel, name: str, timezone: str) -> Channel:
    import zoneinfo

    require(actor, Perm.CONNECT_CHANNELS)
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = [_("Give the channel a name.")]
    if timezone and timezone not in zoneinfo.available_timezones():
        errors["timezone"] = [_("“%(tz)s” is not a time zone.") % {"tz": timezone}]
    if errors:
        raise ValidationFailed(errors)
    channel.name = name.strip()[:100]
    channel.timezone = timezone
    channel.save(update_fields=["name", "timezone"])
    audit_record(
        workspace=actor.workspace,
        actor=actor.user,
        action="channel.updated",
        target=channel,
        name=channel.name,
        timezone=timezone,
    )
    return channel
