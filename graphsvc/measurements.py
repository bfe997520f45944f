"""An indicator's measurements: each a dated value of its own, recorded through the indicator.

A value is a Measurement node with a MEASUREMENT_OF relationship to its indicator and, when it is for
a population or a place rather than everyone, BROKEN_DOWN_BY relationships to them (at most two: a
population in a place). Recording one with :func:`record_measurement` keeps the indicator in step in
the same transaction: a whole-population value that is the newest by date becomes the indicator's
``latest_value``/``latest_date`` (a back-dated value never moves them back).

The rules are the vocabulary's: the body is checked by :func:`measurement_input_schema` (built from
Measurement's properties, so the small-numbers minimum and its message come from there), and a
breakdown by the link rules every write path checks (``small-cells``: a value for a population says
how many people it describes; the example boundary). They are only located here, at ``people`` and
``breakdown``, so a form and an import row can show them beside the field. The measurement tables
(graphsvc.measurement_tables) write each row with :func:`record_in`, the same checks and writes.

How a series is read and judged lives in graphsvc.analysis.indicators alone.
"""

from __future__ import annotations

import datetime as dt
import weakref
from dataclasses import dataclass
from typing import Any

from marshmallow import RAISE, Schema

from .analysis.indicators import BREAKDOWN, MEASUREMENT, MEASUREMENT_OF, judge, measurements
from .errors import Invalid, NotFound
from .rules import check_links_after_update, endpoint_error, is_example, link_breach
from .schemas import SchemaSet, load_collecting, property_field
from .service import GraphService, check_if_match, new_node_id
from .store.model import Node
from .store.port import GraphReader, GraphTransaction
from .vocabulary import EXAMPLE_PROPERTY

__all__ = ["BREAKDOWN", "INDICATOR", "MAX_BREAKDOWN", "MEASUREMENT", "MEASUREMENT_OF", "RECORD_ROLE", "Recorded",
           "check_measurement", "indicator_summary", "measurement_entries", "measurement_input_schema",
           "new_entry", "record_in", "record_measurement", "write_measurement"]

INDICATOR = "Indicator"
RECORD_ROLE = "coordinator"  # whoever keeps the indicator's return records its values; the API's write role
MAX_BREAKDOWN = 2  # a population, a place, or a population in a place
SUMMARY_FIELDS = ("name", "unit", "direction", "baseline", "baseline_date", "target", "target_date")
UNKNOWN_FIELD = ("Unknown field. A measurement takes {names}; its id is made for it, and it is example data "
                 "exactly when its indicator is.")
FUTURE_DATE = "The measurement's date cannot be after today ({today}, UTC): record a period that has ended."
BREAKDOWN_SHAPE = (f"Give the breakdown as a list of at most {MAX_BREAKDOWN} ids, each a population or a place; "
                   "leave it out for a value for the whole population.")
BREAKDOWN_TWICE = "Each population or place is named once."
NO_SUCH_RECORD = "No record has id '{id}'."


@dataclass(frozen=True)
class Recorded:
    measurement: Node
    indicator: Node
    breakdown: tuple[dict[str, Any], ...] = ()  # {id, type, name} of each population or place, as series show them


@dataclass(frozen=True)
class _Pending:
    """The measurement about to be written, as the link rules read a source end."""

    id: str
    type: str
    properties: dict[str, Any]


# -- recording ----------------------------------------------------------------------------------

def record_measurement(service: GraphService, indicator_id: str, body: Any, actor: str,
                       if_match: str | None = None, today: dt.date | None = None) -> Recorded:
    """Record a value of the indicator and keep the indicator in step, in one transaction.

    404 (NotFound) unless ``indicator_id`` is an Indicator; 412 when ``if_match`` is not the
    indicator's ETag; 422 (Invalid) with field messages for a bad body: the vocabulary's types and
    small-numbers minimum, a date after ``today`` (UTC), a breakdown that is not one or two
    populations or places, or one without ``people``.
    """
    today = today or dt.datetime.now(dt.UTC).date()
    with service.store.transaction(actor) as tx:
        check_if_match(_indicator(tx, indicator_id), if_match)
        return record_in(service, tx, indicator_id, body, today)


