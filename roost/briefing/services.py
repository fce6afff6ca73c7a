"""The daily brief, written: building it, sending it each morning exactly once, its
settings and its action items.

When: each workspace's morning time in its own zone, on its working days (computed in
local days, so a DST change never moves it). Exactly once across workers: the brief of
the day is one row (unique workspace and date), claimed by a conditional update of its
`sent_at` before anything is sent; zero rows updated means another worker has it.
Delivery failures (SMTP is a task of its own; the webhook is sent here, through the
outbound guard) are recorded on the brief and shown; they never stop the job, and one
workspace's failure never stops another's.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from django.conf import settings as django_settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from roost.analytics.services.reports import clean_emails as report_emails
from roost.briefing import sections
from roost.briefing.models import ActionItem, Brief, BriefSettings
from roost.core import clock, crypto, outbound
from roost.core.exceptions import NotFound, ValidationFailed
from roost.core.mail import send_email_on_commit
from roost.notifications.services import notify
from roost.workspaces.access import require
from roost.workspaces.models import Membership, Workspace
from roost.workspaces.roles import Perm
from roost.workspaces.services import audit_record

log = logging.getLogger("roost.briefing")

MAX_EMAILS = 50
MAX_ITEM_TEXT = 300
WEBHOOK_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
WEBHOOK_CHARS = 3500  # Slack shows about 4,000 characters of a message's text


# -- when ------------------------------------------------------------------------------


def settings_for(workspace: Workspace) -> BriefSettings:
    found, _made = BriefSettings.objects.get_or_create(workspace=workspace)
    return found


def morning_at(settings: BriefSettings, day: date, zone: ZoneInfo) -> datetime:
    """The stand-up time on `day` in `zone`, in UTC. A time a spring-forward skips comes an
    hour later; in a repeated autumn hour, the first one counts (fold=0)."""
    return datetime.combine(day, settings.morning_time, tzinfo=zone).astimezone(UTC)


def is_working_day(settings: BriefSettings, day: date) -> bool:
    return day.weekday() in (settings.working_days or [])


def overnight_since(settings: BriefSettings, day: date, zone: ZoneInfo) -> datetime:
    """Where "overnight" starts for the brief of `day`: the previous working day's
    stand-up time (Monday's covers the weekend); a day earlier when no day works."""
    for back in range(1, 8):
        before = day - timedelta(days=back)
        if is_working_day(settings, before):
            return morning_at(settings, before, zone)
    return morning_at(settings, day - timedelta(days=1), zone)


def due_day(settings: BriefSettings, now: datetime, zone: ZoneInfo) -> date | None:
    """The local day whose brief is due at `now`, or None (not a working day, too early,
    or the brief is switched off). A worker that was away sends the day's brief late, the
    same day; never a past day's."""
    if not settings.enabled:
        return None
    day = now.astimezone(zone).date()
    if not is_working_day(settings, day) or now < morning_at(settings, day, zone):
        return None
    return day


# -- building --------------------------------------------------------------------------


def brief_content(
    workspace: Workspace, *, now: datetime, day: date, since: datetime
) -> dict[str, Any]:
    """The sections as JSON, in the workspace's language."""
    ctx = sections.Context(workspace, now, since, day, workspace.tzinfo)
    with translation.override(workspace.language):
        built = sections.build_all(ctx)
    return {
        "as_of": now.isoformat(),
        "since": since.isoformat(),
        "minutes": sum(s["minutes"] for s in built),
        "sections": built,
    }


def brief_preview(workspace: Workspace, *, now: datetime | None = None) -> Brief:
    """Today's brief as of `now`, not saved (the page before the morning build)."""
    now = now or clock.now()
    zone = workspace.tzinfo
    day = now.astimezone(zone).date()
    since = overnight_since(settings_for(workspace), day, zone)
    content = brief_content(workspace, now=now, day=day, since=since)
    return Brief(workspace=workspace, date=day, built_at=now, since=since, content=content)


def brief_build(workspace: Workspace, *, now: datetime | None = None) -> Brief:
    """Build (or rebuild) and save the brief of the local day of `now` (its sending state
    and action items are kept)."""
    preview = brief_preview(workspace, now=now)
    brief, _made = Brief.objects.update_or_create(
        workspace=workspace,
        date=preview.date,
        defaults={
            "built_at": preview.built_at,
            "since": preview.since,
            "content": preview.content,
        },
    )
    return brief


# -- sending ---------------------------------------------------------------------------


def page_url(brief: Brief) -> str:
    path = reverse("briefing:day", args=[brief.workspace.slug, brief.date.isoformat()])
    return django_settings.ROOST_BASE_URL.rstrip("/") + path


def _absolute(link: str) -> str:
    return django_settings.ROOST_BASE_URL.rstrip("/") + link if link.startswith("/") else ""


def brief_text(brief: Brief) -> str:
    """The brief as plain text (e-mail body, webhook message)."""
    workspace = brief.workspace
    with translation.override(workspace.language):
        lines = [
            _("Daily brief for %(workspace)s, %(day)s")
            % {"workspace": workspace.name, "day": brief.date.isoformat()},
            "",
        ]
        for section in brief.content.get("sections", []):
            lines.append(
                _("%(title)s (%(n)s min)") % {"title": section["title"], "n": section["minutes"]}
            )
            if section.get("unavailable"):
                lines.append("  " + section["note"])
            elif not section["items"]:
                lines.append("  " + section["empty"])
            for item in section["items"]:
                mark = "!" if item["severity"] in (sections.WARNING, sections.CRITICAL) else "-"
                lines.append(f"  {mark} {item['text']}")
            lines.append("")
        lines.append(_("Open it in Roost: %(url)s") % {"url": page_url(brief)})
    return "\n".join(lines)


def brief_html(brief: Brief) -> str:
    with translation.override(brief.workspace.language):
        return render_to_string(
            "briefing/email.html",
            {
                "brief": brief,
                "sections": brief.content.get("sections", []),
                "url": page_url(brief),
                "base": django_settings.ROOST_BASE_URL.rstrip("/"),
            },
        )


def recipients(settings: BriefSettings) -> list[str]:
    """Members who opted in and may still see the brief, then the outside addresses."""
    members = [
        m.user.email
        for m in settings.members.select_related("user").prefetch_related("roles").order_by("pk")
        if m.user.email and m.has_perm(Perm.VIEW_BRIEF)
    ]
    return list(dict.fromkeys([*members, *settings.emails]))


def webhook_post(url: str, text: str) -> str:
    """POST {"text": …} to a Slack- or Teams-compatible incoming webhook, through the
    outbound guard; returns "ok" or what went wrong (never the remote's own words)."""
    try:
        checked = outbound.validate_url(url, resolve=False)  # checked again on connect
        with outbound.guarded_httpx_client(timeout=WEBHOOK_TIMEOUT) as client:
            response = client.post(checked, json={"text": text[:WEBHOOK_CHARS]})
    except (httpx.HTTPError, httpx.InvalidURL, outbound.OutboundRefused) as exc:
        refused = outbound.refusal(exc)
        return f"Refused: {refused.kind}" if refused is not None else type(exc).__name__
    if response.status_code >= 300:
        return f"HTTP {response.status_code}"
    return "ok"


def brief_deliver(brief: Brief, settings: BriefSettings) -> dict[str, Any]:
    """E-mail (text and HTML, one message per address) and the webhook; the outcome is
    recorded on the brief."""
    result: dict[str, Any] = {"emails": 0, "webhook": ""}
    to = recipients(settings)
    if to:
        workspace = brief.workspace
        with translation.override(workspace.language):
            subject = _("Daily brief: %(workspace)s, %(day)s") % {
                "workspace": workspace.name,
                "day": brief.date.isoformat(),
            }
        text, html = brief_text(brief), brief_html(brief)
        for address in to:
            send_email_on_commit(subject=subject, body=text, to=[address], html=html)
        result["emails"] = len(to)
    url = settings.webhook_url
    if url:
        try:
            result["webhook"] = webhook_post(url, brief_text(brief))
        except Exception as exc:  # a bug here must not lose the e-mails' record
            log.exception("brief %s: webhook failed", brief.pk)
            result["webhook"] = type(exc).__name__
    failed = bool(result["webhook"]) and result["webhook"] != "ok"
    sending = Brief.Sending.SENT
    if failed:
        sending = Brief.Sending.PARTLY if result["emails"] else Brief.Sending.FAILED
    Brief.objects.filter(pk=brief.pk).update(delivery=result, sending=sending)
    brief.delivery, brief.sending = result, sending
    return result


def brief_send(workspace: Workspace, settings: BriefSettings, *, now: datetime) -> bool:
    """Build, claim and send today's brief of one workspace; False when it is not due or
    another worker has claimed it."""
    zone = workspace.tzinfo
    day = due_day(settings, now, zone)
    if day is None:
        return False
    since = overnight_since(settings, day, zone)
    content = brief_content(workspace, now=now, day=day, since=since)
    brief, _made = Brief.objects.get_or_create(
        workspace=workspace,
        date=day,
        defaults={"built_at": now, "since": since, "content": content},
    )
    claimed = Brief.objects.filter(pk=brief.pk, sent_at__isnull=True).update(
        sent_at=now, built_at=now, since=since, content=content
    )
    if not claimed:
        return False  # sent already, by this worker earlier or another one
    brief.refresh_from_db()
    brief_deliver(brief, settings)
    return True


def briefs_send_due(*, now: datetime | None = None) -> int:
    """Send every workspace's brief that is due and not sent yet; returns how many were
    sent. A workspace that fails is logged and tried again at the next run."""
    now = now or clock.now()
    by_workspace = {s.workspace_id: s for s in BriefSettings.objects.all()}
    recent = now.date() - timedelta(days=1)  # local days are within a day of UTC's
    sent = set(
        Brief.objects.filter(date__gte=recent, sent_at__isnull=False).values_list(
            "workspace_id", "date"
        )
    )
    done = 0
    # A candidate's assessment workspace (roost.team's practical exercise) gets no brief.
    for workspace in Workspace.objects.filter(assessment__isnull=True).order_by("pk"):
        try:
            settings = by_workspace.get(workspace.pk) or BriefSettings(workspace=workspace)
            day = due_day(settings, now, workspace.tzinfo)
            if day is None or (workspace.pk, day) in sent:
                continue
            if settings.pk is None:
                settings = settings_for(workspace)
            done += brief_send(workspace, settings, now=now)
        except Exception:
            log.exception("the brief of workspace %s could not be sent", workspace.pk)
    return done


# -- settings --------------------------------------------------------------------------


@dataclass(frozen=True)
class SettingsInput:
    enabled: bool
    morning_time: time
    working_days: Sequence[int]
    emails: Sequence[str] = ()
    webhook_url: str | None = None  # None: keep the one stored; "": remove it


def clean_emails(emails: Sequence[str], errors: dict[str, list[str]]) -> list[str]:
    """The reports' check of outside addresses, with the brief's cap on how many."""
    out = report_emails(emails, errors)
    if "emails" not in errors and len(out) > MAX_EMAILS:
        errors["emails"] = [_("At most %(n)s addresses.") % {"n": MAX_EMAILS}]
    return out


def clean_webhook(url: str, errors: dict[str, list[str]]) -> str:
    url = url.strip()
    if not url:
        return ""
    if len(url) > 500 or not url.startswith(("https://", "http://")):
        errors["webhook_url"] = [_("Enter the full address, starting with https://.")]
        return ""
    try:
        outbound.validate_url(url)
    except outbound.OutboundRefused as exc:
        errors["webhook_url"] = [str(exc)]
    return url


@transaction.atomic
def settings_save(*, actor: Membership, data: SettingsInput) -> BriefSettings:
    """Change when the brief is built and where it goes; every problem reported at once."""
    require(actor, Perm.MANAGE_BRIEF)
    errors: dict[str, list[str]] = {}
    days = sorted({int(d) for d in data.working_days})
    if any(not 0 <= d <= 6 for d in days):
        errors["working_days"] = [_("Choose days of the week (0 = Monday … 6 = Sunday).")]
    emails = clean_emails(data.emails, errors)
    webhook = clean_webhook(data.webhook_url, errors) if data.webhook_url is not None else None
    if errors:
        raise ValidationFailed(errors)
    settings = settings_for(actor.workspace)
    settings.enabled = data.enabled
    settings.morning_time = data.morning_time.replace(second=0, microsecond=0, tzinfo=None)
    settings.working_days = days
    settings.emails = emails
    if webhook is not None:
        settings.webhook_url = webhook
    settings.updated_at = clock.now()
    settings.save()
    audit_record(
        workspace=actor.workspace,
        actor=actor.user,
        action="brief.settings_changed",
        target=settings,
        time=settings.morning_time.isoformat(),
        webhook=bool(settings.webhook_encrypted),
    )
    return settings


def subscription_set(*, actor: Membership, on: bool) -> BriefSettings:
    """A member asks for (or stops) the brief by e-mail."""
    require(actor, Perm.VIEW_BRIEF)
    settings = settings_for(actor.workspace)
    if on:
        settings.members.add(actor)
    else:
        settings.members.remove(actor)
    return settings


# -- action items ----------------------------------------------------------------------


def access_brief(actor: Membership, day: date) -> Brief:
    require(actor, Perm.VIEW_BRIEF)
    found = Brief.objects.filter(workspace=actor.workspace, date=day).first()
    if found is None:
        raise NotFound(_("There is no brief for that day."))
    return found


def access_action_item(actor: Membership, item_id: int) -> ActionItem:
    require(actor, Perm.VIEW_BRIEF)
    found = (
        ActionItem.objects.select_related("brief", "assignee__user")
        .filter(brief__workspace=actor.workspace, pk=item_id)
        .first()
    )
    if found is None:
        raise NotFound(_("No such action item in this workspace."))
    return found


def action_item_add(
    *,
    actor: Membership,
    text: str,
    assignee_id: int | None = None,
    due: date | None = None,
    day: date | None = None,
) -> ActionItem:
    """An action item on the brief of `day` (today by default; today's brief is built
    when there is none yet). The assignee is told."""
    require(actor, Perm.VIEW_BRIEF)
    workspace = actor.workspace
    errors: dict[str, list[str]] = {}
    text = " ".join((text or "").split())
    if not text:
        errors["text"] = [_("Say what needs doing.")]
    elif len(text) > MAX_ITEM_TEXT:
        errors["text"] = [_("An action can be at most %(n)s characters.") % {"n": MAX_ITEM_TEXT}]
    assignee = None
    if assignee_id is not None:
        assignee = (
            Membership.objects.filter(workspace=workspace, pk=assignee_id)
            .select_related("user")
            .first()
            if 0 < assignee_id < 2**63
            else None
        )
        if assignee is None:
            errors["assignee"] = [_("Choose a member of this workspace.")]
    if errors:
        raise ValidationFailed(errors)
    today = clock.now().astimezone(workspace.tzinfo).date()
    if day is None or day == today:
        brief = Brief.objects.filter(workspace=workspace, date=today).first()
        if brief is None:
            brief = brief_build(workspace)
    else:
        brief = access_brief(actor, day)
    with transaction.atomic():
        item = ActionItem.objects.create(
            brief=brief, text=text, assignee=assignee, due=due, created_by=actor
        )
        audit_record(workspace=workspace, actor=actor.user, action="brief.item_added", target=item)
        if assignee is not None and assignee.pk != actor.pk:
            notify(
                workspace=workspace,
                recipients=[assignee.user],
                kind="brief_item",
                key=f"brief-item-{item.pk}",
                text=_("%(who)s gave you an action from the daily brief: %(text)s")
                % {"who": actor.user.display_name, "text": text[:120]},
                url=reverse("briefing:day", args=[workspace.slug, brief.date.isoformat()]),
            )
    return item


def action_item_mark(*, actor: Membership, item: ActionItem, done: bool) -> ActionItem:
    """Tick an action item done (or open it again)."""
    require(actor, Perm.VIEW_BRIEF)
    if item.done != done:
        item.done = done
        item.done_at = clock.now() if done else None
        item.save(update_fields=["done", "done_at"])
        audit_record(
            workspace=actor.workspace,
            actor=actor.user,
            action="brief.item_done" if done else "brief.item_reopened",
            target=item,
        )
    return item


def webhooks_reencrypt() -> tuple[int, int]:
    """Re-encrypt every brief webhook address with the newest key (`roost rotate_secrets`);
    returns (re-encrypted, unreadable). Conditional: a value re-saved meanwhile is kept."""
    done = failed = 0
    rows = BriefSettings.objects.exclude(webhook_encrypted="").values_list(
        "pk", "webhook_encrypted"
    )
    for pk, current in rows.iterator():
        try:
            token = crypto.rotate(current)
        except crypto.SecretUnreadable:
            failed += 1
            continue
        done += BriefSettings.objects.filter(pk=pk, webhook_encrypted=current).update(
            webhook_encrypted=token
        )
    return done, failed
