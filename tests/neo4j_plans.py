"""The Neo4j store's hot reads (statements from graphsvc/store/cypher.py with representative parameters)
and what their EXPLAIN plans start from: for tests/test_neo4j_live_store.py.

A plan (the driver's ``summary.plan``) is a tree of ``{operatorType, args: {Details}, children}``; its
leaves are where rows come from: an index seek, or a scan of something.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from graphsvc.store import cypher
from graphsvc.store.neo4j_tx import Catalogue

__all__ = ["INDEX_SEEKS", "HotRead", "hot_reads", "leaf_operators", "plan_of"]

INDEX_SEEKS = frozenset({
    "NodeIndexSeek", "NodeUniqueIndexSeek", "NodeIndexSeekByRange", "NodeUniqueIndexSeekByRange",
    "MultiNodeIndexSeek", "AssertingMultiNodeIndexSeek",
    "DirectedRelationshipIndexSeek", "UndirectedRelationshipIndexSeek",
    "DirectedRelationshipUniqueIndexSeek", "UndirectedRelationshipUniqueIndexSeek",
    "DirectedRelationshipIndexSeekByRange", "UndirectedRelationshipIndexSeekByRange",
    "DirectedRelationshipUniqueIndexSeekByRange", "UndirectedRelationshipUniqueIndexSeekByRange",
})
NODE_ID = ":Node(id)"


@dataclass(frozen=True)
class HotRead:
    """A statement to EXPLAIN: each of ``indexes`` must be sought (a substring of a seek's details)."""

    name: str
    text: str
    parameters: dict[str, Any] = field(default_factory=dict)
    indexes: tuple[str, ...] = (NODE_ID,)


def hot_reads(vocabulary) -> list[HotRead]:
    """The reads on every request, write and import: by id, by ids, links, counts, the change log."""
    catalogue = Catalogue(vocabulary)
    rel_types = sorted(vocabulary.relationship_types)
    every_rel_index = tuple(_rel_index(t) for t in rel_types)
    one, two = {"id": "person-1"}, {"ids": ["person-1", "person-2", "person-1"]}
    reads = [
        HotRead("GET_NODE", cypher.GET_NODE, one),
        HotRead("GET_NODES", cypher.GET_NODES, two),
        HotRead("RELATIONSHIPS_OF", cypher.RELATIONSHIPS_OF, one),
        HotRead("COUNT_RELATIONSHIPS_FROM", cypher.COUNT_RELATIONSHIPS_FROM,
                {"source": "person-1", "target": None, "rel_type": None}),
        HotRead("PAGE_RELATIONSHIPS_FROM", cypher.PAGE_RELATIONSHIPS_FROM,
                {"source": "person-1", "target": "action-1", "rel_type": "ACCOUNTABLE_FOR", "limit": 50, "offset": 0}),
        HotRead("COUNT_RELATIONSHIPS_TO", cypher.COUNT_RELATIONSHIPS_TO, {"target": "action-1", "rel_type": None}),
        HotRead("PAGE_RELATIONSHIPS_TO", cypher.PAGE_RELATIONSHIPS_TO,
                {"target": "action-1", "rel_type": None, "limit": 50, "offset": 0}),
        HotRead("UPDATE_NODE", cypher.UPDATE_NODE, {"id": "person-1", "node_props": {"id": "person-1"}}),
        HotRead("WRITE_NODES", cypher.WRITE_NODES, {"rows": [{"id": "person-1"}]}),
        HotRead("SET_SEARCH_TEXT", cypher.SET_SEARCH_TEXT, {"rows": [{"id": "person-1", "search_text": "x\n"}]}),
        HotRead("DELETE_NODE", cypher.DELETE_NODE, one),
        HotRead("relationship_by_id", catalogue.relationship_by_id, {"id": "rel-1"}, every_rel_index),
        HotRead("relationships_by_ids", catalogue.relationships_by_ids, {"ids": ["rel-1", "rel-2"]}, every_rel_index),
        # the change log: catch-up, the lock and append every write takes, history, erasure rewrites
        HotRead("CHANGES_SINCE", cypher.CHANGES_SINCE, {"seq": 10, "limit": 10_000}, (":Change(seq)",)),
        HotRead("LAST_SEQ", cypher.LAST_SEQ, {}, (":Counter(name)",)),
        HotRead("LOCK_WRITERS", cypher.LOCK_WRITERS, {}, (":Counter(name)",)),
        HotRead("APPEND_CHANGES", cypher.APPEND_CHANGES, {"seq": 60, "rows": [{"seq": 61}]}, (":Counter(name)",)),
        HotRead("HISTORY_OF_SUBJECT", cypher.HISTORY_OF_SUBJECT,
                {"subject": "person-1", "actor": None, "since": None, "limit": 100}, (":Change(subject)",)),
        HotRead("HISTORY_BY_ACTOR", cypher.HISTORY_BY_ACTOR, {"actor": "test", "since": None, "limit": 100},
                (":Change(actor)",)),
        HotRead("REWRITE_CHANGES", cypher.REWRITE_CHANGES,
                {"rows": [{"seq": 1, "subject": "x", "before": None, "after": None}]}, (":Change(seq)",)),
        HotRead("FIND_TOKEN", cypher.FIND_TOKEN, {"token_hash": "0" * 64}, (":Token(token_hash)",)),
        HotRead("TOKEN_BY_NAME", cypher.TOKEN_BY_NAME, {"name": "admin-token"}, (":Token(name)",)),
    ]
    for node_type in sorted(vocabulary.node_types):  # the id check before a create
        reads.append(HotRead(f"create_node:{node_type}", catalogue.create_node[node_type],
                             {"id": "person-1", "node_props": {}}))
    for t in rel_types:
        link = {"source": "person-1", "target": "action-1"}
        reads += [
            HotRead(f"find_links:{t}", catalogue.find_links[t], {"rows": [link, {"source": "x", "target": "y"}]}),
            HotRead(f"count_incoming:{t}", catalogue.count_incoming[t], {"ids": ["action-1", "action-2", "action-1"]}),
            HotRead(f"delete_relationship:{t}", catalogue.delete_relationship[t], {"id": "rel-1"}, (_rel_index(t),)),
            HotRead(f"delete_relationships:{t}", catalogue.delete_relationships[t], {"ids": ["rel-1", "rel-2"]},
                    (_rel_index(t),)),
            HotRead(f"create_relationship:{t}", catalogue.create_relationship[t],
                    {**link, "id": "rel-new", "props_json": "{}", "created_at": "2026-01-01T00:00:00Z"}),
            HotRead(f"copy_relationships:{t}", catalogue.copy_relationships[t],
                    {"rows": [{**link, "id": "rel-new", "props": "{}", "created_at": "2026-01-01T00:00:00Z"}]}),
        ]
    return reads


def plan_of(run: Callable[..., Any], text: str, parameters: dict[str, Any]) -> dict[str, Any]:
    """The plan Neo4j makes now (``replan=force``: not one cached from earlier statistics)."""
    # The statement's own query options (replan=skip on seek-hinted ones) give way to replan=force here.
    return run(f"CYPHER replan=force EXPLAIN {text.removeprefix(cypher.PLAN_ONCE)}", parameters).summary.plan


def leaf_operators(plan: dict[str, Any]) -> list[tuple[str, str]]:
    """(operator, details) of each leaf, e.g. ("NodeUniqueIndexSeek", "UNIQUE n:Node(id) WHERE id = $id")."""
    children = plan.get("children") or []
    if not children:
        operator = plan["operatorType"].split("@")[0].removesuffix("(Locking)")
        return [(operator, str(plan.get("args", {}).get("Details", "")))]
    return [leaf for child in children for leaf in leaf_operators(child)]


def _rel_index(rel_type: str) -> str:
    return f"r:{rel_type}(id)"
