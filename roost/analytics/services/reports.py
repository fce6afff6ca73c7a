"""Reports, written: schedules (e-mailed PDFs), share links, and sending what is due.

Every write needs Perm.EXPORT_ANALYTICS ("export, share and schedule", docs/roles.md) and
is audited. Sending is exactly once per due time across workers: a schedule is claimed by a
conditional update of its `next_run_at` (zero rows: another worker has it).
"""

from __future__ import annotations

import calendar
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from roost.analytics import reports
from roost.analytics.exports import render_pdf
from roost.analytics.models import ReportFrequency, ReportSchedule, ReportShare
from roost.analytics.selectors import Period, last_days
from roost.core import clock, tokens
from roost.core.exceptions import NotFound, ValidationFailed
from roost.core.mail import send_email_on_commit
from roost.workspaces.access import require
from roost.workspaces.models import Membership, Workspace
from roost.workspaces.roles import Perm
from roost.workspaces.services import audit_record

log = logging.getLogger(__name__)

MAX_DAYS = 731
MAX_RECIPIENTS = 50
SHARE_DAYS = (1, 90)
SHARE_PREFIX = "rpt"


# -- when ------------------------------------------------------------------------------


def next_run(
    *,
    after: datetime,
    zone: ZoneInfo,
    frequency: str,
    hour: int,
    weekday: int = 0,
    day_of_month: int = 1,
) -> datetime:
    """The first send time strictly after `after`: `hour` o'clock in `zone` on the weekday
    (weekly) or the day of the month, capped at the month's last day (monthly). Computed in
    local days, so a DST change never moves the hour; an hour that a spring-forward skips
    is sent an hour later, and in an hour that repeats in autumn the first one counts."""
    local = after.astimezone(zone).date()
    for offset in range(0, 70):
        day = local + timedelta(days=offset)
        if frequency == ReportFrequency.WEEKLY:
            match = day.weekday() == weekday
        else:
            last = calendar.monthrange(day.year, day.month)[1]
            match = day.day == min(day_of_month, last)
        if not match:
            continue
        # fold=0: a skipped hour maps to the hour after the change, a repeated one to the
        # first time it shows on the clock.
        at = datetime.combine(day, time(hour), tzinfo=zone).astimezone(UTC)
        if at > after:
            return at
    raise ValueError("no send time found")  # pragma: no cover - 70 days cover any month


def report_period(schedule: ReportSchedule, at: datetime) -> Period:
    """The `period_days` days up to the day before `at` (workspace zone)."""
    day = at.astimezone(schedule.workspace.tzinfo).date()
    return last_days(day - timedelta(days=1), schedule.period_days)


# -- validation ------------------------------------------------------------------------


def clean_sections(sections: Sequence[str], errors: dict[str, list[str]]) -> list[str]:
    keys = [str(s) for s in sections]
    if not keys:
        errors["sections"] = [_("Choose at least one section.")]
    elif bad := reports.unknown(keys):
        errors["sections"] = [
            _("Unknown section: %(keys)s. Choose from: %(known)s.")
            % {"keys": ", ".join(bad[:5]), "known": ", ".join(reports.SECTIONS)}
        ]
    return list(dict.fromkeys(keys))


def clean_emails(emails: Sequence[str], errors: dict[str, list[str]]) -> list[str]:
    out: list[str] = []
    bad: list[str] = []
    for raw in emails:
        email = str(raw).strip()
        if not email:
            continue
        try:
            validate_email(email)
        except ValidationError:
            bad.append(email[:80])
        else:
            out.append(email.lower())
    if bad:
        errors["emails"] = [_("Not an e-mail address: %(list)s.") % {"list": ", ".join(bad[:5])}]
    return list(dict.fromkeys(out))


@dataclass(frozen=True)
class ScheduleInput:
    name: str
    sections: Sequence[str]
    period_days: int
    frequency: str
    hour: int
    weekday: int = 0
    day_of_month: int = 1
    member_ids: Sequence[int] = ()
    emails: Sequence[str] = ()


