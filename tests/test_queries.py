"""The read layer (graphsvc.queries): its caches, and that its answers are the API's answers."""

from __future__ import annotations

import threading
from types import SimpleNamespace

import pytest

from graphsvc.queries import cache as cache_module
from graphsvc.queries import overlaps as overlap_queries
from graphsvc.queries.action_log import action_log, action_log_rows
from graphsvc.queries.cache import SeqCache, caches_for, snapshot
from graphsvc.queries.connections import communities
from graphsvc.queries.gaps import gap_report, gaps
from graphsvc.queries.overlaps import overlap_items, overlaps
from graphsvc.queries.settings import gap_settings

AS_OF = "2026-06-01"


@pytest.fixture
def service(seeded):
    from graphsvc.app import get_service

    return get_service(seeded)


@pytest.fixture
def settings(seeded):
    return gap_settings(seeded.config, {"as_of": AS_OF})


def write(service, name="A theme added by the test"):
    return service.create_node("Theme", {"name": name}, "test")


# -- the caches, through the queries -----------------------------------------------------------------

def test_the_gap_report_is_kept_for_its_seq_and_redone_after_a_write(service, settings):
    first = gap_report(service, settings)
    assert gap_report(service, settings) is first
    action = service.create_node("Action", {"title": "An action nobody owns", "status": "not_started"}, "test")
    after = gap_report(service, settings)
    assert after is not first and gap_report(service, settings) is after
    assert any(g.rule == "action-without-owner" and g.subject["id"] == action.id for g in after)
    assert not any(g.subject["id"] == action.id for g in first)


def test_examples_and_real_records_only_are_cached_apart(service, settings):
    with_examples, real_only = gap_report(service, settings, True), gap_report(service, settings, False)
    assert with_examples is not real_only
    assert gap_report(service, settings, True) is with_examples and gap_report(service, settings, False) is real_only
    assert any(g.example for g in with_examples) and not any(g.example for g in real_only)
    assert overlap_items(service, "initiative", True) is not overlap_items(service, "initiative", False)
    assert len(overlap_items(service, "initiative", False).ids) < len(overlap_items(service, "initiative", True).ids)


def test_other_settings_are_another_report(service, settings, seeded):
    later = gap_settings(seeded.config, {"as_of": "2027-06-01", "stale_days": 10})
    assert gap_report(service, later) is not gap_report(service, settings)
    assert gap_report(service, later) is gap_report(service, later)


def test_filters_read_the_kept_report(service, settings, monkeypatch):
    gap_report(service, settings)
    monkeypatch.setattr(cache_module, "_fill", lambda *args: pytest.fail("recomputed"))
    themes = gaps(service, settings, rules=["theme-uncovered", "theme-not-scheduled"])
    assert themes and {g.rule for g in themes} == {"theme-uncovered", "theme-not-scheduled"}
    assert gaps(service, settings, rules=[]) == []


def test_the_action_log_rows_are_kept_for_their_seq(service, settings):
    rows = action_log_rows(service, settings)
    assert action_log_rows(service, settings) is rows
    write(service)
    after = action_log_rows(service, settings)
    assert after is not rows and action_log_rows(service, settings) is after


def test_prepared_overlap_items_are_kept_per_kind_and_redone_after_a_write(service):
    initiatives = overlap_items(service, "initiative")
    assert overlap_items(service, "initiative") is initiatives
    assert overlap_items(service, "action") is not initiatives
    added = service.create_node("Initiative", {"name": "A new initiative", "status": "active"}, "test")
    again = overlap_items(service, "initiative")
    assert again is not initiatives and added.id in again.ids and added.id not in initiatives.ids


def test_one_record_after_another_is_scored_from_the_same_prepared_items(service, monkeypatch):
    calls = []
    real = overlap_queries.prepare
    monkeypatch.setattr(overlap_queries, "prepare", lambda graph, profile: calls.append(1) or real(graph, profile))
    for node in overlap_items(service, "initiative").ids[:5]:
        overlaps(service, node_id=node)
    assert len(calls) == 1


def test_the_overlap_queue_is_kept_for_its_seq_and_reviews_stay_current(service, monkeypatch):
    calls = []
    real = overlap_queries.find_overlaps
    monkeypatch.setattr(overlap_queries, "find_overlaps", lambda *a, **k: calls.append(1) or real(*a, **k))
    first, second = overlaps(service), overlaps(service)
    assert first == second and len(calls) == 1 and first["overlaps"]
    pair = first["overlaps"][0]
    from graphsvc.reviews import record_review

    record_review(service, pair["a"]["id"], pair["b"]["id"], "aligned", "Agreed at the network meeting", "test")
    reviewed = overlaps(service)
    assert len(calls) == 2  # a review is a change: the queue is worked out again
    entry = next(e for e in reviewed["overlaps"] if {e["a"]["id"], e["b"]["id"]} == {pair["a"]["id"], pair["b"]["id"]})
    assert entry["review"]["decision"] == "aligned" and entry["review"]["by"] == "test"
    assert overlaps(service) == reviewed and len(calls) == 2  # stamping did not spoil the kept list


def test_described_communities_are_kept_until_a_write(service):
    first = communities(service, min_size=3)
    assert communities(service, min_size=3) is first
    assert communities(service, min_size=4) is not first
    write(service)
    after = communities(service, min_size=3)
    assert after is not first and after["as_of_seq"] == first["as_of_seq"] + 1


def test_each_service_has_its_own_caches(service, app_factory):
    other = app_factory()
    assert caches_for(service) is caches_for(service)
    assert caches_for(service) is not caches_for(other)


