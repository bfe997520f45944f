"""Every Cypher statement the Neo4j store sends, in one place (Neo4j 5 syntax).

Fixed statements are UPPER_CASE constants. Statements that name a node label or relationship type
are generated from the vocabulary, and only from it: each name goes through ``quote_name``, which
refuses anything that is not a vocabulary-shaped name before any text is built. Values always
travel as ``$parameters``, never inside the text.

The data model in Neo4j:

- ``(:Node:<Type> {id, type, label, props, created_at, updated_at, version, search_text, p_<name>...})``:
  ``props`` is the node's properties as JSON (they round-trip exactly); ``label`` is the main property,
  for order; ``search_text`` its searchable properties folded for search (search.py; no read returns
  it); each scalar property is mirrored as ``p_<name>`` so ``find_nodes`` filters and sorts in Cypher
  without APOC.
- ``(:Node)-[:<TYPE> {id, props, created_at}]->(:Node)``.
- ``(:Change {seq, at, actor, operation, subject, before, after})``, before/after as JSON, and the
  ``(:Counter {name: 'changes', value})`` node: every write transaction write-locks it first (a SET
  whose right-hand side reads the property takes the lock before the read), so writers are
  serialised like SQLite's ``BEGIN IMMEDIATE`` and seq order is commit order.
- ``(:Token {name, role, token_hash, created_at, revoked_at})``.
- ``(:Setting {name, value})``: the store's own settings, e.g. the fields ``search_text`` was made from.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from ..vocabulary import RELATIONSHIP_NAME, TYPE_NAME, Vocabulary

__all__ = ["CONSTANT_NAMES", "PLAN_ONCE", "STORE_LABELS", "Statement", "constants", "copy_nodes", "copy_relationships",
           "count_incoming", "count_nodes", "count_relationships_of_type", "create_node", "create_relationship",
           "delete_relationship", "delete_relationships", "find_links", "node_labels", "page_nodes",
           "page_relationships_of_type", "parameters_of", "quote_name", "relationship_by_id",
           "relationship_id_constraint", "relationships_by_ids", "schema_statements", "statements"]

# Labels the store itself uses besides the vocabulary's node types.
STORE_LABELS = ("Node", "Change", "Counter", "Token", "Setting")


@dataclass(frozen=True)
class Statement:
    """One Cypher statement as sent: a name to report it by, its text and the parameters it uses."""

    name: str
    text: str
    parameters: tuple[str, ...]


def quote_name(name: str) -> str:
    """A vocabulary type name in backticks; ValueError for anything else (so input never reaches text).

    >>> quote_name("Initiative"), quote_name("ACCOUNTABLE_FOR")
    ('`Initiative`', '`ACCOUNTABLE_FOR`')
    """
    if not isinstance(name, str) or not (TYPE_NAME.fullmatch(name) or RELATIONSHIP_NAME.fullmatch(name)):
        raise ValueError(f"{name!r} is not a vocabulary type name; refusing to put it in Cypher.")
    return f"`{name}`"


# -- columns every read returns ----------------------------------------------------------------

_NODE = ("n.id AS id, n.type AS type, n.props AS props, n.created_at AS created_at, "
         "n.updated_at AS updated_at, n.version AS version")
_REL = ("r.id AS id, type(r) AS type, startNode(r).id AS source, endNode(r).id AS target, "
        "r.props AS props, r.created_at AS created_at")
_CHANGE = ("c.seq AS seq, c.at AS at, c.actor AS actor, c.operation AS operation, c.subject AS subject, "
           "c.before AS before, c.after AS after")
_TOKEN = "t.name AS name, t.role AS role, t.token_hash AS token_hash, t.created_at AS created_at, " \
         "t.revoked_at AS revoked_at"
# Lists of one type: every searched word (folded, see search.py) in search_text, exact values and
# inclusive range ends on the p_<name> mirrors. A missing property compares as null: not matched.
_NODE_FILTER = ("WHERE all(word IN $words WHERE n.search_text CONTAINS word)\n"
                "  AND all(key IN keys($match_props) WHERE n['p_' + key] = $match_props[key])\n"
                "  AND all(key IN keys($low) WHERE n['p_' + key] >= $low[key])\n"
                "  AND all(key IN keys($high) WHERE n['p_' + key] <= $high[key])")
# Best match first (search.py), as two keys that sort false first: the main property (search_text's
# first line) starts with the phrase; else it holds every word; else the words are in other fields.
_RANK_KEYS = ("NOT (n.search_text STARTS WITH $phrase) AS later,\n"
              "  NOT all(word IN $words WHERE split(n.search_text, $separator)[0] CONTAINS word) AS elsewhere")
# One sort key: $sort_field names the Neo4j property (label, a stamp or a p_<name> mirror). Strings in
# any case order together; missing values go last whichever the direction.
_NODE_ORDER = ("ORDER BY later, elsewhere, sort_value IS NULL, CASE WHEN $descending THEN sort_value END DESC,\n"
               "  CASE WHEN NOT $descending THEN sort_value END, toLower(n.label), n.id")
_REL_PAGE = f"WITH r ORDER BY r.created_at, r.id SKIP $offset LIMIT $limit\nRETURN {_REL}"
# Lookups by a key name their index (USING INDEX SEEK). Without the hint the planner may scan the whole
# index and filter (a cost of the graph's size per lookup) while its statistics are stale, as they are
# after `init` on an empty database and during a first import, and it caches that plan
# (tests/test_neo4j_live_store.py explains every hot read on such a database).
_SEEK_NODE_ID = "USING INDEX SEEK {variable}:Node(id)"
# A statement with seek hints keeps the plan it was first given (replan=skip): the hints fix its shape
# anyway, and Neo4j otherwise replans a cached statement whenever the statistics have moved enough, as
# they do after every large import: for the 25 UNIONed seeks of relationship_by_id that took 1-2.5 s
# inside the next single write (docs/benchmarks.md, "Neo4j beside SQLite").
PLAN_ONCE = "CYPHER replan=skip\n"


def _plan_once(text: str) -> str:
    """The statement with the prefix that keeps its first plan (see PLAN_ONCE)."""
    return PLAN_ONCE + text


def _plans_once(make):
    """A statement generator whose statements keep their first plan."""
    @functools.wraps(make)
    def pinned(name):
        return _plan_once(make(name))
    return pinned

# -- schema: constraints and indexes (idempotent) ----------------------------------------------

NODE_ID_CONSTRAINT = "CREATE CONSTRAINT node_id IF NOT EXISTS FOR (n:Node) REQUIRE n.id IS UNIQUE"
CHANGE_SEQ_CONSTRAINT = "CREATE CONSTRAINT change_seq IF NOT EXISTS FOR (c:Change) REQUIRE c.seq IS UNIQUE"
COUNTER_NAME_CONSTRAINT = "CREATE CONSTRAINT counter_name IF NOT EXISTS FOR (c:Counter) REQUIRE c.name IS UNIQUE"
TOKEN_NAME_CONSTRAINT = "CREATE CONSTRAINT token_name IF NOT EXISTS FOR (t:Token) REQUIRE t.name IS UNIQUE"
TOKEN_HASH_CONSTRAINT = "CREATE CONSTRAINT token_hash IF NOT EXISTS FOR (t:Token) REQUIRE t.token_hash IS UNIQUE"
SETTING_NAME_CONSTRAINT = "CREATE CONSTRAINT setting_name IF NOT EXISTS FOR (s:Setting) REQUIRE s.name IS UNIQUE"
NODE_LABEL_INDEX = "CREATE INDEX node_label IF NOT EXISTS FOR (n:Node) ON (n.label)"
NODE_TYPE_INDEX = "CREATE INDEX node_type IF NOT EXISTS FOR (n:Node) ON (n.type)"
CHANGE_SUBJECT_INDEX = "CREATE INDEX change_subject IF NOT EXISTS FOR (c:Change) ON (c.subject)"
CHANGE_ACTOR_INDEX = "CREATE INDEX change_actor IF NOT EXISTS FOR (c:Change) ON (c.actor)"
CHANGE_AT_INDEX = "CREATE INDEX change_at IF NOT EXISTS FOR (c:Change) ON (c.at)"

# -- the change log ----------------------------------------------------------------------------

# First statement of every write transaction (and of a snapshot): creates the counter if missing
# and write-locks it until commit or rollback. Returns the newest seq.
LOCK_WRITERS = """MERGE (c:Counter {name: 'changes'})
SET c.value = coalesce(c.value, 0)
RETURN c.value AS seq"""
# Last statement of a write transaction: the whole batch of change-log entries, seqs from the
# locked counter. No row comes back (appended = 0) if the counter is not where the lock left it.
APPEND_CHANGES = _plan_once("""MATCH (c:Counter {name: 'changes'})
USING INDEX SEEK c:Counter(name)
WHERE c.value = $seq
SET c.value = $seq + size($rows)
WITH c
UNWIND $rows AS row
CREATE (change:Change {seq: row.seq, at: row.at, actor: row.actor, operation: row.operation,
                       subject: row.subject, before: row.before, after: row.after})
