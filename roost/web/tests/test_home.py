"""The home page ("Today"): each member sees what waits for them, what goes out today, what
failed and what the team did, only as far as their role lets them; a fixed number of
queries; and everybody lands in the right workspace."""

from __future__ import annotations

import io
import zoneinfo
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from roost.approvals.models import ApprovalRequest
from roost.approvals.services import request_decide
from roost.channels.services import channel_mark_unauthorized
from roost.conftest import World, make_user
from roost.core import clock
from roost.inbox.models import Message, Task
from roost.inbox.services.ingest import ingest
from roost.inbox.services.triage import message_assign, message_set_status, task_create
from roost.networks.base import Inbound, InboundKind, InboxPage, Outcome, Published, Result
from roost.publishing.models import Post
from roost.publishing.services.compose import PostInput, post_compose
from roost.publishing.services.delivery import claim_due, record
from roost.web.today import Today, today_for
from roost.workspaces import services
from roost.workspaces.models import AuditEntry, Workspace
from roost.workspaces.seeding import seed_member
from roost.workspaces.selectors import workspace_to_open

WARSAW = zoneinfo.ZoneInfo("Europe/Warsaw")


@pytest.fixture
def morning(monkeypatch: Any) -> datetime:
    """Tomorrow 09:00 in Warsaw (Alpha's zone), as Roost's clock: posts can be planned
    for later that day whatever the real time is."""
    real = datetime.now(WARSAW)
    at = datetime.combine(real.date() + timedelta(days=1), datetime.min.time(), WARSAW)
    at += timedelta(hours=9)
    monkeypatch.setattr(clock, "now", lambda: at)
    return at


def _today(world: World, role: str, now: datetime | None = None) -> Today:
    return today_for(world.members[role], now or clock.now())


def _message(world: World, text: str, received: datetime) -> Message:
    n = Message.objects.count() + 1
    ingest(
        world.a_channel,
        InboxPage(
            items=(
                Inbound(
                    remote_id=f"home-{n}",
                    kind=InboundKind.MENTION,
                    text=text,
                    created_at=received,
                    author_id=f"cust-{n}",
                    author_handle=f"cust{n}.sandbox",
                    author_name=f"Customer {n}",
                ),
            )
        ),
    )
    message = Message.objects.get(channel=world.a_channel, remote_id=f"home-{n}")
    Message.objects.filter(pk=message.pk).update(received_at=received)
    message.refresh_from_db()
    return message


def _post_at(world: World, text: str, at: datetime) -> Post:
    return post_compose(
        actor=world.members["owner"],
        data=PostInput(text=text, channel_ids=[world.a_channel.pk]),
        mode="at",
        at=at,
    )


def _send_now(world: World, text: str, ok: bool) -> Post:
    """A post that goes out at once and is published (ok) or refused by the network."""
    post = post_compose(
        actor=world.members["owner"],
        data=PostInput(text=text, channel_ids=[world.a_channel.pk]),
        mode="now",
    )
    for delivery in claim_due(worker_id="t", limit=10, now=clock.now() + timedelta(minutes=1)):
        if ok:
            result = Result(Outcome.OK, published=Published(remote_id=f"r{delivery.pk}", url=""))
        else:
            result = Result(Outcome.REJECTED, reason="Sandbox refused it: too long")
        assert record(delivery, result, clock.now())
    post.refresh_from_db()
    return post


def _review(world: World, text: str) -> None:
    """A post by the creator waiting in Alpha's review workflow (its Legal review group)."""
    post_compose(
        actor=world.members["content_creator"],
        data=PostInput(
            text=text,
            channel_ids=[world.a_channel.pk],
            campaign_id=world.a_workflow.campaign_ids[0],
        ),
        mode="now",
    )


# --- what waits for me ---------------------------------------------------------------------


