"""Progress updates on actions: each a record of its own, never overwritten text.

An update is a ProgressUpdate node with a REPORTS_ON relationship to its action. Recording one with
:func:`record_update` keeps the action in step in the same transaction: ``last_update`` (never moved
back by a back-dated update) and, when the update revises the due date, ``due_date`` and
``original_due_date`` (set at the first revision, kept after).

Other write paths (the generic ``/api/v1/progress_updates`` collection, imports) create plain
records and leave the action alone, so readers never trust ``last_update`` alone: an action's
latest update is derived from the graph (:func:`latest_update`), and the gap report, the action log
and the pages agree whichever path wrote it.

>>> import networkx as nx
>>> g = nx.MultiDiGraph()
>>> g.add_node("a1", type="Action", title="Publish")
>>> g.add_node("u1", type="ProgressUpdate", summary="Drafted", date="2026-11-02", rag="green")
>>> g.add_node("u2", type="ProgressUpdate", summary="Printer late", date="2026-11-20", rag="amber")
>>> _ = g.add_edges_from([("u1", "a1", "r1", {"type": "REPORTS_ON"}), ("u2", "a1", "r2", {"type": "REPORTS_ON"})])
>>> latest_update(g, "a1")["summary"], [u["id"] for u in updates_of(g, "a1")]
('Printer late', ['u2', 'u1'])
"""

from __future__ import annotations

import datetime as dt
import weakref
from dataclasses import dataclass, replace
from typing import Any

import networkx as nx
from marshmallow import RAISE, Schema

from .errors import Invalid, NotFound
from .rules import check_links_after_update, is_example
from .schemas import SchemaSet, load_collecting, property_field
from .service import GraphService, check_if_match, new_node_id
from .store.model import Node, Operation
from .store.port import GraphReader
from .vocabulary import EXAMPLE_PROPERTY

__all__ = ["ACTION", "RECORD_ROLE", "REPORTS_ON", "UPDATE", "Recorded", "default_summary", "latest_update",
           "latest_update_date", "new_entry", "record_update", "recorded_by", "update_entries", "update_input_schema",
           "updates_of"]

ACTION, UPDATE, REPORTS_ON = "Action", "ProgressUpdate", "REPORTS_ON"
RECORD_ROLE = "coordinator"  # an owner or coordinator reports progress; the API's default write role
MAX_UPDATES = 10_000  # far beyond any one action's updates; a bound on a read inside a write
CHANGES_SCANNED = 20  # an update's change-log entries read to find who recorded it (its creation)
UNKNOWN_FIELD = ("Unknown field. An update takes {names}; its id is made for it, and it is example data exactly "
                 "when its action is.")
REASON_NEEDED = "Say why the due date moved: a revised due date needs its reason."
REASON_ALONE = "Give the revised due date this reason is for, or leave the reason out."
FUTURE_DATE = "The update's date cannot be after today ({today}, UTC): report what has happened."


@dataclass(frozen=True)
class Recorded:
    update: Node
    action: Node


# -- recording ----------------------------------------------------------------------------------

def record_update(service: GraphService, action_id: str, body: Any, actor: str, if_match: str | None = None,
                  today: dt.date | None = None) -> Recorded:
    """Record a progress update on the action and keep the action in step, in one transaction.

    404 (NotFound) unless ``action_id`` is an Action; 412 when ``if_match`` is not the action's ETag;
    422 (Invalid) with field messages for a bad body: unknown fields, a date after ``today`` (UTC),
    a revised due date without its reason, or one on a closed action.
    """
    today = today or dt.datetime.now(dt.UTC).date()
    with service.store.transaction(actor) as tx:
        action = _action(tx, action_id)
        check_if_match(action, if_match)
        clean = _validated(service, action, body, today)
        properties = {**clean, EXAMPLE_PROPERTY: True} if is_example(action) else clean  # examples stay apart
        update = tx.create_node(UPDATE, new_node_id(service.node_type(UPDATE)), properties)
        service.add_relationship(tx, REPORTS_ON, update.id, action.id, {})
        before = action.properties
        changed = _in_step(before, clean, updates_of(tx, action.id))
        if changed != before:
            action = tx.update_node(action.id, changed)
            check_links_after_update(service.vocabulary, tx, action, before)
        return Recorded(update, action)


