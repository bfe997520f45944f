"""The Neo4j store without a server: names that may reach Cypher, the statement catalogue, what the
adapter sends (through a recording stand-in for the driver), and clear errors when Neo4j is absent.

The store's behaviour against a real Neo4j is the contract suite's (tests/test_store_contract.py,
run when NEO4J_URI is set).
"""

from __future__ import annotations

import re
import time

import pytest
from neo4j.exceptions import AuthError, ConstraintError

from graphsvc import create_app
from graphsvc.errors import Conflict, StoreUnavailable
from graphsvc.store import cypher, open_store
from graphsvc.store.neo4j import Neo4jStore
from graphsvc.vocabulary import load_vocabulary

VOCABULARY = load_vocabulary()
STATEMENTS = cypher.statements(VOCABULARY)
NAME_OF = {s.text: s.name for s in STATEMENTS}
UNREACHABLE = "bolt://127.0.0.1:1"  # loopback, a port nothing listens on: refused at once
FAST = {"NEO4J_CONNECTION_TIMEOUT": 2, "NEO4J_MAX_RETRY_TIME": 1}

MALICIOUS = ["Person`) DETACH DELETE n //", "Per`son", "Person Type", "person", "LEADS]->() DETACH DELETE r //",
             "", "Ünicode", "A" * 65, "LEADS\n", None, 42]


# -- names and statements ------------------------------------------------------------------------

def test_quote_name_backticks_vocabulary_names():
    assert cypher.quote_name("Initiative") == "`Initiative`"
    assert cypher.quote_name("ACCOUNTABLE_FOR") == "`ACCOUNTABLE_FOR`"


@pytest.mark.parametrize("name", MALICIOUS, ids=repr)
def test_quote_name_refuses_anything_else(name):
    with pytest.raises(ValueError, match="not a vocabulary type name"):
        cypher.quote_name(name)


@pytest.mark.parametrize("make", [cypher.create_node, cypher.copy_nodes, cypher.count_nodes, cypher.page_nodes,
                                  cypher.create_relationship, cypher.copy_relationships, cypher.delete_relationship,
                                  cypher.relationship_id_constraint, cypher.count_relationships_of_type,
                                  cypher.page_relationships_of_type], ids=lambda f: f.__name__)
def test_generators_refuse_a_malicious_name_before_building_any_text(make):
    with pytest.raises(ValueError):
        make("Person`) DETACH DELETE n //")
    with pytest.raises(ValueError):
        cypher.relationship_by_id(["LEADS", "X]->() DELETE r //"])


def test_statements_cover_every_node_and_relationship_type():
    names = [s.name for s in STATEMENTS]
    assert len(names) == len(set(names))
    for node_type in VOCABULARY.node_types:
        for kind in ("create_node", "copy_nodes", "count_nodes", "page_nodes"):
            assert f"`{node_type}`" in next(s.text for s in STATEMENTS if s.name == f"{kind}:{node_type}")
    for rel_type in VOCABULARY.relationship_types:
        for kind in ("relationship_id_constraint", "create_relationship", "copy_relationships",
                     "delete_relationship", "count_relationships_of_type", "page_relationships_of_type"):
            assert f"`{rel_type}`" in next(s.text for s in STATEMENTS if s.name == f"{kind}:{rel_type}")
    by_id = next(s.text for s in STATEMENTS if s.name == "relationship_by_id")
    assert all(f"[r:`{t}` {{id: $id}}]" in by_id for t in VOCABULARY.relationship_types)


def test_every_constant_is_listed_with_the_parameters_it_uses():
    listed = {s.name: s for s in STATEMENTS}
    assert set(cypher.CONSTANT_NAMES) <= set(listed)
    assert {"LOCK_WRITERS", "APPEND_CHANGES", "GET_NODE", "CREATE_TOKEN", "NODE_ID_CONSTRAINT"} <= set(listed)
    for statement in STATEMENTS:
        assert set(statement.parameters) == set(re.findall(r"\$(\w+)", statement.text)), statement.name


def test_statements_with_seek_hints_keep_their_first_plan_and_no_other_does():
    """Hinted statements are not replanned when statistics move (after an import that replanning cost
    seconds per statement); unhinted ones, whose best plan depends on the data, are."""
    for statement in STATEMENTS:
        hinted = "USING INDEX SEEK" in statement.text
        assert statement.text.startswith(cypher.PLAN_ONCE) == hinted, statement.name
        assert statement.text.count("CYPHER ") == hinted, statement.name


