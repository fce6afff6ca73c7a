"""Approval workflows name channels, campaigns, members and groups: checked on save, and
cleaned up or turned off with a reason when their target goes away."""

from __future__ import annotations

import pytest

from roost.approvals.models import Workflow
from roost.approvals.services import workflow_save
from roost.channels.services import channel_disconnect
from roost.conftest import World, make_channel
from roost.core import references
from roost.core.exceptions import ValidationFailed
from roost.workspaces.models import AuditEntry
from roost.workspaces.services import group_create, group_delete, member_remove


def test_a_step_may_escalate_only_within_the_workspace(world: World) -> None:
    with pytest.raises(ValidationFailed) as caught:
        workflow_save(
            actor=world.members["owner"],
            name="Posts",
            steps=[
                {
                    "name": "Legal",
                    "member_ids": [world.members["admin"].pk],
                    "escalate_group_id": world.b_group.pk,
                }
            ],
        )
    assert caught.value.errors == {
        "steps": ["Step 1 escalates to people or groups from outside this workspace."]
    }


def test_a_workflow_narrowed_to_a_disconnected_channel_is_turned_off(world: World) -> None:
    owner = world.members["owner"]
    other = make_channel(world.a, "Other Sandbox")
    step = {"name": "Legal", "member_ids": [world.members["admin"].pk]}
    only = workflow_save(actor=owner, name="Only", steps=[step], channel_ids=[world.a_channel.pk])
    both = workflow_save(
        actor=owner, name="Both", steps=[step], channel_ids=[world.a_channel.pk, other.pk]
    )

    channel_disconnect(actor=owner, channel=world.a_channel)

    only.refresh_from_db()
    # With no channel left it would apply to every channel: it is turned off instead.
    assert (only.active, only.channel_ids, only.disabled_reason) == (
        False,
        [],
        "The channel “Alpha Sandbox” was disconnected.",
    )
    both.refresh_from_db()
    assert (both.active, both.channel_ids, both.disabled_reason) == (True, [other.pk], "")
    page = world.client_for("owner").get("/w/alpha/approvals/workflows/").content.decode()
    assert "Off: The channel “Alpha Sandbox” was disconnected." in page

    # Saved again by a person (every step checked), it is on again.
    workflow_save(actor=owner, name="Only", steps=[step], workflow=only, channel_ids=[other.pk])
    only.refresh_from_db()
    assert (only.active, only.disabled_reason) == (True, "")


def test_a_step_left_without_approvers_turns_its_workflow_off(world: World) -> None:
    owner = world.members["owner"]
    legal = group_create(actor=owner, name="Legal", member_ids=[world.members["admin"].pk])
    alone = workflow_save(
        actor=owner, name="Alone", steps=[{"name": "Legal review", "group_ids": [legal.pk]}]
    )
    shared = workflow_save(
        actor=owner,
        name="Shared",
        steps=[
            {
                "name": "Legal review",
                "group_ids": [legal.pk],
                "member_ids": [world.members["admin"].pk],
            }
        ],
    )

    group_delete(actor=owner, group=legal)

    alone.refresh_from_db()
    assert (alone.active, alone.disabled_reason) == (
        False,
        "The group “Legal” was deleted. Step “Legal review” has no approvers left.",
    )
    shared.refresh_from_db()
    assert (shared.active, shared.disabled_reason) == (True, "")
    assert AuditEntry.objects.filter(
        action="approvals.workflow_disabled", target_id=str(alone.pk)
    ).exists()


def test_removing_the_only_approver_turns_the_workflow_off(world: World) -> None:
    owner, admin = world.members["owner"], world.members["admin"]
    flow = workflow_save(
        actor=owner, name="Admin", steps=[{"name": "Ok", "member_ids": [admin.pk]}]
    )

    member_remove(actor=owner, member=admin)

    flow.refresh_from_db()
    assert (flow.active, flow.disabled_reason) == (
        False,
        "Alpha Admin was removed from the workspace. Step “Ok” has no approvers left.",
    )


def test_a_removed_campaign_leaves_the_workflows_narrowed_to_it(world: World) -> None:
    # No campaign can be deleted yet; a future delete service calls the same hook.
    campaign_id = world.a_workflow.campaign_ids[0]
    changed = references.removed(
        kind="campaign",
        workspace_id=world.a.pk,
        pk=campaign_id,
        reason="The campaign “Reviewed campaign” was deleted.",
    )
    assert changed == 1
    flow = Workflow.objects.get(pk=world.a_workflow.pk)
    assert (flow.active, flow.campaign_ids, flow.disabled_reason) == (
        False,
        [],
        "The campaign “Reviewed campaign” was deleted.",
    )
    assert Workflow.objects.get(pk=world.b_workflow.pk).active  # another workspace: untouched
