"""The seed's roles as profiles: what each one is responsible for and the skills it needs.

Plain data, no Django models: the team builder (coverage, recommended shapes), the
onboarding templates and the hiring kit (job descriptions, scorecards) read it. Texts are
lazy translations, so `translation.override("pl")` renders them in Polish (a job
description is written in the language asked for, whatever the page's language).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from roost.workspaces.roles import Role


class Responsibility(models.TextChoices):
    """The areas of work a social team covers. Coverage is counted in these."""

    STRATEGY = "strategy", _("Strategy and planning")
    CONTENT = "content", _("Content creation")
    PUBLISHING = "publishing", _("Publishing and approvals")
    COMMUNITY = "community", _("Community and the inbox")
    ANALYTICS = "analytics", _("Analytics and reporting")
    PAID = "paid", _("Paid media")
    CARE = "care", _("Customer care")
    SALES = "sales", _("Sales leads")


R = Responsibility

# The social team's own areas; customer care and sales are other departments the inbox
# hands work to, recommended from a size on but never a gap in the social team itself.
SOCIAL_AREAS: tuple[Responsibility, ...] = (
    R.STRATEGY,
    R.CONTENT,
    R.PUBLISHING,
    R.COMMUNITY,
    R.ANALYTICS,
    R.PAID,
)


@dataclass(frozen=True)
class RoleProfile:
    role: Role
    summary: Promise
    responsibilities: tuple[Responsibility, ...]
    duties: tuple[Promise, ...]
    skills: tuple[Promise, ...]


PROFILES: dict[Role, RoleProfile] = {
    Role.SOCIAL_MEDIA_MANAGER: RoleProfile(
        Role.SOCIAL_MEDIA_MANAGER,
        _(
            "Owns the social strategy: sets goals, plans the calendar, approves what goes "
            "out and leads the team."
        ),
        (R.STRATEGY, R.PUBLISHING),
        (
            _("Set the social strategy and its goals with the business"),
            _("Plan the content calendar and campaigns across networks"),
            _("Review and approve posts and sensitive replies"),
            _("Lead the daily stand-up and balance the team's workload"),
            _("Report results and decisions to stakeholders"),
        ),
        (
            _("Strategic planning and prioritisation"),
            _("Editorial judgement and brand voice"),
            _("Leading and coaching people"),
            _("Reading analytics to make decisions"),
            _("Crisis communication"),
        ),
    ),
    Role.CONTENT_CREATOR: RoleProfile(
        Role.CONTENT_CREATOR,
        _("Makes the posts: copy, images and video that fit each network and the brand."),
        (R.CONTENT,),
        (
            _("Write and design posts for each network's format"),
            _("Adapt one idea into variants per network"),
            _("Send posts through approval on time for the calendar"),
            _("Keep the media library tidy and reusable"),
        ),
        (
            _("Copywriting in the brand's voice"),
            _("Visual design and short video"),
            _("Knowing each network's formats and limits"),
            _("Working to deadlines and feedback"),
        ),
    ),
    Role.ANALYST: RoleProfile(
        Role.ANALYST,
        _("Turns numbers into KPIs, ROI and recommendations the team can act on."),
        (R.ANALYTICS,),
        (
            _("Define KPIs and goals with the team"),
            _("Build and share reports and dashboards"),
            _("Measure ROI across organic and paid"),
            _("Recommend what to post more of, and when"),
        ),
        (
            _("Statistics and data analysis"),
            _("Spreadsheets and reporting tools"),
            _("Explaining numbers to non-analysts"),
            _("Curiosity and scepticism about data"),
        ),
    ),
    Role.COMMUNITY_MANAGER: RoleProfile(
        Role.COMMUNITY_MANAGER,
        _(
            "Answers the community from the shared inbox and hands customers to care or "
            "sales when they need them."
        ),
        (R.COMMUNITY,),
        (
            _("Answer comments, mentions and messages from the shared inbox"),
            _("Triage: tag, assign, and hand off to customer care or sales"),
            _("Spot complaints early and raise risks"),
            _("Listen to what people say about the brand and its competitors"),
        ),
        (
            _("Clear, kind written replies under time pressure"),
            _("Judgement about what to escalate"),
            _("Knowing the product and the brand's policies"),
            _("Calm in a crisis"),
        ),
    ),
    Role.PAID_MEDIA: RoleProfile(
        Role.PAID_MEDIA,
        _("Runs the paid budgets: campaigns, boosts and A/B tests that pay for themselves."),
        (R.PAID,),
        (
            _("Plan and pace paid campaigns within budget"),
            _("Boost the posts that work, through spend approval"),
            _("Run A/B tests and read them honestly"),
            _("Report spend, CPA and ROAS"),
        ),
        (
            _("Ads managers of the major networks"),
            _("Budgeting and forecasting"),
            _("Experiment design and statistics"),
            _("Audience targeting"),
        ),
    ),
    Role.CUSTOMER_CARE: RoleProfile(
        Role.CUSTOMER_CARE,
        _("Solves the customer problems the inbox hands over."),
        (R.CARE,),
        (
            _("Resolve support tasks handed over from social"),
            _("Reply to the customer or tell social what to say"),
        ),
        (
            _("Product knowledge"),
            _("Problem solving and empathy"),
        ),
    ),
    Role.SALES: RoleProfile(
        Role.SALES,
        _("Follows up the leads the inbox finds."),
        (R.SALES,),
        (
            _("Follow up lead tasks handed over from social"),
            _("Tell social which conversations became customers"),
        ),
        (
            _("Consultative selling"),
            _("Quick, personal follow-up"),
        ),
    ),
}


def responsibilities_of_roles(role_codes: list[str]) -> set[Responsibility]:
    """The responsibilities the given roles carry (Owner and Admin carry none by role:
    they administer; a member profile can add responsibilities to anyone)."""
    found: set[Responsibility] = set()
    for code in role_codes:
        try:
            profile = PROFILES.get(Role(code))
        except ValueError:
            continue
        if profile is not None:
            found.update(profile.responsibilities)
    return found