RETURN count(change) AS appended""")
LAST_SEQ = _plan_once("OPTIONAL MATCH (c:Counter {name: 'changes'})\nUSING INDEX SEEK c:Counter(name)\n"
            "RETURN coalesce(c.value, 0) AS seq")
CHANGES_SINCE = _plan_once(f"MATCH (c:Change)\nUSING INDEX SEEK c:Change(seq)\nWHERE c.seq > $seq\n"
                 f"WITH c ORDER BY c.seq LIMIT $limit\nRETURN {_CHANGE}")
# The newest entry at or before a moment: the index on `at` read backwards from it.
SEQ_AT = """MATCH (c:Change)
WHERE c.at <= $at
WITH c ORDER BY c.at DESC, c.seq DESC LIMIT 1
RETURN c.seq AS seq"""
HISTORY = f"""MATCH (c:Change)
WHERE ($since IS NULL OR c.at >= $since)
WITH c ORDER BY c.seq DESC LIMIT $limit
RETURN {_CHANGE}"""
HISTORY_OF_SUBJECT = _plan_once(f"""MATCH (c:Change {{subject: $subject}})
USING INDEX SEEK c:Change(subject)
WHERE ($actor IS NULL OR c.actor = $actor) AND ($since IS NULL OR c.at >= $since)
WITH c ORDER BY c.seq DESC LIMIT $limit
RETURN {_CHANGE}""")
HISTORY_BY_ACTOR = _plan_once(f"""MATCH (c:Change {{actor: $actor}})
USING INDEX SEEK c:Change(actor)
WHERE ($since IS NULL OR c.at >= $since)
WITH c ORDER BY c.seq DESC LIMIT $limit
RETURN {_CHANGE}""")

# Erasure: the entries that mention an id (as subject, or as a quoted JSON string in before/after),
# then each rewritten in place under its seq. A full scan of the log; erasures are rare.
CHANGES_MENTIONING = f"""MATCH (c:Change)
WHERE c.subject = $subject OR c.before CONTAINS $quoted OR c.after CONTAINS $quoted
WITH c ORDER BY c.seq
RETURN {_CHANGE}"""
REWRITE_CHANGES = _plan_once("""UNWIND $rows AS row
MATCH (c:Change {seq: row.seq})
USING INDEX SEEK c:Change(seq)
SET c.subject = row.subject, c.before = row.before, c.after = row.after
RETURN count(c) AS rewritten""")
# After an erasure: flush to the store files now, so transaction logs holding the old values become
# prunable under the server's log retention policy (see docs/data-protection.md).
CHECKPOINT = "CALL db.checkpoint()"

# -- nodes -------------------------------------------------------------------------------------

GET_NODE = _plan_once(f"MATCH (n:Node {{id: $id}})\nUSING INDEX SEEK n:Node(id)\nRETURN {_NODE}")
UPDATE_NODE = _plan_once("MATCH (n:Node {id: $id})\nUSING INDEX SEEK n:Node(id)\n"
                         "SET n = $node_props\nRETURN n.id AS id")
# Its relationships are read (and logged) first; the writers' lock keeps that set unchanged.
DELETE_NODE = _plan_once("MATCH (n:Node {id: $id})\nUSING INDEX SEEK n:Node(id)\nDETACH DELETE n")
COUNT_NODES = "MATCH (n:Node)\nRETURN count(n) AS total"
# Search across types ($types null for all), best match first. Words and phrase are folded (search.py).
_SEARCH = ("MATCH (n:Node)\nWHERE ($types IS NULL OR n.type IN $types)\n"
           "  AND all(word IN $words WHERE n.search_text CONTAINS word)")
COUNT_SEARCH = f"{_SEARCH}\nRETURN count(n) AS total"
PAGE_SEARCH = f"""{_SEARCH}
WITH n, {_RANK_KEYS}
ORDER BY later, elsewhere, toLower(n.label), n.id SKIP $offset LIMIT $limit
RETURN {_NODE}"""
# Stores made before search_text existed: filled in batches by ``initialise`` (folding is Python's).
NODES_WITHOUT_SEARCH_TEXT = f"MATCH (n:Node)\nWHERE n.search_text IS NULL\nWITH n LIMIT $limit\nRETURN {_NODE}"
# When the searched fields change (a property made sensitive must stop being searchable): every node,
# in batches by id.
NODES_AFTER = f"MATCH (n:Node)\nWHERE n.id > $after\nWITH n ORDER BY n.id LIMIT $limit\nRETURN {_NODE}"
# Only on the version that was read: a write since then has set its own search_text.
SET_SEARCH_TEXT = _plan_once("UNWIND $rows AS row\nMATCH (n:Node {id: row.id})\nUSING INDEX SEEK n:Node(id)\n"
                   "WHERE n.version = row.version OR row.version IS NULL\n"
                   "SET n.search_text = row.search_text")
ALL_NODES = f"MATCH (n:Node)\nWITH n ORDER BY n.id\nRETURN {_NODE}"

# -- bulk reads and batched writes (imports): one statement per list, the list as $ids or $rows ----

GET_NODES = _plan_once(f"UNWIND $ids AS node_id\nMATCH (n:Node {{id: node_id}})\n"
                       f"USING INDEX SEEK n:Node(id)\nRETURN {_NODE}")
# Each row is a node's whole new set of Neo4j properties (as UPDATE_NODE's $node_props): ``SET n =``
# replaces them all, so a property dropped from the node loses its p_<name> mirror too.
WRITE_NODES = _plan_once("UNWIND $rows AS row\nMATCH (n:Node {id: row.id})\nUSING INDEX SEEK n:Node(id)\nSET n = row")

# -- relationships -----------------------------------------------------------------------------

RELATIONSHIPS_OF = _plan_once(f"""MATCH (a:Node {{id: $id}})-[r]-()
USING INDEX SEEK a:Node(id)
WITH DISTINCT r ORDER BY r.created_at, r.id
RETURN {_REL}""")
_FROM = "MATCH (a:Node {id: $source})-[r]->(b:Node)\nUSING INDEX SEEK a:Node(id)\n" \
        "WHERE ($rel_type IS NULL OR type(r) = $rel_type) " \
        "AND ($target IS NULL OR b.id = $target)"
_TO = "MATCH (:Node)-[r]->(b:Node {id: $target})\nUSING INDEX SEEK b:Node(id)\n" \
      "WHERE ($rel_type IS NULL OR type(r) = $rel_type)"
COUNT_RELATIONSHIPS_FROM = _plan_once(f"{_FROM}\nRETURN count(r) AS total")
PAGE_RELATIONSHIPS_FROM = _plan_once(f"{_FROM}\n{_REL_PAGE}")
COUNT_RELATIONSHIPS_TO = _plan_once(f"{_TO}\nRETURN count(r) AS total")
PAGE_RELATIONSHIPS_TO = _plan_once(f"{_TO}\n{_REL_PAGE}")
COUNT_RELATIONSHIPS = "MATCH ()-[r]->()\nRETURN count(r) AS total"
PAGE_RELATIONSHIPS = f"MATCH ()-[r]->()\n{_REL_PAGE}"
ALL_RELATIONSHIPS = f"MATCH ()-[r]->()\nWITH r ORDER BY r.id\nRETURN {_REL}"

# -- access tokens -----------------------------------------------------------------------------

CREATE_TOKEN = f"""OPTIONAL MATCH (taken:Token)
WHERE taken.name = $name OR taken.token_hash = $token_hash
WITH taken LIMIT 1
WITH taken WHERE taken IS NULL
CREATE (t:Token {{name: $name, role: $role, token_hash: $token_hash, created_at: $created_at}})
RETURN {_TOKEN}"""
FIND_TOKEN = _plan_once(f"MATCH (t:Token {{token_hash: $token_hash}})\nUSING INDEX SEEK t:Token(token_hash)\n"
                        f"RETURN {_TOKEN}")
TOKEN_BY_NAME = _plan_once(f"MATCH (t:Token {{name: $name}})\nUSING INDEX SEEK t:Token(name)\nRETURN {_TOKEN}")
LIST_TOKENS = f"MATCH (t:Token)\nWITH t ORDER BY t.created_at, t.name\nRETURN {_TOKEN}"
REVOKE_TOKEN = "MATCH (t:Token {name: $name})\nSET t.revoked_at = $revoked_at"

# -- store settings: (:Setting {name, value}), e.g. which fields search_text was made from ----------

GET_SETTING = "OPTIONAL MATCH (s:Setting {name: $name})\nRETURN s.value AS value"
SET_SETTING = "MERGE (s:Setting {name: $name})\nSET s.value = $value"

# -- migration (copy_in): records exactly as given, in batches, logging nothing of their own -----

COPY_CHANGES = """UNWIND $rows AS row
CREATE (change:Change {seq: row.seq, at: row.at, actor: row.actor, operation: row.operation,
                       subject: row.subject, before: row.before, after: row.after})
