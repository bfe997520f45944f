"""Every Cypher statement graphsvc can send, checked by Neo4j's own front end — no server needed.

``tests/cypher/lint.mjs`` runs ``lintCypherQuery`` from the pinned ``@neo4j-cypher/language-support``
(Neo4j's parser and semantic analysis, compiled to JavaScript) over all statements in one node process.
``make test`` installs it; see docs/cypher-check.md.

A statement fails on an error (syntax, semantics, an unknown function or procedure, a parameter it
uses but does not declare, several statements in one text) and on a warning (a label or relationship
type outside the vocabulary — a misspelling matches nothing or makes a stray label —, deprecated
syntax or functions, which a later Neo4j removes, a declared parameter it never uses), except the
performance advisories in ADVISORIES, which are printed.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from graphsvc.vocabulary import load_vocabulary

LINT_DIR = Path(__file__).parent / "cypher"
LINTER = LINT_DIR / "lint.mjs"
PACKAGE = LINT_DIR / "node_modules" / "@neo4j-cypher" / "language-support" / "package.json"
CYPHER_MODULE = "graphsvc.store.cypher"
ERROR, WARNING = 1, 2  # Neo4j's (the LSP's) diagnostic severities
# Front-end notices about cost, not correctness: a keyed lookup of two nodes is a "cartesian product"
# of one row by one row. Printed, not failed.
ADVISORIES = ("cartesian product", "shortest path with an unbounded pattern")
needs_cypher_module = pytest.mark.skipif(
    importlib.util.find_spec(CYPHER_MODULE) is None, reason=f"{CYPHER_MODULE} does not exist yet; nothing to check"
)
LOOKS_LIKE_CYPHER = re.compile(r"\b(MATCH|MERGE|CREATE|RETURN|UNWIND|DELETE|DETACH|REMOVE|CALL)\b")


@dataclass(frozen=True)
class Sample:
    name: str
    text: str
    parameters: tuple[str, ...] = ()


# The self-test: each sample names what the linter must say about it (None: nothing).
SAMPLES = {
    Sample("sample:ok", "MATCH (n:Initiative {id: $id}) SET n += $props RETURN n", ("id", "props")): None,
    Sample("sample:syntax", "MATCH (n:Initiative RETURN n"): "Invalid input 'RETURN'",
    Sample("sample:semantic", "MATCH (n:Initiative) RETURN m"): "Variable `m` not defined",
    Sample("sample:undeclared-parameter", "MATCH (n) WHERE n.id = $id RETURN n"): "Parameter $id is not defined",
    Sample("sample:unused-parameter", "MATCH (n) RETURN n", ("id",)): "Parameter $id is declared but not used",
    Sample("sample:unknown-label", "MATCH (n:Initiatve) RETURN n"): "Label Initiatve is not present",
    Sample("sample:created-label", "CREATE (n:Initiatve) RETURN n"): "Label Initiatve is not declared",
    Sample("sample:unknown-function", "RETURN apoc.coll.sum([1, 2])"): "Function apoc.coll.sum is not present",
    Sample("sample:two-statements", "MATCH (n) RETURN n; MATCH (m) RETURN m"): "2 statements in one text",
    Sample("sample:deprecated", "MATCH (n) RETURN id(n)"): "deprecated",
}


def declared_schema() -> dict[str, list[str]]:
    """The labels and relationship types that exist: the vocabulary's types and the store's own labels."""
    vocabulary = load_vocabulary()
    store_labels = getattr(cypher_module(), "STORE_LABELS", ()) if cypher_module() else ()
    return {"labels": sorted({*vocabulary.node_types, *store_labels}),
            "relationshipTypes": sorted(vocabulary.relationship_types)}


def lint(statements, schema: dict[str, list[str]]) -> dict[str, list[dict]]:
    """Run all statements through lint.mjs in one node process: {statement name: diagnostics}."""
    node = shutil.which("node")
    if node is None or not PACKAGE.is_file():
        missing = f"{PACKAGE} is missing" if node else "node is not on PATH (install Node.js >= 18.18.2 and npm)"
        pytest.fail(
            f"the Cypher check cannot run: {missing}. Run `make test`, which installs the linter "
            "(npm ci --prefix tests/cypher), as CI does. The check is required, so it fails rather than skips.",
            pytrace=False,
        )
    payload = [{"name": s.name, "text": s.text, "parameters": list(s.parameters)} for s in statements]
    done = subprocess.run(
        [node, str(LINTER), json.dumps(schema)],
        input=json.dumps(payload), capture_output=True, text=True, timeout=600, check=False,
    )
    if done.returncode != 0:
        pytest.fail(f"lint.mjs exited {done.returncode}:\n{done.stderr}", pytrace=False)
    return {result["name"]: result["diagnostics"] for result in json.loads(done.stdout)}


def cypher_module():
    """graphsvc.store.cypher, or None while it does not exist (an import error in it still fails)."""
    return importlib.import_module(CYPHER_MODULE) if importlib.util.find_spec(CYPHER_MODULE) else None


def project_statements() -> list:
    return list(cypher_module().statements(load_vocabulary())) if cypher_module() else []


@functools.cache
def linted() -> tuple[list, dict[str, list[dict]]]:
    """Samples and project statements, linted together in one node process (a failure is not cached)."""
    statements = list(SAMPLES) + project_statements()
    return statements, lint(statements, declared_schema())


def describe(statement, diagnostic: dict) -> str:
    start, end = diagnostic["offsets"]["start"], diagnostic["offsets"]["end"]
    return f"{statement.name} [{diagnostic['level']}] {diagnostic['message']} at {start}: {statement.text[start:end]!r}"


def is_failure(diagnostic: dict) -> bool:
    if diagnostic["severity"] == ERROR:
        return True
    return diagnostic["severity"] == WARNING and not any(a in diagnostic["message"] for a in ADVISORIES)


@pytest.mark.parametrize("sample", list(SAMPLES), ids=lambda s: s.name)
def test_linter_reports_what_it_must(sample):
    """The check cannot pass silently: broken statements are reported, a good one is not."""
    _, results = linted()
    messages = [d["message"] for d in results[sample.name]]
    expected = SAMPLES[sample]
    if expected is None:
        assert messages == []
    else:
        assert any(expected in m for m in messages), f"{sample.name}: expected {expected!r}, got {messages}"
        assert any(is_failure(d) for d in results[sample.name]), f"{sample.name} would not fail the check"


def test_linter_tells_errors_from_warnings():
    _, results = linted()
    assert {d["severity"] for d in results["sample:syntax"]} == {ERROR}
    assert {d["level"] for d in results["sample:unknown-label"]} == {"warning"}


@needs_cypher_module
def test_every_project_statement_is_valid_cypher(capsys):
    statements, results = linted()
    project = [s for s in statements if not s.name.startswith("sample:")]
    assert project, f"{CYPHER_MODULE}.statements() returned no statements"
    names = [s.name for s in project]
    assert len(names) == len(set(names)), f"statement names repeat: {sorted({n for n in names if names.count(n) > 1})}"
    failures, notes = [], []
    for statement in project:
        for diagnostic in results[statement.name]:
            (failures if is_failure(diagnostic) else notes).append(describe(statement, diagnostic))
    with capsys.disabled():
        print(f"\nCypher check: {len(project)} statements linted by Neo4j's front end, {len(failures)} failing")
        for note in notes:
            print(f"  note: {note}")
    if failures:
        pytest.fail("Cypher statements to fix:\n  " + "\n  ".join(failures), pytrace=False)


@needs_cypher_module
def test_every_cypher_constant_is_checked():
    """A public UPPER_CASE string constant that looks like Cypher must be among the statements linted.

    Private fragments (``_NODE``, ``_FROM``) are not statements; the statements built from them are checked.
    """
    statements, _ = linted()
    names, texts = {s.name for s in statements}, {s.text for s in statements}
    unchecked = [
        name for name, value in vars(cypher_module()).items()
        if name.isupper() and not name.startswith("_") and isinstance(value, str) and LOOKS_LIKE_CYPHER.search(value)
        and name not in names and value not in texts
    ]
    assert not unchecked, f"Cypher constants in {CYPHER_MODULE} that statements() does not return: {unchecked}"
