"""Which workflow a post goes through (routing.py): scope first, then the default, then
none; ambiguity settled by age and reported; inactive workflows ignored; one default."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import IntegrityError, transaction

from roost.approvals import routing
from roost.approvals.models import ApprovalRequest, Workflow, WorkflowStep
from roost.approvals.services import workflow_delete, workflow_save
from roost.channels.models import Channel
from roost.conftest import World, make_channel
from roost.core import clock
from roost.core.exceptions import Conflict, ValidationFailed
from roost.publishing.models import Campaign
from roost.publishing.services.compose import PostInput, post_compose
from roost.workspaces.models import AuditEntry


@pytest.fixture
def fresh(world: World) -> World:
    """The world without its seeded review workflow (it is scoped to its own campaign and
    would only add noise to what is being routed here)."""
    ApprovalRequest.objects.filter(workspace=world.a).delete()
    Workflow.objects.filter(workspace=world.a).delete()
    return world


def flow(world: World, name: str, *, age: int = 0, steps: int = 1, **fields: Any) -> Workflow:
    """A workflow created `age` minutes after the others (ties are settled by age)."""
    wf = Workflow.objects.create(
        workspace=world.a, name=name, created_at=clock.now() + timedelta(minutes=age), **fields
    )
    for position in range(1, steps + 1):
        made = WorkflowStep.objects.create(workflow=wf, position=position, name=f"Step {position}")
        made.members.set([world.members["social_media_manager"]])
    return wf


def route(world: World, channels: list[Channel], campaign: Campaign | None = None) -> Any:
    return routing.route(
        workspace_id=world.a.pk,
        kind="post",
        channel_ids=[c.pk for c in channels],
        campaign_id=campaign.pk if campaign else None,
    )


def test_a_workflow_scoped_to_a_channel_wins_over_the_default(fresh: World) -> None:
    other = make_channel(fresh.a, "Other Sandbox")
    flow(fresh, "Brand review", is_default=True)
    quick = flow(fresh, "Quick review", age=1, channel_ids=[fresh.a_channel.pk])
    found = route(fresh, [fresh.a_channel])
    assert (found.workflow, found.why, found.passed_over) == (quick, "scoped", [])
    found = route(fresh, [other])
    assert (found.workflow.name, found.why) == ("Brand review", "default")


def test_campaign_scope_beats_channel_scope_and_both_beat_one(fresh: World) -> None:
    campaign = Campaign.objects.create(workspace=fresh.a, name="Winter")
    by_channel = flow(fresh, "A channel", channel_ids=[fresh.a_channel.pk])
    by_campaign = flow(fresh, "B campaign", age=1, campaign_ids=[campaign.pk])
    assert route(fresh, [fresh.a_channel], campaign).workflow == by_campaign
    both = flow(
        fresh, "C both", age=2, channel_ids=[fresh.a_channel.pk], campaign_ids=[campaign.pk]
    )
    assert route(fresh, [fresh.a_channel], campaign).workflow == both
    # Without the campaign only the channel's workflow matches.
    assert route(fresh, [fresh.a_channel]).workflow == by_channel


def test_two_equally_scoped_matches_the_older_wins_and_the_other_is_reported(
    fresh: World,
) -> None:
    # "Zeta" is older, so it wins although "Alpha" comes first by name.
    older = flow(fresh, "Zeta", channel_ids=[fresh.a_channel.pk])
    newer = flow(fresh, "Alpha", age=5, channel_ids=[fresh.a_channel.pk])
    found = route(fresh, [fresh.a_channel])
    assert found.workflow == older
    assert found.passed_over == [newer] and found.ambiguous
    assert routing.overlap(older, newer)


def test_no_default_and_no_scope_match_means_no_approval(fresh: World) -> None:
    other = make_channel(fresh.a, "Other Sandbox")
    flow(fresh, "Only other", channel_ids=[other.pk])
    found = route(fresh, [fresh.a_channel])
    assert (found.workflow, found.why) == (None, "none")


def test_inactive_and_stepless_workflows_are_ignored(fresh: World) -> None:
    flow(fresh, "Off scoped", channel_ids=[fresh.a_channel.pk], active=False)
    flow(fresh, "No steps", channel_ids=[fresh.a_channel.pk], steps=0)
    default = flow(fresh, "Default", is_default=True)
    assert route(fresh, [fresh.a_channel]).workflow == default
    Workflow.objects.filter(pk=default.pk).update(active=False)
    # The default is off: nothing applies (no other workflow is promoted in its place).
    flow(fresh, "Unscoped spare", age=3)
    assert route(fresh, [fresh.a_channel]).workflow is None


def test_without_a_default_an_unscoped_workflow_still_applies(fresh: World) -> None:
    # Workspaces from before defaults: the unscoped workflow applies, the older one first.
    first = flow(fresh, "Zulu")
    second = flow(fresh, "Alpha", age=1)
    found = route(fresh, [fresh.a_channel])
    assert (found.workflow, found.why, found.passed_over) == (first, "workspace_wide", [second])


def test_at_most_one_default_per_workspace_and_kind(fresh: World) -> None:
    flow(fresh, "One", is_default=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        flow(fresh, "Two", is_default=True)
    # A reply workflow may be the default of its own kind.
    flow(fresh, "Replies", kind="reply", is_default=True)
    assert Workflow.objects.filter(workspace=fresh.a, is_default=True).count() == 2


def _step(world: World) -> dict[str, Any]:
    return {"name": "Manager", "member_ids": [world.members["social_media_manager"].pk]}


def test_saving_a_new_default_replaces_the_old_one(fresh: World) -> None:
    owner = fresh.members["owner"]
    first = workflow_save(actor=owner, name="First", steps=[_step(fresh)], is_default=True)
    second = workflow_save(actor=owner, name="Second", steps=[_step(fresh)], is_default=True)
    first.refresh_from_db()
    assert (first.is_default, second.is_default) == (False, True)


def test_a_default_has_no_scope_and_campaigns_must_be_the_workspaces(fresh: World) -> None:
    owner = fresh.members["owner"]
    with pytest.raises(ValidationFailed) as err:
        workflow_save(
            actor=owner,
            name="Scoped default",
            steps=[_step(fresh)],
            channel_ids=[fresh.a_channel.pk],
            is_default=True,
        )
    assert "is_default" in err.value.errors
    elsewhere = Campaign.objects.create(workspace=fresh.b, name="B campaign")
    with pytest.raises(ValidationFailed) as err:
        workflow_save(actor=owner, name="X", steps=[_step(fresh)], campaign_ids=[elsewhere.pk])
    assert err.value.errors["campaigns"] == ["Some campaigns are not in this workspace."]
    assert not Workflow.objects.filter(workspace=fresh.a).exists()


def test_a_post_goes_through_the_scoped_workflow_not_the_first_by_name(fresh: World) -> None:
    """The review's case: "Quick review" scoped to the channel must win over "Brand
    review", the default, although "Brand review" comes first by name."""
    owner = fresh.members["owner"]
    workflow_save(actor=owner, name="Brand review", steps=[_step(fresh)], is_default=True)
    quick = workflow_save(
        actor=owner, name="Quick review", steps=[_step(fresh)], channel_ids=[fresh.a_channel.pk]
    )
    post = post_compose(
        actor=fresh.members["content_creator"],
        data=PostInput(text="Winter latte", channel_ids=[fresh.a_channel.pk]),
        mode="now",
    )
    req = ApprovalRequest.objects.get(kind="post", object_id=post.pk)
    assert req.workflow == quick