RETURN count(change) AS copied"""
RAISE_COUNTER = "MATCH (c:Counter {name: 'changes'})\nWHERE c.value < $seq\nSET c.value = $seq"
COPY_TOKENS = """UNWIND $rows AS row
CREATE (t:Token {name: row.name, role: row.role, token_hash: row.token_hash, created_at: row.created_at,
                 revoked_at: row.revoked_at})
RETURN count(t) AS copied"""

# -- test fixtures only: empties the database (constraints and indexes stay) ---------------------

ERASE_EVERYTHING = "MATCH (n)\nDETACH DELETE n"

# -- generated from the vocabulary -------------------------------------------------------------


@_plans_once
def create_node(node_type: str) -> str:
    """Create a node of one type unless its id is taken (then no row comes back)."""
    return f"""OPTIONAL MATCH (taken:Node {{id: $id}})
{_SEEK_NODE_ID.format(variable="taken")}
WITH taken WHERE taken IS NULL
CREATE (n:Node:{quote_name(node_type)})
SET n = $node_props
RETURN n.id AS id"""


def copy_nodes(node_type: str) -> str:
    """A batch of nodes of one type, each row being the node's Neo4j properties."""
    return f"UNWIND $rows AS row\nCREATE (n:Node:{quote_name(node_type)})\nSET n = row\nRETURN count(n) AS copied"


