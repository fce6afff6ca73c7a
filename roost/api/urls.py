"""The REST API under /api/v1: OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import ValidationError as SchemaInvalid

from roost.api.approvals import router as approvals_router
from roost.api.auth import TokenAuth
from roost.api.inbox import router as inbox_router
from roost.api.posts import router as posts_router
from roost.api.schemas import MeOut
from roost.api.team import router as team_router
from roost.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from roost.core.uploads import refused_upload
from roost.publishing.services import media

api = NinjaAPI(
    title="Roost API",
    version="1",
    description=(
        "Self-hosted social media management. Authenticate with a personal token from "
        "your workspace's Tokens page: `Authorization: Bearer roost_…`. A token acts as "
        "its member in one workspace and is limited further by its scopes."
    ),
    auth=TokenAuth(),
    urls_namespace="api",
)


@api.exception_handler(NotFound)
def _not_found(request: HttpRequest, exc: NotFound) -> HttpResponse:
    return api.create_response(request, {"detail": exc.message}, status=404)


@api.exception_handler(PermissionDenied)
def _denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": exc.message}, status=403)


@api.exception_handler(Conflict)
def _conflict(request: HttpRequest, exc: Conflict) -> HttpResponse:
    return api.create_response(request, {"detail": exc.message}, status=409)


def _detail(exc: ValidationFailed) -> list[dict[str, Any]]:
    """Same shape as schema errors: one item per field, so clients handle both alike."""
    return [
        {"type": "value_error", "loc": ["body", "payload", field], "msg": message}
        for field, messages in exc.errors.items()
        for message in messages
    ]


@api.exception_handler(ValidationFailed)
def _invalid(request: HttpRequest, exc: ValidationFailed) -> HttpResponse:
    return api.create_response(request, {"detail": _detail(exc)}, status=422)


@api.exception_handler(SchemaInvalid)
def _schema_invalid(request: HttpRequest, exc: SchemaInvalid) -> HttpResponse:
    """Ninja's own 422, unless the upload limit stopped a file (then it reads as missing)."""
    refused = refused_upload(request)
    if refused is not None:
        too_large = media.too_large(refused)
        return api.create_response(request, {"detail": _detail(too_large)}, status=413)
    return api.create_response(request, {"detail": exc.errors}, status=422)


@api.get("/me", response=MeOut, tags=["me"], summary="Who this token acts as")
def me(request: HttpRequest) -> Any:
    membership = request.auth  # type: ignore[attr-defined]
    return {
        "email": membership.user.email,
        "name": membership.user.name,
        "workspace": membership.workspace.slug,
        "roles": membership.role_codes,
        "scopes": request.api_token.scopes,  # type: ignore[attr-defined]
    }


me.roost_public_in_api = True  # type: ignore[attr-defined]

api.add_router("/workspaces", team_router)
api.add_router("/workspaces", posts_router)
api.add_router("/workspaces", approvals_router)
api.add_router("/workspaces", inbox_router)
