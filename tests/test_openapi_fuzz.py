"""schemathesis fuzzes every operation in /api/v1/openapi.json against the seeded demo, as an admin.

Bounded (a few examples per operation) so it fits in ``make test``. It asserts that no input causes
a server error and that every answer's status, content type and body conform to the document.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from graphsvc import create_app
from graphsvc.app import get_service
from graphsvc.auth import issue_token

EXAMPLES_PER_OPERATION = 8
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def seeded_app(tmp_path_factory):
    app = create_app({"DATABASE": str(tmp_path_factory.mktemp("fuzz") / "graph.sqlite3")})
    assert app.test_cli_runner().invoke(args=["seed"]).exit_code == 0
    return app


@pytest.fixture(scope="module")
def api_schema(seeded_app):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", seeded_app)


@pytest.fixture(scope="module")
def admin_header(seeded_app):
    token = issue_token(get_service(seeded_app).store, "fuzzer", "admin", "test")[1]
    return {"Authorization": f"Bearer {token}"}


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_operation_conforms_and_never_errors(case, admin_header):
    case.call_and_validate(headers=admin_header, checks=CHECKS)
