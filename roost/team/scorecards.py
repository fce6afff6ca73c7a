"""Default interview scorecards per role: weighted criteria, each scored 1–5 by an
interviewer. Copied onto an opening when it is created; the team edits the copy.

Weights are relative (1–10); a criterion's share is its weight over the sum of weights,
and the weighted score of a scorecard is Σ(score × weight) / Σ(weight)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from roost.workspaces.roles import Role

WEIGHT_MIN, WEIGHT_MAX = 1, 10
SCORE_MIN, SCORE_MAX = 1, 5


@dataclass(frozen=True)
class DefaultCriterion:
    name: Promise
    description: Promise
    weight: int


C = DefaultCriterion

_COMMON = (
    C(_("Communication"), _("Clear, concise and kind in writing and in speech"), 2),
    C(_("Team fit"), _("Works openly with others, takes and gives feedback"), 1),
)

DEFAULTS: dict[Role, tuple[DefaultCriterion, ...]] = {
    Role.COMMUNITY_MANAGER: (
        C(_("Written replies"), _("Replies are correct, kind, short and in time"), 3),
        C(_("Triage judgement"), _("Tags, assigns and prioritises the right items first"), 3),
        C(_("Escalation"), _("Knows what to hand to customer care, sales or a manager"), 2),
        C(_("Brand voice"), _("Sounds like the brand in every reply"), 1),
        C(_("Product knowledge"), _("Knows the product and the policies, or looks them up"), 1),
    ),
    Role.CONTENT_CREATOR: (
        C(_("Copywriting"), _("Posts are clear, in the brand's voice, with a hook"), 3),
        C(_("Visual sense"), _("Images and video fit the network and the brand"), 2),
        C(_("Network formats"), _("Adapts one idea to each network's format and limits"), 2),
        C(_("Deadlines and feedback"), _("Delivers on time and uses feedback well"), 1),
        C(_("Ideas"), _("Brings ideas that fit the brief and the audience"), 2),
    ),
    Role.SOCIAL_MEDIA_MANAGER: (
        C(_("Strategy"), _("Sets goals tied to the business and plans to reach them"), 3),
        C(_("Editorial judgement"), _("Knows what to publish, when, and what to stop"), 2),
        C(_("Leadership"), _("Leads and coaches people, balances their workload"), 2),
        C(_("Analytics"), _("Reads results and changes course on evidence"), 2),
        C(_("Crisis communication"), _("Calm, quick and honest when things go wrong"), 1),
    ),
    Role.ANALYST: (
        C(_("Analysis"), _("Sound statistics; knows what the data cannot say"), 3),
        C(_("Reporting"), _("Reports that answer the team's questions"), 2),
        C(_("Explaining numbers"), _("Makes numbers clear to non-analysts"), 2),
        C(_("Recommendations"), _("Turns results into actions the team can take"), 2),
        C(_("Tools"), _("Spreadsheets and reporting tools"), 1),
    ),
    Role.PAID_MEDIA: (
        C(_("Campaign planning"), _("Plans and paces campaigns within budget"), 3),
        C(_("Testing"), _("Designs A/B tests and reads them honestly"), 2),
        C(_("Targeting"), _("Picks audiences that fit the goal"), 2),
        C(_("Reporting"), _("Reports spend, CPA and ROAS clearly"), 2),
        C(_("Ads managers"), _("Knows the ads managers of the major networks"), 1),
    ),
}


def defaults_for(role: str) -> tuple[DefaultCriterion, ...]:
    """The default criteria for `role` (Communication and Team fit for other roles)."""
    try:
        return DEFAULTS.get(Role(role), _COMMON)
    except ValueError:
        return _COMMON


def weighted_score(scores: dict[str, int], weights: dict[int, int]) -> float | None:
    """Σ(score × weight) / Σ(weight) over the criteria in `weights` that have a score in
    `scores` (keys are criterion ids as strings, as JSON stores them); None if none has."""
    total = weight_sum = 0
    for criterion_id, weight in weights.items():
        score = scores.get(str(criterion_id))
        if isinstance(score, int) and SCORE_MIN <= score <= SCORE_MAX:
            total += score * weight
            weight_sum += weight
    if weight_sum == 0:
        return None
    return round(total / weight_sum, 2)


def shares(weights: list[int]) -> list[float]:
    """Each weight as a percentage of their sum, to one decimal."""
    whole = sum(weights)
    return [round(100 * w / whole, 1) if whole else 0.0 for w in weights]
