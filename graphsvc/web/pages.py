"""Read functions for the pages: each builds the one context dict its page renders (Datasette style).

They read through the service, the shared read layer (graphsvc.queries) and the shared redaction rule;
the only store call is the change log (`service.store.history`), as the API's history reads it.
A record's possible overlaps are shaped as the overlap queue shapes them (`overlap_pairs`).
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import current_app

from ..analysis.gaps import RULES, count_by_rule
from ..api.history import TOKEN_OPERATIONS, changed_fields
from ..api.security import redact
from ..errors import Invalid
from ..queries.gaps import gap_report
from ..queries.overlaps import overlaps
from ..queries.settings import gap_settings
from ..vocabulary import EXAMPLE_PROPERTY
from .formatting import OPERATIONS, label_of, phrase, readable_date, readable_time, readable_value, relationship_heading
from .indicators import indicator_section
from .overlap_pairs import KIND_WORDS, REVIEW_ROLE, compared_on, overlap_kind, pair_view
from .progress import progress_section

__all__ = ["attention_context", "record_context", "search_context"]

# The home page's order: what a governance group acts on first (all high severity), then the rest.
ATTENTION_ORDER = ("action-without-owner", "action-overdue", "action-multiple-owners", "owner-left",
                   "recommendation-without-action")
# A national map raises thousands of high-severity flags: the home page shows the first few of each
# kind (most severe first, as the report orders them) and says how many more there are.
FLAGS_PER_SECTION = 25
SEARCH_PAGE_SIZE = 20
SEARCH_MAX_CHARACTERS = 200
HISTORY_LIMIT = 50
# A record's page names its closest few overlaps; the overlap queue (`/overlaps?id=`) has them all.
RECORD_OVERLAPS = 5


def attention_context(service) -> dict:
    """What needs attention: high-severity flags grouped by rule, then counts of the others."""
    settings, gaps = _current_gaps(service)
    high = [gap for gap in gaps if gap.severity == "high"]
    order = [*ATTENTION_ORDER, *(rule for rule in RULES if rule not in ATTENTION_ORDER)]
    by_rule: dict[str, list] = {}
    for gap in high:
        by_rule.setdefault(gap.rule, []).append(gap)
    sections = [{"rule": rule, "title": RULES[rule].summary, "count": len(by_rule.get(rule, ())),
                 "flags": [_flag(g) for g in by_rule.get(rule, ())[:FLAGS_PER_SECTION]]}
                for rule in order]
    others = count_by_rule(gap for gap in gaps if gap.severity != "high")
    return {
        "page_title": "What needs attention",
        "as_of": readable_date(settings.as_of.isoformat()),
        "high_count": len(high),
        "sections": [section for section in sections if section["flags"]],
        "others": [{"title": RULES[rule].summary, "severity": RULES[rule].severity, "count": count}
                   for rule, count in others.items()],
    }


def record_context(service, record_id: str, identity) -> dict:
    """One record: its properties, its links grouped by type and direction, its open flags, its history."""
    node = service.get_node(record_id)  # NotFound becomes the 404 page
    node_type = service.vocabulary.node_type(node.type)
    record = redact(node.as_record())
    label = label_of(service.vocabulary, node.type, record, node.id)
    return {
        "page_title": label,
        "record": {"id": node.id, "type": node.type, "type_label": phrase(node.type), "label": label,
                   "example": record.get(EXAMPLE_PROPERTY) is True},
        "properties": _properties(node_type, record),
        "relationship_groups": _relationship_groups(service, node),
        "overlaps": _possible_overlaps(service, node, identity),
        "flags": [_flag(gap) for gap in _current_gaps(service)[1] if gap.subject.get("id") == node.id],
        "history": _history(service, node.id),
        "can_edit": identity.can("coordinator"),
        # An action's page also shows its progress updates (graphsvc.web.progress).
        "progress": progress_section(service, node, identity) if node.type == "Action" else None,
        # An indicator's page shows its series: a chart, its values as a table (graphsvc.web.indicators).
        "indicator": indicator_section(service, node, identity) if node.type == "Indicator" else None,
    }


def search_context(service, text: str, page_text: str) -> dict:
    """Records of any type holding every word of `text`, a page at a time; no words, no search."""
    query = text.strip()
    context = {"page_title": "Search", "query": query, "results": None, "error": None}
    if not query:
        return context
    if len(query) > SEARCH_MAX_CHARACTERS:
        return {**context, "error": f"Search for {SEARCH_MAX_CHARACTERS} characters or fewer."}
    page = int(page_text) if page_text.isdigit() and int(page_text) > 0 else 1
    found, total = service.search(query, None, SEARCH_PAGE_SIZE, (page - 1) * SEARCH_PAGE_SIZE)
    results = [{"id": node.id, "type": phrase(node.type), "example": node.properties.get(EXAMPLE_PROPERTY) is True,
                "label": label_of(service.vocabulary, node.type, node.properties, node.id), "snippet": snippet}
               for node, snippet in found]
    last_page = max(1, -(-total // SEARCH_PAGE_SIZE))
    return {**context, "page_title": f"Search results for {query}", "results": results, "total": total,
            "page": page, "last_page": last_page}


# -- helpers ---------------------------------------------------------------------------------------

def _current_gaps(service):
    """Today's gap report with the configured thresholds: the one `GET /api/v1/gaps` serves (and caches)."""
    settings = gap_settings(current_app.config)
    return settings, gap_report(service, settings)