def count_nodes(node_type: str) -> str:
    return f"MATCH (n:{quote_name(node_type)})\n{_NODE_FILTER}\nRETURN count(n) AS total"


def page_nodes(node_type: str) -> str:
    """A page of one type: filtered, best match first when $ranked, then by the sort key, main property
    and id."""
    return f"""MATCH (n:{quote_name(node_type)})
{_NODE_FILTER}
WITH n, n[$sort_field] AS value, {_RANK_KEYS}
WITH n, $ranked AND later AS later, $ranked AND elsewhere AS elsewhere,
  CASE WHEN value IS :: STRING THEN toLower(value) ELSE value END AS sort_value
{_NODE_ORDER} SKIP $offset LIMIT $limit
RETURN {_NODE}"""


def node_labels(node_type: str) -> str:
    """(id, label) of every node of one type, by id: for matching names on import."""
    return f"MATCH (n:{quote_name(node_type)})\nWITH n ORDER BY n.id\nRETURN n.id AS id, n.label AS label"


def relationship_id_constraint(rel_type: str) -> str:
    """Relationship property uniqueness (Neo4j 5.7+, Community Edition too): ids unique per type."""
    quoted = quote_name(rel_type)
    return (f"CREATE CONSTRAINT `relationship_id_{rel_type}` IF NOT EXISTS "
            f"FOR ()-[r:{quoted}]-() REQUIRE r.id IS UNIQUE")


