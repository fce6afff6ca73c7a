"""Compose form: binds the request into a PostInput; the services decide what is valid."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _

from roost.core.validation import moment_problem, parse_id
from roost.publishing.services.compose import PostInput
from roost.workspaces.models import timezone_choices

THREAD_SEPARATOR = "\n---\n"


def local_moment(raw: str) -> datetime | None:
    """A date and time as a datetime-local field or a person writes it (naive: the caller
    applies the zone); None when empty; a ValidationError names what is wrong."""
    raw = raw.strip()
    if not raw:
        return None
    for fmt in ("%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"):
        try:
            moment = datetime.strptime(raw, fmt)
        except ValueError:
            continue
        problem = moment_problem(moment)
        if problem:
            raise forms.ValidationError(problem)
        return moment
    raise forms.ValidationError(_("Enter a date and time like 2026-12-24 09:30."))


class ScheduleForm(forms.Form):
    mode = forms.ChoiceField(
        choices=[
            ("draft", _("Save as draft")),
            ("now", _("Publish now")),
            ("at", _("Schedule at")),
            ("queue", _("Add to queue")),
        ],
        initial="at",
        widget=forms.RadioSelect,
        required=False,
    )
    # Read as a wall-clock time by the scheduling service, in each channel's own zone.
    scheduled_at = forms.CharField(
        label=_("Date and time"),
        required=False,
        widget=forms.TextInput(attrs={"type": "datetime-local"}),
    )
    # A cancelled post had its review withdrawn: scheduling it again needs a new review, and
    # the person says so (offered only for cancelled posts that review applies to).
    resubmit = forms.BooleanField(label=_("Send it for review again"), required=False)

    def clean_scheduled_at(self) -> datetime | None:
        return local_moment(self.cleaned_data.get("scheduled_at") or "")


def schedule_prefill(query: QueryDict) -> dict[str, Any]:
    """Initial schedule fields from a link (`?at=YYYY-MM-DDTHH:MM`): a suggestion only, so a
    value that is not a time Roost accepts is left out rather than shown (the form checks
    whatever is submitted anyway)."""
    raw = str(query.get("at", "")).strip()[:32]
    if not raw:
        return {}
    form = ScheduleForm({"mode": "at", "scheduled_at": raw})
    if not form.is_valid() or form.cleaned_data["scheduled_at"] is None:
        return {}
    return {
        "mode": "at",
        "scheduled_at": form.cleaned_data["scheduled_at"].strftime("%Y-%m-%dT%H:%M"),
    }


def _int(value: str) -> int | None:
    return parse_id(value)


def thread_parts(raw: str) -> list[str]:
    """A thread box's parts: separated by a line of only "---", blank parts dropped."""
    raw = raw.replace("\r\n", "\n")
    return [p.strip() for p in raw.split(THREAD_SEPARATOR.strip()) if p.strip()]


def post_input(data: QueryDict) -> PostInput:
    """Read compose fields. Variant fields are `variant_<channel id>`; alt texts `alt_<id>`."""
    channel_ids = [i for i in (_int(v) for v in data.getlist("channels")) if i is not None]
    media_ids = [i for i in (_int(v) for v in data.getlist("media")) if i is not None]
    variants: dict[int, str] = {}
    variant_threads: dict[int, list[str]] = {}
    alt_texts: dict[int, str] = {}
    for key in data:
        value = str(data.get(key, ""))
        if key.startswith("variant_thread_") and (cid := _int(key[15:])) is not None:
            if parts := thread_parts(value):
                variant_threads[cid] = parts
        elif key.startswith("variant_nothread_") and (cid := _int(key[17:])) is not None:
            if value and cid not in variant_threads:
                variant_threads.setdefault(cid, [])
        elif key.startswith("variant_") and (cid := _int(key[8:])) is not None:
            variants[cid] = value.strip()
        elif key.startswith("alt_") and (mid := _int(key[4:])) is not None:
            alt_texts[mid] = value
    options: dict[str, Any] = {}
    if data.get("visibility"):
        options["visibility"] = str(data.get("visibility"))
    spoiler = str(data.get("spoiler_text", "")).strip()
    if spoiler:
        options["spoiler_text"] = spoiler
    return PostInput(
        text=str(data.get("text", "")).replace("\r\n", "\n").strip(),
        channel_ids=channel_ids,
        variants=variants,
        thread=thread_parts(str(data.get("thread", ""))),
        variant_threads=variant_threads,
        media_ids=media_ids,
        alt_texts=alt_texts,
        campaign_id=_int(data.get("campaign", "")),
        tags=[t.strip() for t in str(data.get("tags", "")).split(",") if t.strip()],
        options=options,
    )