def record_in(service: GraphService, tx: GraphTransaction, indicator_id: str, body: Any,
              today: dt.date) -> Recorded:
    """Check and write one measurement inside an open transaction: what a recorded value and every
    imported row go through."""
    indicator = _indicator(tx, indicator_id)
    clean, breakdown = check_measurement(service, tx, indicator, body, today)
    return write_measurement(service, tx, indicator, clean, breakdown)


def check_measurement(service: GraphService, reader: GraphReader, indicator: Node, body: Any,
                      today: dt.date) -> tuple[dict[str, Any], list[Node]]:
    """The measurement's properties and the populations or places it is broken down by, or Invalid
    with every field's problem at once. Writes nothing."""
    if not isinstance(body, dict):
        raise Invalid("Send the measurement as a JSON object.", {"_schema": ["Expected a JSON object."]})
    body = dict(body)
    wanted = body.pop("breakdown", None)
    clean, errors = load_collecting(measurement_input_schema(service.schemas)(), body)
    clean = {key: value for key, value in clean.items() if value is not None}
    if clean.get("date", "") > today.isoformat():
        errors.setdefault("date", [FUTURE_DATE.format(today=f"{today.day} {today:%B %Y}")])
    breakdown, problems = _breakdown(service, reader, wanted)
    if not problems and breakdown and "people" not in errors:
        problems = _link_problems(service, indicator, clean, breakdown)
    for field, message in problems.items():
        errors.setdefault(field, [message])
    if errors:
        raise Invalid(f"Invalid measurement. Check: {', '.join(sorted(errors))}.", errors)
    return clean, breakdown


def write_measurement(service: GraphService, tx: GraphTransaction, indicator: Node, clean: dict[str, Any],
                      breakdown: list[Node]) -> Recorded:
    """Create the checked measurement, its links, and keep the indicator's latest value in step."""
    properties = {**clean, EXAMPLE_PROPERTY: True} if is_example(indicator) else clean  # examples stay apart
    measurement = tx.create_node(MEASUREMENT, new_node_id(service.node_type(MEASUREMENT)), properties)
    service.add_relationship(tx, MEASUREMENT_OF, measurement.id, indicator.id, {})
    for part in breakdown:
        service.add_relationship(tx, BREAKDOWN, measurement.id, part.id, {})
    before = indicator.properties
    changed = _in_step(before, clean, breakdown)
    if changed != before:
        indicator = tx.update_node(indicator.id, changed)
        check_links_after_update(service.vocabulary, tx, indicator, before)
    return Recorded(measurement, indicator, tuple(_part(node) for node in sorted(breakdown, key=lambda n: n.id)))


def measurement_input_schema(schemas: SchemaSet) -> type[Schema]:
    """The body of a recorded measurement, from the vocabulary: Measurement's properties but the
    example mark (it follows the indicator) and no id. ``breakdown`` is read beside it (see
    :func:`check_measurement`) and documented in the API's schema."""
    built = _INPUTS.get(schemas)
    if built is None:
        node_type = schemas.vocabulary.node_type(MEASUREMENT)
        attrs: dict[str, Any] = {name: property_field(spec) for name, spec in node_type.properties.items()
                                 if name != EXAMPLE_PROPERTY}
        meta = type("Meta", (), {"unknown": RAISE, "ordered": True})
        names = ", ".join([*attrs, "breakdown"])
        built = _INPUTS[schemas] = type("MeasurementRecordInput", (Schema,), {
            "Meta": meta, "error_messages": {"unknown": UNKNOWN_FIELD.format(names=names)}, **attrs})
    return built


_INPUTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # SchemaSet -> its input schema


# -- reading ------------------------------------------------------------------------------------

def indicator_summary(indicator: Node) -> dict[str, Any]:
    """What a page of measurements says about their indicator: the fields its trajectory is made of."""
    return {"id": indicator.id, **{name: indicator.properties.get(name) for name in SUMMARY_FIELDS},
            EXAMPLE_PROPERTY: is_example(indicator)}


