"""Shared fixtures, flaskr style: an app on a temporary database, its client and CLI runner."""

from __future__ import annotations

import pytest

from graphsvc import create_app
from graphsvc.app import get_service


@pytest.fixture
def app(tmp_path):
    return create_app({"DATABASE": str(tmp_path / "graph.sqlite3"), "TESTING": True})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def service(app):
    return get_service(app)
