"""Recording a decision at a meeting: the decision, where it was taken, who answers for it and what it is about.

:func:`record_decision` writes, in one transaction, a Decision (its properties from the vocabulary; status
``open`` unless given), DECIDED_AT to the meeting, ACCOUNTABLE_FOR from the owner (optional) and CONCERNS
to each record it is about. Every link goes through the service's relationship writer, so the vocabulary's
endpoints and rules (caucus, examples-stay-apart, one-decision-owner) hold here as on every write path.
The decision is example data exactly when its meeting is.

Decisions are the governance group's: recording one needs the governance role (:data:`RECORD_ROLE`),
on the API and the pages alike. The generic ``/api/v1/decisions`` collection keeps its own (coordinator)
role for data entry and imports.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import Any

from marshmallow import RAISE, Schema, fields, validate

from .errors import Conflict, Invalid, NotFound
from .rules import is_example
from .schemas import SchemaSet, load_collecting, property_field
from .service import GraphService, new_node_id
from .store.model import Node
from .store.port import GraphReader, GraphTransaction
from .vocabulary import EXAMPLE_PROPERTY

__all__ = ["DECISION", "MAX_CONCERNS", "RECORD_ROLE", "Recorded", "decision_input_schema", "record_decision"]

DECISION, MEETING = "Decision", "Meeting"
DECIDED_AT, CONCERNS, ACCOUNTABLE = "DECIDED_AT", "CONCERNS", "ACCOUNTABLE_FOR"
RECORD_ROLE = "governance"
MAX_CONCERNS = 20  # a decision about more than this is several decisions; also bounds the work per request
DEFAULT_STATUS = "open"
ID_LENGTH = 200
UNKNOWN_FIELD = ("Unknown field. A decision takes {names}; its id is made for it, and it is example data "
                 "exactly when its meeting is.")


@dataclass(frozen=True)
class Recorded:
    decision: Node
    meeting: Node
    owner: Node | None
    concerns: list[Node]


def record_decision(service: GraphService, meeting_id: str, body: Any, actor: str) -> Recorded:
    """Record a decision taken at the meeting, in one transaction.

    404 (NotFound) unless ``meeting_id`` is a Meeting; 422 (Invalid) with field messages for a bad body
    (unknown fields, a property the vocabulary refuses, an owner or a concern that is missing or of a type
    the relationship does not allow, a link a rule refuses); 409 (Conflict) from a cardinality rule.
    """
    with service.store.transaction(actor) as tx:
        meeting = tx.get_node(meeting_id)
        if meeting is None or meeting.type != MEETING:
            raise NotFound(f"No meeting has id '{meeting_id[:ID_LENGTH]}'.")
        clean, owner_id, concern_ids, errors = _validated(service, body)
        owner, concerns = _linked_records(service, tx, owner_id, concern_ids, errors)  # every problem at once
        properties = {**clean, EXAMPLE_PROPERTY: True} if is_example(meeting) else clean  # examples stay apart
        decision = tx.create_node(DECISION, new_node_id(service.node_type(DECISION)), properties)
        service.add_relationship(tx, DECIDED_AT, decision.id, meeting.id, {})
        if owner is not None:
            _link(service, tx, ACCOUNTABLE, owner.id, decision.id, "owner")
        for node in concerns:
            _link(service, tx, CONCERNS, decision.id, node.id, "concerns")
        return Recorded(decision, meeting, owner, concerns)


def decision_input_schema(schemas: SchemaSet) -> type[Schema]:
    """The body of a recorded decision, from the vocabulary: Decision's properties but the example mark (it
    follows the meeting), plus ``owner`` (an id) and ``concerns`` (ids); no id (one is made)."""
    built = _INPUTS.get(schemas)
    if built is None:
        node_type = schemas.vocabulary.node_type(DECISION)
        attrs: dict[str, Any] = {name: property_field(spec) for name, spec in node_type.properties.items()
                                 if name != EXAMPLE_PROPERTY}
        attrs["owner"] = fields.String(allow_none=True, validate=validate.Length(max=ID_LENGTH), metadata={
            "description": "The id of the one accountable owner: a person, group or organisation (optional)."})
        attrs["concerns"] = fields.List(
            fields.String(validate=validate.Length(min=1, max=ID_LENGTH)), load_default=list,
            validate=validate.Length(max=MAX_CONCERNS),
            metadata={"description": f"Ids of what the decision is about (at most {MAX_CONCERNS}): actions, "
                                     "recommendations, initiatives and the other types CONCERNS allows."})
        meta = type("Meta", (), {"unknown": RAISE, "ordered": True})
        built = _INPUTS[schemas] = type("DecisionRecordInput", (Schema,), {
            "Meta": meta, "error_messages": {"unknown": UNKNOWN_FIELD.format(names=", ".join(attrs))}, **attrs})
    return built


_INPUTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # SchemaSet -> its input schema


# -- helpers ------------------------------------------------------------------------------------

def _validated(service: GraphService, body: Any) -> tuple[dict[str, Any], str | None, list[str], dict]:
    """(the decision's properties, the owner's id, the concerns' ids without repeats, the fields' errors):
    the owner and concerns that were well formed are still checked, so every problem is told at once."""
    if not isinstance(body, dict):
        raise Invalid("Send the decision as a JSON object.", {"_schema": ["Expected a JSON object."]})
    clean, errors = load_collecting(decision_input_schema(service.schemas)(), body)
    owner = (clean.pop("owner", None) or "").strip() or None
    concerns = list(dict.fromkeys(item.strip() for item in clean.pop("concerns", None) or [] if item.strip()))
    clean = {key: value for key, value in clean.items() if value is not None}
    clean.setdefault("status", DEFAULT_STATUS)
    return clean, owner, concerns, errors


def _linked_records(service: GraphService, reader: GraphReader, owner_id: str | None, concern_ids: list[str],
                    errors: dict) -> tuple[Node | None, list[Node]]:
    """The owner and the concerns, each checked against its relationship's endpoints; Invalid with ``errors``
    (the body's) and theirs together."""
    wanted = ([owner_id] if owner_id else []) + concern_ids
    found = reader.get_nodes(wanted)
    errors = dict(errors)
    owner = found.get(owner_id) if owner_id else None
    if owner_id and owner is None:
        errors["owner"] = [f"No record has id '{owner_id}'."]
    elif owner is not None and not service.relationship_type(ACCOUNTABLE).allows(owner.type, DECISION):
        errors["owner"] = [f"A {owner.type} cannot be accountable for a decision: choose a person, group or "
                           "organisation."]
    concerns_type = service.relationship_type(CONCERNS)
    for concern in concern_ids:
        node = found.get(concern)
        if node is None:
            errors.setdefault("concerns", []).append(f"No record has id '{concern}'.")
        elif not concerns_type.allows(DECISION, node.type):
            errors.setdefault("concerns", []).append(
                f"A decision cannot concern a {node.type} ('{concern}'). Must be one of: "
                f"{concerns_type.describe_endpoints()}.")
    if errors:
        raise Invalid(f"Invalid decision. Check: {', '.join(sorted(errors))}.", errors)
    return owner, [found[concern] for concern in concern_ids]


def _link(service: GraphService, tx: GraphTransaction, rel_type: str, source: str, target: str, field: str) -> None:
    """One of the decision's links through the service's writer, its refusal named after the body's field."""
    try:
        service.add_relationship(tx, rel_type, source, target, {})
    except (Invalid, Conflict) as exc:
        rule = (exc.errors or {}).get("rule")
        raise type(exc)(exc.message, {field: [exc.message], **({"rule": rule} if rule else {})}) from exc
