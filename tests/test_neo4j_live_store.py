"""The Neo4j store against a live Neo4j 5 Community server (tests/neo4j_server.py): what `graphsvc init`
creates and Neo4j itself enforces, the one-line errors for wrong settings, index use of the hot reads,
the order of non-ASCII names on both stores, and search after an update.

Driver-free checks of the same adapter are in tests/test_neo4j_store.py; the port's contract on both
stores in tests/test_store_contract.py.
"""

from __future__ import annotations

import socket
import sqlite3
from contextlib import contextmanager

import pytest
from neo4j import GraphDatabase
from neo4j.exceptions import AuthError, ClientError, ConstraintError, ServiceUnavailable

from graphsvc import create_app
from graphsvc.app import get_service
from graphsvc.auth import issue_token
from graphsvc.errors import Conflict, StoreUnavailable
from graphsvc.store import cypher, open_store
from graphsvc.vocabulary import default_vocabulary_path, load_vocabulary
from tests.conftest import authorised_client
from tests.neo4j_plans import INDEX_SEEKS, HotRead, hot_reads, leaf_operators, plan_of
from tests.stores import empty_store

VOCABULARY = load_vocabulary()
REL_TYPES = sorted(VOCABULARY.relationship_types)
FAST = {"NEO4J_CONNECTION_TIMEOUT": 2, "NEO4J_MAX_RETRY_TIME": 1}
CONSTRAINT_VIOLATION = "Neo.ClientError.Schema.ConstraintValidationFailed"


@pytest.fixture
def neo4j(neo4j_server):
    """An empty Neo4j store after `initialise` (constraints and indexes in place)."""
    store = open_store(neo4j_server.config(), VOCABULARY)
    store.erase_everything_for_tests()
    store.initialise()
    yield store
    store.close()


@pytest.fixture
def raw(neo4j_server):
    """Cypher through a driver of our own, bypassing every check the store makes."""
    with own_driver(neo4j_server) as run:
        yield run


@contextmanager
def own_driver(neo4j_server):
    with GraphDatabase.driver(neo4j_server.uri, auth=(neo4j_server.user, neo4j_server.password)) as driver:
        def run(text, parameters=None):
            return driver.execute_query(text, parameters or {}, database_=neo4j_server.database)

        yield run


def neo4j_app(neo4j_server, tmp_path, **settings):
    return create_app({"TESTING": True, "DATABASE": str(tmp_path / "unused.sqlite3"), **neo4j_server.config(),
                       **settings})


# -- 1. `graphsvc init`: constraints created, idempotent, enforced by Neo4j itself ----------------------

def _constraints(raw) -> list[dict]:
    records = raw("SHOW CONSTRAINTS YIELD name, type, entityType, labelsOrTypes, properties "
                  "RETURN name, type, entityType, labelsOrTypes, properties ORDER BY name").records
    return [record.data() for record in records]


def drop_schema(run) -> None:
    """Every constraint and index graphsvc made: the database as it was before `graphsvc init`."""
    for record in run("SHOW CONSTRAINTS YIELD name").records:
        run(f"DROP CONSTRAINT `{record['name']}`")
    for record in run("SHOW INDEXES YIELD name, type WHERE type <> 'LOOKUP' RETURN name").records:
        run(f"DROP INDEX `{record['name']}`")


def test_init_creates_the_constraints_once_and_twice_changes_nothing(neo4j, neo4j_server, raw, tmp_path):
    drop_schema(raw)
    assert _constraints(raw) == []
    runner = neo4j_app(neo4j_server, tmp_path).test_cli_runner()
    first = runner.invoke(args=["init"])
    assert first.exit_code == 0, first.output
    assert first.output.startswith("neo4j store ready: 0 nodes, 0 relationships.")
    assert "admin token was created" in first.output
    created = _constraints(raw)
    second = runner.invoke(args=["init"])
    assert second.exit_code == 0, second.output
    assert "neo4j store ready" in second.output and "admin token was created" not in second.output
    assert _constraints(raw) == created

    by_name = {c["name"]: c for c in created}
    for name, label, prop in (("node_id", "Node", "id"), ("change_seq", "Change", "seq"),
                              ("counter_name", "Counter", "name"), ("token_name", "Token", "name"),
                              ("token_hash", "Token", "token_hash"), ("setting_name", "Setting", "name")):
        assert by_name[name] == {"name": name, "type": "UNIQUENESS", "entityType": "NODE",
                                 "labelsOrTypes": [label], "properties": [prop]}
    for rel_type in REL_TYPES:  # relationship property uniqueness: Community Edition has it since 5.7
        assert by_name[f"relationship_id_{rel_type}"] == {
            "name": f"relationship_id_{rel_type}", "type": "RELATIONSHIP_UNIQUENESS", "entityType": "RELATIONSHIP",
            "labelsOrTypes": [rel_type], "properties": ["id"]}
    assert len(created) == 6 + len(REL_TYPES)