def test_a_review_waits_for_the_approvers_group_only(world: World) -> None:
    admin = _today(world, "admin")  # in "Legal review", the step's group
    assert admin.reviews_groups is not None and admin.reviews_groups.total == 1
    assert [i.title for i in admin.reviews_groups.items] == ["For review in Alpha"]
    assert admin.reviews_mine is not None and admin.reviews_mine.total == 0
    owner = _today(world, "owner")  # may approve, but is not on the step
    assert owner.reviews_groups is not None and owner.reviews_groups.total == 0
    # Roles that cannot open the approvals queue are not asked.
    for role in ("customer_care", "sales"):
        today = _today(world, role)
        assert (today.reviews_mine, today.reviews_groups) == (None, None)


def test_inbox_items_wait_for_their_group_until_someone_has_them(world: World) -> None:
    message = world.a_inbox.message  # routed to a group with creator, paid, care and sales
    care = _today(world, "customer_care")
    assert care.assigned is not None and [m.pk for m in care.assigned.items] == [message.pk]
    message_assign(
        actor=world.members["owner"], message=message, member_id=world.members["sales"].pk
    )
    care = _today(world, "customer_care")
    assert care.assigned is not None and care.assigned.total == 0
    sales = _today(world, "sales")
    assert sales.assigned is not None and [m.pk for m in sales.assigned.items] == [message.pk]
    # Completed: nothing waits any more.
    message_set_status(actor=world.members["sales"], message=message, complete=True)
    sales = _today(world, "sales")
    assert sales.assigned is not None and sales.assigned.total == 0
    assert sales.nothing_waits


def test_open_tasks_for_me_or_my_group(world: World) -> None:
    message = world.a_inbox.message
    owner = world.members["owner"]
    due = clock.now() + timedelta(days=1)
    mine = task_create(
        actor=owner, message=message, kind="lead", member_id=world.members["sales"].pk, due_at=due
    )
    for_group = task_create(
        actor=owner, message=message, kind="support", group_id=world.a_inbox.group.pk
    )
    # Still the group's: nobody in it has taken it yet.
    Task.objects.filter(pk=for_group.pk).update(assignee=None)
    sales = _today(world, "sales")
    assert sales.tasks is not None
    assert [t.pk for t in sales.tasks.items] == [mine.pk, for_group.pk]  # due first
    care = _today(world, "customer_care")
    assert care.tasks is not None and [t.pk for t in care.tasks.items] == [for_group.pk]
    # The analyst does not work on tasks: no block.
    assert _today(world, "analyst").tasks is None


def test_first_response_at_risk_and_breached(world: World) -> None:
    now = clock.now()
    late = _message(world, "Where is my order?", now - timedelta(minutes=90))
    risky = _message(world, "Still waiting", now - timedelta(minutes=50))
    _message(world, "Just asked", now - timedelta(minutes=5))
    community = _today(world, "community_manager", now)
    assert community.sla is not None
    assert [(r.message.pk, r.state) for r in community.sla.items] == [
        (late.pk, "breached"),
        (risky.pk, "at_risk"),
    ]
    assert community.sla.items[0].minutes == 90
    # A first response stops the clock.
    Message.objects.filter(pk=late.pk).update(first_response_at=now)
    community = _today(world, "community_manager", now)
    assert community.sla is not None and community.sla.total == 1
    # Care sees only what is routed to them; the analyst neither replies nor assigns.
    care = _today(world, "customer_care", now)
    assert care.sla is not None and care.sla.total == 0
    assert _today(world, "analyst", now).sla is None


# --- today, failures, the team --------------------------------------------------------------


def test_what_goes_out_today_in_the_workspace_zone(world: World, morning: datetime) -> None:
    noon = _post_at(world, "At noon", morning + timedelta(hours=3))
    late = _post_at(world, "Late evening", morning + timedelta(hours=14, minutes=30))  # 23:30
    _post_at(world, "Tomorrow", morning + timedelta(hours=15, minutes=30))  # 00:30 next day
    owner = _today(world, "owner")
    assert owner.going_out is not None
    assert [p.pk for p in owner.going_out.items] == [noon.pk, late.pk]
    assert [d.channel.name for d in owner.going_out.items[0].deliveries.all()] == ["Alpha Sandbox"]
    # No calendar for Customer Care: no block.
    assert _today(world, "customer_care").going_out is None


