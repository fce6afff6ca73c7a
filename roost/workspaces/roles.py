"""Roles and the one permission matrix. docs/roles.md is generated from this module."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    ADMIN = "admin", _("Admin")
    SOCIAL_MEDIA_MANAGER = "social_media_manager", _("Social Media Manager")
    CONTENT_CREATOR = "content_creator", _("Content Creator")
    ANALYST = "analyst", _("Social Data Analyst")
    COMMUNITY_MANAGER = "community_manager", _("Community Manager")
    PAID_MEDIA = "paid_media", _("Paid Media Specialist")
    CUSTOMER_CARE = "customer_care", _("Customer Care")
    SALES = "sales", _("Sales")


class Perm(models.TextChoices):
    VIEW_TEAM = "view_team", _("See the team: members, roles and groups")
    MANAGE_MEMBERS = "manage_members", _("Manage members, roles, groups and invites")
    MANAGE_OWNERS = "manage_owners", _("Grant or remove the Owner role")
    MANAGE_SETTINGS = "manage_settings", _("Manage workspace settings")
    CONNECT_CHANNELS = "connect_channels", _("Connect and manage channels")
    VIEW_CONTENT = "view_content", _("See the calendar and posts")
    COMPOSE = "compose", _("Compose and schedule posts")
    PUBLISH_WITHOUT_APPROVAL = "publish_without_approval", _("Publish without approval")
    APPROVE = "approve", _("Approve posts and replies")
    INBOX_READ_ALL = "inbox_read_all", _("Read the whole inbox")
    INBOX_READ_ROUTED = "inbox_read_routed", _("Read inbox items routed to them or their groups")
    INBOX_ASSIGN = "inbox_assign", _("Assign inbox items")
    INBOX_REPLY = "inbox_reply", _("Reply from the inbox")
    VIEW_ANALYTICS = "view_analytics", _("See analytics")
    EXPORT_ANALYTICS = "export_analytics", _("Export, share and schedule analytics reports")
    MANAGE_ANALYTICS = "manage_analytics", _("Set analytics goals, values and costs (ROI)")
    VIEW_PAID = "view_paid", _("See paid media: accounts, campaigns, spend, boosts, A/B tests")
    MANAGE_BUDGETS = (
        "manage_budgets",
        _("Manage paid media: ad accounts, imports, campaigns and budgets, A/B tests"),
    )
    SPEND = "spend", _("Boost posts (spend above the threshold goes through approval)")
    APPROVE_SPEND = "approve_spend", _("Approve spend: boosts above the threshold")
    VIEW_LISTENING = "view_listening", _("See listening: topics, mentions, trends and alerts")
    MANAGE_LISTENING = "manage_listening", _("Create and edit listening topics and their alerts")
    PAUSE_PUBLISHING = "pause_publishing", _("Pause and resume publishing (the crisis switch)")
    VIEW_BRIEF = "view_brief", _("See the daily stand-up brief and add action items to it")
    MANAGE_BRIEF = "manage_brief", _("Set the daily brief's time and where it is sent")
    MANAGE_TEAM = (
        "manage_team",
        _(
            "Run the team: company size and coverage, onboarding plans and templates, "
            "away status and caps, workload signals (the rules in docs/team.md)"
        ),
    )
    HIRE = "hire", _("Hire: openings, candidates, assessments and scorecards")


P = Perm
_EVERY_MEMBER = {P.VIEW_TEAM, P.INBOX_READ_ROUTED}
_CONTENT_TEAM = _EVERY_MEMBER | {P.VIEW_CONTENT, P.VIEW_BRIEF}

MATRIX: dict[Role, frozenset[Perm]] = {
    Role.OWNER: frozenset(Perm),
    Role.ADMIN: frozenset(set(Perm) - {P.MANAGE_OWNERS}),
    Role.SOCIAL_MEDIA_MANAGER: frozenset(
        _CONTENT_TEAM
        | {
            P.MANAGE_MEMBERS,
            P.CONNECT_CHANNELS,
            P.COMPOSE,
            P.PUBLISH_WITHOUT_APPROVAL,
            P.APPROVE,
            P.INBOX_READ_ALL,
            P.INBOX_ASSIGN,
            P.INBOX_REPLY,
            P.VIEW_ANALYTICS,
            P.EXPORT_ANALYTICS,
            P.MANAGE_ANALYTICS,
            P.VIEW_LISTENING,
            P.MANAGE_LISTENING,
            P.PAUSE_PUBLISHING,
            P.MANAGE_BRIEF,
            P.VIEW_PAID,
            P.APPROVE_SPEND,
            P.MANAGE_TEAM,
            P.HIRE,
        }
    ),
    Role.CONTENT_CREATOR: frozenset(_CONTENT_TEAM | {P.COMPOSE}),
    Role.ANALYST: frozenset(
        _CONTENT_TEAM
        | {
            P.VIEW_ANALYTICS,
            P.EXPORT_ANALYTICS,
            P.MANAGE_ANALYTICS,
            P.INBOX_READ_ALL,
            P.VIEW_LISTENING,
            P.MANAGE_LISTENING,
            P.VIEW_PAID,
        }
    ),
    Role.COMMUNITY_MANAGER: frozenset(
        _CONTENT_TEAM
        | {
            P.INBOX_READ_ALL,
            P.INBOX_ASSIGN,
            P.INBOX_REPLY,
            P.VIEW_LISTENING,
            P.MANAGE_LISTENING,
            P.PAUSE_PUBLISHING,
        }
    ),
    Role.PAID_MEDIA: frozenset(
        _CONTENT_TEAM
        | {
            P.COMPOSE,
            P.VIEW_ANALYTICS,
            P.EXPORT_ANALYTICS,
            P.VIEW_LISTENING,
            P.VIEW_PAID,
            P.MANAGE_BUDGETS,
            P.SPEND,
        }
    ),
    # Cross-department roles only see what is routed to them.
    Role.CUSTOMER_CARE: frozenset(_EVERY_MEMBER | {P.INBOX_REPLY}),
    Role.SALES: frozenset(_EVERY_MEMBER | {P.INBOX_REPLY}),
}


def permissions_for(roles: Iterable[str]) -> frozenset[Perm]:
    """Union of the permissions of the given role codes (unknown codes grant nothing)."""
    granted: set[Perm] = set()
    for code in roles:
        try:
            granted |= MATRIX[Role(code)]
        except ValueError:
            continue
    return frozenset(granted)


def roles_grantable_with(perms: frozenset[Perm]) -> list[Role]:
    """Roles whose every permission is in `perms`: what a holder of `perms` may hand out."""
    return [role for role in Role if MATRIX[role] <= perms]


def roles_doc() -> str:
    """The permission matrix as Markdown (written to docs/roles.md by `roost roles_doc`)."""
    roles = list(Role)
    lines = [
        "# Roles and permissions",
        "",
        "Generated from `roost/workspaces/roles.py` by `roost roles_doc`; a test fails when the",
        "two disagree. A member may hold several roles and has the union of their permissions.",
        "Every view and API route checks one of these permissions through",
        "`roost.workspaces.access`.",
        "",
        "| permission | " + " | ".join(str(r.label) for r in roles) + " |",
        "|---|" + "---|" * len(roles),
    ]
    for perm in Perm:
        marks = ["✓" if perm in MATRIX[r] else "" for r in roles]
        lines.append(f"| {perm.label} (`{perm.value}`) | " + " | ".join(marks) + " |")
    lines += [
        "",
        "Rules beyond the matrix:",
        "",
        "- Only an Owner may grant or take away the Owner role, or remove an Owner.",
        "- Nobody hands out more than they hold: a role can be granted, taken away or invited",
        "  with, and a member holding it removed, only by someone who has every permission",
        "  of that role. A Social Media Manager can bring in creators, analysts, community,",
        "  care and sales people, but not Admins or Paid Media Specialists.",
        "- Nobody edits someone who holds more: a member holding a role with a permission",
        "  the actor lacks is out of the actor's reach; their roles cannot be changed (not",
        "  even by adding a small role) and they cannot be removed by that actor.",
        "- The last Owner of a workspace cannot be removed or lose the Owner role, even when",
        "  two Owners demote each other at the same moment.",
        "- Customer Care and Sales see only the inbox items routed to them or their groups,",
        "  everywhere: the list, search, a conversation's thread (our replies to what they",
        "  may open included; the rest is only counted), the author's earlier messages,",
        "  tasks and the API.",
        "- A member limited to some channels sees only posts and inbox items of those",
        "  channels (and their own posts).",
        "- Seeing a review requires seeing what is under review: a post's review needs",
        "  access to one of its channels, an inbox reply's review needs to be able to open",
        "  the customer's message. This holds for the approvals queue, a review's page and",
        "  history, the API, notifications and deciding.",
        "- Approvers named on a step are no exception: someone who cannot see the item is",
        "  not an approver of it (not told, cannot open or decide it, and an “all of them”",
        "  step does not wait for them). Naming a person in a workflow never widens what",
        "  they may see; to keep steps from losing their approvers, the workflow editor",
        "  refuses to name a member who cannot use every channel the workflow covers.",
        "  Why: channel grants and inbox routing are where a workspace decides who sees",
        "  what; workflows and groups are edited by other people for another purpose. If",
        "  being named widened access, adding someone to a group would quietly show them",
        "  posts and customer messages their channel grants deny.",
        "- An invitation can be accepted only by an account with the invited e-mail address.",
        "- Who may create a workspace (and become its Owner) is the operator's setting",
        "  `ROOST_WORKSPACE_CREATION`: `owners` (default: Owners of a workspace, and staff),",
        "  `staff`, or `anyone`. On a fresh install the first user may create the first one.",
        "- An API token acts as its member, limited further by the token's scopes.",
        "",
    ]
    return "\n".join(lines)