def test_neo4j_itself_refuses_a_duplicate_node_id(neo4j, raw):
    raw("CREATE (:Node:Person {id: $id, type: 'Person'})", {"id": "person-dup"})
    with pytest.raises(ConstraintError) as caught:
        raw("CREATE (:Node:Organisation {id: $id, type: 'Organisation'})", {"id": "person-dup"})
    assert caught.value.code == CONSTRAINT_VIOLATION
    assert raw("MATCH (n:Node {id: $id}) RETURN count(n) AS n", {"id": "person-dup"}).records[0]["n"] == 1


@pytest.mark.parametrize("rel_type", ["LEADS", "ACCOUNTABLE_FOR"])
def test_neo4j_itself_refuses_a_duplicate_relationship_id_of_one_type(neo4j, raw, rel_type):
    raw("CREATE (:Node {id: 'org-a'}), (:Node {id: 'init-a'}), (:Node {id: 'init-b'})")
    link = f"MATCH (a:Node {{id: $source}}), (b:Node {{id: $target}}) CREATE (a)-[:{rel_type} {{id: $id}}]->(b)"
    raw(link, {"source": "org-a", "target": "init-a", "id": "rel-dup"})
    with pytest.raises(ConstraintError) as caught:  # another pair of nodes, the same id and type
        raw(link, {"source": "org-a", "target": "init-b", "id": "rel-dup"})
    assert caught.value.code == CONSTRAINT_VIOLATION
    assert raw(f"MATCH ()-[r:{rel_type}]->() RETURN count(r) AS n").records[0]["n"] == 1


def test_ids_are_unique_across_types_because_the_store_checks_what_neo4j_does_not(neo4j, raw):
    """The constraints are per type (all Neo4j can do for relationships), so the store checks across types."""
    with neo4j.transaction("test") as tx:
        tx.create_node("Organisation", "org-a", {"name": "Example Trust"})
        tx.create_node("Initiative", "init-a", {"name": "Fair recruitment"})
        tx.create_relationship("LEADS", "org-a", "init-a", {}, "rel-1")
    raw("MATCH (a:Node {id: 'org-a'}), (b:Node {id: 'init-a'}) CREATE (a)-[:FUNDS {id: 'rel-raw'}]->(b)")
    raw("MATCH (a:Node {id: 'org-a'}), (b:Node {id: 'init-a'}) CREATE (a)-[:SPONSORS {id: 'rel-raw'}]->(b)")
    with pytest.raises(Conflict, match="rel-1"), neo4j.transaction("test") as tx:
        tx.create_relationship("PARTNERS_IN", "org-a", "init-a", {}, "rel-1")
    assert neo4j.count() == (2, 3)


# -- 2. one-line errors for wrong settings, with the driver's own codes ---------------------------------

def _store_error(neo4j_server, **settings) -> StoreUnavailable:
    store = open_store({**neo4j_server.config(), **FAST, **settings}, VOCABULARY)
    try:
        with pytest.raises(StoreUnavailable) as caught:
            store.count()
    finally:
        store.close()
    assert "\n" not in caught.value.message
    return caught.value


def _one_line_failure(result) -> str:
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    [line] = result.output.strip().splitlines()
    return line


