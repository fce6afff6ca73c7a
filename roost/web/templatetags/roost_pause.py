"""The crisis-switch banner: on every workspace page while publishing is paused."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from roost.publishing.selectors import NOT_PAUSED, PauseState, held_by_pause, pause_state
from roost.workspaces.roles import Perm

register = template.Library()


@register.inclusion_tag("web/pause_banner.html", takes_context=True)
def pause_banner(context: Any) -> dict[str, Any]:
    """Reason, who and since; the link says "Review and resume" only to members who may."""
    membership = context.get("current_membership")
    if membership is None:
        return {"state": NOT_PAUSED}
    state = pause_state(membership.workspace_id)
    if not state.any:
        return {"state": state}
    return {
        "state": state,
        "switch_url": reverse("publishing:pause", args=[membership.workspace.slug]),
        "may_resume": membership.has_perm(Perm.PAUSE_PUBLISHING),
    }


@register.simple_tag(takes_context=True)
def publishing_paused_now(context: Any) -> PauseState:
    """The workspace's pause state, for pages that say what a pause means for them."""
    membership = context.get("current_membership")
    return pause_state(membership.workspace_id) if membership is not None else NOT_PAUSED


@register.simple_tag
def held_deliveries(post: Any) -> set[int]:
    """The post's deliveries held by a pause (shown as "Paused")."""
    return held_by_pause([post.pk]).get(post.pk, set())
