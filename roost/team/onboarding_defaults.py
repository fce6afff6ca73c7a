"""The onboarding templates Roost writes for a workspace the first time it opens
onboarding (or a hire needs one): one 30-60-90-day plan per seed role, with learning goals,
activities, deliverables and check-ins at days 30, 60 and 90. Steps that Roost can see
happen carry an automatic check (roost/team/onboarding_checks.py) and tick themselves.
The team edits the copies; these are only the first draft."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from roost.team.models import StepKind
from roost.workspaces.roles import Role

L, A, D, C = StepKind.LEARNING, StepKind.ACTIVITY, StepKind.DELIVERABLE, StepKind.CHECK_IN


@dataclass(frozen=True)
class DefaultStep:
    due_day: int
    kind: str
    title: object  # a lazy translation
    details: object = ""
    auto_check: str = ""
    target: int = 1


@dataclass(frozen=True)
class DefaultTemplate:
    role: Role
    name: object
    days: int
    steps: tuple[DefaultStep, ...]


def _check_ins(days: int = 90) -> tuple[DefaultStep, ...]:
    return tuple(
        DefaultStep(
            day,
            C,
            _("Check-in with your mentor: day %(day)s") % {"day": day},
            _("What went well, what is hard, what to focus on next. The mentor notes it."),
        )
        for day in (30, 60, 90)
        if day <= days
    )


DEFAULTS: tuple[DefaultTemplate, ...] = (
    DefaultTemplate(
        Role.COMMUNITY_MANAGER,
        _("Community Manager: 30-60-90"),
        90,
        (
            DefaultStep(
                3,
                A,
                _("Handle your first inbox item"),
                _("Reply to or complete one item in the shared inbox."),
                "inbox_handled",
                1,
            ),
            DefaultStep(
                7,
                L,
                _("Learn the inbox: assignment, tags, priorities and the SLA"),
            ),
            DefaultStep(14, A, _("Write three saved replies"), "", "saved_replies", 3),
            DefaultStep(
                21,
                A,
                _("Handle ten inbox items"),
                _("Reply to or complete ten items in the inbox."),
                "inbox_handled",
                10,
            ),
            *_check_ins()[:1],
            DefaultStep(45, L, _("Learn listening: topics, mentions and alerts")),
            DefaultStep(
                50, A, _("Create a listening topic for the brand"), "", "listening_topics", 1
            ),
            DefaultStep(
                55, D, _("A community guideline: tone, escalation paths, what we never say")
            ),
            *_check_ins()[1:2],
            DefaultStep(75, A, _("Handle a hundred inbox items"), "", "inbox_handled", 100),
            DefaultStep(85, D, _("A monthly community report: themes, sentiment, open issues")),
            *_check_ins()[2:],
        ),
    ),
    DefaultTemplate(
        Role.CONTENT_CREATOR,
        _("Content Creator: 30-60-90"),
        90,
        (
            DefaultStep(5, L, _("Learn the brand voice, the calendar and the approval workflow")),
            DefaultStep(
                14,
                A,
                _("Schedule your first post through approval"),
                _("Write a post, send it for approval and see it scheduled."),
                "posts_approved",
                1,
            ),
            DefaultStep(25, D, _("Five post ideas for next month's campaign")),
            *_check_ins()[:1],
            DefaultStep(45, A, _("Ten posts through approval"), "", "posts_approved", 10),
            DefaultStep(55, L, _("Read the analytics of your own posts: what worked and why")),
            *_check_ins()[1:2],
            DefaultStep(80, D, _("Plan and write a full campaign's posts")),
            DefaultStep(88, A, _("Twenty-five posts through approval"), "", "posts_approved", 25),
            *_check_ins()[2:],
        ),
    ),
    DefaultTemplate(
        Role.SOCIAL_MEDIA_MANAGER,
        _("Social Media Manager: 30-60-90"),
        90,
        (
            DefaultStep(5, L, _("Learn the goals, channels, team and workflows")),
            DefaultStep(10, A, _("Make your first approval decision"), "", "approval_decisions", 1),
            DefaultStep(25, D, _("A strategy review: goals, audiences, what to keep and change")),
            *_check_ins()[:1],
            DefaultStep(
                45, A, _("Schedule or share a report for the team"), "", "reports_shared", 1
            ),
            DefaultStep(55, D, _("The next quarter's content calendar")),
            *_check_ins()[1:2],
            DefaultStep(75, A, _("Twenty approval decisions"), "", "approval_decisions", 20),
            DefaultStep(85, D, _("A quarterly report to leadership with the ROI")),
            *_check_ins()[2:],
        ),
    ),
    DefaultTemplate(
        Role.ANALYST,
        _("Social Data Analyst: 30-60-90"),
        90,
        (
            DefaultStep(7, L, _("Learn the analytics: metrics, goals and the ROI settings")),
            DefaultStep(20, A, _("Export or share your first report"), "", "reports_shared", 1),
            *_check_ins()[:1],
            DefaultStep(40, A, _("Create a listening topic"), "", "listening_topics", 1),
            DefaultStep(55, D, _("A benchmark of our channels against last quarter")),
            *_check_ins()[1:2],
            DefaultStep(75, D, _("A recurring report the team reads every week")),
            DefaultStep(
                85, A, _("Five reports exported, scheduled or shared"), "", "reports_shared", 5
            ),
            *_check_ins()[2:],
        ),
    ),
    DefaultTemplate(
        Role.PAID_MEDIA,
        _("Paid Media Specialist: 30-60-90"),
        90,
        (
            DefaultStep(7, L, _("Learn the ad accounts, budgets and the boost approval threshold")),
            DefaultStep(20, D, _("An audit of running campaigns: pacing, spend and results")),
            *_check_ins()[:1],
            DefaultStep(45, A, _("Share a paid report with the team"), "", "reports_shared", 1),
            DefaultStep(55, D, _("A test plan: one A/B test with a clear hypothesis")),
            *_check_ins()[1:2],
            DefaultStep(80, D, _("Next quarter's paid budget split with expected results")),
            *_check_ins()[2:],
        ),
    ),
    DefaultTemplate(
        Role.CUSTOMER_CARE,
        _("Customer Care: 30-60-90"),
        90,
        (
            DefaultStep(3, A, _("Handle your first inbox item"), "", "inbox_handled", 1),
            DefaultStep(10, L, _("Learn the escalation paths and saved replies")),
            DefaultStep(25, A, _("Handle twenty inbox items"), "", "inbox_handled", 20),
            *_check_ins()[:1],
            DefaultStep(50, A, _("Create a task from an inbox item"), "", "tasks_created", 1),
            *_check_ins()[1:2],
            *_check_ins()[2:],
        ),
    ),
    DefaultTemplate(
        Role.SALES,
        _("Sales: 30-60-90"),
        90,
        (
            DefaultStep(5, L, _("Learn how leads reach you from the inbox")),
            DefaultStep(20, A, _("Create your first lead task"), "", "tasks_created", 1),
            *_check_ins()[:1],
            DefaultStep(45, A, _("Reply to five routed messages"), "", "replies_sent", 5),
            *_check_ins()[1:2],
            *_check_ins()[2:],
        ),
    ),
)

BY_ROLE: dict[str, DefaultTemplate] = {t.role.value: t for t in DEFAULTS}