def _flag(gap) -> dict:
    subject = gap.subject
    return {"rule": gap.rule, "severity": gap.severity, "message": gap.message, "fix": gap.fix,
            "subject_id": subject.get("id"), "subject_name": subject.get("name") or subject.get("id"),
            "subject_type": phrase(subject.get("type", "")), "example": gap.example}


def _properties(node_type, record: dict) -> list[dict]:
    """The record's values in the vocabulary's order, readable; the example mark is shown as a tag."""
    rows = []
    for name, spec in node_type.properties.items():
        value = record.get(name)
        if name == EXAMPLE_PROPERTY or value is None or value == "":
            continue
        rows.append({"name": name, "label": phrase(name), "value": readable_value(value, spec),
                     "kind": spec.type, "raw": value})
    return rows


def _relationship_groups(service, node) -> list[dict]:
    """Links grouped by (type, direction), outgoing first, each listing the record at the other end."""
    graph = service.graph()
    if node.id not in graph:
        return []
    groups: dict[tuple[str, bool], list[dict]] = {}
    edges = [(True, target, data) for _, target, data in graph.out_edges(node.id, data=True)]
    edges += [(False, source, data) for source, _, data in graph.in_edges(node.id, data=True)]
    for outgoing, other, data in edges:
        attributes = graph.nodes[other]
        details = {key: value for key, value in data.items() if key not in ("type", "id", "created_at")}
        groups.setdefault((data["type"], outgoing), []).append({
            "id": other, "type": phrase(attributes.get("type", "")),
            "label": label_of(service.vocabulary, attributes.get("type", ""), attributes, other),
            "example": attributes.get(EXAMPLE_PROPERTY) is True,
            "details": _link_details(service, data["type"], details),
        })
    return [{"heading": relationship_heading(rel_type, outgoing, node.type),
             "links": sorted(items, key=lambda item: item["label"].lower())}
            for (rel_type, outgoing), items in sorted(groups.items(), key=lambda pair: (not pair[0][1], pair[0][0]))]


def _possible_overlaps(service, node, identity) -> dict | None:
    """An initiative's or action's closest pairs that nobody has reviewed yet, each with the record at the
    other end; None for a type that has no overlaps."""
    kind = overlap_kind(node.type)
    if kind is None:
        return None
    try:
        found = overlaps(service, kind, node.id, limit=None)["overlaps"]
    except Invalid:  # the read layer compares no such record: nothing to show, not an error on its page
        found = []
    waiting = [entry for entry in found if entry["review"] is None]
    pairs = []
    for index, entry in enumerate(waiting[:RECORD_OVERLAPS], start=1):
        pair = pair_view(index, entry, kind)
        other = pair["b"] if pair["a"]["id"] == node.id else pair["a"]
        pairs.append({"other": other, "score": pair["score"], "text": pair["text"],
                      "shared": [reason for reason in pair["reasons"] if reason["items"]]})
    return {"kind": KIND_WORDS[kind], "compared_on": compared_on(kind), "pairs": pairs, "total": len(waiting),
            "reviewed": len(found) - len(waiting), "href": "/overlaps?" + urlencode({"id": node.id}),
            "can_review": identity.can(REVIEW_ROLE)}


def _link_details(service, rel_type: str, details: dict) -> str:
    """A link's own properties in words: "Role: member, Since: 1 June 2026"."""
    kind = service.vocabulary.relationship_type(rel_type)
    specs = kind.properties if kind is not None else {}
    return ", ".join(f"{phrase(name)}: {readable_value(value, specs.get(name))}" for name, value in details.items())


def _history(service, record_id: str) -> list[dict]:
    """The record's change-log entries, newest first, with values this reader may see."""
    entries = []
    for change in service.store.history(subject=record_id, limit=HISTORY_LIMIT):
        if change.operation in TOKEN_OPERATIONS:
            continue  # who holds which token is for admins, on the API
        before, after = _visible(change.before), _visible(change.after)
        # Only a change names its fields: a creation or deletion is the whole record.
        changed = changed_fields(before, after) if change.operation == "update_node" else []
        entries.append({"at": readable_time(change.at), "actor": change.actor,
                        "what": OPERATIONS.get(change.operation, phrase(change.operation)),
                        "changed": [phrase(name) for name in changed]})
    return entries


def _visible(record: dict | None) -> dict | None:
    if record is None or "relationships" in record:
        return record
    return redact(record)
