"""Reports: sections, CSV (formulas escaped) and PDF (titles and Polish letters), schedules
(next send across DST and month ends, sent once, with the PDF), share links (expiry,
revocation, no login, nothing else), permissions and bad input."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.test import Client
from pypdf import PdfReader

from roost.analytics import reports
from roost.analytics.exports import csv_safe, render_csv, render_pdf
from roost.analytics.models import ReportSchedule, ReportShare
from roost.analytics.report_tasks import send_due_reports
from roost.analytics.selectors import Period
from roost.analytics.services import reports as svc
from roost.analytics.testing import published, read
from roost.conftest import B_MARKER, World
from roost.core.exceptions import PermissionDenied, ValidationFailed
from roost.workspaces.models import AuditEntry

WARSAW = ZoneInfo("Europe/Warsaw")
PERIOD = Period(date(2031, 3, 1), date(2031, 3, 7))
POLISH = "Zażółć gęślą jaźń ĄĘŁŃÓŚŹŻ"


def noon(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=WARSAW)


def _data(world: World, text: str = "Launch day") -> None:
    for offset in range(3):
        day = PERIOD.start + timedelta(days=offset)
        d = published(world.a_channel, noon(day), text=f"{text} {offset}")
        read(d, noon(day) + timedelta(hours=6), likes=5 + offset, impressions=200)


def _pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)


def _input(**kwargs: Any) -> svc.ScheduleInput:
    values: dict[str, Any] = {
        "name": "Weekly for leadership",
        "sections": ["summary", "daily"],
        "period_days": 7,
        "frequency": "weekly",
        "hour": 8,
        "weekday": 0,
        "emails": ["boss@example.com"],
    }
    values.update(kwargs)
    return svc.ScheduleInput(**values)


# -- sections, CSV, PDF ---------------------------------------------------------------


def test_registry_names_the_sections_and_is_extendable(world: World) -> None:
    assert list(reports.SECTIONS) == ["summary", "daily", "channels", "top_posts", "goals"]
    reports.register(
        "extra",
        "Extra",
        lambda ctx: reports.Block("extra", "Extra", ["A"], [[ctx.period.days]]),
    )
    try:
        blocks = reports.build(
            workspace=world.a, period=PERIOD, sections=["extra", "daily"], today=PERIOD.end
        )
        assert [b.key for b in blocks] == ["daily", "extra"]
        assert blocks[1].rows == [[7]]
    finally:
        del reports.SECTIONS["extra"]


def test_sections_hold_the_figures(world: World) -> None:
    _data(world)
    blocks = {
        b.key: b
        for b in reports.build(
            workspace=world.a, period=PERIOD, sections=list(reports.SECTIONS), today=PERIOD.end
        )
    }
    daily = blocks["daily"].rows
    assert daily[0][:3] == ["2031-03-01", 1, 5]
    assert daily[2][:3] == ["2031-03-03", 1, 7]
    assert len(daily) == 7
    assert [r[0] for r in blocks["top_posts"].rows] == [
        "Launch day 2",
        "Launch day 1",
        "Launch day 0",
    ]
    channels = blocks["channels"].rows
    assert channels[0][0] == "Alpha Sandbox" and channels[0][2:5] == [3, 18, 600]
    summary = {r[0]: r for r in blocks["summary"].rows}
    assert summary["Engagements"][1] == "18"
    assert B_MARKER not in str([b.rows for b in blocks.values()])


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+49 123", "'+49 123"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("plain", "plain"),
        ("", ""),
        (None, ""),
        (-3, "-3"),
        (2.5, "2.5"),
    ],
)
def test_csv_safe(value: Any, expected: str) -> None:
    assert csv_safe(value) == expected


def test_csv_escapes_formulas_from_post_text(world: World) -> None:
    _data(world, text='=HYPERLINK("http://evil.test","x")')
    blocks = reports.build(
        workspace=world.a, period=PERIOD, sections=["top_posts"], today=PERIOD.end
    )
    text = render_csv(workspace=world.a, period=PERIOD, blocks=blocks)
    assert "'=HYPERLINK" in text
    assert not re.search(r'(^|,)"?=HYPERLINK', text, re.M)


def test_pdf_has_the_section_titles_and_polish_letters(world: World) -> None:
    world.a.name = POLISH
    world.a.save(update_fields=["name"])
    _data(world, text="Łódź się cieszy")
    content = render_pdf(
        workspace=world.a, period=PERIOD, sections=list(reports.SECTIONS), today=PERIOD.end
    )
    assert content.startswith(b"%PDF")
    text = _pdf_text(content)
    for title in ("Key figures", "Day by day", "Channels", "Top posts", "Goals"):
        assert title in text
    assert POLISH in text
    assert "Łódź się cieszy" in text


def test_pdf_of_only_the_chosen_sections(world: World) -> None:
    text = _pdf_text(
        render_pdf(workspace=world.a, period=PERIOD, sections=["daily"], today=PERIOD.end)
    )
    assert "Day by day" in text and "Top posts" not in text


# -- schedules: when ------------------------------------------------------------------


def _utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_weekly_keeps_the_local_hour_across_dst() -> None:
    # Europe/Warsaw leaves summer time on Sunday 26 October 2031.
    first = svc.next_run(
        after=_utc(2031, 10, 17, 12), zone=WARSAW, frequency="weekly", hour=8, weekday=0
    )
    assert first == _utc(2031, 10, 20, 6)  # 08:00 CEST
    second = svc.next_run(after=first, zone=WARSAW, frequency="weekly", hour=8, weekday=0)
    assert second == _utc(2031, 10, 27, 7)  # 08:00 CET
    # …and enters it on Sunday 30 March 2031.
    spring = svc.next_run(
        after=_utc(2031, 3, 25), zone=WARSAW, frequency="weekly", hour=8, weekday=0
    )
    assert spring == _utc(2031, 3, 31, 6)


def test_an_hour_the_clock_skips_is_sent_an_hour_later() -> None:
    at = svc.next_run(after=_utc(2031, 3, 29), zone=WARSAW, frequency="weekly", hour=2, weekday=6)
    assert at.astimezone(WARSAW).hour == 3 and at == _utc(2031, 3, 30, 1)


def test_monthly_caps_at_the_month_end() -> None:
    jan = svc.next_run(
        after=_utc(2031, 1, 1), zone=WARSAW, frequency="monthly", hour=8, day_of_month=31
    )
    assert jan == _utc(2031, 1, 31, 7)
    feb = svc.next_run(after=jan, zone=WARSAW, frequency="monthly", hour=8, day_of_month=31)
    assert feb == _utc(2031, 2, 28, 7)
    leap = svc.next_run(
        after=_utc(2032, 2, 1), zone=WARSAW, frequency="monthly", hour=8, day_of_month=30
    )
    assert leap == _utc(2032, 2, 29, 7)
    april = svc.next_run(
        after=_utc(2031, 3, 31, 22), zone=WARSAW, frequency="monthly", hour=23, day_of_month=31
    )
    assert april == _utc(2031, 4, 30, 21)  # 23:00 CEST


# -- schedules: sending ---------------------------------------------------------------


def test_due_report_is_sent_once_with_the_pdf(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    _data(world)
    analyst = world.members["analyst"]
    schedule = svc.schedule_save(
        actor=analyst, data=_input(member_ids=[analyst.pk], emails=["Boss@Example.com"])
    )
    assert schedule.next_run_at > datetime.now(UTC)
    due = _utc(2031, 3, 10, 7)  # Monday 10 March 2031, 08:00 in Warsaw
    ReportSchedule.objects.filter(pk=schedule.pk).update(next_run_at=due)
    now = due + timedelta(minutes=3)

    with django_capture_on_commit_callbacks(execute=True):
        assert svc.reports_send_due(now=now) == 1
        assert svc.reports_send_due(now=now) == 0  # a second worker: nothing left to claim
    assert sorted(m.to[0] for m in mail.outbox) == ["analyst@alpha.test", "boss@example.com"]
    assert all(len(m.to) == 1 for m in mail.outbox)
    name, content, mimetype = mail.outbox[0].attachments[0]
    assert mimetype == "application/pdf"
    assert name == f"report-{world.a.slug}-2031-03-03-2031-03-09.pdf"
    text = _pdf_text(content)
    assert "Key figures" in text and "Day by day" in text and "2031-03-03" in text
    schedule.refresh_from_db()
    assert schedule.last_sent_at == now
    assert schedule.next_run_at == _utc(2031, 3, 17, 7)


def test_a_worker_that_loses_the_race_sends_nothing(
    world: World, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    schedule = svc.schedule_save(actor=world.members["owner"], data=_input())
    due = schedule.next_run_at
    render = svc.report_render

    def slow_render(s: ReportSchedule, at: datetime) -> svc.Outgoing:
        # While this worker renders, another one claims and sends the same due time.
        ReportSchedule.objects.filter(pk=s.pk).update(next_run_at=due + timedelta(days=7))
        return render(s, at)

    monkeypatch.setattr(svc, "report_render", slow_render)
    with django_capture_on_commit_callbacks(execute=True):
        assert svc.reports_send_due(now=due) == 0
    assert mail.outbox == []
    schedule.refresh_from_db()
    assert schedule.last_sent_at is None


def test_a_report_that_fails_stays_due(
    world: World, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    schedule = svc.schedule_save(actor=world.members["owner"], data=_input())
    due = schedule.next_run_at

    def broken(s: ReportSchedule, at: datetime) -> svc.Outgoing:
        raise RuntimeError("disk full")

    monkeypatch.setattr(svc, "report_render", broken)
    assert svc.reports_send_due(now=due) == 0
    schedule.refresh_from_db()
    assert schedule.next_run_at == due and mail.outbox == []
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        assert svc.reports_send_due(now=due) == 1
    assert len(mail.outbox) == 1


def test_the_job_runs_as_a_task(world: World, django_capture_on_commit_callbacks: Any) -> None:
    schedule = svc.schedule_save(actor=world.members["owner"], data=_input())
    ReportSchedule.objects.filter(pk=schedule.pk).update(next_run_at=_utc(2020, 1, 6, 7))
    with django_capture_on_commit_callbacks(execute=True):
        result = send_due_reports.enqueue()
    assert result.return_value == 1
    assert len(mail.outbox) == 1
    from roost.core import jobs

    assert "analytics.reports" in [j.name for j in jobs.registered()]


def test_members_who_lost_analytics_get_nothing(world: World) -> None:
    creator = world.members["content_creator"]
    schedule = svc.schedule_save(
        actor=world.members["owner"], data=_input(member_ids=[creator.pk], emails=[])
    )
    assert svc.recipients(schedule) == []


def test_schedule_input_is_checked(world: World) -> None:
    owner = world.members["owner"]
    with pytest.raises(ValidationFailed) as caught:
        svc.schedule_save(
            actor=owner,
            data=_input(
                name="",
                sections=["summary", "nope"],
                emails=["not-an-address", "ok@example.com"],
                frequency="daily",
                hour=24,
                period_days=0,
                member_ids=[world.b_member.pk],
            ),
        )
    errors = caught.value.errors
    assert set(errors) == {
        "name",
        "sections",
        "emails",
        "frequency",
        "hour",
        "period_days",
        "member_ids",
    }
    assert "nope" in errors["sections"][0]
    assert "not-an-address" in errors["emails"][0]
    assert ReportSchedule.objects.count() == 0


def test_schedule_needs_export_permission(world: World) -> None:
    before = AuditEntry.objects.count()
    with pytest.raises(PermissionDenied):
        svc.schedule_save(actor=world.members["content_creator"], data=_input())
    assert ReportSchedule.objects.count() == 0 and AuditEntry.objects.count() == before


# -- pages ----------------------------------------------------------------------------


def _url(world: World, name: str) -> str:
    return f"/w/{world.a.slug}/analytics/{name}"


def test_builder_shows_sections(world: World) -> None:
    _data(world)
    response = world.client_for("analyst").get(
        _url(world, "reports/"),
        {"range": "custom", "start": "2031-03-01", "end": "2031-03-07", "sections": ["daily"]},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="report-daily"' in body and 'data-testid="report-summary"' not in body
    assert 'data-testid="export-pdf"' in body


def test_builder_without_export_permission_hides_export(world: World) -> None:
    # Every role with VIEW_ANALYTICS here also has EXPORT_ANALYTICS; drop it for one member.
    from roost.workspaces import roles

    client = world.client_for("analyst")
    original = roles.MATRIX[roles.Role.ANALYST]
    roles.MATRIX[roles.Role.ANALYST] = frozenset(original - {roles.Perm.EXPORT_ANALYTICS})
    try:
        body = client.get(_url(world, "reports/")).content.decode()
        assert 'data-testid="export-pdf"' not in body
        assert client.get(_url(world, "reports/export/")).status_code == 403
    finally:
        roles.MATRIX[roles.Role.ANALYST] = original


def test_roles_without_analytics_are_refused(world: World) -> None:
    client = world.client_for("content_creator")
    assert client.get(_url(world, "reports/")).status_code == 403
    assert client.get(_url(world, "reports/export/?format=csv")).status_code == 403


def test_export_csv_and_pdf(world: World) -> None:
    _data(world)
    client = world.client_for("paid_media")
    query = {"range": "custom", "start": "2031-03-01", "end": "2031-03-07"}
    response = client.get(_url(world, "reports/export/"), {**query, "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert "Launch day 2" in response.content.decode()
    response = client.get(_url(world, "reports/export/"), {**query, "format": "pdf"})
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_export_bad_input_is_a_clear_400(world: World) -> None:
    client = world.client_for("owner")
    response = client.get(_url(world, "reports/export/"), {"sections": "bogus"})
    assert response.status_code == 400
    assert "bogus is not a section Roost knows" in response.content.decode()
    response = client.get(_url(world, "reports/export/"), {"format": "xlsx"})
    assert response.status_code == 400 and "Choose CSV or PDF" in response.content.decode()
    response = client.get(
        _url(world, "reports/export/"),
        {"range": "custom", "start": "2031-03-09", "end": "2031-03-01"},
    )
    assert response.status_code == 400


def test_schedule_page_creates_and_reports_bad_emails(world: World) -> None:
    client = world.client_for("analyst")
    analyst = world.members["analyst"]
    form = {
        "name": "Monthly",
        "sections": ["summary", "goals"],
        "period_days": "30",
        "frequency": "monthly",
        "weekday": "0",
        "day_of_month": "31",
        "hour": "9",
        "members": [str(analyst.pk)],
        "emails": "cfo@example.com, not an address",
    }
    response = client.post(_url(world, "reports/schedules/new/"), form)
    assert response.status_code == 422
    assert "Not an e-mail address: not an address" in response.content.decode()
    assert ReportSchedule.objects.count() == 0
    form["emails"] = "cfo@example.com"
    response = client.post(_url(world, "reports/schedules/new/"), form)
    assert response.status_code == 302
    schedule = ReportSchedule.objects.get()
    assert schedule.emails == ["cfo@example.com"]
    assert list(schedule.members.all()) == [analyst]
    assert schedule.next_run_at.astimezone(WARSAW).hour == 9
    assert AuditEntry.objects.filter(action="report_schedule.created").count() == 1
    response = client.post(_url(world, f"reports/schedules/{schedule.pk}/delete/"))
    assert response.status_code == 302 and ReportSchedule.objects.count() == 0


# -- share links ----------------------------------------------------------------------


def _share(world: World, client: Client, days: str = "7", sections: list[str] | None = None) -> str:
    response = client.post(
        _url(world, "reports/shares/"),
        {
            "sections": sections or ["daily", "top_posts"],
            "range": "custom",
            "start": "2031-03-01",
            "end": "2031-03-07",
            "days": days,
        },
    )
    assert response.status_code == 200, response.content
    match = re.search(r'value="(http[^"]+/r/[^"]+/)"', response.content.decode())
    assert match
    return match.group(1).split("testserver", 1)[1]


def test_share_link_opens_without_login_and_shows_only_its_sections(world: World) -> None:
    _data(world)
    path = _share(world, world.client_for("analyst"))
    token = path.split("/")[2]
    share = ReportShare.objects.get()
    assert token not in share.token_hash and len(share.token_hash) == 64
    response = Client().get(path)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="report-daily"' in body and "Launch day 2" in body
    assert 'data-testid="report-summary"' not in body
    assert world.a.slug not in body  # no links into the workspace
    assert B_MARKER not in body
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_share_link_expires(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _share(world, world.client_for("owner"), days="1")
    share = ReportShare.objects.get()
    later = share.expires_at + timedelta(seconds=1)
    monkeypatch.setattr("roost.core.clock.now", lambda: later)
    response = Client().get(path)
    assert response.status_code == 410
    assert "expired or was revoked" in response.content.decode()


def test_share_link_revoked(world: World) -> None:
    client = world.client_for("owner")
    path = _share(world, client)
    share = ReportShare.objects.get()
    assert client.post(_url(world, f"reports/shares/{share.pk}/revoke/")).status_code == 302
    assert Client().get(path).status_code == 410
    assert AuditEntry.objects.filter(action="report_share.revoked").count() == 1


def test_unknown_share_token_is_404(world: World) -> None:
    assert Client().get("/r/rpt_nothing-here/").status_code == 404
    assert Client().get("/r/whatever/").status_code == 404


def test_share_bad_input(world: World) -> None:
    client = world.client_for("owner")
    response = client.post(_url(world, "reports/shares/"), {"sections": ["nope"], "days": "91"})
    assert response.status_code == 422
    body = response.content.decode()
    assert "nope is not a section Roost knows" in body
    assert ReportShare.objects.count() == 0
    with pytest.raises(ValidationFailed) as caught:
        svc.share_create(actor=world.members["owner"], sections=["daily"], period=PERIOD, days=0)
    assert "days" in caught.value.errors
