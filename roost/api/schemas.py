"""Request and response shapes of the public API."""

from datetime import datetime

from ninja import Schema
from pydantic import Field


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
    members: list[int] = []


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
    groups: list[int] = []


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


class ErrorOut(Schema):
    detail: str