@_plans_once
def create_relationship(rel_type: str) -> str:
    """Create a relationship between two existing nodes (no row comes back if either is missing)."""
    return f"""MATCH (a:Node {{id: $source}})
{_SEEK_NODE_ID.format(variable="a")}
MATCH (b:Node {{id: $target}})
{_SEEK_NODE_ID.format(variable="b")}
CREATE (a)-[r:{quote_name(rel_type)} {{id: $id, props: $props_json, created_at: $created_at}}]->(b)
RETURN r.id AS id"""


@_plans_once
def copy_relationships(rel_type: str) -> str:
    """A batch of relationships of one type; rows whose ends are missing are not copied (count them)."""
    return f"""UNWIND $rows AS row
MATCH (a:Node {{id: row.source}})
{_SEEK_NODE_ID.format(variable="a")}
MATCH (b:Node {{id: row.target}})
{_SEEK_NODE_ID.format(variable="b")}
CREATE (a)-[r:{quote_name(rel_type)} {{id: row.id, props: row.props, created_at: row.created_at}}]->(b)
RETURN count(r) AS copied"""


@_plans_once
def delete_relationship(rel_type: str) -> str:
    return f"MATCH ()-[r:{quote_name(rel_type)} {{id: $id}}]->()\n{_seek_relationship_id(rel_type)}\nDELETE r"


