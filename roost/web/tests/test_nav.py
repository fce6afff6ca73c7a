"""The menus by role: every link in the main menu and the sub-menu opens for the member
who sees it (no "Not allowed"), and each page marks where you are."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest

from roost.conftest import World
from roost.web.nav import MAIN_NAV, SUB_NAV, required_perm
from roost.workspaces.roles import MATRIX, Perm, Role


class _Menus(HTMLParser):
    """The links of <nav class="mainnav"> and <nav class="subnav">: (label, href, current)."""

    def __init__(self) -> None:
        super().__init__()
        self.menus: dict[str, list[tuple[str, str, bool]]] = {"mainnav": [], "subnav": []}
        self._nav: str | None = None
        self._link: list[Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "nav" and found.get("class") in self.menus:
            self._nav = found["class"]
        elif tag == "a" and self._nav:
            self._link = ["", found.get("href") or "", found.get("aria-current") == "page"]

    def handle_data(self, data: str) -> None:
        if self._link is not None:
            self._link[0] += data.strip()

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._link is not None and self._nav:
            label, href, current = self._link
            self.menus[self._nav].append((label, href, current))
            self._link = None
        elif tag == "nav":
            self._nav = None


def menus_of(html: str) -> dict[str, list[tuple[str, str, bool]]]:
    parser = _Menus()
    parser.feed(html)
    return parser.menus


@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
def test_every_menu_link_opens_for_the_role(world: World, role: Role) -> None:
    client = world.client_for(role.value)
    home = client.get(f"/w/{world.a.slug}/")
    assert home.status_code == 200
    menus = menus_of(home.content.decode())
    links = menus["mainnav"] + menus["subnav"]
    # Another page shows the same menus (only the current item differs).
    team = menus_of(client.get(f"/w/{world.a.slug}/team/").content.decode())
    assert [h for _l, h, _c in team["mainnav"] + team["subnav"]] == [h for _l, h, _c in links]
    assert menus["mainnav"][0][0] == "Home"
    assert len(links) >= 3
    for label, href, _current in links:
        response = client.get(href)
        assert response.status_code == 200, (role.value, label, href, response.status_code)


# The inbox's "My tasks" list joins the menu where the inbox has one.
TASKS = ["My tasks"] if required_perm("inbox:my_tasks") else []


def test_customer_care_and_sales_see_home_inbox_and_team(world: World) -> None:
    for role in ("customer_care", "sales"):
        html = world.client_for(role).get(f"/w/{world.a.slug}/").content.decode()
        menus = menus_of(html)
        main = [label for label, _h, _c in menus["mainnav"]]
        assert main == ["Home", "Inbox", *TASKS, "Team"]
        assert [label for label, _h, _c in menus["subnav"]] == ["Crisis switch", "API tokens"]


def test_the_owner_sees_every_part_once(world: World) -> None:
    menus = menus_of(world.client_for("owner").get(f"/w/{world.a.slug}/").content.decode())
    main = [label for label, _h, _c in menus["mainnav"]]
    sub = [label for label, _h, _c in menus["subnav"]]
    assert main == [
        "Home",
        "Brief",
        "Calendar",
        "Compose",
        "Approvals",
        "Inbox",
        "Analytics",
        "Listening",
        "Paid",
        "Team",
    ]
    assert sub == [
        "Channels",
        "Media library",
        "Campaigns",
        "Crisis switch",
        "Settings",
        "Audit log",
        "API tokens",
    ]
    assert "Team" not in sub  # once, in the main menu


def test_each_item_is_shown_with_the_permission_its_page_checks() -> None:
    assert required_perm("calendar:month") == Perm.VIEW_CONTENT
    assert required_perm("publishing:compose") == Perm.COMPOSE
    assert required_perm("analytics:overview") == Perm.VIEW_ANALYTICS
    assert required_perm("listening:overview") == Perm.VIEW_LISTENING
    assert required_perm("workspaces:audit") == Perm.MANAGE_MEMBERS
    assert required_perm("no:such-page") is None
    # Every item names a workspace page that checks a permission.
    for name, *_rest in [*MAIN_NAV, *SUB_NAV]:
        if name == "inbox:my_tasks" and not TASKS:
            continue  # not built in this inbox yet
        assert required_perm(name) in set(Perm), name
    # The analyst may not compose: the menu does not offer it.
    assert Perm.COMPOSE not in MATRIX[Role.ANALYST]


def _current(client: Any, url: str) -> list[str]:
    menus = menus_of(client.get(url).content.decode())
    return [label for label, _h, current in menus["mainnav"] + menus["subnav"] if current]


def test_the_page_marks_where_you_are(world: World) -> None:
    client = world.client_for("owner")
    slug = world.a.slug
    assert _current(client, f"/w/{slug}/") == ["Home"]
    assert _current(client, f"/w/{slug}/compose/") == ["Compose"]
    # The media library and campaigns are sub-menu pages: they do not light up Compose.
    assert _current(client, f"/w/{slug}/media/") == ["Media library"]
    assert _current(client, f"/w/{slug}/campaigns/") == ["Campaigns"]
    assert _current(client, f"/w/{slug}/channels/") == ["Channels"]
    assert _current(client, f"/w/{slug}/inbox/") == ["Inbox"]
    assert _current(client, f"/w/{slug}/team/") == ["Team"]
    assert _current(client, f"/w/{slug}/listening/mentions/") == ["Listening"]