def default_summary(date: str | None) -> str:
    """What an update without a summary is called: "Progress update, 1 December 2026"."""
    try:
        day = dt.date.fromisoformat(date or "")
    except ValueError:
        return "Progress update"
    return f"Progress update, {day.day} {day:%B %Y}"


def update_input_schema(schemas: SchemaSet) -> type[Schema]:
    """The body of a recorded update, from the vocabulary: ProgressUpdate's properties but the example
    mark (it follows the action), no id, and a summary that may be left out (one is written)."""
    built = _INPUTS.get(schemas)
    if built is None:
        node_type = schemas.vocabulary.node_type(UPDATE)
        attrs: dict[str, Any] = {
            name: property_field(replace(spec, required=False) if name == "summary" else spec)
            for name, spec in node_type.properties.items() if name != EXAMPLE_PROPERTY}
        meta = type("Meta", (), {"unknown": RAISE, "ordered": True})
        built = _INPUTS[schemas] = type("ProgressUpdateRecordInput", (Schema,), {
            "Meta": meta, "error_messages": {"unknown": UNKNOWN_FIELD.format(names=", ".join(attrs))}, **attrs})
    return built


_INPUTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # SchemaSet -> its input schema


# -- reading ------------------------------------------------------------------------------------

def updates_of(source: nx.MultiDiGraph | GraphReader, action_id: str) -> list[dict]:
    """The action's updates, newest first (latest ``date``, then newest ``updated_at``, then id), each
    ``{id, <properties>, example, updated_at}``. ``source`` is the projection graph or a store reader.
    NotFound unless ``action_id`` is an Action."""
    if isinstance(source, nx.MultiDiGraph):
        if action_id not in source or source.nodes[action_id].get("type") != ACTION:
            raise NotFound(f"No Action has id '{action_id}'.")
        records = [_graph_record(source, node) for node in _linked(source, action_id)]
    else:
        _action(source, action_id)
        links = source.find_relationships(rel_type=REPORTS_ON, target=action_id, limit=MAX_UPDATES)[0]
        nodes = source.get_nodes({rel.source for rel in links}).values()
        records = [_record(node.id, node.properties, node.updated_at) for node in nodes if node.type == UPDATE]
    return sorted(records, key=_newest, reverse=True)


def latest_update(graph: nx.MultiDiGraph, action_id: str) -> dict | None:
    """The action's latest update (as :func:`updates_of` orders them), or None; no check of the action."""
    found = [(_newest(graph._node[node] | {"id": node}), node) for node in _linked(graph, action_id)]
    return _graph_record(graph, max(found)[1]) if found else None


def latest_update_date(graph: nx.MultiDiGraph, action_id: str) -> str | None:
    """The latest date among the action's updates (all the gap report needs of them), or None."""
    nodes = graph._node
    return max((str(nodes[update].get("date") or "") for update in _linked(graph, action_id)), default="") or None


def recorded_by(store, update_ids) -> dict[str, dict]:
    """Who recorded each update and when, from its creation in the change log: ``{id: {actor, at}}``
    (absent when the log no longer holds the creation among its last entries about the update)."""
    found = {}
    for update_id in update_ids:
        for change in store.history(subject=update_id, limit=CHANGES_SCANNED):
            if change.operation == Operation.CREATE_NODE:
                found[update_id] = {"actor": change.actor, "at": change.at}
    return found


def new_entry(update: Node, actor: str) -> dict:
    """A just-recorded update as :func:`update_entries` shows one (its creation is the update's own stamp)."""
    return {**_record(update.id, update.properties, update.updated_at), "recorded_by": actor,
            "recorded_at": update.created_at}


def update_entries(service: GraphService, action_id: str, limit: int = 50, offset: int = 0) -> dict:
    """A page of the action's updates, newest first, each with who recorded it and when (``recorded_by``,
    ``recorded_at``; None when unknown): what both the API and the action's page show."""
    updates = updates_of(service.graph(), action_id)
    page = updates[offset:offset + limit]
    who = recorded_by(service.store, [update["id"] for update in page])
    items = [{**update, "recorded_by": who.get(update["id"], {}).get("actor"),
              "recorded_at": who.get(update["id"], {}).get("at")} for update in page]
    return {"action": action_id, "items": items, "total": len(updates), "limit": limit, "offset": offset}


