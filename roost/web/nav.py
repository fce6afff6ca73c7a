"""The menus: each role sees the parts of Roost it can open, and nothing that answers
"Not allowed"."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from django.urls import NoReverseMatch, resolve, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from roost.workspaces.models import Membership
from roost.workspaces.roles import Perm

# The main menu: (URL name, label, the `area` the pages of that part set). An item with
# no area is current when the page's path starts with its own (it shares an area).
MAIN_NAV: list[tuple[str, Promise, str | None]] = [
    ("web:workspace_home", _("Home"), "home"),
    ("briefing:today", _("Brief"), "brief"),
    ("calendar:month", _("Calendar"), "calendar"),
    ("publishing:compose", _("Compose"), "compose"),
    ("approvals:queue", _("Approvals"), "approvals"),
    ("inbox:list", _("Inbox"), "inbox"),
    # The inbox's "My tasks" list, once the inbox has one (no route: no item).
    ("inbox:my_tasks", _("My tasks"), None),
    ("analytics:overview", _("Analytics"), "analytics"),
    ("listening:overview", _("Listening"), "listening"),
    ("paid:overview", _("Paid"), "paid"),
    ("workspaces:team", _("Team"), "team"),
]
# Beyond the page's own permission: whom an item is for. "My tasks" is in the menu of
# those who work only on what is routed to them (Customer Care, Sales); everyone else
# reaches it from the inbox's own page, and the menu stays one line.
FOR_WHOM: dict[str, Callable[[Membership], bool]] = {
    "inbox:my_tasks": lambda m: (
        m.has_perm(Perm.INBOX_REPLY) and not m.has_perm(Perm.INBOX_READ_ALL)
    ),
}

# The workspace's sub-menu. A page is under an item when its path starts with the item's
# (the media library's upload page, a channel's settings …).
SUB_NAV: list[tuple[str, Promise]] = [
    ("channels:list", _("Channels")),
    ("publishing:media", _("Media library")),
    ("publishing:campaigns", _("Campaigns")),
    # Every member may see whether publishing is paused and why (the crisis switch).
    ("publishing:pause", _("Crisis switch")),
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
    """Whether the page exists and `membership`'s roles open it."""
    perm = required_perm(url_name)
    return perm is not None and membership.has_perm(perm)


def _shown(membership: Membership, url_name: str) -> bool:
    for_whom = FOR_WHOM.get(url_name)
    return may_open(membership, url_name) and (for_whom is None or for_whom(membership))


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
    shown = [
        (label, reverse(name, kwargs={"slug": slug}), key)
        for name, label, key in MAIN_NAV
        if _shown(membership, name)
    ]
    # A page under its own path ("My tasks") or the sub-menu (the media library …) marks
    # that item alone, not the one of its area.
    by_path = [url for _label, url, key in shown if key is None and path.startswith(url)]
    if by_path or any(item.current for item in sub):
        main = [NavItem(label, url, url in by_path) for label, url, _key in shown]
    else:
        main = [NavItem(label, url, key is not None and key == area) for label, url, key in shown]
    return main, sub
