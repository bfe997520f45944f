"""Concurrent writers on one live Neo4j: the writers' lock (the change-log counter every write
transaction write-locks first, graphsvc/store/cypher.py) keeps every write and hands out each seq once,
and the rules checked inside a transaction (one accountable owner per action, no person in a caucus)
still hold at commit when two writers race.

Two ``graphsvc serve`` processes (two gunicorn workers each) share the run's Neo4j
(tests/neo4j_server.py); the in-process races run two services, each with its own driver, through
the real service and accountability code. ``threading.Barrier`` releases the racers together, and
each race is repeated. The in-process stores pause between a transaction's last write and its
commit, which widens the window a missing lock would leave open: without the lock, both racers would
read the state before either wrote, and both would win.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial

import pytest

from graphsvc.accountability import accountable_etag, owner_of, set_owner
from graphsvc.errors import Conflict, Invalid, PreconditionFailed
from graphsvc.projection import Projection
from graphsvc.service import GraphService
from graphsvc.store import open_store
from graphsvc.vocabulary import load_vocabulary
from tests.neo4j_live import ServeProcess, empty_neo4j, init_store, live_env

VOCABULARY = load_vocabulary()
ROUNDS = 3  # each race is run this many times
THREADS_PER_SERVER = 4
CREATES_PER_THREAD = 8
UPDATES_PER_THREAD = 3
COMMIT_PAUSE_S = 0.2


@dataclass
class Cluster:
    servers: list[ServeProcess]  # two `graphsvc serve` processes on the one Neo4j
    token: str  # the first admin token
    services: list[GraphService]  # two in-process services, each with its own driver (slow commits)


@pytest.fixture(scope="module")
def cluster(neo4j_server, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("neo4j-concurrency")
    empty_neo4j(neo4j_server)
    env = live_env(neo4j_server, tmp)
    token = init_store(env)
    running = Cluster([], token, [GraphService(VOCABULARY, _SlowCommits(open_store(neo4j_server.config(), VOCABULARY)))
                                  for _ in range(2)])
    try:
        for i in range(2):
            running.servers.append(ServeProcess.start(env, tmp / f"serve-{i}.log", workers=2))
        yield running
    finally:
        for server in running.servers:
            server.stop()
        for service in running.services:
            service.store.close()


@pytest.fixture
def admin(cluster):
    """An admin session per server, for set-up and checks (the racing threads open their own)."""
    sessions = [server.api(cluster.token) for server in cluster.servers]
    yield sessions
    for session in sessions:
        session.close()


@pytest.fixture
def services(cluster):
    return cluster.services


# -- the counter lock ----------------------------------------------------------------------------------


def test_two_servers_writing_at_once_lose_no_write_and_share_no_seq(cluster, admin):
    servers, token, store = cluster.servers, cluster.token, cluster.services[0].store
    admin[0].created("/api/v1/themes", {"id": "hot-theme", "name": "Example theme everyone edits"})
    base = store.last_seq()
    racers = [(server, f"s{s}t{t}") for s, server in enumerate(servers) for t in range(THREADS_PER_SERVER)]
    barrier = threading.Barrier(len(racers))

    def write(server: ServeProcess, tag: str) -> list[tuple[str, int]]:
        api = server.api(token)
        answers = []
        try:
            barrier.wait(timeout=60)
            for i in range(CREATES_PER_THREAD):
                answer = api.post("/api/v1/themes", {"id": f"theme-{tag}-{i}", "name": f"Example {tag} {i}"})
                answers.append((f"create {tag} {i}", answer.status_code))
                if i < UPDATES_PER_THREAD:  # an unconditional edit of one shared record: none may be lost
                    answer = api.patch("/api/v1/themes/hot-theme", {"description": f"Edited by {tag} ({i})"})
                    answers.append((f"update {tag} {i}", answer.status_code))
        finally:
            api.close()
        return answers

    answers = [answer for found in _race(*[partial(write, s, t) for s, t in racers]) for answer in found]
    assert [a for a in answers if a[1] not in (200, 201)] == []
    creates = len(racers) * CREATES_PER_THREAD
    updates = len(racers) * UPDATES_PER_THREAD

    ids = [f"theme-{tag}-{i}" for _, tag in racers for i in range(CREATES_PER_THREAD)]
    assert sorted(store.get_nodes(ids)) == sorted(ids)
    hot = admin[1].ok("/api/v1/themes/hot-theme")
    assert hot["version"] == 1 + updates
    # The change log, through the API: one entry per acknowledged write, seqs unique and gap-free.
    changes = [c for c in admin[0].ok("/api/v1/history?limit=1000")["changes"] if c["seq"] > base]
    seqs = [c["seq"] for c in changes]
    assert sorted(seqs) == list(range(base + 1, base + 1 + creates + updates))
    assert Counter(c["operation"] for c in changes) == {"create_node": creates, "update_node": updates}
    assert sorted(c["subject"] for c in changes if c["operation"] == "create_node") == sorted(ids)
    # Each edit saw the one before it: versions 2..1+updates, each once, in seq order.
    edits = sorted((c for c in changes if c["operation"] == "update_node"), key=lambda c: c["seq"])
    assert [c["after"]["version"] for c in edits] == list(range(2, 2 + updates))
    assert [c["before"]["version"] for c in edits] == list(range(1, 1 + updates))
    # Every server process agrees (each worker's projection caught up from the change log).
    for api in admin * 2:
        health = api.ok("/api/v1/health")
        assert health["seq"] == base + creates + updates and health["nodes"] == store.count()[0]


def test_racing_creates_of_one_id_or_one_token_name_exactly_one_wins(cluster, admin):
    servers, token = cluster.servers, cluster.token
    for round_ in range(ROUNDS):
        node_id, name = f"race-id-{round_}", f"race-token-{round_}"
        answers = _race(*[partial(_as, "post", server, token, "/api/v1/organisations",
                                  {"id": node_id, "name": f"Example Trust {i}"}) for i, server in enumerate(servers)])
        assert sorted(a.status_code for a in answers) == [201, 409], [a.text for a in answers]
        winner = next(a for a in answers if a.status_code == 201).json()
        assert admin[1].ok(f"/api/v1/organisations/{node_id}")["name"] == winner["name"]
        answers = _race(*[partial(_as, "post", server, token, "/api/v1/tokens", {"name": name, "role": role})
                          for server, role in zip(servers, ("viewer", "admin"), strict=True)])
        assert sorted(a.status_code for a in answers) == [201, 409], [a.text for a in answers]
        winner = next(a for a in answers if a.status_code == 201).json()
        assert [t["role"] for t in admin[0].ok("/api/v1/tokens") if t["name"] == name] == [winner["role"]]
        history = admin[0].ok(f"/api/v1/history?subject={node_id}")["changes"]
        assert [c["operation"] for c in history] == ["create_node"]


def test_a_write_racing_an_erasure_leaves_no_trace_of_the_person(cluster, admin):
    servers, token = cluster.servers, cluster.token
    admin[0].created("/api/v1/organisations", {"id": "race-erasure-org", "name": "Example Erasure Trust"})
    for round_ in range(ROUNDS):
        person, role = f"race-erasure-{round_}-person", f"Example Lantern Keeper {round_}"
        title = f"Example Title {round_}"
        admin[0].created("/api/v1/people", {"id": person, "name": f"Example Erasable Person {round_}"})
        erased, linked, edited = _race(
            partial(_as, "post", servers[0], token, "/api/v1/erasures", {"id": person, "reason": "Case DP-0202"}),
            partial(_as, "post", servers[1], token, "/api/v1/relationships",
                    {"type": "WORKS_FOR", "from": person, "to": "race-erasure-org", "role": role}),
            partial(_as, "patch", servers[1], token, f"/api/v1/people/{person}", {"job_title": title}))
        assert erased.status_code == 200, erased.text
        assert linked.status_code in (201, 422) and edited.status_code in (200, 404), (linked.text, edited.text)
        # A write that came first was erased with the person; one that came after found no person.
        assert erased.json()["relationships"] == (1 if linked.status_code == 201 else 0)
        for api in admin:
            assert api.get(f"/api/v1/people/{person}").status_code == 404
            assert api.ok("/api/v1/relationships?to=race-erasure-org")["total"] == 0
            history = api.get("/api/v1/history?limit=1000").text
            assert not [trace for trace in (person, role, title) if trace in history]


# -- one accountable owner ---------------------------------------------------------------------------


def test_racing_requests_to_add_an_owner_or_hand_over_exactly_one_wins(cluster, admin):
    servers, token = cluster.servers, cluster.token
    for round_ in range(ROUNDS):
        action, people = _action_and_people(admin[0], f"api-owner-{round_}", 4)
        # Two new ACCOUNTABLE_FOR relationships, one through each server.
        answers = _race(*[partial(_as, "post", server, token, "/api/v1/relationships",
                                  {"type": "ACCOUNTABLE_FOR", "from": person, "to": action})
                          for server, person in zip(servers, people[:2], strict=True)])
        assert sorted(a.status_code for a in answers) == [201, 409], [a.text for a in answers]
        loser = next(a for a in answers if a.status_code == 409)
        assert loser.json()["errors"] == {"rule": ["one-accountable-owner"]}
        winner = next(a for a in answers if a.status_code == 201).json()
        assert _owners(admin[1], action) == [winner["from"]]

        # Two hand-overs from the same read of the owner (same ETag): one applies, the other is told.
        tag = admin[0].get(f"/api/v1/actions/{action}/accountable").headers["ETag"]
        answers = _race(*[partial(_as, "put", server, token, f"/api/v1/actions/{action}/accountable",
                                  {"owner": person}, headers={"If-Match": tag})
                            for server, person in zip(servers, people[2:], strict=True)])
        assert sorted(a.status_code for a in answers) == [200, 412], [a.text for a in answers]
        winner = next(a for a in answers if a.status_code == 200).json()
        assert _owners(admin[0], action) == [winner["owner"]["id"]]

        # The same responsible party recorded twice at once: recorded once (201), repeated (200).
        answers = _race(*[partial(_as, "post", server, token, f"/api/v1/actions/{action}/raci",
                                  {"role": "responsible", "party": people[0]}) for server in servers])
        assert sorted(a.status_code for a in answers) == [200, 201], [a.text for a in answers]
        assert [p["id"] for p in admin[1].ok(f"/api/v1/actions/{action}/raci")["responsible"]] == [people[0]]


def test_racing_transactions_to_add_an_owner_exactly_one_wins(admin, services):
    for round_ in range(ROUNDS):
        action, people = _action_and_people(admin[0], f"tx-owner-{round_}", 4)
        outcomes = _race(*[partial(service.create_relationship, "ACCOUNTABLE_FOR", person, action, {}, "racer")
                           for service, person in zip(services, people[:2], strict=True)])
        [conflict] = [o for o in outcomes if isinstance(o, Exception)]
        assert isinstance(conflict, Conflict) and conflict.errors == {"rule": ["one-accountable-owner"]}, conflict
        [rel] = [o for o in outcomes if not isinstance(o, Exception)]
        assert _owners(admin[1], action) == [rel.source]

        tag = accountable_etag(owner_of(services[0], action))
        outcomes = _race(*[partial(set_owner, service, action, person, "racer", tag)
                           for service, person in zip(services, people[2:], strict=True)])
        [refused] = [o for o in outcomes if isinstance(o, Exception)]
        assert isinstance(refused, PreconditionFailed), refused
        [assignment] = [o for o in outcomes if not isinstance(o, Exception)]
        assert _owners(admin[0], action) == [assignment.owner.id]

        # Unconditional hand-overs both apply, one after the other: still exactly one owner.
        outcomes = _race(*[partial(set_owner, service, action, person, "racer")
                           for service, person in zip(services, people[:2], strict=True)])
        assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
        assert len(_owners(admin[1], action)) == 1


# -- no person in a caucus -----------------------------------------------------------------------------


def test_racing_requests_cannot_put_a_person_in_a_caucus(cluster, admin):
    servers, token = cluster.servers, cluster.token
    for round_ in range(ROUNDS):
        group, person = _group_and_person(admin[0], f"api-caucus-{round_}")
        join, turn = _race(
            partial(_as, "post", servers[0], token, "/api/v1/relationships",
                    {"type": "MEMBER_OF", "from": person, "to": group}),
            partial(_as, "patch", servers[1], token, f"/api/v1/groups/{group}", {"kind": "caucus"}))
        assert sorted([join.status_code, turn.status_code]) in ([201, 422], [200, 422]), (join.text, turn.text)
        refused = join if join.status_code == 422 else turn
        assert refused.json()["errors"] == {"rule": ["person-not-in-caucus"]}
        _assert_no_person_in_caucus(admin[1], group, person)


def test_racing_transactions_cannot_put_a_person_in_a_caucus(admin, services):
    for round_ in range(ROUNDS):
        group, person = _group_and_person(admin[0], f"tx-caucus-{round_}")
        join, turn = _race(
            partial(services[0].create_relationship, "MEMBER_OF", person, group, {}, "racer"),
            partial(services[1].update_node, group, {"kind": "caucus"}, "racer"))
        failures = [o for o in (join, turn) if isinstance(o, Exception)]
        assert len(failures) == 1 and isinstance(failures[0], Invalid), (join, turn)
        assert failures[0].errors == {"rule": ["person-not-in-caucus"]}
        _assert_no_person_in_caucus(admin[1], group, person)


# -- projections loading beside writers --------------------------------------------------------------


def test_a_projection_loads_while_a_writer_holds_the_lock_and_then_catches_up(services):
    """The projection's snapshot (for replay) does not wait for the writers' lock; an exact snapshot
    (migrate's) does, until the writer commits."""
    store = services[0].store.plain
    with store.transaction("holder") as tx:
        tx.create_node("Theme", "theme-held-open", {"name": "Held open"})
        projection = Projection(store)
        loading = _in_thread(projection.catch_up)
        loading.join(timeout=60)
        assert not loading.is_alive(), "the projection waited for the writer's transaction"
        assert "theme-held-open" not in projection.graph()
        exact = _in_thread(lambda: _read_all(store.snapshot()))
        exact.join(timeout=1)
        assert exact.is_alive(), "an exact snapshot read while a writer held the lock"
    exact.join(timeout=60)
    assert not exact.is_alive()
    assert projection.graph().nodes["theme-held-open"]["name"] == "Held open"


def test_projections_loaded_while_a_writer_churns_catch_up_to_the_same_graph(services):
    """Records committed during a load are read and then replayed from the log: every projection ends
    equal to one loaded once the writer has stopped (nodes, attributes, edges and their keys)."""
    store = services[0].store.plain
    stop, written = threading.Event(), []

    def churn():
        i = 0
        while not stop.is_set() or i < 30:
            with store.transaction("churn") as tx:
                tx.create_node("Theme", f"theme-churn-{i}", {"name": f"Churn {i}"})
                if i:
                    tx.create_relationship("PART_OF", f"theme-churn-{i}", f"theme-churn-{i - 1}", {},
                                           f"rel-churn-{i}")
                if i % 3 == 1:
                    tx.update_node(f"theme-churn-{i - 1}", {"name": f"Churn {i - 1}, renamed"})
                if i % 5 == 0 and i >= 5:
                    tx.delete_node(f"theme-churn-{i - 4}")
            written.append(i)
            i += 1

    writer = _in_thread(churn)
    projections = []
    while len(projections) < 8:
        projection = Projection(store)
        projection.catch_up()
        projections.append(projection)
    stop.set()
    writer.join(timeout=120)
    assert not writer.is_alive() and len(written) >= 30
    settled = Projection(store).graph()
    for projection in projections:
        graph = projection.graph()
        assert dict(graph.nodes(data=True)) == dict(settled.nodes(data=True))
        assert sorted(graph.edges(keys=True, data=True)) == sorted(settled.edges(keys=True, data=True))


# -- afterwards ---------------------------------------------------------------------------------------


def test_after_all_the_races_the_change_log_has_every_seq_once(services):
    """Racers that lost (409, 412, 422) rolled back without taking a seq: the log has no gap."""
    store = services[0].store
    seqs = [change.seq for change in store.changes_since(0, limit=100_000)]
    assert seqs == list(range(1, store.last_seq() + 1))


# -- helpers -------------------------------------------------------------------------------------------


class _SlowCommits:
    """A store whose write transactions pause after their last statement, before committing."""

    def __init__(self, store, pause: float = COMMIT_PAUSE_S):
        self.plain, self._pause = store, pause

    def __getattr__(self, name):
        return getattr(self.plain, name)

    @contextmanager
    def transaction(self, actor: str):
        with self.plain.transaction(actor) as tx:
            yield tx
            time.sleep(self._pause)


def _race(*calls):
    """Run each call in its own thread, released together by a barrier; their results (or the
    exceptions they raised) in order."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        barrier.wait(timeout=60)
        try:
            results[index] = call()
        except Exception as exc:  # noqa: BLE001 - handed back to the test, which says what it expects
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i, call), daemon=True) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(thread.is_alive() for thread in threads), "a racer never finished"
    return results


def _as(method: str, server, token, path, body, **options):
    """One request on a fresh session of its own, so racing threads share no connection."""
    api = server.api(token)
    try:
        return getattr(api, method)(path, body, **options)
    finally:
        api.close()


def _action_and_people(api, prefix: str, count: int) -> tuple[str, list[str]]:
    action = api.created("/api/v1/actions", {"id": f"{prefix}-action", "title": f"Example action {prefix}"})["id"]
    people = [api.created("/api/v1/people", {"id": f"{prefix}-person-{i}", "name": f"Example Person {prefix} {i}"})
              ["id"] for i in range(count)]
    return action, people


def _group_and_person(api, prefix: str) -> tuple[str, str]:
    group = api.created("/api/v1/groups", {"id": f"{prefix}-group", "name": f"Example group {prefix}",
                                           "kind": "network"})["id"]
    person = api.created("/api/v1/people", {"id": f"{prefix}-person", "name": f"Example Person {prefix}"})["id"]
    return group, person


def _owners(api, action: str) -> list[str]:
    return [rel["from"] for rel in api.ok(f"/api/v1/relationships?type=ACCOUNTABLE_FOR&to={action}")["items"]]


def _assert_no_person_in_caucus(api, group: str, person: str) -> None:
    kind = api.ok(f"/api/v1/groups/{group}")["kind"]
    members = [rel["from"] for rel in api.ok(f"/api/v1/relationships?type=MEMBER_OF&to={group}")["items"]]
    assert (kind, members) in (("caucus", []), ("network", [person])), (kind, members)


def _in_thread(call) -> threading.Thread:
    thread = threading.Thread(target=call, daemon=True)
    thread.start()
    return thread


def _read_all(snapshot) -> None:
    with snapshot as (_, nodes, relationships):
        list(nodes), list(relationships)
