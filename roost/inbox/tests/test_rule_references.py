"""What inbox rules name (members, groups, channels) is checked when a rule is saved, and
when the target goes away the service removing it turns the rule off with a reason (or
cleans the reference up), shown in the rules list and audited."""

from __future__ import annotations

from typing import Any

import pytest

from roost.channels.services import channel_disconnect
from roost.conftest import World, make_channel
from roost.core.exceptions import ValidationFailed
from roost.inbox.models import InboxRule
from roost.inbox.services.config import rule_create
from roost.workspaces.models import AuditEntry
from roost.workspaces.services import group_create, group_delete, member_remove


def refused(world: World, **spec: Any) -> dict[str, list[str]]:
    with pytest.raises(ValidationFailed) as caught:
        rule_create(actor=world.members["owner"], name="Route", **spec)
    assert not InboxRule.objects.filter(name="Route").exists()
    return caught.value.errors


def test_a_rule_may_name_only_this_workspaces_members_groups_and_channels(world: World) -> None:
    b_member, b_group, b_channel = world.b_member.pk, world.b_group.pk, world.b_channel.pk
    assert refused(world, when={}, then={"group": b_group}) == {
        "group": ["That group is not in this workspace."]
    }
    assert refused(world, when={}, then={"member": b_member}) == {
        "member": ["That person is not in this workspace."]
    }
    assert refused(world, when={"channels": [b_channel]}, then={"tag": "x"}) == {
        "channels": ["Some channels are not in this workspace."]
    }
    # Missing ones, and ids that are not ids, are refused the same way (never a 500).
    assert refused(world, when={"channels": ["abc"]}, then={"group": 999_999}) == {
        "group": ["That group is not in this workspace."],
        "channels": ["Some channels are not in this workspace."],
    }
    assert refused(world, when={}, then={"member": "not-an-id"}) == {
        "member": ["That person is not in this workspace."]
    }


def test_the_rules_page_refuses_another_workspaces_group_with_422(world: World) -> None:
    response = world.client_for("owner").post(
        "/w/alpha/inbox/settings/rules/", {"name": "Route", "group": str(world.b_group.pk)}
    )
    assert response.status_code == 422
    assert not InboxRule.objects.filter(name="Route").exists()


def test_deleting_a_group_turns_its_rules_off_with_the_reason(world: World) -> None:
    owner = world.members["owner"]
    sales = group_create(actor=owner, name="Sales", member_ids=[world.members["sales"].pk])
    routed = rule_create(actor=owner, name="Leads", when={}, then={"group": sales.pk})
    other = rule_create(actor=owner, name="Tags", when={}, then={"tag": "seen"})

    group_delete(actor=owner, group=sales)

    routed.refresh_from_db()
    assert (routed.active, routed.disabled_reason) == (False, "The group “Sales” was deleted.")
    other.refresh_from_db()
    assert (other.active, other.disabled_reason) == (True, "")
    audit = AuditEntry.objects.get(action="inbox.rule_disabled")
    assert (audit.target_id, audit.actor, audit.data) == (
        str(routed.pk),
        owner.user,
        {"reason": "The group “Sales” was deleted."},
    )
    page = world.client_for("owner").get("/w/alpha/inbox/settings/").content.decode()
    assert "(off: The group “Sales” was deleted.)" in page


def test_removing_a_member_turns_off_the_rules_that_assign_to_them(world: World) -> None:
    owner, sales = world.members["owner"], world.members["sales"]
    rule = rule_create(actor=owner, name="To Sam", when={}, then={"member": sales.pk})

    member_remove(actor=owner, member=sales)

    rule.refresh_from_db()
    assert (rule.active, rule.disabled_reason) == (
        False,
        "Alpha Sales was removed from the workspace.",
    )


def test_disconnecting_a_channel_cleans_it_out_of_rules(world: World) -> None:
    owner = world.members["owner"]
    other = make_channel(world.a, "Other Sandbox")
    both = rule_create(
        actor=owner,
        name="Both",
        when={"channels": [world.a_channel.pk, other.pk]},
        then={"tag": "x"},
    )
    only = rule_create(
        actor=owner, name="Only", when={"channels": [world.a_channel.pk]}, then={"tag": "y"}
    )

    channel_disconnect(actor=owner, channel=world.a_channel)

    both.refresh_from_db()
    assert (both.active, both.when) == (True, {"channels": [other.pk]})
    # With no channel left it would apply to every channel: it is turned off instead.
    only.refresh_from_db()
    assert (only.active, only.when, only.disabled_reason) == (
        False,
        {},
        "The channel “Alpha Sandbox” was disconnected.",
    )