def test_statement_text_carries_no_values_only_parameters():
    """Outside backticked vocabulary names the only literals are fixed ones, never data."""
    for statement in STATEMENTS:
        bare = re.sub(r"`[^`]*`", "``", statement.text)
        assert set(re.findall(r"'([^']*)'", bare)) <= {"changes", "p_"}, statement.name
        assert set(re.findall(r"(?<![\w$])\d+(?!\w)", re.sub(r"'[^']*'", "''", bare))) <= {"0", "1"}, statement.name
        assert '"' not in bare, statement.name


def test_schema_statements_are_idempotent_and_cover_relationship_ids():
    schema = cypher.schema_statements(VOCABULARY)
    assert all(" IF NOT EXISTS " in text for text in schema)
    assert sum("REQUIRE r.id IS UNIQUE" in text for text in schema) == len(VOCABULARY.relationship_types)


# -- what the adapter sends, through a recording stand-in for the driver ---------------------------

class _Result:
    def __init__(self, rows):
        self.rows = rows

    def data(self):
        return [dict(row) for row in self.rows]


class _Tx:
    def __init__(self, driver):
        self.driver, self.state = driver, "open"

    def run(self, text, parameters=None):
        parameters = parameters or {}
        self.driver.sent.append((text, parameters))
        return _Result(self.driver.answer(NAME_OF.get(text, "?"), parameters))

    def commit(self):
        self.state = "committed"

    def rollback(self):
        self.state = "rolled back"

    def closed(self):
        return self.state != "open"


class _Session:
    def __init__(self, driver):
        self.driver = driver

    def begin_transaction(self):
        self.driver.transactions.append(_Tx(self.driver))
        return self.driver.transactions[-1]

    def execute_read(self, work):
        return work(_Tx(self.driver))

    def close(self):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class RecordingDriver:
    """Records every statement; answers like an empty database whose change log stands at seq 41."""

    execute_query_bookmark_manager = object()

    def __init__(self, fail_with=None):
        self.sent, self.transactions, self.sessions, self.closed, self.fail_with = [], [], [], False, fail_with

    def session(self, **config):
        if self.fail_with:
            raise self.fail_with
        self.sessions.append(config)
        return _Session(self)

    def execute_query(self, text, parameters=None, **options):
        self.sent.append((text, parameters or {}))

    def close(self):
        self.closed = True

    def answer(self, name, parameters):
        kind = name.split(":")[0]
        if name in ("LOCK_WRITERS", "LAST_SEQ"):
            return [{"seq": 41}]
        if name == "APPEND_CHANGES":
            return [{"appended": len(parameters["rows"])}]
        if kind in ("create_node", "create_relationship"):
            return [] if parameters["id"] == "taken" else [{"id": parameters["id"]}]
        if name.startswith("COUNT") or kind.startswith("count"):
            return [{"total": 0}]
        return []

    def sent_names(self):
        return [NAME_OF.get(text, text) for text, _ in self.sent]


@pytest.fixture
def recorded():
    driver = RecordingDriver()
    return Neo4jStore("bolt://example:7687", "neo4j", "pw", VOCABULARY, "graph", driver=driver), driver


def test_a_write_transaction_locks_first_logs_in_one_batch_and_commits(recorded):
    store, driver = recorded
    with store.transaction("alice") as tx:
        tx.create_node("Initiative", "init-1", {"name": "Maternity equity", "status": "active"})
        tx.create_relationship("LEADS", "org-1", "init-1", {"since": "2025-01-01"}, "rel-1")
    assert driver.sent_names() == ["LOCK_WRITERS", "create_node:Initiative", "relationship_by_id",
                                   "create_relationship:LEADS", "APPEND_CHANGES"]
    rows = driver.sent[-1][1]["rows"]
    assert driver.sent[-1][1]["seq"] == 41 and [row["seq"] for row in rows] == [42, 43]
    assert [(r["operation"], r["subject"], r["actor"]) for r in rows] == [
        ("create_node", "init-1", "alice"), ("create_relationship", "rel-1", "alice")]
    fields = driver.sent[1][1]["node_props"]
    assert fields["label"] == "Maternity equity" and fields["p_status"] == "active" and fields["version"] == 1
    assert driver.transactions[0].state == "committed"
    assert driver.sessions[0]["database"] == "graph"


def test_a_failed_transaction_rolls_back_and_logs_nothing(recorded):
    store, driver = recorded
    with pytest.raises(Conflict, match="taken"), store.transaction("dave") as tx:
        tx.create_node("Theme", "theme-1", {"name": "Access"})
        tx.create_node("Theme", "taken", {"name": "Clash"})
    assert "APPEND_CHANGES" not in driver.sent_names()
    assert driver.transactions[0].state == "rolled back"


