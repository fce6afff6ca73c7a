"""Seed Demo Coffee Co.'s story once: the posts (all or nothing, in one transaction), then
the inbox (through the Sandbox). Each part leaves an audit entry as its marker, so running
`roost demo` again (every `roost run` does) never adds it twice, and never changes or
deletes what people did with the demo since."""

from __future__ import annotations

from collections.abc import Callable

import httpx
from django.db import transaction

from roost.channels.models import Channel
from roost.core.exceptions import RoostError
from roost.web.demo.analytics import seed_analytics
from roost.web.demo.inbox import seed_inbox
from roost.web.demo.posts import Cast, seed_posts
from roost.workspaces.models import AuditEntry, Membership, Workspace
from roost.workspaces.services import audit_record

POSTS_MARK = "demo.story_posts"
INBOX_MARK = "demo.story_inbox"
ANALYTICS_MARK = "demo.story_analytics"
EN, PL = "Coffee Co. Sandbox", "Coffee Co. Sandbox PL"


def _cast(workspace: Workspace) -> Cast | None:
    """The demo's people and its two Sandbox channels, or None when they are not there
    (the Sandbox was not running when the demo was made, or someone removed them)."""
    members = {
        m.user.email.split("@", 1)[0]: m
        for m in Membership.objects.filter(workspace=workspace).select_related("user", "workspace")
    }
    channels = {
        c.name: c
        for c in Channel.objects.filter(workspace=workspace, network="sandbox", name__in=[EN, PL])
    }
    needed = {"owner", "admin", "manager", "creator", "community", "care", "sales"}
    if not needed <= set(members) or set(channels) != {EN, PL}:
        return None
    return Cast(members=members, en=channels[EN], pl=channels[PL])


def _marked(workspace: Workspace, action: str) -> bool:
    return AuditEntry.objects.filter(workspace=workspace, action=action).exists()


def seed_story(workspace: Workspace, say: Callable[[str], None]) -> None:
    """Tell the story in `workspace` unless it was told there already."""
    if all(_marked(workspace, mark) for mark in (POSTS_MARK, INBOX_MARK, ANALYTICS_MARK)):
        return
    cast = _cast(workspace)
    if cast is None:
        say("roost: the demo's story waits for its two Sandbox channels")
        return
    if not _marked(workspace, POSTS_MARK):
        try:
            with transaction.atomic():
                posts = seed_posts(cast)
                audit_record(workspace=workspace, actor=None, action=POSTS_MARK, posts=len(posts))
        except RoostError as exc:  # e.g. someone's change in the way: Roost starts anyway
            problems = [m for ms in getattr(exc, "errors", {}).values() for m in ms]
            say(f"roost: the demo's posts were not added ({'; '.join(problems) or exc.message})")
            return
        say(f"roost: the demo has three weeks of posts ({len(posts)})")
    if not _marked(workspace, ANALYTICS_MARK):
        # After the posts (its readings are theirs); once, also for a demo made before it.
        with transaction.atomic():
            readings = seed_analytics(cast)
            audit_record(workspace=workspace, actor=None, action=ANALYTICS_MARK, readings=readings)
        say(f"roost: the demo's analytics have 90 days of audience and {readings} readings")
    if not _marked(workspace, INBOX_MARK):
        # Marked before the Sandbox is asked: a run that fails half-way is not repeated
        # (it would post the customers' messages twice); the inbox keeps what came.
        audit_record(workspace=workspace, actor=None, action=INBOX_MARK)
        try:
            found = seed_inbox(cast)
        except (httpx.HTTPError, RoostError) as exc:
            say(f"roost: the demo's inbox story stopped half-way ({exc})")
        else:
            say(f"roost: the demo inbox has {len(found)} conversations the team worked on")