# -- the answers are the API's ----------------------------------------------------------------------

def test_one_record_s_overlaps_are_its_entries_in_the_full_answer(service):
    everything = overlaps(service, min_score=0.2, limit=None)["overlaps"]
    nodes = sorted({entry[side]["id"] for entry in everything for side in ("a", "b")})
    assert len(nodes) >= 4  # the demo has overlapping initiatives to compare
    for node in nodes:
        expected = [entry for entry in everything if node in (entry["a"]["id"], entry["b"]["id"])]
        mine = overlaps(service, node_id=node, min_score=0.2, limit=None)
        assert mine["overlaps"] == expected and mine["id"] == node and mine["kind"] == "initiative", node


def test_the_overlaps_answer_is_the_api_s(service, client):
    node = overlaps(service, min_score=0.2)["overlaps"][0]["a"]["id"]
    answer = client.get(f"/api/v1/overlaps?id={node}&min_score=0.2").get_json()
    assert answer == overlaps(service, node_id=node, min_score=0.2)
    assert client.get("/api/v1/overlaps").get_json() == overlaps(service)


def test_the_action_log_rows_are_the_api_s(service, settings, client):
    answer = client.get(f"/api/v1/reports/action-log?judged_on={AS_OF}").get_json()
    report = action_log(service, settings)
    assert answer["rows"] and answer["rows"] == report["rows"]
    assert answer["counts"] == report["counts"] and answer["settings"] == report["settings"]
    red = client.get(f"/api/v1/reports/action-log?judged_on={AS_OF}&rag=red&examples=false").get_json()
    assert red["rows"] == action_log(service, settings, examples=False, rags=["red"])["rows"]


def test_the_gap_answer_is_the_api_s(service, settings, client):
    answer = client.get(f"/api/v1/gaps?judged_on={AS_OF}&severity=high").get_json()
    assert answer["gaps"] == [gap.as_dict() for gap in gaps(service, settings, severity="high")]
    assert answer["settings"]["as_of"] == AS_OF


# -- SeqCache and snapshot --------------------------------------------------------------------------

def counting(value="v"):
    calls = []
    return calls, lambda: calls.append(1) or [value]


def test_a_seq_cache_computes_once_per_key_and_seq():
    cache, (calls, compute) = SeqCache(4), counting()
    first = cache.get(1, "k", compute)
    assert cache.get(1, "k", compute) is first and len(calls) == 1
    second = cache.get(2, "k", compute)
    assert second is not first and cache.get(2, "k", compute) is second and len(calls) == 2


def test_a_seq_cache_forgets_older_seqs_and_never_serves_them():
    cache, (calls, compute) = SeqCache(4), counting()
    cache.get(5, "k", compute)
    cache.get(4, "k", compute)  # a late reader of an older seq gets its own answer ...
    cache.get(4, "k", compute)
    assert len(calls) == 3
    assert cache.get(5, "k", compute) is cache.get(5, "k", compute) and len(calls) == 3  # ... never stored


def test_a_seq_cache_is_bounded_and_remembers_no_failure():
    cache, (calls, compute) = SeqCache(2), counting()
    for key in ("a", "b", "c"):
        cache.get(1, key, compute)
    cache.get(1, "a", compute)  # "a" was the oldest, so it went
    assert len(calls) == 4

    def broken():
        raise ValueError("no")

    with pytest.raises(ValueError):
        cache.get(1, "x", broken)
    assert cache.get(1, "x", compute) == ["v"]
    assert cache.get(None, "a", compute) is not cache.get(None, "a", compute)  # no seq: never kept


def test_concurrent_callers_share_one_computation():
    cache, started, release, calls = SeqCache(4), threading.Event(), threading.Event(), []

    def slow():
        calls.append(1)
        started.set()
        release.wait(5)
        return object()

    results = []
    threads = [threading.Thread(target=lambda: results.append(cache.get(1, "k", slow))) for _ in range(3)]
    threads[0].start()
    started.wait(5)
    for thread in threads[1:]:
        thread.start()
    release.set()
    for thread in threads:
        thread.join(5)
    assert len(calls) == 1 and len(results) == 3 and len({id(r) for r in results}) == 1


def test_snapshot_gives_no_seq_while_writes_keep_landing():
    projection = SimpleNamespace(seq=1)

    def graph(examples=True):
        projection.seq += 1  # a change applied while the graph was fetched
        return "graph"

    busy = SimpleNamespace(projection=projection, graph=graph)
    assert snapshot(busy) == (None, "graph")
    quiet = SimpleNamespace(projection=SimpleNamespace(seq=7), graph=lambda examples=True: "graph")
    assert snapshot(quiet) == (7, "graph")


@pytest.fixture
def app_factory(tmp_path):
    from graphsvc import create_app
    from graphsvc.app import get_service

    def make():
        app = create_app({"DATABASE": str(tmp_path / "other.sqlite3"), "TESTING": True})
        return get_service(app)
    return make


def test_the_coverage_matrix_is_kept_until_a_write(service):
    from graphsvc.queries.connections import coverage

    first = coverage(service, "Theme", "Population", "active")
    assert coverage(service, "Theme", "Population", "active") is first
    assert coverage(service, "Theme", "Place", "active") is not first
    service.create_node("Theme", {"name": "A theme added later"}, "test")
    again = coverage(service, "Theme", "Population", "active")
    assert again is not first and len(again["rows"]) == len(first["rows"]) + 1