# -- helpers ------------------------------------------------------------------------------------

def _validated(service: GraphService, action: Node, body: Any, today: dt.date) -> dict[str, Any]:
    """The update's properties, or Invalid with every field's problem at once."""
    if not isinstance(body, dict):
        raise Invalid("Send the update as a JSON object.", {"_schema": ["Expected a JSON object."]})
    if not str(body.get("summary") or "").strip():
        body = {**body, "summary": default_summary(body.get("date") if isinstance(body.get("date"), str) else None)}
    clean, errors = load_collecting(update_input_schema(service.schemas)(), body)
    clean = {key: value for key, value in clean.items() if value is not None}
    for field, message in _rule_errors(action, clean, today).items():
        errors.setdefault(field, [message])
    if errors:
        raise Invalid(f"Invalid progress update. Check: {', '.join(sorted(errors))}.", errors)
    return clean


def _rule_errors(action: Node, update: dict[str, Any], today: dt.date) -> dict[str, str]:
    """What the vocabulary's types cannot say: no date after today, a revision with its reason, and
    no revision of a closed action's due date."""
    errors = {}
    if update.get("date", "") > today.isoformat():
        errors["date"] = FUTURE_DATE.format(today=f"{today.day} {today:%B %Y}")
    revised, reason = update.get("revised_due_date"), str(update.get("revision_reason") or "").strip()
    if revised and not reason:
        errors["revision_reason"] = REASON_NEEDED
    if reason and not revised:
        errors["revised_due_date"] = REASON_ALONE
    status = action.properties.get("status")
    if revised and _is_closed(status):
        errors["revised_due_date"] = (f"This action is {status.replace('_', ' ')}: a closed action's due date is not "
                                      "revised. Record the update without one (a closing note).")
    return errors


def _in_step(action: dict[str, Any], update: dict[str, Any], updates: list[dict]) -> dict[str, Any]:
    """The action's properties after the update: its last update is its latest update's date (a
    back-dated one moves nothing back); a revised due date keeps the first due date as the original."""
    dates = [action.get("last_update"), *(u.get("date") for u in updates)]
    changed = {**action, "last_update": max(d for d in dates if d)}
    revised, due = update.get("revised_due_date"), action.get("due_date")
    if revised and revised != due:
        if due and not action.get("original_due_date"):
            changed["original_due_date"] = due
        changed["due_date"] = revised
    return changed


def _is_closed(status: str | None) -> bool:
    # Imported here: the gap rules import this module's readers, and the rules' module imports them.
    from .analysis.gaps import CLOSED_ACTION

    return status in CLOSED_ACTION


def _action(reader: GraphReader, action_id: str) -> Node:
    node = reader.get_node(action_id)
    if node is None or node.type != ACTION:
        raise NotFound(f"No Action has id '{action_id}'.")
    return node


def _linked(graph: nx.MultiDiGraph, action_id: str) -> list[str]:
    """Ids of the updates reporting on the action. The vocabulary lets REPORTS_ON join only an update
    to an action, so the relationship's type is all there is to read (the gap report asks this of
    every open action)."""
    found = []
    for source, keyed in graph._pred[action_id].items():
        for data in keyed.values():
            if data["type"] == REPORTS_ON:
                found.append(source)
                break
    return found


def _graph_record(graph: nx.MultiDiGraph, node: str) -> dict:
    data = graph._node[node]
    return _record(node, {k: v for k, v in data.items() if k not in ("type", "updated_at")}, data.get("updated_at"))


def _record(node_id: str, properties: dict, updated_at: str | None) -> dict:
    return {"id": node_id, **properties, EXAMPLE_PROPERTY: properties.get(EXAMPLE_PROPERTY) is True,
            "updated_at": updated_at}


def _newest(update: dict) -> tuple[str, str, str]:
    return str(update.get("date") or ""), str(update.get("updated_at") or ""), update["id"]
