"""Request and response shapes of the public API, and the input types every operation
shares: ids the database can hold, dates in Roost's window, the documented errors."""

from datetime import datetime
from typing import Annotated, Any

from ninja import Schema
from pydantic import AfterValidator, Field

from roost.core.validation import MAX_ID, moment_problem

# A database id. Out of range in a path: 404 (there is nothing there); in a query or a
# body: 422 naming the field.
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def _in_window(value: datetime) -> datetime:
    problem = moment_problem(value)
    if problem:
        raise ValueError(problem)
    return value


# Any date a client gives: from 2000 up to ten years ahead (year 1 or 9999 is a typo or a
# probe, and would overflow the time-zone arithmetic).
Moment = Annotated[datetime, AfterValidator(_in_window)]


class WorkspaceOut(Schema):
    name: str
    slug: str
    timezone: str
    language: str
    created_at: datetime


class WorkspaceIn(Schema):
    name: str = Field(max_length=100)
    timezone: str
    language: str


class MemberOut(Schema):
    id: int
    email: str
    name: str
    roles: list[str]
    groups: list[int]
    joined_at: datetime


class RolesIn(Schema):
    roles: list[str]


class RoleOut(Schema):
    code: str
    label: str
    permissions: list[str]


class GroupOut(Schema):
    id: int
    name: str
    description: str
    members: list[int]


class GroupIn(Schema):
    name: str = Field(max_length=80)
    description: str = Field(default="", max_length=255)
    members: list[Id] = []


class InviteOut(Schema):
    id: int
    email: str
    roles: list[str]
    groups: list[int]
    status: str
    created_at: datetime
    expires_at: datetime


class InviteIn(Schema):
    email: str = Field(max_length=254)
    roles: list[str]
    groups: list[Id] = []


class AuditOut(Schema):
    id: int
    action: str
    actor: str | None
    target_type: str
    target_id: str
    data: dict
    created_at: datetime


class MeOut(Schema):
    email: str
    name: str
    workspace: str
    roles: list[str]
    scopes: list[str]


class FieldError(Schema):
    type: str
    loc: list[str | int] = Field(description="Where: query, body or form, then the path")
    msg: str


class Error(Schema):
    """Every error answer: a sentence, or one item per field that was refused."""

    detail: str | list[FieldError]


# Any operation may answer: 400 (a request that is no text, e.g. invalid UTF-8), 401 (no
# or a bad token), 403 (role or token scope), 404 (another workspace, or no such thing),
# 422 (a value refused, e.g. a null character or a date out of range).
COMMON_ERRORS = (400, 401, 403, 404, 422)
# Writes may also answer 409 (the state changed, or the Idempotency-Key is still in use)
# and 413 (a body over the size limit).
WRITE_ERRORS = (409, 413)


def responses(ok: dict[int, Any], *, write: bool = False) -> dict[int, Any]:
    """`ok` plus the errors the operation can really answer, all with the one Error body."""
    codes = COMMON_ERRORS + (WRITE_ERRORS if write else ())
    return {**ok, **dict.fromkeys(codes, Error)}