def test_failed_posts_and_channels_to_reconnect(world: World) -> None:
    owner = _today(world, "owner")
    assert owner.nothing_failed
    failed = _send_now(world, "Refused", ok=False)
    channel_mark_unauthorized(channel_id=world.a_channel.pk, reason="Sign in again")
    owner = _today(world, "owner")
    assert owner.failed is not None
    assert [d.post_id for d in owner.failed.items] == [failed.pk]
    assert owner.failed.items[0].error
    assert owner.reconnect is not None and [c.name for c in owner.reconnect] == ["Alpha Sandbox"]
    assert not owner.nothing_failed
    assert _today(world, "sales").failed is None


def test_what_the_team_did_since_yesterday(world: World) -> None:
    published = _send_now(world, "Out it went", ok=True)
    request_decide(req=world.a_request, decision="approve", user=world.members["admin"].user)
    message_set_status(
        actor=world.members["customer_care"], message=world.a_inbox.message, complete=True
    )
    owner = _today(world, "owner")
    assert owner.published is not None and [p.pk for p in owner.published.items] == [published.pk]
    assert "Alpha Customer Care completed 1 inbox item." in owner.team
    assert "Alpha Admin approved 1 review." in owner.team
    assert (
        "Alpha Owner, Alpha Admin, Alpha Social Media Manager and 6 others joined the team."
        in owner.team
    )
    # Seen from two days later, none of it is "since yesterday".
    later = _today(world, "owner", clock.now() + timedelta(days=2))
    assert later.published is not None and later.published.total == 0
    assert later.team == []


# --- the page ---------------------------------------------------------------------------


def test_each_role_sees_its_blocks(world: World) -> None:
    page = world.client_for("social_media_manager").get("/w/alpha/").content.decode()
    for block in ("today-waiting", "today-going-out", "today-problems", "today-team"):
        assert f'data-testid="{block}"' in page
    care = world.client_for("customer_care").get("/w/alpha/").content.decode()
    assert 'data-testid="today-waiting"' in care and 'data-testid="today-assigned"' in care
    assert "Alpha customer asks about pricing" in care
    assert 'data-testid="today-going-out"' not in care
    assert 'data-testid="today-problems"' not in care
    analyst = world.client_for("analyst").get("/w/alpha/").content.decode()
    assert "Nothing waits for you." in analyst
    assert 'data-testid="today-going-out"' in analyst
    assert "For review in Alpha" in analyst  # the fixture's post in review, planned now


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_page_costs_the_same_queries_however_much_there_is(
    world: World, morning: datetime
) -> None:
    """Admin: in the review group, reads and assigns the whole inbox, sees every block."""
    admin = world.members["admin"]
    client = world.client_for("admin")
    message_assign(actor=world.members["owner"], message=world.a_inbox.message, member_id=admin.pk)
    _post_at(world, "Today 1", morning + timedelta(hours=2))
    _send_now(world, "Published 1", ok=True)
    _send_now(world, "Failed 1", ok=False)
    _review(world, "Review decided")
    request_decide(req=ApprovalRequest.objects.latest("pk"), decision="approve", user=admin.user)
    client.get("/w/alpha/")  # the first visit remembers the workspace (one write)
    few = _queries(client, "/w/alpha/")

    for n in range(6):
        _post_at(world, f"Today {n + 2}", morning + timedelta(hours=3, minutes=n))
        _send_now(world, f"Published {n + 2}", ok=True)
        _send_now(world, f"Failed {n + 2}", ok=False)
        _review(world, f"Review {n}")
        message = _message(world, f"Help {n}", clock.now() - timedelta(hours=2))
        message_assign(actor=world.members["owner"], message=message, member_id=admin.pk)
        task_create(actor=admin, message=message, kind="other", member_id=admin.pk)
        message_set_status(actor=admin, message=_message(world, "Done", clock.now()), complete=True)
    channel_mark_unauthorized(channel_id=world.a_channel.pk, reason="Sign in again")
    today = _today(world, "admin")
    assert today.going_out is not None and today.going_out.total == 28  # all of them today
    assert today.reviews_groups is not None and today.reviews_groups.total == 7
    assert today.tasks is not None and today.tasks.total == 6
    assert _queries(client, "/w/alpha/") == few


