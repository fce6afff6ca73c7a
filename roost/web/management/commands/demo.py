"""`roost demo`: create the demo workspaces and tell their story once (see roost/web/demo/),
and print their logins every time.

It lives in `web`, the top layer, because it composes several apps (workspaces, channels,
approvals): a floor app such as workspaces may not import the apps above it.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from roost.approvals.models import Workflow, WorkflowStep
from roost.channels.models import Channel
from roost.channels.services import connect_with_form
from roost.core.exceptions import RoostError
from roost.web.demo.brief import seed_brief
from roost.web.demo.listening import seed_listening
from roost.web.demo.paid import seed_paid
from roost.web.demo.story import seed_story
from roost.web.demo.team import seed_team
from roost.workspaces.models import Group, Membership, Workspace
from roost.workspaces.roles import Role
from roost.workspaces.seeding import seed_member

DEMO_PASSWORD = "roost-demo-2026"
DEMO_SLUG = "demo-coffee-co"
DOMAIN = "demo-coffee.example"

# (e-mail local part, name, roles)
PEOPLE: list[tuple[str, str, list[Role]]] = [
    ("owner", "Olga Owner", [Role.OWNER]),
    ("admin", "Adam Admin", [Role.ADMIN]),
    ("manager", "Maja Manager", [Role.SOCIAL_MEDIA_MANAGER]),
    ("creator", "Kuba Creator", [Role.CONTENT_CREATOR]),
    ("analyst", "Ania Analyst", [Role.ANALYST]),
    ("community", "Celina Community", [Role.COMMUNITY_MANAGER]),
    ("paid", "Piotr Paid", [Role.PAID_MEDIA]),
    ("care", "Kasia Care", [Role.CUSTOMER_CARE]),
    ("sales", "Szymon Sales", [Role.SALES]),
]
GROUPS = {
    "Customer Care": ("Answers complaints and questions", ["care", "community"]),
    "Sales": ("Follows up on leads", ["sales"]),
    "Legal review": ("Checks claims, contests and promotions", ["admin"]),
}


class Command(BaseCommand):
    help = (
        "Create the demo workspace (Demo Coffee Co.) with one member per role and a few weeks "
        "of history, once; idempotent."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if not Workspace.objects.filter(slug=DEMO_SLUG).exists():
            self._create()
            self.stdout.write(self.style.SUCCESS("roost: created the demo workspace"))
        self._sandbox_channels()
        coffee = Workspace.objects.get(slug=DEMO_SLUG)
        seed_story(coffee, self.stdout.write)
        seed_brief(coffee, self.stdout.write)
        if made := seed_listening(coffee):
            self.stdout.write(f"roost: the demo's listening has {made} mentions over 30 days")
        if made := seed_paid(coffee):
            self.stdout.write(f"roost: the demo's paid media has 3 campaigns and {made} days")
        if seed_team(coffee):
            self.stdout.write("roost: the demo's team is a mid-size company with a few profiles")
        self._land_in(coffee)
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD}):")
        for local, name, roles in PEOPLE:
            labels = ", ".join(str(r.label) for r in roles)
            self.stdout.write(f"  {local + '@' + DOMAIN:<34} {name:<18} {labels}")
        self.stdout.write("")

    def _land_in(self, coffee: Workspace) -> None:
        """Demo people who have not chosen a workspace yet start in Demo Coffee Co. (the
        story), not in whichever workspace sorts first."""
        get_user_model().objects.filter(
            email__in=[f"{local}@{DOMAIN}" for local, _name, _roles in PEOPLE],
            last_workspace__isnull=True,
            memberships__workspace=coffee,
        ).update(last_workspace=coffee)

    def _sandbox_channels(self) -> None:
        """Two Sandbox channels for the demo, so the whole publishing loop works at once."""
        coffee = Workspace.objects.get(slug=DEMO_SLUG)
        if Channel.objects.filter(workspace=coffee, network="sandbox").exists():
            return
        owner = Membership.objects.filter(workspace=coffee, roles__role=Role.OWNER).first()
        if owner is None:
            return
        try:
            made = [
                connect_with_form(actor=owner, network="sandbox", fields={"name": name})
                for name in ("Coffee Co. Sandbox", "Coffee Co. Sandbox PL")
            ]
        except RoostError as exc:
            self.stdout.write(f"roost: no Sandbox channels yet ({exc.message})")
            return
        self.stdout.write("roost: connected two Sandbox channels to the demo")
        # Some people talking to the brand, so the inbox has something to show.
        import httpx

        from roost.core.outbound import guarded_httpx_client

        with guarded_httpx_client(timeout=10) as http:
            for channel in made:
                try:
                    http.post(
                        f"{channel.config['base_url']}/api/inbound",
                        json={"handle": channel.handle, "count": 12, "seed": channel.pk},
                    )
                except httpx.HTTPError:
                    self.stdout.write("roost: the Sandbox did not take the demo messages")

    @transaction.atomic
    def _create(self) -> None:
        User = get_user_model()
        coffee = Workspace.objects.create(
            name="Demo Coffee Co.", slug=DEMO_SLUG, timezone="Europe/Warsaw", language="en"
        )
        bakery = Workspace.objects.create(
            name="Demo Bakery", slug="demo-bakery", timezone="Europe/Warsaw", language="pl"
        )
        members = {}
        for local, name, roles in PEOPLE:
            email = f"{local}@{DOMAIN}"
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User.objects.create_user(email, DEMO_PASSWORD, name=name)
            members[local] = seed_member(coffee, user, roles)
        # A second workspace so the switcher has somewhere to go.
        seed_member(bakery, members["owner"].user, [Role.OWNER])
        seed_member(bakery, members["manager"].user, [Role.SOCIAL_MEDIA_MANAGER])
        made = {}
        for group_name, (description, locals_) in GROUPS.items():
            group = Group.objects.create(workspace=coffee, name=group_name, description=description)
            group.members.set([members[m] for m in locals_])
            made[group_name] = group
        # Brand review: Legal review (any one of them), then the Social Media Manager.
        workflow = Workflow.objects.create(workspace=coffee, name="Brand review")
        legal = WorkflowStep.objects.create(workflow=workflow, position=1, name="Legal review")
        legal.groups.set([made["Legal review"]])
        final = WorkflowStep.objects.create(
            workflow=workflow, position=2, name="Social media manager"
        )
        final.members.set([members["manager"]])
