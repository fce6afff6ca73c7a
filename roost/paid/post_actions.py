"""Paid's action on posts: "Boost" on a published post, for members who may spend."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from roost.publishing import hooks
from roost.publishing.hooks import PostAction, PostRef
from roost.publishing.models import PostStatus
from roost.workspaces.roles import Perm

BOOSTABLE = {PostStatus.PUBLISHED.value, PostStatus.PARTIAL.value}


def boost_actions(member: Any, posts: Sequence[PostRef]) -> dict[int, list[PostAction]]:
    """A "Boost" link for each published post, if the member may spend (no queries)."""
    if member is None or not member.has_perm(Perm.SPEND):
        return {}
    slug = member.workspace.slug
    label = _("Boost")
    return {
        post_id: [(label, reverse("paid:boost_new", args=[slug, post_id]))]
        for post_id, status in posts
        if status in BOOSTABLE
    }


def register() -> None:
    """Offer the action on the post page and the calendar (idempotent)."""
    hooks.on_post_actions(boost_actions)