def test_a_wrong_password_names_the_user_and_password_settings(neo4j_server, tmp_path):
    try:
        error = _store_error(neo4j_server, NEO4J_PASSWORD="not-the-password")
        assert error.message == (f"Neo4j at {neo4j_server.uri} refused the credentials: check NEO4J_USER and "
                                 "NEO4J_PASSWORD.")
        assert isinstance(error.__cause__, AuthError)
        assert error.__cause__.code == "Neo.ClientError.Security.Unauthorized"
        assert "not-the-password" not in error.message

        app = neo4j_app(neo4j_server, tmp_path, NEO4J_PASSWORD="not-the-password", **FAST)
        line = _one_line_failure(app.test_cli_runner().invoke(args=["init"]))
        assert line == f"Error: {error.message}"
    finally:
        _reset_failed_logins(neo4j_server)


def _reset_failed_logins(neo4j_server) -> None:
    # Neo4j locks a user for a few seconds after three failed logins in a row; a good one resets the
    # count, so other tests (and the other processes they start) are not locked out.
    with own_driver(neo4j_server) as run:
        run("RETURN 1")


def test_a_missing_database_names_the_database_setting(neo4j_server, tmp_path):
    error = _store_error(neo4j_server, NEO4J_DATABASE="nosuchdb")
    assert error.message == (f"Neo4j at {neo4j_server.uri} has no database 'nosuchdb' (check NEO4J_DATABASE).")
    assert isinstance(error.__cause__, ClientError)
    assert error.__cause__.code == "Neo.ClientError.Database.DatabaseNotFound"

    app = neo4j_app(neo4j_server, tmp_path, NEO4J_DATABASE="nosuchdb", **FAST)
    assert _one_line_failure(app.test_cli_runner().invoke(args=["init"])) == f"Error: {error.message}"


def test_an_unreachable_server_names_the_uri_setting(neo4j_server, tmp_path):
    uri = f"bolt://127.0.0.1:{_closed_port()}"
    error = _store_error(neo4j_server, NEO4J_URI=uri)
    assert error.message.startswith(f"Cannot reach Neo4j at {uri} (check NEO4J_URI): ")
    assert isinstance(error.__cause__, ServiceUnavailable)  # a driver error: no server, so no Neo4j code

    app = neo4j_app(neo4j_server, tmp_path, NEO4J_URI=uri, **FAST)
    assert _one_line_failure(app.test_cli_runner().invoke(args=["init"])).startswith(
        f"Error: Cannot reach Neo4j at {uri} (check NEO4J_URI)")