def test_a_workflow_in_use_by_a_review_under_way_cannot_be_deleted(world: World) -> None:
    owner = world.members["owner"]
    with pytest.raises(Conflict) as err:
        workflow_delete(actor=owner, workflow=world.a_workflow)
    assert "in use by 1 review under way" in err.value.message
    assert Workflow.objects.filter(pk=world.a_workflow.pk).exists()
    ApprovalRequest.objects.filter(workflow=world.a_workflow).update(status="approved")
    workflow_delete(actor=owner, workflow=world.a_workflow)
    assert not Workflow.objects.filter(pk=world.a_workflow.pk).exists()
    assert AuditEntry.objects.filter(action="approvals.workflow_deleted").count() == 1
    # The finished review keeps its history (its workflow link is cleared).
    assert ApprovalRequest.objects.filter(pk=world.a_request.pk, workflow=None).exists()


def test_the_form_sets_scope_default_and_active_and_the_list_shows_them(fresh: World) -> None:
    client = fresh.client_for("owner")
    campaign = Campaign.objects.create(workspace=fresh.a, name="Winter")
    manager = fresh.members["social_media_manager"]
    response = client.post(
        "/w/alpha/approvals/workflows/new/",
        {
            "name": "Quick review",
            "active": "on",
            "channels": [fresh.a_channel.pk],
            "campaigns": [campaign.pk],
            "step1_name": "Manager",
            "step1_rule": "any",
            "step1_members": [manager.pk],
        },
    )
    assert response.status_code == 302, response.content.decode()
    made = Workflow.objects.get(workspace=fresh.a, name="Quick review")
    assert (made.channel_ids, made.campaign_ids, made.is_default, made.active) == (
        [fresh.a_channel.pk],
        [campaign.pk],
        False,
        True,
    )
    response = client.post(
        "/w/alpha/approvals/workflows/new/",
        {"name": "Brand", "is_default": "on", "step1_name": "M", "step1_members": [manager.pk]},
    )
    assert response.status_code == 302
    brand = Workflow.objects.get(workspace=fresh.a, name="Brand")
    assert (brand.is_default, brand.active) == (True, False)  # "active" left unticked
    html = client.get("/w/alpha/approvals/workflows/").content.decode()
    assert "Channels: Alpha Sandbox; Campaigns: Winter" in html
    assert 'data-testid="workflow-default"' in html
    assert "Every post no scoped workflow covers" in html
    assert 'data-testid="workflow-off"' in html


def test_people_lists_offer_only_members_who_may_approve(fresh: World) -> None:
    html = fresh.client_for("owner").get("/w/alpha/approvals/workflows/new/").content.decode()
    creator = fresh.members["content_creator"]
    manager = fresh.members["social_media_manager"]
    assert f'name="step1_members" value="{manager.pk}"' in html
    assert f'name="step1_members" value="{creator.pk}"' not in html
    assert "Owner, Admin, Social Media Manager" in html
    # Someone already named although their roles do not allow approving: kept, marked.
    wf = flow(fresh, "Old", is_default=True)
    wf.steps.get().members.add(creator)
    html = fresh.client_for("owner").get(f"/w/alpha/approvals/workflows/{wf.pk}/").content.decode()
    assert f'name="step1_members" value="{creator.pk}"' in html
    assert "cannot approve with their roles" in html


def test_deleting_from_the_page_says_why_not_when_in_use(world: World) -> None:
    client = world.client_for("owner")
    url = f"/w/alpha/approvals/workflows/{world.a_workflow.pk}/delete/"
    response = client.post(url, follow=True)
    assert "is in use by 1 review under way" in response.content.decode()
    assert Workflow.objects.filter(pk=world.a_workflow.pk).exists()
    # A role that may not manage workflows is refused outright.
    assert world.client_for("content_creator").post(url).status_code == 403