def test_input_travels_only_as_parameters(recorded):
    store, driver = recorded
    evil = "x'}) DETACH DELETE n //"
    with store.transaction(evil) as tx:
        tx.create_node("Initiative", evil, {"name": evil, "status": evil})
    store.find_nodes("Initiative", text=evil, equals={"status": evil})
    store.find_relationships(rel_type="LEADS", source=evil, target=evil)
    store.history(subject=evil, actor=evil, since=evil)
    store.get_node(evil), store.get_relationship(evil), store.find_token(evil)
    assert all(text in NAME_OF for text, _ in driver.sent), "every statement sent comes from the catalogue"
    assert not any(evil in text for text, _ in driver.sent)
    assert sum(evil in repr(parameters) for _, parameters in driver.sent) >= 8


def test_find_nodes_passes_filters_and_paging_as_parameters(recorded):
    store, driver = recorded
    assert store.find_nodes("Initiative", text="", equals={"status": "active"}, limit=5, offset=10) == ([], 0)
    (count, count_args), (page, page_args) = driver.sent
    assert NAME_OF[count] == "count_nodes:Initiative" and NAME_OF[page] == "page_nodes:Initiative"
    assert count_args == {"words": [], "match_props": {"status": "active"}, "low": {}, "high": {}}
    assert page_args == {**count_args, "phrase": "", "separator": "\n", "ranked": False, "sort_field": "label",
                         "descending": False, "limit": 5, "offset": 10}
    assert store.find_nodes("NoSuchType") == ([], 0)


def test_types_outside_the_vocabulary_never_reach_cypher(recorded):
    store, driver = recorded
    with pytest.raises(ValueError, match="not a type in the vocabulary"), store.transaction("x") as tx:
        tx.create_node("Sneaky", "n-1", {"name": "x"})
    assert driver.transactions[0].state == "rolled back"


def test_driver_errors_become_domain_errors(recorded):
    store, _ = recorded
    with pytest.raises(StoreUnavailable, match="NEO4J_USER and NEO4J_PASSWORD"), store._errors():
        raise AuthError("The client is unauthorized due to authentication failure.")
    with pytest.raises(Conflict), store._errors():
        raise ConstraintError("already exists")
    store.close()
    assert store._driver_instance is None


# -- no server: clear, quick errors -----------------------------------------------------------------

def test_open_store_on_an_unreachable_uri_says_so_quickly():
    store = open_store({"STORE": "neo4j", "NEO4J_URI": UNREACHABLE, **FAST}, VOCABULARY)
    assert isinstance(store, Neo4jStore) and store.name == "neo4j"
    started = time.monotonic()
    for call in (store.count, store.initialise, lambda: store.transaction("x").__enter__(), store.list_tokens):
        with pytest.raises(StoreUnavailable) as caught:
            call()
        assert UNREACHABLE in caught.value.message and "NEO4J_URI" in caught.value.message
        assert "\n" not in caught.value.message
    assert time.monotonic() - started < 20
    store.close()


def test_a_bad_uri_is_named_without_its_password():
    store = open_store({"STORE": "neo4j", "NEO4J_URI": "nonsense://admin:s3cret@db.example"}, VOCABULARY)
    with pytest.raises(StoreUnavailable, match="NEO4J_URI") as caught:
        store.count()
    assert "s3cret" not in caught.value.message


@pytest.fixture
def neo4j_app(monkeypatch, tmp_path):
    monkeypatch.setenv("GRAPHSVC_STORE", "neo4j")
    monkeypatch.setenv("NEO4J_URI", UNREACHABLE)
    for key, value in FAST.items():
        monkeypatch.setenv(key, str(value))
    return create_app({"TESTING": True, "DATABASE": str(tmp_path / "unused.sqlite3")})


@pytest.mark.parametrize("command", [["init"], ["seed", "--if-empty"], ["serve", "--port", "8999"]], ids=" ".join)
def test_cli_commands_fail_in_one_line_when_neo4j_is_unreachable(neo4j_app, command):
    result = neo4j_app.test_cli_runner().invoke(args=command)
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: Cannot reach Neo4j at {UNREACHABLE} (check NEO4J_URI)")
    assert "Traceback" not in result.output


def test_health_names_the_neo4j_store(neo4j_app):
    from graphsvc.app import get_service

    get_service(neo4j_app).store._driver_instance = RecordingDriver()
    answer = neo4j_app.test_client().get("/api/v1/health")
    assert answer.status_code == 200 and answer.get_json()["store"] == "neo4j"


def test_health_answers_503_when_neo4j_is_unreachable(neo4j_app):
    answer = neo4j_app.test_client().get("/api/v1/health")
    assert answer.status_code == 503 and "NEO4J_URI" in answer.get_json()["message"]
