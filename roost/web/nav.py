"""The menus: each role sees the parts of Roost it can open, and nothing that answers
"Not allowed"."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from django.urls import NoReverseMatch, resolve, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from roost.workspaces.models import Membership
from roost.workspaces.roles import Perm

# The main menu: (URL name, label, the `area` the pages of that part set).
MAIN_NAV: list[tuple[str, Promise, str]] = [
    ("web:workspace_home", _("Home"), "home"),
    ("calendar:month", _("Calendar"), "calendar"),
    ("publishing:compose", _("Compose"), "compose"),
    ("approvals:queue", _("Approvals"), "approvals"),
    ("inbox:list", _("Inbox"), "inbox"),
    ("web:analytics", _("Analytics"), "analytics"),
    ("workspaces:team", _("Team"), "team"),
]
# The workspace's sub-menu. A page is under an item when its path starts with the item's
# (the media library's upload page, a channel's settings …).
SUB_NAV: list[tuple[str, Promise]] = [
    ("channels:list", _("Channels")),
    ("publishing:media", _("Media library")),
    ("publishing:campaigns", _("Campaigns")),
    ("workspaces:settings", _("Settings")),
    ("workspaces:audit", _("Audit log")),
    ("workspaces:tokens", _("API tokens")),
]


@dataclass(frozen=True)
class NavItem:
    label: Promise
    url: str
    current: bool


@cache
def required_perm(url_name: str) -> Perm | None:
    """The permission the workspace page `url_name` checks, read from its view (so a menu
    item and its page cannot disagree); None when there is no such page."""
    try:
        func = resolve(reverse(url_name, kwargs={"slug": "x"})).func
    except NoReverseMatch:
        return None
    return getattr(func, "roost_perm", None)


def may_open(membership: Membership, url_name: str) -> bool:
    perm = required_perm(url_name)
    return perm is not None and membership.has_perm(perm)


def menus(
    membership: Membership, path: str, area: str | None
) -> tuple[list[NavItem], list[NavItem]]:
    """The main menu and the sub-menu for `membership` on the page at `path` (whose view
    set `area`): only the pages its roles may open."""
    slug = membership.workspace.slug
    sub = []
    for name, label in SUB_NAV:
        if may_open(membership, name):
            url = reverse(name, kwargs={"slug": slug})
            sub.append(NavItem(label, url, path.startswith(url)))
    # A sub-menu page (the media library, campaigns …) marks its own item, no main one.
    in_sub = any(item.current for item in sub)
    main = [
        NavItem(label, reverse(name, kwargs={"slug": slug}), not in_sub and area == key)
        for name, label, key in MAIN_NAV
        if may_open(membership, name)
    ]
    return main, sub