@_plans_once
def delete_relationships(rel_type: str) -> str:
    """A batch of relationships of one type by id: one seek each in the type's id index."""
    return (f"UNWIND $ids AS rel_id\nMATCH ()-[r:{quote_name(rel_type)} {{id: rel_id}}]->()\n"
            f"{_seek_relationship_id(rel_type)}\nDELETE r")


@_plans_once
def find_links(rel_type: str) -> str:
    """Relationships of one type between the (source, target) pairs in $rows, oldest first per pair
    (the reader keeps the first it sees for each pair)."""
    return f"""UNWIND $rows AS row
MATCH (a:Node {{id: row.source}})-[r:{quote_name(rel_type)}]->(:Node {{id: row.target}})
{_SEEK_NODE_ID.format(variable="a")}
WITH DISTINCT r ORDER BY r.created_at, r.id
RETURN {_REL}"""


@_plans_once
def count_incoming(rel_type: str) -> str:
    """How many relationships of one type end at each node of $ids; nodes with none give no row.
    DISTINCT: an id given twice is still counted once."""
    return f"""UNWIND $ids AS node_id
WITH DISTINCT node_id
MATCH (n:Node {{id: node_id}})<-[r:{quote_name(rel_type)}]-()
{_SEEK_NODE_ID.format(variable="n")}
RETURN node_id AS target, count(r) AS total"""


