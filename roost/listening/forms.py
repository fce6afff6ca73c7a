"""The listening pages' forms: the period, a topic, the mention list's filters."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast
from zoneinfo import ZoneInfo

from django import forms
from django.utils.translation import gettext_lazy as _

from roost.core.forms import check_custom_period
from roost.listening.models import Sentiment, Topic
from roost.listening.selectors import MentionFilter, Window, days_window, last_hours

MAX_DAYS = 366  # the longest custom period
HOURS = {"24h": 24, "7d": 7 * 24, "30d": 30 * 24}
DEFAULT_RANGE = "7d"


class PeriodForm(forms.Form):
    """Which hours to show: the last 24 hours, 7 or 30 days, or from–to (workspace zone)."""

    RANGES = (
        ("24h", _("Last 24 hours")),
        ("7d", _("Last 7 days")),
        ("30d", _("Last 30 days")),
        ("custom", _("Custom")),
    )
    range = forms.ChoiceField(
        label=_("Period"),
        choices=RANGES,
        required=False,
        initial=DEFAULT_RANGE,
        error_messages={"invalid_choice": _("Choose a period from the list.")},
    )
    start = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Enter the first day as a date, like 2026-03-01.")},
    )
    end = forms.DateField(
        label=_("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Enter the last day as a date, like 2026-03-31.")},
    )

    def __init__(self, *args: Any, now: datetime, tz: ZoneInfo, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.now = now
        self.tz = tz

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        check_custom_period(data, MAX_DAYS)
        return data

    def window(self) -> Window:
        """The chosen window; the last 7 days when no valid period was chosen (the other
        filters of a form may still be wrong: the period stands on its own)."""
        choice = DEFAULT_RANGE
        if self.is_bound:
            self.is_valid()
            data = getattr(self, "cleaned_data", {})
            period_errors = self.non_field_errors() or any(
                name in self.errors for name in ("range", "start", "end")
            )
            if not period_errors:
                choice = data.get("range") or DEFAULT_RANGE
                if choice == "custom":
                    return days_window(data["start"], data["end"], self.tz)
        return last_hours(self.now, HOURS[choice])


class TopicForm(forms.Form):
    """A topic: its name, kind, query, campaign and alerts. The service checks it all again
    (and parses the query); the form says the simple things first."""

    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        error_messages={"required": _("Give the topic a name.")},
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=Topic.Kind.choices,
        initial=Topic.Kind.BRAND,
        help_text=_(
            "Brand: what people say about us. Competitor: about a competitor (for share of "
            "voice). Campaign: about one of our campaigns."
        ),
        error_messages={"invalid_choice": _("Choose a kind from the list.")},
    )
    query = forms.CharField(
        label=_("Query"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        help_text=_(
            'Words and "exact phrases", #hashtags and @accounts, joined with AND, OR and NOT '
            "(or -word), grouped with parentheses; lang:pl keeps one language, "
            '-from:@handle leaves out an author. Example: ("demo coffee" OR #democoffee) '
            "-from:@democoffee"
        ),
        error_messages={"required": _("Write the query: what should a post say to count?")},
    )
    campaign = forms.TypedChoiceField(
        label=_("Campaign"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("For campaign topics: the campaign it follows."),
        error_messages={"invalid_choice": _("Choose a campaign of this workspace.")},
    )
    exclude_own = forms.BooleanField(label=_("Leave out our own accounts"), required=False)
    is_active = forms.BooleanField(label=_("Listening (collect new mentions)"), required=False)
    alert_volume = forms.BooleanField(label=_("Alert on volume spikes"), required=False)
    alert_negative = forms.BooleanField(label=_("Alert on negative spikes"), required=False)
    alert_to_inbox = forms.BooleanField(label=_("Also put alerts in the inbox"), required=False)

    def __init__(self, *args: Any, campaigns: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["campaign"]).choices = [("", _("No campaign"))] + [
            (str(c.pk), c.name) for c in campaigns
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == Topic.Kind.CAMPAIGN and not data.get("campaign"):
            self.add_error("campaign", _("A campaign topic needs its campaign."))
        elif data.get("kind") != Topic.Kind.CAMPAIGN:
            data["campaign"] = None  # only campaign topics follow a campaign
        return data

    @staticmethod
    def initial_for(topic: Topic | None) -> dict[str, Any]:
        if topic is None:
            return {
                "kind": Topic.Kind.BRAND,
                "exclude_own": True,
                "is_active": True,
                "alert_volume": True,
                "alert_negative": True,
            }
        return {
            "name": topic.name,
            "kind": topic.kind,
            "query": topic.query,
            "campaign": topic.campaign_id or "",
            "exclude_own": topic.exclude_own,
            "is_active": topic.is_active,
            "alert_volume": topic.alert_volume,
            "alert_negative": topic.alert_negative,
            "alert_to_inbox": topic.alert_to_inbox,
        }


YES_NO = (("", _("Any")), ("yes", _("Yes")), ("no", _("No")))


class MentionFilterForm(PeriodForm):
    """The mention list's filters (each a GET parameter other pages link with): topic,
    sentiment (-1, 0, 1), language, intent (yes/no), term, author, and the period."""

    topic = forms.TypedChoiceField(
        label=_("Topic"),
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": _("Choose a topic of this workspace.")},
    )
    sentiment = forms.TypedChoiceField(
        label=_("Sentiment"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Any"))] + [(str(v), label) for v, label in Sentiment.choices],
        error_messages={"invalid_choice": _("Choose a sentiment from the list.")},
    )
    language = forms.CharField(label=_("Language"), required=False, max_length=8)
    intent = forms.ChoiceField(
        label=_("Purchase intent"),
        required=False,
        choices=YES_NO,
        error_messages={"invalid_choice": _("Choose yes, no or any.")},
    )
    term = forms.CharField(label=_("Term"), required=False, max_length=100)
    author = forms.CharField(label=_("Author"), required=False, max_length=300)

    field_order = ["topic", "sentiment", "language", "intent", "term", "author", "range"]

    def __init__(self, *args: Any, topics: list[Topic], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.topics = {t.pk: t for t in topics}
        cast(forms.ChoiceField, self.fields["topic"]).choices = [("", _("All topics"))] + [
            (str(t.pk), t.name) for t in topics
        ]

    def mention_filter(self) -> MentionFilter:
        """The filter to apply; parts that did not validate are left out (the page says
        what was wrong)."""
        window = self.window()
        if not self.is_bound:
            return MentionFilter(window=window)
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        intent = {"yes": True, "no": False}.get(data.get("intent") or "")
        return MentionFilter(
            window=window,
            topic=self.topics.get(data.get("topic") or 0),
            sentiment=data.get("sentiment"),
            language=(data.get("language") or "").strip(),
            intent=intent,
            term=(data.get("term") or "").strip(),
            author=(data.get("author") or "").strip(),
        )