def _closed_port() -> int:
    """A loopback port that nothing listens on (just released by the OS)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# -- 3. every hot read starts from an index seek --------------------------------------------------------

@pytest.fixture(scope="module")
def fresh_schema(neo4j_server):
    """A new database as `graphsvc init` leaves it, then a little data: index statistics sampled on empty
    indexes are the case in which the planner is tempted to scan an index instead of seeking in it.
    Made once for all the plans (EXPLAIN changes nothing)."""
    store = open_store(neo4j_server.config(), VOCABULARY)
    with own_driver(neo4j_server) as run:
        store.erase_everything_for_tests()
        drop_schema(run)
        store.initialise()
        run("CALL db.awaitIndexes(60)")
        with store.transaction("test") as tx:
            for i in range(20):
                tx.create_node("Person", f"person-{i}", {"name": f"Person {i}"})
                tx.create_node("Action", f"action-{i}", {"title": f"Action {i}"})
                tx.create_relationship("ACCOUNTABLE_FOR", f"person-{i}", f"action-{i}", {}, f"rel-{i}")
        yield run
    store.close()


HOT_READS = hot_reads(VOCABULARY)


@pytest.mark.parametrize("read", HOT_READS, ids=lambda read: read.name)
def test_every_hot_read_seeks_an_index(fresh_schema, read: HotRead):
    plan = plan_of(fresh_schema, read.text, read.parameters)
    leaves = leaf_operators(plan)
    scans = [(op, details) for op, details in leaves if op.endswith("Scan")]  # AllNodesScan, NodeByLabelScan…
    seeks = [details for op, details in leaves if op in INDEX_SEEKS]
    assert not scans, f"{read.name} scans instead of seeking: {scans}"
    missing = [index for index in read.indexes if not any(index in details for details in seeks)]
    assert not missing, f"{read.name} does not seek {missing}: {leaves}"


def test_the_hot_reads_cover_the_catalogue_statements_named_in_the_requirement():
    names = {read.name.split(":")[0] for read in HOT_READS}
    assert {"GET_NODE", "GET_NODES", "relationship_by_id", "relationships_by_ids", "find_links", "count_incoming",
            "delete_relationships", "CHANGES_SINCE"} <= names
    catalogue = {s.text for s in cypher.statements(VOCABULARY)}
    assert all(read.text in catalogue for read in HOT_READS)


# -- 4. non-ASCII names order the same on both stores --------------------------------------------------

NAMES = ["Zoë", "Ólafur", "Åsa", "ada", "Émile", "Ørjan", "Ünal", "Ben", "élodie", "zara", "ÅSE"]
# Case-insensitive order, whatever the alphabet: code point order of the lower-cased names.
EXPECTED = sorted(NAMES, key=str.lower)


@pytest.fixture(params=["sqlite", "neo4j"])
def people_client(request, tmp_path):
    settings = {"TESTING": True, "DATABASE": str(tmp_path / "order.sqlite3")}
    if request.param == "neo4j":
        settings.update(request.getfixturevalue("neo4j_server").config())
    app = create_app(settings)
    service = get_service(app)
    if request.param == "neo4j":
        service.store.erase_everything_for_tests()
    service.store.initialise()
    client = authorised_client(app, issue_token(service.store, "admin-token", "admin", "test")[1])
    for number, name in enumerate(NAMES):
        answer = client.post("/api/v1/people", json={"id": f"person-{number:02d}", "name": name})
        assert answer.status_code == 201, answer.get_json()
    yield client, service.store
    service.store.close()


def _names(client, query: str) -> list[str]:
    answer = client.get(f"/api/v1/people?limit=100{query}")
    assert answer.status_code == 200, answer.get_json()
    return [item["name"] for item in answer.get_json()["items"]]


def test_non_ascii_names_sort_case_insensitively_on_both_stores(people_client):
    client, store = people_client
    assert _names(client, "") == EXPECTED
    assert _names(client, "&sort=name") == EXPECTED
    assert _names(client, "&sort=-name") == EXPECTED[::-1]
    assert [n.properties["name"] for n in store.find_nodes("Person", limit=100)[0]] == EXPECTED
    assert [n.properties["name"] for n in store.search("", ["Person"], limit=100)[0]] == EXPECTED
    page, total = store.find_nodes("Person", limit=3, offset=3)  # paging follows the same order
    assert total == len(NAMES) and [n.properties["name"] for n in page] == EXPECTED[3:6]


def test_non_ascii_values_of_other_properties_sort_alike(people_client):
    client, store = people_client
    for number, name in enumerate(NAMES):
        assert client.patch(f"/api/v1/people/person-{number:02d}", json={"job_title": name}).status_code == 200
    assert _names(client, "&sort=job_title") == EXPECTED
    assert _names(client, "&sort=-job_title") == EXPECTED[::-1]


def test_an_older_sqlite_store_gets_its_labels_lower_cased_on_opening(tmp_path):
    path = tmp_path / "older.sqlite3"
    store = open_store({"STORE": "sqlite", "DATABASE": str(path)}, VOCABULARY)
    with store.transaction("test") as tx:
        for number, name in enumerate(NAMES):
            tx.create_node("Person", f"person-{number:02d}", {"name": name})
    store.close()
    with sqlite3.connect(path) as conn:  # as stores kept labels before: the name as given, no signature
        conn.execute("UPDATE nodes SET label = json_extract(props, '$.name')")
        conn.execute("DELETE FROM store_settings")
    reopened = open_store({"STORE": "sqlite", "DATABASE": str(path)}, VOCABULARY)
    try:
        assert [n.properties["name"] for n in reopened.find_nodes("Person", limit=100)[0]] == EXPECTED
        assert sorted(label for _, label in reopened.node_labels("Person")) == sorted(NAMES)  # as given
    finally:
        reopened.close()


# -- 5 (store side). snapshots come in id order, so every engine builds the same projection -------------

@pytest.mark.parametrize("store", ["sqlite", "neo4j"], indirect=True)
def test_a_snapshot_lists_nodes_and_relationships_in_id_order(store):
    ids = ["org-m", "org-b", "org-z", "org-a"]
    with store.transaction("test") as tx:
        for node_id in ids:
            tx.create_node("Organisation", node_id, {"name": node_id.upper()})
        for number, (source, target) in enumerate([("org-m", "org-b"), ("org-z", "org-a"), ("org-a", "org-m")]):
            tx.create_relationship("PART_OF", source, target, {}, f"rel-{9 - number}")
    with store.snapshot() as (_, nodes, relationships):
        assert [n.id for n in nodes] == sorted(ids)
        assert [r.id for r in relationships] == ["rel-7", "rel-8", "rel-9"]


# -- 6. search finds a record by what its searched fields hold now --------------------------------------

@pytest.fixture
def store(request, tmp_path):
    kind = request.param
    store = empty_store(kind, tmp_path, request)
    yield store
    store.close()


@pytest.mark.parametrize("store", ["sqlite", "neo4j"], indirect=True)
def test_search_follows_an_update_of_a_searched_field(store):
    with store.transaction("test") as tx:
        tx.create_node("Person", "person-1", {"name": "Ada Example", "job_title": "Community midwife"})
    assert [n.id for n in store.search("midwife")[0]] == ["person-1"]
    with store.transaction("test") as tx:
        tx.update_node("person-1", {"name": "Ada Example", "job_title": "Health visitor"})
    assert store.search("midwife") == ([], 0)
    assert [n.id for n in store.search("visitor")[0]] == ["person-1"]
    assert [n.id for n in store.find_nodes("Person", text="VISITOR")[0]] == ["person-1"]
    with store.transaction("test") as tx:
        tx.update_node("person-1", {"name": "Zoë Sample"})  # the whole new set: the job title is gone
    assert store.search("visitor") == ([], 0) and store.search("ada") == ([], 0)
    assert [n.id for n in store.search("zoe")[0]] == ["person-1"]


def test_search_through_the_api_follows_a_patch_on_neo4j(neo4j_server, tmp_path):
    app = neo4j_app(neo4j_server, tmp_path)
    service = get_service(app)
    service.store.erase_everything_for_tests()
    service.store.initialise()
    client = authorised_client(app, issue_token(service.store, "admin-token", "admin", "test")[1])
    assert client.post("/api/v1/people", json={"id": "person-1", "name": "Ben Sample",
                                               "job_title": "Practice nurse"}).status_code == 201
    assert client.patch("/api/v1/people/person-1", json={"job_title": "Équité lead"}).status_code == 200
    found = client.get("/api/v1/search?q=equite").get_json()
    assert [item["id"] for item in found["items"]] == ["person-1"]
    assert client.get("/api/v1/search?q=nurse").get_json()["total"] == 0
    assert client.get("/api/v1/people?q=LEAD").get_json()["total"] == 1
    service.store.close()


def test_neo4j_refills_search_text_when_the_searched_fields_change(neo4j_server, neo4j, tmp_path):
    """As SQLite does on opening: a property made sensitive stops being searchable once `init` runs."""
    with neo4j.transaction("test") as tx:
        tx.create_node("Person", "person-1", {"name": "Ada Example", "job_title": "Community midwife"})
    shipped = default_vocabulary_path().read_text(encoding="utf-8")
    stricter_text = shipped.replace("job_title: {type: string, max_length: 200, personal: true}",
                                    "job_title: {type: string, max_length: 200, personal: true, sensitive: true}")
    assert stricter_text != shipped
    (tmp_path / "vocabulary.yaml").write_text(stricter_text, encoding="utf-8")
    stricter = open_store(neo4j_server.config(), load_vocabulary(tmp_path / "vocabulary.yaml"))
    try:
        stricter.initialise()
        assert stricter.search("midwife") == ([], 0)
        assert [n.id for n in stricter.search("ada")[0]] == ["person-1"]
    finally:
        stricter.close()
    neo4j.initialise()  # and back with the shipped vocabulary: the job title is searched again
    assert [n.id for n in neo4j.search("midwife")[0]] == ["person-1"]