def _validate(
    workspace: Workspace, data: ScheduleInput
) -> tuple[dict[str, object], list[Membership]]:
    errors: dict[str, list[str]] = {}
    name = (data.name or "").strip()
    if not name:
        errors["name"] = [_("Give the schedule a name.")]
    elif len(name) > 120:
        errors["name"] = [_("A name can be at most 120 characters.")]
    sections = clean_sections(data.sections, errors)
    if not 1 <= data.period_days <= MAX_DAYS:
        errors["period_days"] = [_("A report covers 1 to %(n)s days.") % {"n": MAX_DAYS}]
    if data.frequency not in ReportFrequency.values:
        errors["frequency"] = [_("Choose weekly or monthly.")]
    if not 0 <= data.hour <= 23:
        errors["hour"] = [_("Choose an hour from 0 to 23.")]
    if not 0 <= data.weekday <= 6:
        errors["weekday"] = [_("Choose a day of the week.")]
    if not 1 <= data.day_of_month <= 31:
        errors["day_of_month"] = [_("Choose a day of the month from 1 to 31.")]
    emails = clean_emails(data.emails, errors)
    ids = sorted({int(i) for i in data.member_ids if 0 < int(i) < 2**63})
    members = list(Membership.objects.filter(workspace=workspace, pk__in=ids))
    if len(members) != len(set(data.member_ids)):
        errors["member_ids"] = [_("Choose members of this workspace.")]
    if not members and not emails and "emails" not in errors and "member_ids" not in errors:
        errors["emails"] = [_("Choose at least one member or enter an e-mail address.")]
    if len(members) + len(emails) > MAX_RECIPIENTS:
        errors["emails"] = [_("A report goes to at most %(n)s recipients.") % {"n": MAX_RECIPIENTS}]
    if errors:
        raise ValidationFailed(errors)
    fields: dict[str, object] = {
        "name": name,
        "sections": sections,
        "period_days": data.period_days,
        "frequency": data.frequency,
        "hour": data.hour,
        "weekday": data.weekday,
        "day_of_month": data.day_of_month,
        "emails": emails,
    }
    return fields, members


# -- schedules -------------------------------------------------------------------------


@transaction.atomic
def schedule_save(
    *, actor: Membership, data: ScheduleInput, schedule: ReportSchedule | None = None
) -> ReportSchedule:
    """Create a schedule (or change `schedule`); its next send time follows the new
    settings. Every problem is reported at once; nothing is saved unless all is well."""
    require(actor, Perm.EXPORT_ANALYTICS)
    workspace = actor.workspace
    fields, members = _validate(workspace, data)
    if schedule is None:
        schedule = ReportSchedule(workspace=workspace, created_by=actor.user)
    for key, value in fields.items():
        setattr(schedule, key, value)
    schedule.next_run_at = next_run(
        after=clock.now(),
        zone=workspace.tzinfo,
        frequency=schedule.frequency,
        hour=schedule.hour,
        weekday=schedule.weekday,
        day_of_month=schedule.day_of_month,
    )
    creating = schedule.pk is None
    schedule.save()
    schedule.members.set(members)
    audit_record(
        workspace=workspace,
        actor=actor.user,
        action="report_schedule.created" if creating else "report_schedule.updated",
        target=schedule,
        name=schedule.name,
    )
    return schedule


def access_schedule(actor: Membership, schedule_id: int) -> ReportSchedule:
    require(actor, Perm.EXPORT_ANALYTICS)
    found = ReportSchedule.objects.filter(workspace=actor.workspace, pk=schedule_id).first()
    if found is None:
        raise NotFound(_("No such report schedule in this workspace."))
    return found


@transaction.atomic
def schedule_delete(*, actor: Membership, schedule: ReportSchedule) -> None:
    require(actor, Perm.EXPORT_ANALYTICS)
    audit_record(
        workspace=actor.workspace,
        actor=actor.user,
        action="report_schedule.deleted",
        target=schedule,
        name=schedule.name,
    )
    schedule.delete()


def recipients(schedule: ReportSchedule) -> list[str]:
    """Who gets it: the chosen members who may still see analytics, and the outside
    addresses."""
    out = [
        m.user.email
        for m in schedule.members.select_related("user").order_by("pk")
        if m.has_perm(Perm.VIEW_ANALYTICS) and m.user.email
    ]
    return list(dict.fromkeys([*out, *schedule.emails]))


@dataclass(frozen=True)
class Outgoing:
    """A scheduled report, rendered and ready to send."""

    subject: str
    body: str
    filename: str
    pdf: bytes
    to: list[str]


def report_render(schedule: ReportSchedule, at: datetime) -> Outgoing:
    """The e-mail for the report due at `at`, in the workspace's language."""
    workspace = schedule.workspace
    period = report_period(schedule, at)
    today = at.astimezone(workspace.tzinfo).date()
    with translation.override(workspace.language):
        pdf = render_pdf(
            workspace=workspace, period=period, sections=schedule.sections, today=today
        )
        values = {
            "name": schedule.name,
            "workspace": workspace.name,
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
        }
        subject = _("%(name)s: %(workspace)s, %(start)s – %(end)s") % values
        body = (
            _(
                "The report “%(name)s” for %(start)s – %(end)s is attached as a PDF.\n\n"
                "You get it because a member of the workspace %(workspace)s added you to its "
                "recipients; they can remove you in Roost (Analytics → Reports)."
            )
            % values
        )
    filename = f"report-{workspace.slug}-{values['start']}-{values['end']}.pdf"
    return Outgoing(subject, body, filename, pdf, recipients(schedule))


