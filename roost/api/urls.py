"""The REST API under /api/v1: OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs."""

import logging
from typing import Any

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.db import DataError, IntegrityError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import ValidationError as SchemaInvalid

from roost.api.analytics import router as analytics_router
from roost.api.approvals import router as approvals_router
from roost.api.auth import TokenAuth
from roost.api.briefing import router as briefing_router
from roost.api.idempotency import PARAMETER as IDEMPOTENCY_PARAMETER
from roost.api.idempotency import KeyRefused
from roost.api.inbox import router as inbox_router
from roost.api.listening import router as listening_router
from roost.api.paid_accounts import router as paid_accounts_router
from roost.api.paid_boosts import router as paid_boosts_router
from roost.api.paid_campaigns import router as paid_campaigns_router
from roost.api.paid_experiments import router as paid_experiments_router
from roost.api.pause import router as pause_router
from roost.api.posts import router as posts_router
from roost.api.reports import router as reports_router
from roost.api.roi import router as roi_router
from roost.api.schemas import COMMON_ERRORS, Error, MeOut
from roost.api.team import router as team_router
from roost.api.team_assessment import router as team_assessment_router
from roost.api.team_builder import router as team_builder_router
from roost.api.team_hiring import router as team_hiring_router
from roost.api.team_onboarding import router as team_onboarding_router
from roost.api.team_workload import router as team_workload_router
from roost.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from roost.core.uploads import refused_upload
from roost.core.validation import too_big_message
from roost.publishing.services import media

logger = logging.getLogger(__name__)

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


@api.exception_handler(KeyRefused)
def _key_refused(request: HttpRequest, exc: KeyRefused) -> HttpResponse:
    detail = [
        {"type": "value_error", "loc": ["header", field], "msg": message}
        for field, messages in exc.errors.items()
        for message in messages
    ]
    return api.create_response(request, {"detail": detail}, status=422)


@api.exception_handler(SchemaInvalid)
def _schema_invalid(request: HttpRequest, exc: SchemaInvalid) -> HttpResponse:
    """A path parameter that is no valid id names nothing that exists: 404, as for an id
    of another workspace. A file the upload limit stopped reads as missing to the schema:
    413 with the limit. Everything else the schema refuses: 422, one item per field."""
    refused = refused_upload(request)
    if refused is not None:
        too_large = media.too_large(refused)
        return api.create_response(request, {"detail": _detail(too_large)}, status=413)
    if any(error.get("loc", ("",))[0] == "path" for error in exc.errors):
        return api.create_response(request, {"detail": NotFound().message}, status=404)
    return api.create_response(request, {"detail": exc.errors}, status=422)


# The safety net: these mean the input was refused below the schema (the causes are
# validated first; see roost.core.validation and roost.web.middleware). A 4xx, never a 500.
@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return api.create_response(request, {"detail": too_big_message()}, status=413)


@api.exception_handler(SuspiciousOperation)
def _unreadable(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
    return api.create_response(request, {"detail": _("The request could not be read.")}, status=400)


@api.exception_handler(UnicodeDecodeError)
def _not_text(request: HttpRequest, exc: UnicodeDecodeError) -> HttpResponse:
    return api.create_response(
        request, {"detail": _("The request is not valid UTF-8.")}, status=400
    )


@api.exception_handler(DataError)
@api.exception_handler(OverflowError)
def _out_of_range(request: HttpRequest, exc: Exception) -> HttpResponse:
    # Reaching here means a validation gap: log it, so it is fixed at the cause.
    logger.warning(
        "API input refused by the database: %s %s", request.method, request.path, exc_info=exc
    )
    return api.create_response(
        request, {"detail": _("A value is out of the range Roost can store.")}, status=422
    )


@api.exception_handler(IntegrityError)
def _clash(request: HttpRequest, exc: IntegrityError) -> HttpResponse:
    # Two requests wrote the same thing at the same moment; the checks before the write
    # could not see the other one. The client may retry (with an Idempotency-Key).
    logger.warning("API write clashed: %s %s", request.method, request.path, exc_info=exc)
    return api.create_response(
        request,
        {"detail": _("Someone saved the same thing at the same moment. Please try again.")},
        status=409,
    )


@api.get(
    "/me",
    response={
        200: MeOut,
        **dict.fromkeys((c for c in COMMON_ERRORS if c not in (403, 404)), Error),
    },
    tags=["me"],
    summary="Who this token acts as",
)
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

ROUTERS = (
    team_router,
    team_assessment_router,
    posts_router,
    pause_router,
    approvals_router,
    inbox_router,
    roi_router,
    analytics_router,
    reports_router,
    briefing_router,
    listening_router,
    paid_accounts_router,
    paid_campaigns_router,
    paid_boosts_router,
    paid_experiments_router,
    team_builder_router,
    team_hiring_router,
    team_onboarding_router,
    team_workload_router,
)


def _document_idempotency() -> None:
    """Operations marked @idempotent list the Idempotency-Key header in the schema."""
    for router in ROUTERS:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                if getattr(operation.view_func, "roost_idempotent", False):
                    extra = dict(operation.openapi_extra or {})
                    extra["parameters"] = [*extra.get("parameters", []), IDEMPOTENCY_PARAMETER]
                    operation.openapi_extra = extra


_document_idempotency()
for _router in ROUTERS:
    api.add_router("/workspaces", _router)