# --- where people land ---------------------------------------------------------------------


def test_home_opens_the_last_workspace_opened(world: World) -> None:
    owner = world.members["owner"].user
    other = services.workspace_create(actor=owner, name="Aardvark")  # first by name
    client = world.client_for("owner")
    client.get("/w/alpha/team/")
    assert client.get("/")["Location"] == "/w/alpha/"
    client.get(f"/w/{other.slug}/")
    assert client.get("/")["Location"] == f"/w/{other.slug}/"


def test_without_a_last_workspace_the_busiest_wins_not_the_first_by_name(world: World) -> None:
    user = make_user("new@alpha.test", "New Person")
    quiet = Workspace.objects.create(name="Aaa quiet", slug="aaa-quiet")
    seed_member(quiet, user, ["social_media_manager"])
    seed_member(world.a, user, ["social_media_manager"])  # Alpha: the fixture's busy one
    assert user.last_workspace_id is None
    assert workspace_to_open(user) == world.a
    client = Client()
    client.force_login(user)
    assert client.get("/")["Location"] == "/w/alpha/"
    # Activity older than 30 days does not count; then the latest activity decides.
    AuditEntry.objects.filter(workspace=world.a).update(created_at=clock.now() - timedelta(days=40))
    assert workspace_to_open(user) == quiet
    # A workspace one left is never opened, even if it was the last one.
    user.last_workspace = world.b
    user.save(update_fields=["last_workspace"])
    assert workspace_to_open(user) == quiet


def test_the_demo_manager_lands_in_demo_coffee_co(db: Any) -> None:
    call_command("demo", stdout=io.StringIO())
    from django.contrib.auth import get_user_model

    manager = get_user_model().objects.get(email="manager@demo-coffee.example")
    assert manager.memberships.count() == 2  # Demo Coffee Co. and Demo Bakery
    client = Client()
    client.force_login(manager)
    assert client.get("/")["Location"] == "/w/demo-coffee-co/"
    assert client.get("/w/demo-coffee-co/").status_code == 200


def test_the_favicon_is_linked_and_favicon_ico_finds_it(world: World) -> None:
    response = Client().get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == "/static/web/favicon.svg"
    page = world.client_for("owner").get("/w/alpha/").content.decode()
    assert '<link rel="icon" href="/static/web/favicon.svg" type="image/svg+xml">' in page


def test_an_unknown_address_gets_roosts_own_404_page(world: World, settings: Any) -> None:
    settings.DEBUG = False  # as `roost run` serves unless --debug
    for client in (Client(), world.client_for("customer_care")):
        response = client.get("/no/such/page/")
        assert response.status_code == 404
        body = response.content.decode()
        assert "There is nothing at this address." in body
        assert "URLconf" not in body and "urlpatterns" not in body


def test_a_post_sent_back_for_changes_waits_for_its_author(world: World) -> None:
    creator = _today(world, "content_creator")
    assert creator.sent_back is not None and creator.sent_back.total == 0
    request_decide(
        req=world.a_request,
        decision="request_changes",
        user=world.members["admin"].user,
        comment="Add the price",
    )
    creator = _today(world, "content_creator")
    assert creator.sent_back is not None
    assert [i.title for i in creator.sent_back.items] == ["For review in Alpha"]
    assert not creator.nothing_waits
    page = world.client_for("content_creator").get("/w/alpha/").content.decode()
    assert 'data-testid="today-sent-back"' in page
    # Nobody else is asked to edit it.
    owner = _today(world, "owner")
    assert owner.sent_back is not None and owner.sent_back.total == 0


def test_how_long_an_item_waited_reads_well() -> None:
    from roost.web.today import SlaItem

    def waited(minutes: int) -> str:
        return SlaItem(Message(), "at_risk", minutes).waited

    assert [waited(50), waited(60), waited(185)] == ["50 min", "1 h", "3 h 5 min"]
