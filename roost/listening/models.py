"""What the public says about us, our competitors and our campaigns.

- `Topic`: a named boolean query (roost/listening/query.py, docs/listening.md) in a workspace.
- `Mention`: one public post found through one of the workspace's channels, stored once per
  workspace and network, with what Roost understood of it offline (language, sentiment,
  purchase intent, key terms).
- `TopicMention`: which topics a mention matched (denormalised time and sentiment, so views
  and trends read one narrow table).
- `TopicHour` and `TermHour`: hourly roll-ups per topic (volume, sentiment, intent) and per
  topic and term; trends and charts read these and never scan mentions.
- `SearchCursor`: where each (channel, search term) poll got to.
- `Alert`: a spike (volume or negative sentiment) on a topic, fired once per spike.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from roost.channels.models import Channel
from roost.core import clock
from roost.publishing.models import Campaign
from roost.workspaces.models import Membership, Workspace


class Topic(models.Model):
    class Kind(models.TextChoices):
        BRAND = "brand", _("Brand")
        COMPETITOR = "competitor", _("Competitor")
        CAMPAIGN = "campaign", _("Campaign")
        OTHER = "other", _("Other")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.BRAND)
    query = models.TextField(_("query"), max_length=2000)
    campaign = models.ForeignKey(
        Campaign, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Leave out what the workspace's own connected accounts say.
    exclude_own = models.BooleanField(_("leave out our own accounts"), default=True)
    is_active = models.BooleanField(_("listening"), default=True)
    # Spike alerts: on volume, on negative sentiment; optionally also as an inbox item.
    alert_volume = models.BooleanField(_("alert on volume spikes"), default=True)
    alert_negative = models.BooleanField(_("alert on negative spikes"), default=True)
    alert_to_inbox = models.BooleanField(_("also put alerts in the inbox"), default=False)
    created_by = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now)
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ("kind", "name")
        constraints = [
            models.UniqueConstraint(fields=("workspace", "name"), name="listening_topic_name_once")
        ]

    def __str__(self) -> str:
        return self.name


class Sentiment(models.IntegerChoices):
    NEGATIVE = -1, _("Negative")
    NEUTRAL = 0, _("Neutral")
    POSITIVE = 1, _("Positive")


class Mention(models.Model):
    """One public post, once per workspace and network, whichever topics it matched."""

    id = models.BigAutoField(primary_key=True)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    # The channel it was found through (its credentials did the search); replies and
    # "send to inbox" go through it.
    channel = models.ForeignKey(
        Channel, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    network = models.CharField(max_length=32)
    remote_id = models.CharField(max_length=500)
    url = models.URLField(max_length=1000, blank=True)
    author_id = models.CharField(max_length=300, blank=True)
    author_handle = models.CharField(max_length=300, blank=True)
    author_name = models.CharField(max_length=300, blank=True)
    author_followers = models.BigIntegerField(null=True, blank=True)
    text = models.TextField()
    posted_at = models.DateTimeField()
    found_at = models.DateTimeField(default=clock.now)
    language = models.CharField(max_length=8, blank=True)  # "" when not known
    sentiment = models.SmallIntegerField(choices=Sentiment.choices, default=Sentiment.NEUTRAL)
    sentiment_score = models.FloatField(default=0.0)  # −1 … 1
    intent = models.BooleanField(default=False)  # purchase intent
    intent_score = models.FloatField(default=0.0)  # 0 … 1
    terms = models.JSONField(default=list)  # key terms, hashtags ("#x") and mentions ("@x")
    likes = models.BigIntegerField(null=True, blank=True)
    reposts = models.BigIntegerField(null=True, blank=True)
    replies = models.BigIntegerField(null=True, blank=True)
    # Set once someone sent it to the Smart Inbox (the inbox message's id).
    inbox_message_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=("workspace", "network", "remote_id"), name="listening_mention_once"
            )
        ]
        indexes = [models.Index(fields=("workspace", "posted_at"), name="listening_m_ws_time")]

    def __str__(self) -> str:
        return f"{self.author_handle}: {self.text[:40]}"


class TopicMention(models.Model):
    id = models.BigAutoField(primary_key=True)
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="+", db_index=False)
    mention = models.ForeignKey(Mention, on_delete=models.CASCADE, related_name="+")
    posted_at = models.DateTimeField()
    sentiment = models.SmallIntegerField(choices=Sentiment.choices, default=Sentiment.NEUTRAL)
    intent = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("topic", "mention"), name="listening_tm_once")
        ]
        indexes = [models.Index(fields=("topic", "posted_at"), name="listening_tm_time")]

    def __str__(self) -> str:
        return f"{self.topic_id}:{self.mention_id}"


class TopicHour(models.Model):
    """Per topic and hour (UTC, on the hour): mentions and their sentiment and intent."""

    id = models.BigAutoField(primary_key=True)
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="+", db_index=False)
    hour = models.DateTimeField()
    mentions = models.IntegerField(default=0)
    positive = models.IntegerField(default=0)
    neutral = models.IntegerField(default=0)
    negative = models.IntegerField(default=0)
    intent = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("topic", "hour"), name="listening_topichour_once")
        ]

    def __str__(self) -> str:
        return f"{self.topic_id} {self.hour:%Y-%m-%d %H}h: {self.mentions}"


class TermHour(models.Model):
    """Per topic, term and hour (UTC): how many of the topic's mentions used the term."""

    id = models.BigAutoField(primary_key=True)
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="+", db_index=False)
    hour = models.DateTimeField()
    term = models.CharField(max_length=100)
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=("topic", "hour", "term"), name="listening_termhour_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.topic_id} {self.hour:%Y-%m-%d %H}h {self.term}: {self.count}"


class SearchCursor(models.Model):
    """Where one search term's polls through one channel got to, and when to poll next."""

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="+")
    term = models.CharField(max_length=300)
    newest_at = models.DateTimeField(null=True, blank=True)  # newest post seen so far
    polled_at = models.DateTimeField(null=True, blank=True)
    next_poll_at = models.DateTimeField(default=clock.now)
    failures = models.IntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("channel", "term"), name="listening_cursor_once")
        ]
        indexes = [models.Index(fields=("next_poll_at",), name="listening_cursor_due")]

    def __str__(self) -> str:
        return f"{self.channel_id} {self.term}"


class Alert(models.Model):
    """A spike on a topic: fired once per spike (the window it started in), then quiet for
    the cool-down."""

    class Kind(models.TextChoices):
        VOLUME = "volume", _("Volume spike")
        NEGATIVE = "negative", _("Negative sentiment spike")

    id = models.BigAutoField(primary_key=True)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    started_at = models.DateTimeField()  # the start of the hour the spike began in
    observed = models.FloatField()  # mentions (volume) or negative share (negative)
    expected = models.FloatField()
    detail = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=clock.now)
    quiet_until = models.DateTimeField()
    inbox_message_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)
        constraints = [
            models.UniqueConstraint(
                fields=("topic", "kind", "started_at"), name="listening_alert_once"
            )
        ]
        indexes = [models.Index(fields=("workspace", "-created_at"), name="listening_alert_ws")]

    def __str__(self) -> str:
        return f"{self.topic_id} {self.kind} {self.started_at:%Y-%m-%d %H}h"
