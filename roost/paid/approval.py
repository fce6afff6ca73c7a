"""Boosts as approvable things: spend above the threshold waits for APPROVE_SPEND."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from roost.approvals.registry import register
from roost.paid.models import Boost
from roost.paid.services import boosts
from roost.workspaces.models import Membership
from roost.workspaces.roles import Perm


def snapshot(boost: Boost) -> dict[str, Any]:
    """What approvers decide on: the amount, the duration, the audience and the post."""
    return {
        "text": boost.post.text,
        "amount": str(boost.budget),
        "currency": boost.ad_account.currency,
        "days": boost.days,
        "audience": dict(boost.audience),
        "channel": boost.channel_id,
        "ad_account": boost.ad_account_id,
    }


def audience_line(audience: dict[str, Any]) -> str:
    """The audience in words: "PL, DE · ages 18–45 · coffee, tea"."""
    countries = ", ".join(audience.get("countries") or []) or _("all countries")
    ages = _("ages %(lo)s–%(hi)s") % {
        "lo": audience.get("age_min", boosts.AGE_MIN),
        "hi": audience.get("age_max", boosts.AGE_MAX),
    }
    parts = [countries, ages]
    if audience.get("interests"):
        parts.append(_("interests: %(list)s") % {"list": ", ".join(audience["interests"])})
    return " · ".join(parts)


class BoostApprovable:
    kind = boosts.KIND

    def _query(self) -> QuerySet[Boost]:
        return Boost.objects.select_related(
            "workspace", "post", "channel", "ad_account", "created_by"
        )

    def load(self, object_id: int) -> Boost | None:
        return self._query().filter(pk=object_id).first()

    def load_many(self, object_ids: Collection[int]) -> dict[int, Boost]:
        return self._query().in_bulk(list(object_ids))

    def workspace_id(self, obj: Boost) -> int:
        return obj.workspace_id

    def visible_ids(
        self, member: Membership, object_ids: Collection[int] | QuerySet[Any]
    ) -> set[int]:
        """Boosts are paid media: seen by those who see paid media or approve spend."""
        if not (member.has_perm(Perm.VIEW_PAID) or member.has_perm(Perm.APPROVE_SPEND)):
            return set()
        wanted = object_ids if isinstance(object_ids, QuerySet) else list(object_ids)
        found = Boost.objects.filter(workspace_id=member.workspace_id, pk__in=wanted)
        return set(found.values_list("pk", flat=True))

    def title(self, obj: Boost) -> str:
        return boosts.title_of(obj)

    def url(self, obj: Boost) -> str:
        return reverse("paid:boost", args=[obj.workspace.slug, obj.pk])

    def snapshot(self, obj: Boost) -> dict[str, Any]:
        return snapshot(obj)

    def scope(self, obj: Boost) -> tuple[list[int], int | None]:
        return [obj.channel_id], None

    def author(self, obj: Boost) -> Any:
        return obj.created_by

    def planned_at(self, obj: Boost, plan: dict[str, Any]) -> datetime | None:
        return None

    def on_submitted(self, obj: Boost) -> None:
        """Nothing to do: a boost is made IN_REVIEW."""

    def on_approved(self, obj: Boost, plan: dict[str, Any]) -> str:
        return boosts.on_approved(obj)

    def on_returned(self, obj: Boost) -> None:
        boosts.on_returned(obj)

    def review_details(self, obj: Boost, snapshot: dict[str, Any]) -> dict[str, Any]:
        """The spend beside the post's text: amount, duration, audience, where."""
        return {
            "channels": [obj.channel.name],
            "facts": [
                (_("Amount"), f"{snapshot.get('amount')} {snapshot.get('currency')}"),
                (_("Duration"), _("%(n)s days") % {"n": snapshot.get("days")}),
                (_("Audience"), audience_line(snapshot.get("audience") or {})),
                (_("Ad account"), obj.ad_account.name),
            ],
        }


register(BoostApprovable())
