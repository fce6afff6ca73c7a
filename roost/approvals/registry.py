"""What can be approved. The owning app (publishing, later the inbox) registers an adapter;
the engine calls only these methods."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any, Protocol

from django.db.models import QuerySet


class Approvable(Protocol):
    kind: str  # "post", "reply", …

    def load(self, object_id: int) -> Any | None:
        """The object, or None when it no longer exists."""

    def load_many(self, object_ids: Collection[int]) -> dict[int, Any]:
        """The objects that still exist, by id, in a fixed number of queries (queues)."""

    def workspace_id(self, obj: Any) -> int: ...

    def visible_ids(self, member: Any, object_ids: Collection[int] | QuerySet[Any]) -> set[int]:
        """Which of these objects `member` (a Membership) may see where they live (a post on
        a channel they may use, an inbox message routed to them…). A review shows the
        content under review, so nobody sees or decides a review of something hidden from
        them: the engine asks this before every list, page and decision. `object_ids` may
        be a query of ids (a long queue): use it as a subquery, do not list it."""

    def title(self, obj: Any) -> str:
        """A short line for people (queues, notifications)."""

    def url(self, obj: Any) -> str:
        """Where a member sees it (a path)."""

    def snapshot(self, obj: Any) -> dict[str, Any]:
        """The content under review, to show approvers what changed after a reset."""

    def scope(self, obj: Any) -> tuple[list[int], int | None]:
        """(channel ids, campaign id): which workflow applies."""

    def author(self, obj: Any) -> Any:
        """The user who submitted it (told about decisions)."""

    def planned_at(self, obj: Any, plan: dict[str, Any]) -> datetime | None:
        """When it is meant to go out (None: as soon as approved)."""

    def on_submitted(self, obj: Any) -> None:
        """It entered review (e.g. a post's status becomes "in review")."""

    def on_approved(self, obj: Any, plan: dict[str, Any]) -> str:
        """The last step approved: carry out the plan (schedule, send). Returns a message."""

    def on_returned(self, obj: Any) -> None:
        """Rejected, changes requested or cancelled: back to its author (e.g. a draft)."""


class Campaigns(Protocol):
    """Optional for an adapter whose items belong to campaigns (workflow scope)."""

    def campaigns(self, workspace_id: int) -> dict[int, str]:
        """The workspace's campaigns, id → name, in name order."""


class ReviewDetails(Protocol):
    """Optional for an adapter: what an approver sees beside the text (see details())."""

    def review_details(self, obj: Any, snapshot: dict[str, Any]) -> dict[str, Any]:
        """{"channels": [names], "texts": [(channel name, text)], "images": [{"url":…,
        "alt":…}]} for the content under review (`snapshot`), names resolved now."""


_ADAPTERS: dict[str, Approvable] = {}


def register(adapter: Approvable) -> None:
    _ADAPTERS[adapter.kind] = adapter


def details(kind: str, obj: Any, snapshot: dict[str, Any]) -> dict[str, Any]:
    """The adapter's review details, or none when it has no such method."""
    found = getattr(adapter(kind), "review_details", None)
    return found(obj, snapshot) if found is not None and obj is not None else {}


def campaigns(kind: str, workspace_id: int) -> dict[int, str]:
    """The campaigns a workflow of this kind can be scoped to (none for kinds without)."""
    found = getattr(adapter(kind), "campaigns", None)
    return found(workspace_id) if found is not None else {}


def adapter(kind: str) -> Approvable:
    try:
        return _ADAPTERS[kind]
    except KeyError:
        raise LookupError(f"Nothing registered for approvals of kind {kind!r}") from None