def measurement_entries(service: GraphService, indicator_id: str, limit: int = 50, offset: int = 0,
                        judged_on: dt.date | None = None) -> dict[str, Any]:
    """A page of the indicator's measurements, newest first, with how it stands on ``judged_on``
    (today, UTC, by default): what both the API and the indicator's page show."""
    indicator = service.get_node(indicator_id, INDICATOR)
    graph = service.graph()
    judged_on = judged_on or dt.datetime.now(dt.UTC).date()
    found = list(reversed(measurements(graph, indicator_id)))
    items = [_entry(point) for point in found[offset:offset + limit]]
    return {"indicator": indicator_summary(indicator), "judged_on": judged_on.isoformat(),
            "judgement": judge(graph, indicator_id, judged_on), "items": items, "total": len(found),
            "limit": limit, "offset": offset}


def new_entry(recorded: Recorded) -> dict[str, Any]:
    """A just-recorded measurement as :func:`measurement_entries` shows one."""
    measurement = recorded.measurement
    return _entry({"id": measurement.id, **measurement.properties, "updated_at": measurement.updated_at,
                   "breakdown": list(recorded.breakdown)})


# -- helpers ------------------------------------------------------------------------------------

def _breakdown(service: GraphService, reader: GraphReader, wanted: Any) -> tuple[list[Node], dict[str, str]]:
    """The records named by ``breakdown`` and the problem with them (located at ``breakdown``)."""
    if wanted is None or wanted == []:
        return [], {}
    if (not isinstance(wanted, list) or len(wanted) > MAX_BREAKDOWN
            or not all(isinstance(item, str) and item for item in wanted)):
        return [], {"breakdown": BREAKDOWN_SHAPE}
    if len(set(wanted)) != len(wanted):
        return [], {"breakdown": BREAKDOWN_TWICE}
    found = reader.get_nodes(set(wanted))
    parts = []
    for item in wanted:
        node = found.get(item)
        if node is None:
            return [], {"breakdown": NO_SUCH_RECORD.format(id=item)}
        rel_type = service.relationship_type(BREAKDOWN)
        if endpoint_error(rel_type, "(new)", MEASUREMENT, node.id, node.type) is not None:
            return [], {"breakdown": f"{node.type} '{node.id}' cannot be a breakdown: {BREAKDOWN} allows only "
                                     f"{rel_type.describe_endpoints()}."}
        parts.append(node)
    return parts, {}


def _link_problems(service: GraphService, indicator: Node, clean: dict[str, Any],
                   breakdown: list[Node]) -> dict[str, str]:
    """The vocabulary's link rules on the breakdown, located: a rule about a property of the
    measurement (small cells: ``people``) at that property, any other at ``breakdown``."""
    properties = {**clean, EXAMPLE_PROPERTY: True} if is_example(indicator) else clean
    pending = _Pending("(new)", MEASUREMENT, properties)
    for part in breakdown:
        rule = link_breach(service.vocabulary, BREAKDOWN, pending, part)
        if rule is not None:
            return {rule.property or "breakdown": " ".join(rule.message.split())}
    return {}


def _in_step(indicator: dict[str, Any], clean: dict[str, Any], breakdown: list[Node]) -> dict[str, Any]:
    """The indicator's properties after the value: a whole-population value at least as new as its
    latest date becomes its latest value; a broken-down or back-dated one changes nothing."""
    latest = indicator.get("latest_date")
    if breakdown or (latest and str(latest) > clean["date"]):
        return indicator
    return {**indicator, "latest_value": clean["value"], "latest_date": clean["date"]}


def _indicator(reader: GraphReader, indicator_id: str) -> Node:
    node = reader.get_node(indicator_id)
    if node is None or node.type != INDICATOR:
        raise NotFound(f"No Indicator has id '{indicator_id}'.")
    return node


def _part(node: Node) -> dict[str, Any]:
    return {"id": node.id, "type": node.type, "name": node.properties.get("name") or node.id}


def _entry(point: dict[str, Any]) -> dict[str, Any]:
    """A measurement as the API shows it: its properties, its breakdown and whether it is example data."""
    return {**{key: value for key, value in point.items() if key != "type"}, "breakdown": point.get("breakdown", []),
            EXAMPLE_PROPERTY: point.get(EXAMPLE_PROPERTY) is True}
