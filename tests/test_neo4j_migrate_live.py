"""`graphsvc migrate` round trip on a live Neo4j: SQLite → Neo4j → a fresh SQLite keeps every node,
relationship, change-log entry (same seqs) and token, and the gap report, overlaps and paths answer
the same on all three stores — for the demo and for a generated graph.
"""

from __future__ import annotations

import io

import pytest

from graphsvc import create_app
from graphsvc.app import get_service
from graphsvc.auth import issue_token
from graphsvc.importing import InputFile, import_files
from graphsvc.synthetic import generate
from tests.conftest import authorised_client

GENERATED_NODES = 3_000


@pytest.fixture
def stores(neo4j_server, tmp_path):
    """Three apps: the SQLite source, the Neo4j copy (emptied first) and the SQLite copy of that copy."""
    base = {"TESTING": True, **neo4j_server.config()}
    apps = {"source": create_app({**base, "STORE": "sqlite", "DATABASE": str(tmp_path / "source.sqlite3")}),
            "neo4j": create_app({**base, "DATABASE": str(tmp_path / "unused.sqlite3")}),
            "back": create_app({**base, "STORE": "sqlite", "DATABASE": str(tmp_path / "back.sqlite3")})}
    get_service(apps["neo4j"]).store.erase_everything_for_tests()
    yield apps
    for app in apps.values():
        get_service(app).store.close()


def _round_trip(apps, tmp_path) -> None:
    there = apps["source"].test_cli_runner().invoke(args=["migrate", "--to", "neo4j"])
    assert there.exit_code == 0, there.output
    assert "Migrated and verified" in there.output
    back = apps["neo4j"].test_cli_runner().invoke(
        args=["migrate", "--to", "sqlite", "--database", str(tmp_path / "back.sqlite3")])
    assert back.exit_code == 0, back.output
    assert "Migrated and verified" in back.output


def _everything(app) -> dict:
    store = get_service(app).store
    with store.snapshot() as (seq, nodes, relationships):
        graph = {"seq": seq, "nodes": {n.id: n for n in nodes}, "relationships": {r.id: r for r in relationships}}
    return {**graph, "changes": store.changes_since(0, 1_000_000), "tokens": store.list_tokens(),
            "counts": store.count(), "last_seq": store.last_seq()}


def _assert_same_records(apps) -> dict:
    source = _everything(apps["source"])
    assert source["nodes"] and source["relationships"] and source["changes"] and source["tokens"]
    assert [c.seq for c in source["changes"]] == list(range(1, source["last_seq"] + 1))
    for copy in ("neo4j", "back"):
        copied = _everything(apps[copy])
        for part in ("seq", "last_seq", "counts", "tokens", "nodes", "relationships"):
            assert copied[part] == source[part], f"{copy}: {part} differ"
        # every entry whole: seq, at, actor, operation, subject, before and after
        assert copied["changes"] == source["changes"], f"{copy}: change log differs"
    return source


def _answers(app, token: str, people: tuple[str, str]) -> dict:
    client = authorised_client(app, token)
    queries = {"gaps": "/api/v1/gaps", "overlaps": "/api/v1/overlaps?limit=500",
               "action overlaps": "/api/v1/overlaps?kind=action&limit=500",
               "paths": f"/api/v1/paths?from={people[0]}&to={people[1]}&k=3"}
    answers = {}
    for name, url in queries.items():
        answer = client.get(url)
        assert answer.status_code == 200, (name, answer.get_json())
        answers[name] = answer.get_json()
    return answers


def _assert_same_answers(apps, token: str, people: tuple[str, str]) -> dict:
    expected = _answers(apps["source"], token, people)
    for copy in ("neo4j", "back"):
        answers = _answers(apps[copy], token, people)
        for name in expected:
            assert answers[name] == expected[name], f"{copy}: {name} differs"
    return expected


def test_the_demo_survives_a_round_trip_through_neo4j(stores, tmp_path):
    source = get_service(stores["source"])
    seeded = stores["source"].test_cli_runner().invoke(args=["seed", "--dataset", "all"])
    assert seeded.exit_code == 0, seeded.output
    token = issue_token(source.store, "admin-token", "admin", "test")[1]
    issue_token(source.store, "former-chair", "governance", "test")
    source.store.revoke_token("former-chair", "test")  # a revoked token keeps its revoked_at

    _round_trip(stores, tmp_path)
    records = _assert_same_records(stores)
    assert {t.name for t in records["tokens"]} == {"admin-token", "former-chair"}

    answers = _assert_same_answers(stores, token, ("person-margaret-ellery", "person-lucy-brennan"))
    assert answers["gaps"]["gaps"] and answers["overlaps"]["overlaps"]  # something to compare
    assert len(answers["paths"]["paths"]) == 3


def test_a_generated_graph_survives_a_round_trip_through_neo4j(stores, tmp_path):
    source = get_service(stores["source"])
    document = io.StringIO()
    generate(document, nodes=GENERATED_NODES, seed=11)
    handle = io.BytesIO(document.getvalue().encode())
    result = import_files(source, [InputFile("generated.json", handle, "json")], actor="test")
    assert result.error_count == 0, result.errors[:3]
    token = issue_token(source.store, "admin-token", "admin", "test")[1]
    people = tuple(n.id for n in source.store.find_nodes("Person", limit=2)[0])

    _round_trip(stores, tmp_path)
    records = _assert_same_records(stores)
    assert len(records["nodes"]) >= GENERATED_NODES * 0.9
    answers = _assert_same_answers(stores, token, people)
    assert answers["gaps"]["gaps"] and answers["overlaps"]["overlaps"] and answers["paths"]["paths"]