def reports_send_due(*, now: datetime | None = None) -> int:
    """Send every schedule whose time has come, each exactly once per due time; returns
    how many schedules were sent. The PDF is made before the claim (no transaction is held
    open while it renders); the claim and the e-mails then commit together. A schedule
    that fails is logged and left due, so the next run tries it again."""
    now = now or clock.now()
    due = list(
        ReportSchedule.objects.filter(next_run_at__lte=now)
        .order_by("next_run_at", "pk")
        .values_list("pk", "next_run_at")[:200]
    )
    done = 0
    for pk, due_at in due:
        try:
            schedule = ReportSchedule.objects.select_related("workspace").get(pk=pk)
            following = next_run(
                after=max(now, due_at),
                zone=schedule.workspace.tzinfo,
                frequency=schedule.frequency,
                hour=schedule.hour,
                weekday=schedule.weekday,
                day_of_month=schedule.day_of_month,
            )
            outgoing = report_render(schedule, due_at)
            with transaction.atomic():
                claimed = ReportSchedule.objects.filter(pk=pk, next_run_at=due_at).update(
                    next_run_at=following, last_sent_at=now
                )
                if not claimed:
                    continue  # another worker sent it, or it was changed meanwhile
                # One message each: outside addresses never see one another.
                for address in outgoing.to:
                    send_email_on_commit(
                        subject=outgoing.subject,
                        body=outgoing.body,
                        to=[address],
                        attachments=[(outgoing.filename, outgoing.pdf, "application/pdf")],
                    )
            done += 1
        except ReportSchedule.DoesNotExist:
            continue
        except Exception:
            log.exception("report schedule %s could not be sent; it is tried again", pk)
    return done


# -- share links -----------------------------------------------------------------------


@transaction.atomic
def share_create(
    *,
    actor: Membership,
    sections: Sequence[str],
    period: Period,
    days: int,
    name: str = "",
) -> tuple[ReportShare, str]:
    """A read-only link to these sections for `period`, valid for `days` days. Returns the
    share and its token (shown once; only its hash is kept)."""
    require(actor, Perm.EXPORT_ANALYTICS)
    errors: dict[str, list[str]] = {}
    keys = clean_sections(sections, errors)
    if not SHARE_DAYS[0] <= days <= SHARE_DAYS[1]:
        errors["days"] = [
            _("A link lasts %(low)s to %(high)s days.")
            % {"low": SHARE_DAYS[0], "high": SHARE_DAYS[1]}
        ]
    if period.end < period.start or period.days > MAX_DAYS:
        errors["period"] = [_("Choose a period of 1 to %(n)s days.") % {"n": MAX_DAYS}]
    name = (name or "").strip()
    if len(name) > 120:
        errors["name"] = [_("A name can be at most 120 characters.")]
    if errors:
        raise ValidationFailed(errors)
    token = tokens.new_secret(SHARE_PREFIX)
    share = ReportShare.objects.create(
        workspace=actor.workspace,
        token_hash=tokens.hash_secret(token),
        name=name,
        sections=keys,
        start=period.start,
        end=period.end,
        created_by=actor.user,
        expires_at=clock.now() + timedelta(days=days),
    )
    audit_record(
        workspace=actor.workspace,
        actor=actor.user,
        action="report_share.created",
        target=share,
        until=share.expires_at.date().isoformat(),
    )
    return share, token


def access_share(actor: Membership, share_id: int) -> ReportShare:
    require(actor, Perm.EXPORT_ANALYTICS)
    found = ReportShare.objects.filter(workspace=actor.workspace, pk=share_id).first()
    if found is None:
        raise NotFound(_("No such report link in this workspace."))
    return found


@transaction.atomic
def share_revoke(*, actor: Membership, share: ReportShare) -> ReportShare:
    require(actor, Perm.EXPORT_ANALYTICS)
    if share.revoked_at is None:
        share.revoked_at = clock.now()
        share.save(update_fields=["revoked_at"])
        audit_record(
            workspace=actor.workspace,
            actor=actor.user,
            action="report_share.revoked",
            target=share,
        )
    return share


class ShareGone(Exception):
    """The link existed but has expired or was revoked (410)."""


def share_for_token(token: str) -> ReportShare:
    """The share a token opens: NotFound for an unknown token, ShareGone for one that
    expired or was revoked."""
    if not token.startswith(SHARE_PREFIX + "_") or len(token) > 100:
        raise NotFound(_("This report link does not exist."))
    share = (
        ReportShare.objects.select_related("workspace")
        .filter(token_hash=tokens.hash_secret(token))
        .first()
    )
    if share is None:
        raise NotFound(_("This report link does not exist."))
    if not share.is_active(clock.now()):
        raise ShareGone()
    return share


def active_shares(workspace: Workspace, now: datetime) -> list[ReportShare]:
    return list(
        ReportShare.objects.filter(workspace=workspace, revoked_at__isnull=True, expires_at__gt=now)
    )


def share_period(share: ReportShare) -> Period:
    return Period(share.start, share.end)