def count_relationships_of_type(rel_type: str) -> str:
    return f"MATCH ()-[r:{quote_name(rel_type)}]->()\nRETURN count(r) AS total"


def page_relationships_of_type(rel_type: str) -> str:
    return f"MATCH ()-[r:{quote_name(rel_type)}]->()\n{_REL_PAGE}"


@_plans_once
def relationship_by_id(rel_types) -> str:
    """One relationship by id whatever its type: one index seek per vocabulary type, unioned."""
    return "\nUNION ALL\n".join(f"MATCH ()-[r:{quote_name(t)} {{id: $id}}]->()\n{_seek_relationship_id(t)}\n"
                                f"RETURN {_REL}" for t in sorted(rel_types))


@_plans_once
def relationships_by_ids(rel_types) -> str:
    """Relationships by id whatever their types: per vocabulary type, one index seek per id, unioned."""
    return "\nUNION ALL\n".join(f"UNWIND $ids AS rel_id\nMATCH ()-[r:{quote_name(t)} {{id: rel_id}}]->()\n"
                                f"{_seek_relationship_id(t)}\nRETURN {_REL}" for t in sorted(rel_types))


def _seek_relationship_id(rel_type: str) -> str:
    """The hint to seek ``r`` in its type's id index (see _SEEK_NODE_ID)."""
    return f"USING INDEX SEEK r:{quote_name(rel_type)}(id)"


def schema_statements(vocabulary: Vocabulary) -> list[str]:
    """The constraints and indexes ``initialise`` creates, in order."""
    fixed = [NODE_ID_CONSTRAINT, CHANGE_SEQ_CONSTRAINT, COUNTER_NAME_CONSTRAINT, TOKEN_NAME_CONSTRAINT,
             TOKEN_HASH_CONSTRAINT, SETTING_NAME_CONSTRAINT, NODE_LABEL_INDEX, NODE_TYPE_INDEX, CHANGE_SUBJECT_INDEX,
             CHANGE_ACTOR_INDEX, CHANGE_AT_INDEX]
    return fixed + [relationship_id_constraint(t) for t in sorted(vocabulary.relationship_types)]


# -- the catalogue -----------------------------------------------------------------------------

_PARAMETER = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_NODE_GENERATORS = (create_node, copy_nodes, count_nodes, page_nodes, node_labels)
_REL_GENERATORS = (relationship_id_constraint, create_relationship, copy_relationships, delete_relationship,
                   delete_relationships, find_links, count_incoming, count_relationships_of_type,
                   page_relationships_of_type)


def parameters_of(text: str) -> tuple[str, ...]:
    """The ``$parameters`` a statement uses, in order of first use."""
    return tuple(dict.fromkeys(_PARAMETER.findall(text)))


def constants() -> dict[str, str]:
    """The fixed statements: every UPPER_CASE string constant of this module that is Cypher."""
    return {name: value for name, value in globals().items()
            if name.isupper() and not name.startswith("_") and isinstance(value, str) and name != "PLAN_ONCE"}


CONSTANT_NAMES = tuple(constants())


def statements(vocabulary: Vocabulary) -> list[Statement]:
    """Every statement the store can send for this vocabulary: the constants and, for each node
    and relationship type, each generated one."""
    found = [Statement(name, text, parameters_of(text)) for name, text in constants().items()]
    for node_type in sorted(vocabulary.node_types):
        found += [_generated(make, node_type) for make in _NODE_GENERATORS]
    for rel_type in sorted(vocabulary.relationship_types):
        found += [_generated(make, rel_type) for make in _REL_GENERATORS]
    for make in (relationship_by_id, relationships_by_ids):  # one statement over all the types
        text = make(vocabulary.relationship_types)
        found.append(Statement(make.__name__, text, parameters_of(text)))
    return found


def _generated(make, name: str) -> Statement:
    text = make(name)
    return Statement(f"{make.__name__}:{name}", text, parameters_of(text))
