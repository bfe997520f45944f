"""Shared fixtures, flaskr style: an app on a temporary database, its clients and CLI runner.

``client`` acts as an admin; ``client_as(role)`` gives a client holding a token of that role, and
``anonymous`` sends no token at all.
"""

from __future__ import annotations

import pytest

from graphsvc import create_app
from graphsvc.app import get_service
from graphsvc.auth import ROLES, issue_token


@pytest.fixture
def app(tmp_path):
    return create_app({"DATABASE": str(tmp_path / "graph.sqlite3"), "TESTING": True})


@pytest.fixture
def service(app):
    return get_service(app)


@pytest.fixture
def tokens(service) -> dict[str, str]:
    """One token per role, named after the role."""
    return {role: issue_token(service.store, f"{role}-token", role, "test")[1] for role in ROLES}


@pytest.fixture
def client_as(app, tokens):
    def make(role: str):
        return authorised_client(app, tokens[role])
    return make


@pytest.fixture
def client(client_as):
    return client_as("admin")


@pytest.fixture
def anonymous(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def seeded(app, runner):
    """The app with the shipped data loaded: the report, the taxonomy and the fictional demo."""
    result = runner.invoke(args=["seed", "--dataset", "all"])
    assert result.exit_code == 0, result.output
    return app


@pytest.fixture(scope="session")
def neo4j_server(tmp_path_factory):
    """The run's Neo4j (tests/neo4j_server.py): started the first time a test asks, stopped at the end."""
    from tests import neo4j_server as live

    chosen = live.external_server()
    if chosen is not None:
        yield chosen
        return
    reason = live.unavailable_reason()
    if reason:
        live.skip_or_fail(reason)
    launched = live.LaunchedServer(tmp_path_factory.mktemp("neo4j") / "neo4j.log")
    try:
        yield live.Neo4jServer(launched.uri, "neo4j", live.TEST_PASSWORD, "neo4j")
    finally:
        launched.stop()


@pytest.fixture(params=["sqlite", "neo4j"])
def any_store(request, tmp_path):
    """An empty store of each engine, for contract tests (the Neo4j case on the run's live Neo4j)."""
    from tests.stores import empty_store

    store = empty_store(request.param, tmp_path, request)
    yield store
    store.close()


def authorised_client(app, token: str):
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client
