"""The whole API fuzzed from its own OpenAPI schema (schemathesis): every operation, with
valid and with invalid input, as a workspace owner with a real token. Not one answer may
be a 5xx, and every answer must match the schema (status code and body).

Deterministic (derandomized) and bounded: a few examples per operation and mode, so a
failure reproduces on every run and the module takes about a minute on two cores.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from roost.analytics.testing import report_schedule
from roost.briefing.testing import action_item
from roost.conftest import World, token_for
from roost.core import clock
from roost.listening.testing import sample_mention, sample_topic
from roost.paid import testing as paid_testing
from roost.team import testing as team_testing

SCHEMA_PATH = "/api/v1/openapi.json"
# (mode, grounded, examples): valid input with real ids in it, valid input as generated,
# invalid input.
PASSES = [
    (GenerationMode.POSITIVE, True, 12),
    (GenerationMode.POSITIVE, False, 6),
    (GenerationMode.NEGATIVE, False, 10),
]
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]


def _in_test_transaction(app: WSGIHandler) -> Any:
    """The WSGI app as the test client runs it: inside the test's transaction, so no
    request closes the connection (Django does that between real requests)."""

    def wsgi(environ: dict[str, Any], start_response: Any) -> Any:
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            return list(app(environ, start_response))
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)

    return wsgi


APP = _in_test_transaction(WSGIHandler())
SCHEMA = schemathesis.openapi.from_wsgi(SCHEMA_PATH, APP)
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]


def _ids(world: World) -> dict[str, Any]:
    """Real objects of workspace A for the path parameters, so valid input goes deep."""
    return {
        "slug": world.a.slug,
        "post_id": world.a_post.pk,
        "message_id": world.a_inbox.message.pk,
        "member_id": world.members["content_creator"].pk,
        "group_id": world.a_group.pk,
        "invite_id": world.a_invite.pk,
        "request_id": world.a_request.pk,
        "channel_id": world.a_channel.pk,
        "schedule_id": report_schedule(world.members["owner"]).pk,
        "item_id": action_item(world.members["owner"]).pk,
        "topic_id": sample_topic(world.a).pk,
        "mention_id": sample_mention(world.a_channel).pk,
        **paid_testing.samples(world.a),
        **team_testing.samples(world.a),
    }


def _grounding(world: World) -> dict[str, Any]:
    """Values that name real things, for the fields that hold ids or times: generated
    input then reaches the services instead of stopping at "no such channel"."""
    soon = (clock.now() + timedelta(days=2)).isoformat()
    return {
        "channels": [world.a_channel.pk],
        "channel": world.a_channel.pk,
        "media": [],
        "campaign": None,
        "member": world.members["customer_care"].pk,
        "members": [world.members["admin"].pk],
        "group": world.a_group.pk,
        "groups": [world.a_group.pk],
        "step": 1,
        "at": soon,
        "due_at": soon,
        "start": clock.now().isoformat(),
        "end": (clock.now() + timedelta(days=30)).isoformat(),
    }


def _ground(case: Any, values: dict[str, Any]) -> Any:
    def walk(data: Any) -> Any:
        if isinstance(data, dict):
            return {k: values[k] if k in values else walk(v) for k, v in data.items()}
        return data

    if isinstance(case.body, dict):
        case.body = walk(case.body)
    if isinstance(case.query, dict):
        case.query = {k: values.get(k, v) for k, v in case.query.items()}
    return case


@pytest.fixture
def token(world: World) -> Iterator[str]:
    yield token_for(world.members["owner"])


def test_the_schema_has_every_operation() -> None:
    assert len(OPERATIONS) >= 35
    assert all(op.path.startswith("/api/v1/") for op in OPERATIONS)


@pytest.mark.parametrize("operation", OPERATIONS, ids=[op.label for op in OPERATIONS])
def test_operation_never_fails_and_keeps_its_schema(
    world: World, token: str, operation: Any
) -> None:
    names = {p.name for p in operation.path_parameters}
    real = {k: v for k, v in _ids(world).items() if k in names}
    auth = {"Authorization": f"Bearer {token}"}
    grounding = _grounding(world)
    for mode, grounded, count in PASSES:
        # Valid input on real objects; invalid input everywhere but the workspace.
        fixed = real if mode is GenerationMode.POSITIVE else {"slug": real.get("slug")}
        fixed = {k: v for k, v in fixed.items() if v is not None}
        strategy = operation.as_strategy(generation_mode=mode, path_parameters=fixed)
        if grounded:
            strategy = strategy.map(lambda case: _ground(case, grounding))

        @given(case=strategy)
        @settings(
            max_examples=count,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate, Phase.shrink],
            suppress_health_check=list(HealthCheck),
        )
        def run(case: Any) -> None:
            # Each example on the same world: its writes are rolled back.
            with transaction.atomic():
                response = case.call(headers=auth)
                transaction.set_rollback(True)
            case.validate_response(response, checks=CHECKS, headers=auth)

        run()


def test_every_operation_documents_the_errors_it_can_answer() -> None:
    """One Error schema; reads 400/401/403/404/422, writes also 409 and 413."""
    schema = SCHEMA.raw_schema
    error_ref = "#/components/schemas/Error"
    for path, operations in schema["paths"].items():
        for method, op in operations.items():
            expected = {"400", "401", "422"}
            if path != "/api/v1/me":
                expected |= {"403", "404"}
            if method in {"post", "put", "patch", "delete"}:
                expected |= {"409", "413"}
            documented = {code for code in op["responses"] if not code.startswith("2")}
            assert documented == expected, (method, path)
            for code in documented:
                body = op["responses"][code]["content"]["application/json"]["schema"]
                assert body == {"$ref": error_ref}, (method, path, code)
