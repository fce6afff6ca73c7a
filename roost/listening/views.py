"""The listening pages: the overview, a topic's dashboard, the topic form with its live
preview, the mention list (with "Send to inbox") and the alerts."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from roost.analytics import charts
from roost.core import clock
from roost.core.exceptions import NotFound, PermissionDenied, RoostError, ValidationFailed
from roost.http.forms import apply_error
from roost.listening import selectors
from roost.listening.forms import MentionFilterForm, PeriodForm, TopicForm
from roost.listening.models import Sentiment, Topic
from roost.listening.selectors import Figures, Window
from roost.listening.services import topics as topic_services
from roost.listening.services.inbox import mention_to_inbox as send_to_inbox
from roost.listening.services.topics import (
    TopicInput,
    access_mention,
    access_topic,
    topic_create,
    topic_update,
)
from roost.publishing.models import Campaign
from roost.workspaces.decorators import workspace_view
from roost.workspaces.roles import Perm

RECENT_ALERTS = 5
ALERTS_PER_PAGE = 50
PERIOD_KEYS = ("range", "start", "end")


def _actor(request: HttpRequest) -> Any:
    return request.membership  # type: ignore[attr-defined]


def _period_form(request: HttpRequest) -> PeriodForm:
    workspace: Any = request.workspace  # type: ignore[attr-defined]
    data = request.GET if any(k in request.GET for k in PERIOD_KEYS) else None
    return PeriodForm(data, now=clock.now(), tz=workspace.tzinfo)


def _period_query(request: HttpRequest) -> str:
    """The period part of the query string, carried over to the links of a page."""
    kept = QueryDict(mutable=True)
    for key in PERIOD_KEYS:
        if request.GET.get(key):
            kept[key] = request.GET[key]
    return kept.urlencode()


def _count(value: float | None) -> str:
    return "–" if value is None else f"{value:,.0f}"


def net_text(value: float | None) -> str:
    """Net sentiment as shown: signed, two decimals; a dash when there is nothing."""
    return "–" if value is None else f"{value:+.2f}"


def _mentions_url(slug: str, period: str, **filters: Any) -> str:
    """The mention list filtered to what a figure counts."""
    params = {k: v for k, v in filters.items() if v not in (None, "")}
    query = "&".join(part for part in (period, urlencode(params)) if part)
    url = reverse("listening:mentions", kwargs={"slug": slug})
    return f"{url}?{query}" if query else url


def _status(form: Any) -> int:
    # A period (or filter) that makes no sense: the page says why, with the default shown.
    return 400 if form.is_bound and not form.is_valid() else 200


@workspace_view(Perm.VIEW_LISTENING)
@require_safe
def overview(request: HttpRequest) -> HttpResponse:
    """Every topic with its volume and net sentiment against the period before, share of
    voice (brand against competitors), the recent alerts; or what listening is."""
    workspace: Any = request.workspace  # type: ignore[attr-defined]
    form = _period_form(request)
    window = form.window()
    rows = selectors.topic_rows(workspace, window)
    period = _period_query(request)
    slug = workspace.slug
    topic_rows = [
        {
            "row": r,
            "net": net_text(r.now.net),
            "net_before": net_text(r.before.net),
            "url": reverse("listening:topic", kwargs={"slug": slug, "topic_id": r.topic.pk})
            + (f"?{period}" if period else ""),
            "mentions_url": _mentions_url(slug, period, topic=r.topic.pk),
        }
        for r in rows
    ]
    voices = selectors.share_of_voice(workspace, window, rows)
    voice_chart = None
    if any(v.mentions for v in voices):
        voice_chart = _voice_chart("chart-voice", voices)
    context = {
        "area": "listening",
        "here": "overview",
        "form": form,
        "window": window,
        "rows": topic_rows,
        "voices": voices,
        "voice_chart": voice_chart,
        "alerts": list(selectors.alerts(workspace)[:RECENT_ALERTS]),
        "may_manage": _actor(request).has_perm(Perm.MANAGE_LISTENING),
        "period": period,
    }
    return render(request, "listening/overview.html", context, status=_status(form))


def _voice_chart(chart_id: str, voices: list[selectors.Voice]) -> charts.Chart:
    return charts.bar_chart(
        chart_id=chart_id,
        title=_("Share of voice (mentions)"),
        x_label=_("Topic"),
        labels=[v.topic.name for v in voices],
        series=charts.Series(_("Mentions"), [float(v.mentions) for v in voices]),
        fmt=_count,
    )


def _volume_chart(points: list[tuple[Any, Figures]], hourly: bool) -> charts.Chart:
    chart = charts.line_chart(
        chart_id="chart-volume",
        title=_("Mentions per hour") if hourly else _("Mentions per day"),
        x_label=_("Hour") if hourly else _("Day"),
        xs=[at for at, _f in points],
        series=[
            charts.Series(_("Mentions"), [float(f.mentions) for _at, f in points]),
            charts.Series(_("Negative"), [float(f.negative) for _at, f in points]),
        ],
        fmt=_count,
    )
    if not any(f.mentions for _at, f in points):
        chart = chart.blank()
    return chart


@workspace_view(Perm.VIEW_LISTENING)
@require_safe
def topic(request: HttpRequest, topic_id: int) -> HttpResponse:
    """One topic's dashboard for a period: volume over time, sentiment, share of voice,
    top terms, hashtags and authors, purchase intent; every figure links to its mentions."""
    workspace: Any = request.workspace  # type: ignore[attr-defined]
    found = access_topic(_actor(request), topic_id)
    form = _period_form(request)
    window = form.window()
    previous = window.previous()
    figures = selectors.topic_figures(workspace, window, [found.pk]).get(found.pk, Figures())
    before = selectors.topic_figures(workspace, previous, [found.pk]).get(found.pk, Figures())
    period = _period_query(request)
    slug = workspace.slug

    def link(**filters: Any) -> str:
        return _mentions_url(slug, period, topic=found.pk, **filters)

    sentiments = [
        {
            "value": value,
            "label": label,
            "count": getattr(figures, key),
            "percent": figures.percent(getattr(figures, key)),
            "url": link(sentiment=value),
        }
        for value, label, key in (
            (Sentiment.POSITIVE, _("Positive"), "positive"),
            (Sentiment.NEUTRAL, _("Neutral"), "neutral"),
            (Sentiment.NEGATIVE, _("Negative"), "negative"),
        )
    ]
    voices = selectors.topic_share_of_voice(found, window)
    terms = selectors.top_terms(found, window, hashtags=False)
    hashtags = selectors.top_terms(found, window, hashtags=True)
    authors = selectors.top_authors(found, window)
    change = None
    if before.mentions:
        change = (figures.mentions - before.mentions) * 100.0 / before.mentions
    context = {
        "area": "listening",
        "here": "topic",
        "topic": found,
        "form": form,
        "window": window,
        "previous": previous,
        "figures": figures,
        "before": before,
        "change": change,
        "net": net_text(figures.net),
        "net_before": net_text(before.net),
        "volume_chart": _volume_chart(
            selectors.series(found, window, workspace.tzinfo), window.hourly
        ),
        "sentiments": sentiments,
        "voices": [{"v": v, "url": _mentions_url(slug, period, topic=v.topic.pk)} for v in voices],
        "voice_chart": _voice_chart("chart-topic-voice", voices)
        if any(v.mentions for v in voices)
        else None,
        "terms": [{"term": t, "count": n, "url": link(term=t)} for t, n in terms],
        "hashtags": [{"term": t, "count": n, "url": link(term=t)} for t, n in hashtags],
        "authors": [{"a": a, "url": link(author=a.handle)} for a in authors],
        "all_url": link(),
        "intent_url": link(intent="yes"),
        "may_manage": _actor(request).has_perm(Perm.MANAGE_LISTENING),
        "period": period,
    }
    return render(request, "listening/topic.html", context, status=_status(form))


# The topic form


def _topic_form(request: HttpRequest, found: Topic | None) -> HttpResponse:
    actor = _actor(request)
    workspace = actor.workspace
    campaigns = list(Campaign.objects.filter(workspace=workspace).order_by("name", "pk"))
    form = TopicForm(
        request.POST if request.method == "POST" else None,
        initial=TopicForm.initial_for(found),
        campaigns=campaigns,
    )
    status = 200
    shown_preview = None
    if request.method == "POST":
        if "preview" in request.POST:
            # Without script: the preview button shows what the query would match.
            shown_preview = selectors.preview(workspace, request.POST.get("query", ""), clock.now())
            form.is_valid()
        elif form.is_valid():
            data = form.cleaned_data
            topic_input = TopicInput(
                name=data["name"],
                query=data["query"],
                kind=data["kind"],
                campaign_id=data["campaign"],
                exclude_own=data["exclude_own"],
                is_active=data["is_active"],
                alert_volume=data["alert_volume"],
                alert_negative=data["alert_negative"],
                alert_to_inbox=data["alert_to_inbox"],
            )
            try:
                if found is None:
                    saved = topic_create(actor=actor, data=topic_input)
                else:
                    saved = topic_update(actor=actor, topic=found, data=topic_input)
            except ValidationFailed as exc:
                # The service names the campaign by its id field; the form calls it campaign.
                errors = {
                    ("campaign" if k == "campaign_id" else k): v for k, v in exc.errors.items()
                }
                apply_error(form, ValidationFailed(errors))
            except RoostError as exc:
                apply_error(form, exc)
            else:
                messages.success(request, _("Topic saved."))
                return redirect("listening:topic", slug=workspace.slug, topic_id=saved.pk)
            status = 422
        else:
            status = 422
    context = {
        "area": "listening",
        "here": "topic_new" if found is None else "topic",
        "form": form,
        "topic": found,
        "preview": shown_preview,
    }
    return render(request, "listening/topic_form.html", context, status=status)


@workspace_view(Perm.MANAGE_LISTENING)
def topic_new(request: HttpRequest) -> HttpResponse:
    """A new topic (a name, a kind and a query)."""
    return _topic_form(request, None)


@workspace_view(Perm.MANAGE_LISTENING)
def topic_edit(request: HttpRequest, topic_id: int) -> HttpResponse:
    """Change a topic."""
    return _topic_form(request, access_topic(_actor(request), topic_id, Perm.MANAGE_LISTENING))


@workspace_view(Perm.MANAGE_LISTENING)
@require_POST
def topic_delete(request: HttpRequest, topic_id: int) -> HttpResponse:
    """Delete a topic with its mentions' links and roll-ups (the mentions of other topics
    stay)."""
    actor = _actor(request)
    found = access_topic(actor, topic_id, Perm.MANAGE_LISTENING)
    topic_services.topic_delete(actor=actor, topic=found)
    messages.success(request, _("Topic deleted."))
    return redirect("listening:overview", slug=actor.workspace.slug)


@workspace_view(Perm.MANAGE_LISTENING)
@require_POST
def topic_preview(request: HttpRequest) -> HttpResponse:
    """The live preview (htmx): the query's error with its position, or what it matches
    among the last 7 days of stored mentions."""
    workspace: Any = request.workspace  # type: ignore[attr-defined]
    found = selectors.preview(workspace, request.POST.get("query", ""), clock.now())
    return render(request, "listening/topic_form.html#preview", {"preview": found})


# Mentions and alerts


@workspace_view(Perm.VIEW_LISTENING)
@require_safe
def mentions(request: HttpRequest) -> HttpResponse:
    """The mention list: filtered, newest first, a page at a time."""
    workspace: Any = request.workspace  # type: ignore[attr-defined]
    topics = selectors.topics(workspace)
    form = MentionFilterForm(
        request.GET or None, now=clock.now(), tz=workspace.tzinfo, topics=topics
    )
    f = form.mention_filter()
    listed = selectors.mention_page(workspace, f, _page_number(request))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "area": "listening",
        "here": "mentions",
        "form": form,
        "filter": f,
        "listed": listed,
        "rows": [
            {"m": m, "topics": listed.topics_of.get(m.pk, [])} for m in listed.page.object_list
        ],
        "query": query.urlencode(),
        # The inbox takes mentions from those who read all of it (the service checks too).
        "may_send": _actor(request).has_perm(Perm.INBOX_READ_ALL),
        "next": request.get_full_path(),
        "may_manage": _actor(request).has_perm(Perm.MANAGE_LISTENING),
        "period": _period_query(request),
    }
    return render(request, "listening/mentions.html", context, status=_status(form))


def _page_number(request: HttpRequest) -> int:
    raw = request.GET.get("page", "1")
    return int(raw) if raw.isdigit() and len(raw) < 7 else 1


# The door is the inbox's: only those who read the whole inbox may put things into it (every
# role that does also sees listening; the service checks both).
@workspace_view(Perm.INBOX_READ_ALL)
@require_POST
def mention_to_inbox(request: HttpRequest, mention_id: int) -> HttpResponse:
    """Send a mention to the Smart Inbox (once; again: the same message)."""
    actor = _actor(request)
    found = access_mention(actor, mention_id)
    slug = actor.workspace.slug
    try:
        message = send_to_inbox(actor=actor, mention=found)
    except (NotFound, PermissionDenied):
        raise  # the door answers these (404, 403)
    except RoostError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Sent to the inbox."))
        found.inbox_message_id = message.pk
    back = request.POST.get("next", "")
    prefix = reverse("listening:mentions", kwargs={"slug": slug})
    if not back.startswith(prefix):  # only back to the list it came from
        back = prefix
    return redirect(back)


@workspace_view(Perm.VIEW_LISTENING)
@require_safe
def alerts(request: HttpRequest) -> HttpResponse:
    """Spike alerts, newest first, each with its figures and a link to its mentions."""
    workspace: Any = request.workspace  # type: ignore[attr-defined]
    from django.core.paginator import Paginator

    page = Paginator(selectors.alerts(workspace), ALERTS_PER_PAGE).get_page(_page_number(request))
    slug = workspace.slug
    rows = []
    for a in page.object_list:
        window = Window(a.started_at, max(a.quiet_until, a.started_at))
        rows.append(
            {
                "a": a,
                "observed": _alert_value(a.kind, a.observed),
                "expected": _alert_value(a.kind, a.expected),
                "topic_url": reverse(
                    "listening:topic", kwargs={"slug": slug, "topic_id": a.topic_id}
                ),
                "mentions_url": _mentions_url(
                    slug,
                    _custom_period(window, workspace.tzinfo),
                    topic=a.topic_id,
                    sentiment=Sentiment.NEGATIVE if a.kind == "negative" else None,
                ),
            }
        )
    context = {
        "area": "listening",
        "here": "alerts",
        "page": page,
        "rows": rows,
        "may_manage": _actor(request).has_perm(Perm.MANAGE_LISTENING),
    }
    return render(request, "listening/alerts.html", context)


def _alert_value(kind: str, value: float) -> str:
    if kind == "negative":
        return f"{value * 100:.0f} %"
    return f"{value:,.1f}".removesuffix(".0")


def _custom_period(window: Window, tz: Any) -> str:
    start = window.start.astimezone(tz).date()
    end = window.end.astimezone(tz).date()
    return urlencode({"range": "custom", "start": start.isoformat(), "end": end.isoformat()})
