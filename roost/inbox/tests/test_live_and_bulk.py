"""The list's live "N new" count (its filters, its access rules) and actions on a
selection: the same permissions as one item, and all or nothing."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from roost.conftest import World, make_channel, make_user
from roost.inbox.models import InboxTag, Message, MessageStatus
from roost.inbox.services import triage
from roost.inbox.tests.conftest import put
from roost.notifications.models import Notification
from roost.workspaces import services
from roost.workspaces.seeding import seed_member

URL = "/w/alpha/inbox/"
NEW = URL + "new/"
BULK = URL + "bulk/"
HX: dict[str, Any] = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "inbox-list"}


def newest_shown(html: str) -> int:
    """The `after` value the list polls with."""
    marker = "new/?after="
    start = html.index(marker) + len(marker)
    end = start
    while html[end].isdigit():
        end += 1
    return int(html[start:end])


def bar(client: Any, after: int, **filters: Any) -> str:
    response = client.get(NEW, {"after": after, **filters})
    assert response.status_code == 200
    return response.content.decode()


# --- live ------------------------------------------------------------------------------


def test_the_count_is_what_the_same_filters_would_add(world: World) -> None:
    other = make_channel(world.a, "Second Sandbox")
    put(world.a_channel, "l-0", "Old question")
    client = world.client_for("community_manager")
    after = newest_shown(client.get(URL).content.decode())
    assert after == Message.objects.filter(workspace=world.a).order_by("pk").last().pk  # type: ignore[union-attr]
    assert bar(client, after).strip() == ""  # nothing new: no bar

    put(world.a_channel, "l-1", "New one", language="pl")
    put(other, "l-2", "On the other channel")
    with CaptureQueriesContext(connection) as queries:
        html = bar(client, after)
    assert "2 new — show them" in html and 'data-testid="new-bar"' in html
    assert len(queries) <= 12  # session, member, the filter form's choices, one COUNT
    assert "1 new — show it" in bar(client, after, channel=other.pk)
    assert "1 new — show it" in bar(client, after, language="pl")
    assert bar(client, after, status="complete").strip() == ""
    assert bar(client, after, q="nothing-like-this").strip() == ""
    # The bar's button reloads the list with the same filters.
    assert f'hx-get="{URL}?channel={other.pk}"' in bar(client, after, channel=other.pk)


def test_care_counts_only_what_is_routed_to_them(world: World) -> None:
    client = world.client_for("customer_care")
    after = newest_shown(client.get(URL).content.decode())
    put(world.a_channel, "l-care-1", "Not for care")
    assert bar(client, after).strip() == ""
    routed = put(world.a_channel, "l-care-2", "For care")
    Message.objects.filter(pk=routed.pk).update(group=world.a_inbox.group)
    assert "1 new" in bar(client, after)


def test_the_count_keeps_to_its_workspace_and_role(world: World) -> None:
    outsider = world.client_for("owner")
    outsider.force_login(world.b_owner.user)
    assert outsider.get(NEW, {"after": 0}).status_code == 404
    nobody = seed_member(world.a, make_user("nobody@alpha.test"), [])
    client = world.client_for("owner")
    client.force_login(nobody.user)
    assert client.get(NEW, {"after": 0}).status_code == 403
    owner = world.client_for("owner")
    response = owner.get(NEW, {"after": "yesterday"})
    assert response.status_code == 400 and "after" in response.content.decode()
    assert owner.get(NEW, {"after": str(2**63)}).status_code == 400


# --- bulk ------------------------------------------------------------------------------


def test_complete_tag_and_assign_a_selection(world: World) -> None:
    owner = world.members["owner"]
    kasia = world.members["customer_care"]
    a = put(world.a_channel, "b-1", "One")
    b = put(world.a_channel, "b-2", "Two")
    triage.message_tag(actor=owner, message=a, names=["vip"])
    client = world.client_for("community_manager")

    response = client.post(
        BULK + "?status=open", {"ids": [a.pk, b.pk], "action": "tag", "tags": "refund, urgent"}
    )
    assert response.status_code == 302 and response["Location"] == URL + "?status=open"
    assert sorted(a.tags.values_list("name", flat=True)) == ["refund", "urgent", "vip"]
    assert sorted(b.tags.values_list("name", flat=True)) == ["refund", "urgent"]

    response = client.post(
        BULK, {"ids": [a.pk, b.pk], "action": "assign", "assignee": f"m{kasia.pk}"}
    )
    assert response.status_code == 302
    assert set(Message.objects.filter(pk__in=[a.pk, b.pk]).values_list("assignee", flat=True)) == {
        kasia.pk
    }
    summary = Notification.objects.get(recipient=kasia.user)  # one for the whole selection
    assert summary.text == "Alpha Community Manager assigned you 2 inbox items."

    response = client.post(BULK, {"ids": [a.pk, b.pk], "action": "complete"}, **HX)
    assert response.status_code == 200
    assert "2 items completed." in response.content.decode()
    assert response["HX-Trigger"] == "inbox-bulk-done"
    assert set(Message.objects.filter(pk__in=[a.pk, b.pk]).values_list("status", flat=True)) == {
        MessageStatus.COMPLETE
    }
    response = client.post(BULK, {"ids": [a.pk], "action": "reopen"})
    assert response.status_code == 302
    a.refresh_from_db()
    assert (a.status, a.completed_at, a.completed_by) == (MessageStatus.OPEN, None, None)
    assert Message.objects.get(pk=b.pk).status == MessageStatus.COMPLETE


def test_a_group_selection_is_spread_over_others(world: World) -> None:
    celina = world.members["community_manager"]
    kasia, szymon = world.members["customer_care"], world.members["sales"]
    group = services.group_create(
        actor=world.members["owner"], name="Desk", member_ids=[celina.pk, kasia.pk, szymon.pk]
    )
    ids = [put(world.a_channel, f"b-g{i}").pk for i in range(4)]
    response = world.client_for("community_manager").post(
        BULK, {"ids": ids, "action": "assign", "assignee": f"g{group.pk}"}
    )
    assert response.status_code == 302
    got = list(Message.objects.filter(pk__in=ids).values_list("group", "assignee"))
    assert {g for g, _a in got} == {group.pk}
    assert sorted(a for _g, a in got) == sorted([kasia.pk, kasia.pk, szymon.pk, szymon.pk])


def test_a_mixed_selection_changes_nothing(world: World) -> None:
    """Care ticks one item routed to them and sends one that is not (another tab, a
    crafted request): nothing changes and they are told why."""
    routed = world.a_inbox.message
    hidden = put(world.a_channel, "b-hidden", "Not routed to care")
    client = world.client_for("customer_care")
    for data in (
        {"ids": [routed.pk, hidden.pk], "action": "complete"},
        {"ids": [routed.pk, hidden.pk], "action": "tag", "tags": "x"},
        {"ids": [routed.pk, world.b_inbox.message.pk], "action": "complete"},
    ):
        response = client.post(BULK, data)
        assert response.status_code == 404, data
        assert "1 of the selected items is not in your inbox" in response.content.decode()
        response = client.post(BULK, data, **HX)  # htmx shows the reason in the list
        assert response.status_code == 422
        assert 'data-testid="bulk-error"' in response.content.decode()
    assert Message.objects.get(pk=routed.pk).status == MessageStatus.OPEN
    assert not InboxTag.objects.filter(name="x").exists()
    assert Message.objects.get(pk=world.b_inbox.message.pk).status == MessageStatus.OPEN


def test_bulk_keeps_the_single_item_permissions(world: World) -> None:
    routed = world.a_inbox.message
    kasia = world.members["customer_care"]
    # Care may complete and tag what is routed to them, but not assign.
    response = world.client_for("customer_care").post(
        BULK, {"ids": [routed.pk], "action": "assign", "assignee": f"m{kasia.pk}"}
    )
    assert response.status_code == 403
    assert Message.objects.get(pk=routed.pk).assignee_id is None
    # An analyst reads everything and changes nothing.
    response = world.client_for("analyst").post(BULK, {"ids": [routed.pk], "action": "complete"})
    assert response.status_code == 403
    assert Message.objects.get(pk=routed.pk).status == MessageStatus.OPEN
    response = world.client_for("customer_care").post(
        BULK, {"ids": [routed.pk], "action": "complete"}
    )
    assert response.status_code == 302
    assert Message.objects.get(pk=routed.pk).status == MessageStatus.COMPLETE


def test_bad_selections_are_refused_in_words(world: World) -> None:
    client = world.client_for("owner")
    m = world.a_inbox.message
    cases = [
        ({"action": "complete"}, "Select at least one item."),
        ({"ids": ["abc"], "action": "complete"}, "The selection is not readable"),
        ({"ids": [m.pk], "action": "explode"}, "Select a valid choice"),
        ({"ids": [m.pk], "action": "assign"}, "Choose a person or a group."),
        ({"ids": [m.pk], "action": "assign", "assignee": "g999999"}, "Select a valid choice"),
        ({"ids": [m.pk], "action": "tag", "tags": " , "}, "Name at least one tag."),
    ]
    for data, words in cases:
        response = client.post(BULK, data)
        assert response.status_code == 422, data
        assert words in response.content.decode(), data
    response = client.post(BULK, {"ids": list(range(1, 202)), "action": "complete"})
    assert response.status_code == 422
    assert "Select at most 200 items at a time." in response.content.decode()
    assert Message.objects.get(pk=m.pk).status == MessageStatus.OPEN


def test_the_list_comes_back_with_the_filters_shown_now(world: World) -> None:
    """The bar was drawn before the filters changed (htmx swaps only the list): the
    answer follows the address the person sees now."""
    a = put(world.a_channel, "b-f1", "Apples question")
    put(world.a_channel, "b-f2", "Bananas question")
    response = world.client_for("owner").post(
        BULK,
        {"ids": [a.pk], "action": "tag", "tags": "fruit"},
        HTTP_HX_CURRENT_URL="http://testserver/w/alpha/inbox/?q=question",
        **HX,
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Apples" in html and "Bananas" in html
    assert "Alpha customer asks about pricing" not in html  # filtered out by q
    assert "new/?after=" in html and "&amp;q=question" in html
