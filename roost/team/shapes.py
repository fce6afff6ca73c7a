"""The recommended team shape per company size: seats (a label and the responsibility
areas the person in it carries), hybrid seats for lean teams, the headcount range, and the
"too many roles" rule (the most areas one person should carry at that size).

Plain data, like profiles.py. The seed's sizes: one or two people in social in small firms,
three to five in mid-size, six to ten in large, eleven or more in enterprises.

The too-many rule: small 3 (two people split six areas, three each), mid 2 (the manager
keeps strategy and publishing; analytics and paid can share a seat), large 2, enterprise 1
(dedicated roles: a person carrying two areas there is a seat to split). A team of one
person carries everything and is never flagged: that is the small shape for one person.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from roost.team.models import CompanySize
from roost.team.profiles import Responsibility

R = Responsibility


@dataclass(frozen=True)
class Seat:
    """One recommended place in the team; `count` people of the same kind (several
    creators in a large team)."""

    key: str
    label: Promise
    responsibilities: tuple[Responsibility, ...]
    count: int = 1

    @property
    def hybrid(self) -> bool:
        return len(self.responsibilities) > 1


@dataclass(frozen=True)
class Shape:
    size: CompanySize
    summary: Promise
    min_people: int
    max_people: int | None  # None: no upper bound (enterprise)
    max_areas: int  # the too-many rule: most areas one person should carry
    seats: tuple[Seat, ...]
    # Other departments the inbox hands work to, recommended at this size (never a gap in
    # the social team itself: a hint when nobody in the workspace covers them).
    departments: tuple[Responsibility, ...] = ()
    # How one person alone covers it (the small shape only).
    solo: Seat | None = None

    @property
    def seat_count(self) -> int:
        return sum(s.count for s in self.seats)


SOCIAL_ALL = (R.STRATEGY, R.CONTENT, R.PUBLISHING, R.COMMUNITY, R.ANALYTICS, R.PAID)

SHAPES: dict[CompanySize, Shape] = {
    CompanySize.SMALL: Shape(
        CompanySize.SMALL,
        _(
            "One or two people do everything. Two people split it into two hybrid seats: "
            "one plans, measures and buys, the other makes, publishes and answers."
        ),
        1,
        2,
        3,
        (
            Seat(
                "strategy_analytics_paid",
                _("Strategy, analytics and paid"),
                (R.STRATEGY, R.ANALYTICS, R.PAID),
            ),
            Seat(
                "content_publishing_community",
                _("Content, publishing and community"),
                (R.CONTENT, R.PUBLISHING, R.COMMUNITY),
            ),
        ),
        solo=Seat("everything", _("Everything social (a team of one)"), SOCIAL_ALL),
    ),
    CompanySize.MID: Shape(
        CompanySize.MID,
        _(
            "Three to five people: a manager who plans and approves, a content creator, a "
            "community manager on the inbox, and one person for analytics and paid media. "
            "Customer care takes the complaints the inbox hands over."
        ),
        3,
        5,
        2,
        (
            Seat("manager", _("Social media manager"), (R.STRATEGY, R.PUBLISHING)),
            Seat("creator", _("Content creator"), (R.CONTENT,)),
            Seat("community", _("Community manager"), (R.COMMUNITY,)),
            Seat("analyst_paid", _("Analyst and paid media"), (R.ANALYTICS, R.PAID)),
        ),
        departments=(R.CARE,),
    ),
    CompanySize.LARGE: Shape(
        CompanySize.LARGE,
        _(
            "Six to ten people: every area has its own person, with two content creators "
            "and two community managers. Customer care and sales take what the inbox hands "
            "over."
        ),
        6,
        10,
        2,
        (
            Seat("manager", _("Social media manager"), (R.STRATEGY, R.PUBLISHING)),
            Seat("creator", _("Content creator"), (R.CONTENT,), 2),
            Seat("community", _("Community manager"), (R.COMMUNITY,), 2),
            Seat("analyst", _("Social data analyst"), (R.ANALYTICS,)),
            Seat("paid", _("Paid media specialist"), (R.PAID,)),
        ),
        departments=(R.CARE, R.SALES),
    ),
    CompanySize.ENTERPRISE: Shape(
        CompanySize.ENTERPRISE,
        _(
            "Eleven or more people in dedicated roles: a head of social, a publishing and "
            "approvals lead, several creators and community managers, an analyst and a paid "
            "media specialist. Customer care and sales are departments of their own."
        ),
        11,
        None,
        1,
        (
            Seat("head", _("Head of social"), (R.STRATEGY,)),
            Seat("publishing", _("Publishing and approvals lead"), (R.PUBLISHING,)),
            Seat("creator", _("Content creator"), (R.CONTENT,), 4),
            Seat("community", _("Community manager"), (R.COMMUNITY,), 3),
            Seat("analyst", _("Social data analyst"), (R.ANALYTICS,)),
            Seat("paid", _("Paid media specialist"), (R.PAID,)),
        ),
        departments=(R.CARE, R.SALES),
    ),
}


def shape_for(size: str) -> Shape | None:
    """The recommended shape for a CompanySize code, or None (no size set, or unknown)."""
    try:
        return SHAPES.get(CompanySize(size))
    except ValueError:
        return None
