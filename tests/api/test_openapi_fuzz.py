"""Schemathesis against the OpenAPI: generated requests never cause a server error, and
answers match the documented schemas.

Operations are driven through Hypothesis directly (``operation.as_strategy()``) rather than
schemathesis's pytest plugin, which does not yet support this pytest release.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance
from sqlalchemy.engine import Engine

from peduli.api.app import create_app
from peduli.auth import service as auth_service
from peduli.auth.actor import Role
from peduli.core.db import session_scope

OPERATIONS = [
    (method.upper(), path)
    for path, methods in create_app().openapi()["paths"].items()
    for method in methods
]


@pytest.fixture
def officer_token(clean_engine: Engine) -> str:
    with session_scope() as db:
        auth_service.create_staff(
            db, email="fuzz@kemlu.example", role=Role.OFFICER, representation_code="kbri-seoul"
        )
        return auth_service.create_token(db, email="fuzz@kemlu.example")


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_operation_never_fails_with_a_server_error(
    method: str, path: str, officer_token: str
) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app())
    operation = schema[path][method]
    headers = {"Authorization": f"Bearer {officer_token}"}

    @given(case=operation.as_strategy())
    @settings(
        max_examples=int(os.environ.get("PEDULI_FUZZ_EXAMPLES", "12")),
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    def exercise(case: schemathesis.Case) -> None:
        # A schema cannot say "at least one of name, nik, …" or "a real NIK", so a
        # schema-valid request may rightly get a 422 problem; every other check applies.
        case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])

    exercise()
