"""The edge: input that no view can store is refused here, once, for every page, htmx
endpoint and API operation — before any form, service or database sees it."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import (
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import HttpRequest, HttpResponse, JsonResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _

from roost.core.exceptions import NotFound
from roost.core.validation import (
    NULL,
    TextProblem,
    null_message,
    null_paths,
    text_problem,
    too_big_message,
    urlencoded_problem,
)
from roost.http.decorators import error_response

API_PREFIX = "/api/"
BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
FORM = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"


class Refusal(Exception):
    """Why the request is refused: status, message, and where (for the API's `loc`)."""

    def __init__(
        self, status: int, message: str, loc: tuple[Any, ...] = (), kind: str = ""
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.loc = loc
        self.kind = kind


class BadInputMiddleware:
    """Null characters (PostgreSQL cannot store them), bytes that are not UTF-8 (Django
    would store U+FFFD instead), and bodies over the size limit: a clear 4xx that names the
    field, instead of garbage in the database or a 500 from it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            check_request(request)
        except Refusal as refusal:
            return respond(request, refusal)
        return self.get_response(request)


def is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def check_request(request: HttpRequest) -> None:
    """Raise Refusal when the path, the query string or the body cannot be accepted."""
    if NULL in request.path_info:
        # No address holds a null character (str converters would pass it on).
        raise Refusal(404, str(NotFound().message))
    raw_query = request.META.get("QUERY_STRING", "")
    _check_urlencoded(raw_query, "utf-8", "query")
    if request.method not in BODY_METHODS:
        return
    try:
        _check_body(request)
    except RequestDataTooBig:
        raise Refusal(413, too_big_message()) from None
    except (TooManyFieldsSent, TooManyFilesSent, MultiPartParserError, UnreadablePostError):
        raise Refusal(400, _("The form data could not be read.")) from None
    except SuspiciousOperation:
        raise Refusal(400, _("The request could not be read.")) from None


def _check_urlencoded(raw: bytes | str, encoding: str, where: str) -> None:
    found = urlencoded_problem(raw, encoding)
    if found is not None:
        raise _refusal(found, where)


def _refusal(problem: TextProblem, where: str) -> Refusal:
    # A null character is a value Roost refuses (422); bytes that are no text at all are a
    # malformed request (400).
    status = 422 if problem.kind == "null_character" else 400
    return Refusal(status, problem.message, (where, problem.field), problem.kind)


def _check_body(request: HttpRequest) -> None:
    content_type = request.content_type or ""
    encoding = request.encoding or settings.DEFAULT_CHARSET
    if content_type == FORM:
        _check_urlencoded(request.body, encoding, "form")
    elif content_type == MULTIPART:
        # Parsed here once (the CSRF check would parse it anyway); files stay on disk.
        for name, values in request.POST.lists():
            for value in values:
                problem = text_problem(name, value)
                if problem is not None:
                    raise _refusal(problem, "form")
    elif is_api(request):
        _check_json(request.body)
    else:
        request.body  # noqa: B018 - reading it enforces the size limit now, as a 413


def _check_json(body: bytes) -> None:
    """A JSON string may spell a null character `\\u0000`; find every one, with its path.
    (Raw 0x00 bytes mean invalid JSON or UTF-16, which the parser sorts out.)"""
    if b"\\u0000" not in body and b"\x00" not in body:
        return
    try:
        data = json.loads(body)
    except ValueError:
        return  # not JSON: the API answers that itself
    paths = list(null_paths(data))
    if paths:
        where = ".".join(str(p) for p in paths[0]) or "body"
        raise Refusal(422, null_message(where), ("body", *paths[0]), "null_character")


def respond(request: HttpRequest, refusal: Refusal) -> HttpResponse:
    if is_api(request):
        if refusal.loc:
            item = {
                "type": refusal.kind or "invalid",
                "loc": list(refusal.loc),
                "msg": refusal.message,
            }
            return JsonResponse({"detail": [item]}, status=refusal.status)
        return JsonResponse({"detail": refusal.message}, status=refusal.status)
    return error_response(request, refusal.status, refusal.message)
