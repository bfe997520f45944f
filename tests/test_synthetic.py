"""The synthetic graph generator: deterministic, valid against the vocabulary, realistic in shape."""

from __future__ import annotations

import difflib
import io
import json
from collections import Counter

import pytest

from graphsvc.importing import import_document
from graphsvc.synthetic import generate


def _generate(nodes: int, seed: int = 0, **options) -> tuple[str, dict]:
    out = io.StringIO()
    summary = generate(out, nodes=nodes, seed=seed, **options)
    return out.getvalue(), summary


@pytest.fixture(scope="module")
def medium():
    text, summary = _generate(10_000, seed=11)
    return json.loads(text), summary


def test_the_same_seed_writes_the_same_graph():
    assert _generate(1000, seed=5)[0] == _generate(1000, seed=5)[0]
    assert _generate(1000, seed=5)[0] != _generate(1000, seed=6)[0]


def test_a_generated_graph_loads_through_the_vocabulary_without_a_single_error(service):
    text, summary = _generate(2000, seed=3)
    result = import_document(service, json.loads(text), "test")
    assert result.errors == [] and result.tolerated == []
    assert result.created == summary["nodes"] + summary["relationships"]
    assert service.counts() == (summary["nodes"], summary["relationships"])


def test_relationships_without_ids_load_too(service):
    text, summary = _generate(300, seed=4, relationship_ids=False)
    document = json.loads(text)
    assert all("id" not in row for row in document["relationships"])
    assert import_document(service, document, "test").created == summary["nodes"] + summary["relationships"]


def test_size_mix_and_ratio_are_as_requested(medium):
    document, summary = medium
    assert summary["nodes"] == len(document["nodes"]) == 10_000
    assert summary["relationships"] == len(document["relationships"])
    assert 4.5 <= summary["relationships"] / summary["nodes"] <= 5.5
    types = summary["node_types"]
    assert 0.18 <= types["Initiative"] / summary["nodes"] <= 0.22
    assert types["Theme"] == 23 and types["Population"] == 14  # the real taxonomy
    kinds = Counter(row["kind"] for row in document["nodes"] if row["type"] == "Organisation")
    assert kinds["voluntary_community"] > kinds["gp_practice"] > kinds["nhs_trust"] > kinds["integrated_care_board"] > 0
    seniority = Counter(row["seniority"] for row in document["nodes"] if row["type"] == "Person")
    assert seniority["practitioner"] > seniority["manager"] > seniority["executive"] > 0
    assert seniority["board"] < seniority["senior"]


def test_themes_are_skewed_and_every_relationship_is_unique(medium):
    document, _ = medium
    rels = document["relationships"]
    triples = [(r["type"], r["from"], r["to"]) for r in rels]
    assert len(set(triples)) == len(triples)  # an import without ids would otherwise merge some
    ids = {row["id"] for row in document["nodes"]}
    assert all(r["from"] in ids and r["to"] in ids for r in rels)
    uses = Counter(r["to"] for r in rels if r["type"] == "ADDRESSES").most_common()
    assert uses[0][1] > 4 * uses[-1][1]  # Zipf-like, not uniform


def test_vocabulary_rules_hold_by_construction(medium):
    document, _ = medium
    caucuses = {row["id"] for row in document["nodes"] if row["type"] == "Group" and row["kind"] == "caucus"}
    people = {row["id"] for row in document["nodes"] if row["type"] == "Person"}
    assert caucuses
    assert not [r for r in document["relationships"]
                if r["type"] == "MEMBER_OF" and r["from"] in people and r["to"] in caucuses]
    owners = Counter(r["to"] for r in document["relationships"]
                     if r["type"] == "ACCOUNTABLE_FOR" and r["to"].startswith("action-"))
    assert owners and max(owners.values()) == 1


def test_planted_duplicates_are_present_and_close_to_their_originals(medium):
    document, summary = medium
    planted = Counter(pair["kind"] for pair in summary["planted"])
    initiatives = summary["node_types"]["Initiative"]
    assert 0.005 * initiatives <= planted["duplicate-initiative"] <= 0.02 * initiatives
    assert planted["duplicate-organisation"] >= 10 and planted["duplicate-person"] >= 10
    nodes = {row["id"]: row for row in document["nodes"]}
    tags: dict[str, set] = {}
    for r in document["relationships"]:
        if r["type"] in ("ADDRESSES", "SERVES", "OPERATES_IN"):
            tags.setdefault(r["from"], set()).add(r["to"])
    for pair in summary["planted"]:
        a, b = nodes[pair["a"]], nodes[pair["b"]]
        assert a["type"] == b["type"] and a != {**b, "id": a["id"]}
        if pair["kind"] == "duplicate-initiative":  # copied with small edits, same tags
            assert tags[pair["a"]] == tags[pair["b"]]
            words_a, words_b = set(a["description"].split()), set(b["description"].split())
            assert len(words_a & words_b) / len(words_a | words_b) > 0.7
        else:  # the same body or person entered again: abbreviated ("Cncl", "PCN") or misspelt
            assert a["name"] != b["name"] and difflib.SequenceMatcher(None, a["name"], b["name"]).ratio() > 0.6
            assert (a.get("kind"), a.get("job_title")) == (b.get("kind"), b.get("job_title"))


def test_the_document_is_written_one_record_per_line(medium):
    text, _ = _generate(500, seed=2)
    lines = text.splitlines()
    assert lines[0] == '{"nodes": [' and lines[-1] == "]}"
    records = [json.loads(line.rstrip(",")) for line in lines if line.startswith("{") and line != lines[0]]
    assert len(records) == len(json.loads(text)["nodes"]) + len(json.loads(text)["relationships"])


def test_the_generate_command_writes_the_same_graph(runner, tmp_path):
    out, truth = tmp_path / "graph.json", tmp_path / "truth.json"
    result = runner.invoke(args=["generate", "--nodes", "3000", "--seed", "9", "--truth", str(truth), str(out)])
    assert result.exit_code == 0, result.output
    assert "Wrote 3000 nodes" in result.output and "duplicate-initiative" in result.output
    expected, summary = _generate(3000, seed=9)
    assert out.read_text(encoding="utf-8") == expected
    assert json.loads(truth.read_text(encoding="utf-8")) == summary["planted"]


def test_the_generate_command_can_write_to_standard_output(runner):
    result = runner.invoke(args=["generate", "--nodes", "200", "-"])
    assert result.exit_code == 0, result.output
    assert '{"nodes": [' in result.output
    assert runner.invoke(args=["generate", "--nodes", "10", "-"]).exit_code != 0  # too small to be realistic