class MediaUploadForm(forms.Form):
    file = forms.FileField(label=_("Image"), required=False)
    alt_text = forms.CharField(
        label=_("Alt text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Describe the image for people who cannot see it."),
    )


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, required=False)
    utm_source = forms.CharField(label="utm_source", max_length=100, required=False)
    utm_medium = forms.CharField(label="utm_medium", max_length=100, required=False)
    utm_campaign = forms.CharField(label="utm_campaign", max_length=100, required=False)
    utm_term = forms.CharField(label="utm_term", max_length=100, required=False)
    utm_content = forms.CharField(label="utm_content", max_length=100, required=False)


class ChannelSettingsForm(forms.Form):
    """A channel's name and time zone; its queue slots are QueueSlotFormSet beside it
    (roost/publishing/channel_views.py)."""

    name = forms.CharField(label=_("Name"), max_length=100, required=False)
    timezone = forms.ChoiceField(
        label=_("Time zone"),
        required=False,
        choices=lambda: [("", _("The workspace's time zone")), *timezone_choices()],
    )


EVERY_DAY = "all"


def weekday_choices() -> list[tuple[str, Any]]:
    return [
        ("", _("Choose a day")),
        *((str(number), name) for number, name in WEEKDAYS.items()),
        (EVERY_DAY, _("Every day")),
    ]


class QueueSlotForm(forms.Form):
    """One weekly slot: a day of the week (or every day) and a time of day."""

    weekday = forms.ChoiceField(
        label=_("Day"),
        choices=weekday_choices,
        required=False,
        error_messages={"invalid_choice": _("Choose a day of the week from the list.")},
    )
    time = forms.TimeField(
        label=_("Time"),
        required=False,
        input_formats=["%H:%M", "%H:%M:%S"],
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"invalid": _("Enter a time of day like 09:30.")},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, at = data.get("weekday"), data.get("time")
        if self.errors or (data.get("DELETE")):
            return data
        if day and at is None:
            self.add_error("time", _("Choose a time for this day."))
        elif at is not None and not day:
            self.add_error("weekday", _("Choose a day for %(time)s.") % {"time": f"{at:%H:%M}"})
        return data


class BaseQueueSlotFormSet(forms.BaseFormSet):
    default_error_messages = {
        "missing_management_form": _(
            "The queue slots did not arrive complete. Reload the page and try again."
        ),
        "too_many_forms": _("A channel can have at most %(num)d queue slot rows."),
        "too_few_forms": _("Add at least %(num)d queue slot."),
    }

    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove")

    def clean(self) -> None:
        if any(self.errors):
            return
        seen: set[tuple[str, Any]] = set()
        labels = dict(weekday_choices())
        for form in self.forms:
            if form.cleaned_data.get("DELETE"):
                continue
            day, at = form.cleaned_data.get("weekday"), form.cleaned_data.get("time")
            if not day or at is None:
                continue
            if (day, at) in seen:
                form.add_error(
                    None,
                    _("%(day)s %(time)s is listed twice; remove one.")
                    % {"day": labels[day], "time": f"{at:%H:%M}"},
                )
            seen.add((day, at))
        if any(self.errors):
            raise forms.ValidationError(_("Some queue slots need a change: see below."))

    def slots(self) -> list[tuple[int, str]]:
        """(weekday, "HH:MM") of the rows kept, "every day" as its seven days."""
        chosen: list[tuple[int, str]] = []
        for form in self.forms:
            if form.cleaned_data.get("DELETE"):
                continue
            day, at = form.cleaned_data.get("weekday"), form.cleaned_data.get("time")
            if not day or at is None:
                continue
            days = range(7) if day == EVERY_DAY else [int(day)]
            chosen += [(weekday, f"{at:%H:%M}") for weekday in days]
        return chosen


QueueSlotFormSet = forms.formset_factory(
    QueueSlotForm,
    formset=BaseQueueSlotFormSet,
    extra=1,
    can_delete=True,
    max_num=70,
    validate_max=True,
    absolute_max=100,
)
