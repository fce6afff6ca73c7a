"""Handing work over: a group assignment goes to someone other than the person assigning
and the group stays visible; assignees and task owners are told once (in the app and by
e-mail); "My tasks" lists what is given to me or my groups."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail

from roost.conftest import World, make_user
from roost.core import clock
from roost.inbox.models import Message, Task
from roost.inbox.services import triage
from roost.inbox.tests.conftest import put
from roost.notifications.models import Notification
from roost.workspaces import services
from roost.workspaces.models import Group, Membership
from roost.workspaces.seeding import seed_member

URL = "/w/alpha/inbox/"


@pytest.fixture
def teams(world: World) -> dict[str, Group]:
    """Customer Care (the community manager is in it too, as in the demo) and Sales."""
    owner = world.members["owner"]
    care = services.group_create(
        actor=owner,
        name="Customer Care",
        member_ids=[world.members["community_manager"].pk, world.members["customer_care"].pk],
    )
    sales = services.group_create(actor=owner, name="Sales", member_ids=[world.members["sales"].pk])
    return {"care": care, "sales": sales}


def told(member: Membership, kind: str = "") -> list[Notification]:
    found = Notification.objects.filter(recipient=member.user)
    return list(found.filter(kind=kind) if kind else found)


def test_a_group_assignment_goes_to_someone_else_and_the_group_stays_shown(
    world: World, teams: dict[str, Group], django_capture_on_commit_callbacks: Any
) -> None:
    celina, kasia = world.members["community_manager"], world.members["customer_care"]
    first = put(world.a_channel, "h-1", "Where is my order?")
    second = put(world.a_channel, "h-2", "And my refund?")
    client = world.client_for("community_manager")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{URL}{first.pk}/assign/", {"assignee": f"g{teams['care'].pk}"})
    assert response.status_code == 302
    first.refresh_from_db()
    # Celina has fewer open items and the lower id: the old round-robin chose her.
    assert (first.group_id, first.assignee_id) == (teams["care"].pk, kasia.pk)
    # Kasia has one open item now; the next still goes to her, never back to Celina.
    triage.message_assign(actor=celina, message=second, group_id=teams["care"].pk)
    assert Message.objects.get(pk=second.pk).assignee_id == kasia.pk

    pane = client.get(f"{URL}{first.pk}/").content.decode()
    assert "Customer Care</span> → Alpha Customer Care" in pane  # the pane and the list
    assert pane.count("→ Alpha Customer Care") >= 2

    # Kasia was told once, in the app and by e-mail; Celina (who assigned) was not.
    notes = told(kasia, "inbox.assigned")
    assert len(notes) == 2 and notes[-1].url == f"{URL}{first.pk}/"
    assert "Alpha Community Manager assigned you a message from @anna.sandbox" in notes[-1].text
    assert [m.to for m in mail.outbox] == [[kasia.user.email]]
    assert told(celina) == []


def test_a_group_of_only_the_assigner_still_takes_it(world: World) -> None:
    celina = world.members["community_manager"]
    solo = services.group_create(actor=world.members["owner"], name="Solo", member_ids=[celina.pk])
    message = put(world.a_channel, "h-solo")
    triage.message_assign(actor=celina, message=message, group_id=solo.pk)
    assert Message.objects.get(pk=message.pk).assignee_id == celina.pk
    assert told(celina) == []  # nobody tells themselves


def test_an_assignee_is_told_once_per_assignment(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    owner, kasia = world.members["owner"], world.members["customer_care"]
    message = put(world.a_channel, "h-once")
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):  # a double (triple) click
            triage.message_assign(actor=owner, message=message, member_id=kasia.pk)
    assert len(told(kasia)) == 1
    assert len(mail.outbox) == 1
    # Given to someone else and back: a new assignment, told again.
    triage.message_assign(actor=owner, message=message, member_id=owner.pk)
    triage.message_assign(actor=owner, message=message, member_id=kasia.pk)
    assert len(told(kasia)) == 2


def test_a_lead_task_goes_to_sales_and_its_owner_is_told_once(
    world: World, teams: dict[str, Group], django_capture_on_commit_callbacks: Any
) -> None:
    szymon = world.members["sales"]
    message = put(world.a_channel, "h-lead", "I want 40 kg for my café")
    client = world.client_for("community_manager")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{URL}{message.pk}/tasks/", {"kind": "lead", "notes": "40 kg", "due": ""}
        )
    assert response.status_code == 302
    task = Task.objects.get(message=message)
    assert (task.group_id, task.assignee_id) == (teams["sales"].pk, szymon.pk)
    notes = told(szymon)
    assert [n.kind for n in notes] == ["inbox.task"]  # not also "assigned" for the item
    assert notes[0].text == "Alpha Community Manager gave you a lead task: “40 kg”"
    assert notes[0].url == f"{URL}tasks/"
    assert [m.to for m in mail.outbox] == [[szymon.user.email]]


def test_my_tasks_shows_care_and_sales_only_their_own(
    world: World, teams: dict[str, Group]
) -> None:
    celina = world.members["community_manager"]
    lead_msg = put(world.a_channel, "h-t1", "Wholesale prices?")
    care_msg = put(world.a_channel, "h-t2", "Broken grinder")
    other_msg = put(world.a_channel, "h-t3", "Feedback on the menu")
    soon = clock.now() + timedelta(days=1)
    later = clock.now() + timedelta(days=5)
    lead = triage.task_create(actor=celina, message=lead_msg, kind="lead", notes="Call back")
    late_lead = triage.task_create(
        actor=celina, message=put(world.a_channel, "h-t4", "Catering?"), kind="lead", due_at=later
    )
    soon_lead = triage.task_create(
        actor=celina, message=put(world.a_channel, "h-t5", "Office?"), kind="lead", due_at=soon
    )
    triage.task_set_done(actor=celina, task=lead, done=True)
    support = triage.task_create(actor=celina, message=care_msg, kind="support")
    triage.task_create(actor=celina, message=other_msg, kind="feedback")  # nobody's

    sales_page = world.client_for("sales").get(f"{URL}tasks/")
    assert sales_page.status_code == 200
    html = sales_page.content.decode()
    assert html.count('data-testid="my-task"') == 3
    # Open first, soonest due first; done last.
    assert html.index("Office?") < html.index("Catering?") < html.index("Wholesale prices?")
    assert "Broken grinder" not in html and "Feedback on the menu" not in html
    assert "2 open tasks" in html

    care_html = world.client_for("customer_care").get(f"{URL}tasks/").content.decode()
    assert care_html.count('data-testid="my-task"') == 1 and "Broken grinder" in care_html
    assert "Wholesale prices?" not in care_html

    # Marking done from the list works for Sales (the same action as in the pane).
    response = world.client_for("sales").post(
        f"{URL}{soon_lead.message_id}/tasks/{soon_lead.pk}/done/", {"done": "1", "back": "tasks"}
    )
    assert response.status_code == 302 and response["Location"] == f"{URL}tasks/"
    assert Task.objects.get(pk=soon_lead.pk).done
    assert not Task.objects.get(pk=late_lead.pk).done and support.assignee_id is not None


def test_my_tasks_of_another_workspace_is_not_found(world: World) -> None:
    outsider = world.client_for("owner")
    outsider.force_login(world.b_owner.user)
    assert outsider.get(f"{URL}tasks/").status_code == 404


def test_rules_routing_tells_each_person_once_per_poll(world: World) -> None:
    from roost.inbox.services import config

    kasia = world.members["customer_care"]
    config.rule_create(
        actor=world.members["owner"],
        name="Refunds to Kasia",
        when={"keywords": ["refund"]},
        then={"member": kasia.pk},
    )
    put(world.a_channel, "r-1", "refund please")
    put(world.a_channel, "r-2", "another refund")
    notes = told(kasia)
    assert len(notes) == 2  # one ingest each: one notification each
    assert "An inbox rule assigned you a message" in notes[0].text


def test_a_member_without_roles_cannot_open_my_tasks(world: World) -> None:
    nobody = seed_member(world.a, make_user("nobody@alpha.test"), [])
    client = world.client_for("owner")
    client.force_login(nobody.user)
    assert client.get(f"{URL}tasks/").status_code == 403
