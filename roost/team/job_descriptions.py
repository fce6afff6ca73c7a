"""Job description drafts per role, in English and Polish, from the role's profile
(roost/team/profiles.py): a title, about the role, what you will do, what you bring, how we
hire, and the workspace's name. Plain text with Markdown headings; the team edits the
draft on the opening. Each language is rendered under `translation.override`, whatever the
page's language, so the Polish draft comes from the Polish catalogue."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _

from roost.team.profiles import PROFILES
from roost.workspaces.roles import Role

LANGUAGES = ("en", "pl")


def _draft(role: Role, title: str, workspace_name: str) -> str:
    profile = PROFILES.get(role)
    lines = [f"# {title}", ""]
    lines += [
        "## " + _("About the role"),
        "",
        _("%(workspace)s is hiring for the role of %(role)s.")
        % {"workspace": workspace_name, "role": str(role.label)},
    ]
    if profile is not None:
        lines.append(str(profile.summary))
    lines += ["", "## " + _("What you will do"), ""]
    if profile is not None:
        lines += [f"- {duty}" for duty in profile.duties]
    lines += ["", "## " + _("What you bring"), ""]
    if profile is not None:
        lines += [f"- {skill}" for skill in profile.skills]
    lines += [
        "",
        "## " + _("How we hire"),
        "",
        "1. " + _("A short conversation about you and the role."),
        "2. "
        + _(
            "A practical exercise inside Roost, the tool we work in: your own practice "
            "workspace with a realistic scenario (an inbox to triage or a campaign brief "
            "to draft posts for), and a login that works only there and only for a few days."
        ),
        "3. " + _("An interview with the team, who score it on the same written scorecard."),
        "",
        _(
            "We read every application and answer each one. Ask us to delete your data at "
            "any time and we will."
        ),
        "",
        f"— {workspace_name}",
        "",
    ]
    return "\n".join(lines)


def draft(role: str, title: str, workspace_name: str, language: str) -> str:
    """The job description draft for `role` in `language` ("en" or "pl")."""
    with translation.override(language):
        return _draft(Role(role), title, workspace_name)


def drafts(role: str, title: str, workspace_name: str) -> dict[str, str]:
    """Both drafts: {"en": …, "pl": …}."""
    return {lang: draft(role, title, workspace_name, lang) for lang in LANGUAGES}
