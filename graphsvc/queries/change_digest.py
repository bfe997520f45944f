"""The change log in the reader's terms: one pass over a window's entries, then the summary they make.

Records are named from the log's own before/after values (so a deleted record keeps its name), else from
the store; records since erased are never named (their ids are pseudonyms, counted under erasures).
Every list comes newest first, at most ``ITEMS_PER_LIST`` long, with the full count beside it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from ..erasure import PSEUDONYM_PREFIX
from ..store.model import Change, Operation
from .change_imports import find_imports

__all__ = ["ITEMS_PER_LIST", "Audience", "Digest", "erased", "stamp"]

ITEMS_PER_LIST = 500
STAMPS = frozenset({"id", "type", "created_at", "updated_at", "version"})
# The few names the summary must know: what an owner, a review, a progress update and a status are.
ACCOUNTABLE = "ACCOUNTABLE_FOR"
REVIEWED = "OVERLAP_REVIEWED"
REPORTS_ON = "REPORTS_ON"
PROGRESS_UPDATE, ACTION, PERSON = "ProgressUpdate", "Action", "Person"
STATUS, RAG = "status", "rag"
NODE_OPERATIONS = frozenset({Operation.CREATE_NODE, Operation.UPDATE_NODE, Operation.DELETE_NODE})
LINK_OPERATIONS = frozenset({Operation.CREATE_RELATIONSHIP, Operation.DELETE_RELATIONSHIP})
TOKEN_OPERATIONS = frozenset({Operation.CREATE_TOKEN, Operation.REVOKE_TOKEN})


@dataclass(frozen=True)
class Audience:
    """What the reader may see: sensitive values (a person's email) and access-token events."""

    sensitive: bool = False
    tokens: bool = False


class Digest:
    """Reads entries (``run``) and returns the summary's sections (docs/changes.md)."""

    def __init__(self, service, audience: Audience, types: frozenset[str] | None):
        self.store, self.vocabulary, self.audience, self.types = service.store, service.vocabulary, audience, types
        self.status_types = {name for name, kind in self.vocabulary.node_types.items() if STATUS in kind.properties}
        self.records: dict[str, dict] = {}  # node id -> what the window did to it
        self.known: dict[str, dict] = {}  # node id -> its newest record (from the window, else the store)
        self.links: list[tuple[str, bool, str, str]] = []  # (type, created?, from, to)
        self.handovers: list[dict] = []
        self.reviews: list[dict] = []
        self.status: list[Change] = []
        self.new_updates: list[Change] = []
        self.rag_changed: list[Change] = []
        self.reports: dict[str, str] = {}  # progress update -> its action, from REPORTS_ON in the window
        self.erasures: list[dict] = []
        self.tokens: list[dict] = []
        self.trail: list[tuple] = []  # for finding imports (change_imports.Entry)
        self.entries = 0

    def run(self, changes) -> dict:
        for change in changes:
            self._read(change)
        return self._summary()

    # -- reading --------------------------------------------------------------------------------

    def _read(self, change: Change) -> None:
        op, kind = change.operation, None
        if op in TOKEN_OPERATIONS or change.subject.startswith("token:"):
            if self.audience.tokens:
                self.entries += 1
                record = change.after or change.before or {}
                self.tokens.append({"event": "created" if op == Operation.CREATE_TOKEN else "revoked",
                                    "name": record.get("name"), "role": record.get("role"), **stamp(change)})
        else:
            self.entries += 1
            if op in NODE_OPERATIONS:
                kind = self._node(change)
            elif op in LINK_OPERATIONS:
                record = change.after or change.before or {}
                self._link(change, record, op == Operation.CREATE_RELATIONSHIP)
            elif op == Operation.REPLACE_RELATIONSHIPS:
                self._replace(change)
            elif op == Operation.ERASE_NODE:
                self.erasures.append({"type": (change.after or {}).get("type"), **stamp(change)})
        if op == Operation.IMPORT:  # the trail's last slot: how many entries before it the import wrote
            made = (change.after or {}).get("entries")
        else:
            made = change.subject if op == Operation.CREATE_RELATIONSHIP else None
        self.trail.append((change.seq, change.at, change.actor, op, kind, made))

    def _node(self, change: Change) -> str | None:
        record = change.after or change.before or {}
        node_type = record.get("type")
        self.known[change.subject] = record
        entry = self.records.setdefault(change.subject, {"type": node_type, "created": None, "deleted": None,
                                                         "updates": None, "before": None, "after": None})
        if change.operation == Operation.CREATE_NODE:
            entry["created"] = stamp(change)
            if node_type == PROGRESS_UPDATE:
                self.new_updates.append(change)
        elif change.operation == Operation.DELETE_NODE:
            entry["deleted"] = stamp(change)
        else:
            entry["updates"] = ((entry["updates"] or (stamp(change),))[0], stamp(change))
            entry["before"] = entry["before"] or change.before
            entry["after"] = change.after
            before, after = change.before or {}, change.after or {}
            if node_type in self.status_types and before.get(STATUS) != after.get(STATUS):
                self.status.append(change)
            if node_type == PROGRESS_UPDATE and before.get(RAG) != after.get(RAG):
                self.rag_changed.append(change)
        return node_type

    def _link(self, change: Change, record: dict, created: bool) -> None:
        rel_type, source, target = record.get("type"), record.get("from"), record.get("to")
        self.links.append((rel_type, created, source, target))
        if rel_type == ACCOUNTABLE:
            self._handover(change, target, [] if created else [source], [source] if created else [])
        elif rel_type == REVIEWED:
            self._review(change, record, created)
        elif rel_type == REPORTS_ON and created:
            self.reports[source] = target

    def _replace(self, change: Change) -> None:
        removed = (change.before or {}).get("relationships") or []
        added = (change.after or {}).get("relationships") or []
        self.links += [(r.get("type"), False, r.get("from"), r.get("to")) for r in removed]
        self.links += [(r.get("type"), True, r.get("from"), r.get("to")) for r in added]
        if any(r.get("type") == ACCOUNTABLE for r in removed + added):
            self._handover(change, change.subject, [r.get("from") for r in removed if r.get("type") == ACCOUNTABLE],
                           [r.get("from") for r in added if r.get("type") == ACCOUNTABLE])

    def _handover(self, change: Change, record: str, removed: list, added: list) -> None:
        last = self.handovers[-1] if self.handovers else None
        # An owner removed and another added straight after, by the same person: one hand-over.
        if added and not removed and last and not last["to"] and _follows(last, change) and last["record"] == record:
            last.update(to=added, seq=change.seq, at=change.at)
            return
        self.handovers.append({"record": record, "from": removed, "to": added, **stamp(change)})

    def _review(self, change: Change, record: dict, created: bool) -> None:
        item = {"a": record.get("from"), "b": record.get("to"), "change": "recorded" if created else "removed",
                "decision": record.get("decision"), "before": None, "note": record.get("note"), **stamp(change)}
        last = self.reviews[-1] if self.reviews else None
        # A review replaced (graphsvc.reviews removes the old one, then records the new): one change.
        if created and last and last["change"] == "removed" and _follows(last, change) \
                and {last["a"], last["b"]} == {item["a"], item["b"]}:
            item.update(change="changed", before=last["decision"])
            self.reviews[-1] = item
            return
        self.reviews.append(item)

    # -- summarising ----------------------------------------------------------------------------

    def _summary(self) -> dict:
        self.look_up({end for _, _, a, b in self.links for end in (a, b)} if self.types else set())
        self.look_up({h["record"] for h in self.handovers} | {i for h in self.handovers for i in h["from"] + h["to"]}
                      | {r[end] for r in self.reviews for end in ("a", "b")} | {c.subject for c in self.status})
        types, links = self._record_lists(), self._link_counts()
        handovers = [{**h, "record": self.ref(h["record"]), "from": [self.ref(i) for i in h["from"]],
                      "to": [self.ref(i) for i in h["to"]]} for h in self.handovers
                     if self._wanted(h["record"]) and not self._went_with_its_record(h)]
        status = [{"record": self.ref(c.subject), "property": STATUS, "before": (c.before or {}).get(STATUS),
                   "after": (c.after or {}).get(STATUS), **stamp(c)} for c in self.status if self._wanted(c.subject)]
        from .change_rag import RagTransitions  # here, not above: it reads the digest's findings and helpers

        rag = RagTransitions(self).items() if not self.types or {ACTION, PROGRESS_UPDATE} & self.types else []
        reviews = [self._decision(r) for r in self.reviews if self._wanted(r["a"])]
        imports = find_imports(self.trail, self.types)
        erasures = [e for e in self.erasures if not self.types or e["type"] in self.types]
        tokens = self.tokens if not self.types else []
        counts = {kind: sum(section[kind]["count"] for section in types.values())
                  for kind in ("created", "changed", "deleted")}
        return {
            "totals": {"entries": self.entries, **counts,
                       "relationships_created": sum(c["created"] for c in links.values()),
                       "relationships_deleted": sum(c["deleted"] for c in links.values()),
                       "handovers": len(handovers), "status_transitions": len(status), "rag_transitions": len(rag),
                       "overlap_decisions": len(reviews), "imports": len(imports), "erasures": len(erasures),
                       "tokens": len(tokens)},
            "types": types, "relationships": links, "handovers": _capped(handovers),
            "transitions": {"status": _capped(status), "rag": _capped(rag)},
            "overlap_decisions": _capped(reviews), "imports": _capped(imports), "erasures": _capped(erasures),
            "tokens": _capped(tokens),
        }

    def _went_with_its_record(self, handover: dict) -> bool:
        """An owner link removed because the record itself was deleted: the deletion says it all."""
        deleted = (self.records.get(handover["record"]) or {}).get("deleted")
        return not handover["to"] and deleted is not None and deleted["seq"] > handover["seq"]

    def _record_lists(self) -> dict:
        found: dict[str, dict[str, list]] = {}
        for node_id, entry in self.records.items():
            if erased(node_id) or not self._wanted(node_id):
                continue
            lists = found.setdefault(entry["type"], {"created": [], "changed": [], "deleted": []})
            ref = self.ref(node_id)
            if entry["created"]:
                lists["created"].append({**ref, "first": entry["created"], "last": entry["created"]})
            fields = self._fields(entry["type"], entry["before"], entry["after"]) if entry["updates"] else []
            if fields:
                first, last = entry["updates"]
                lists["changed"].append({**ref, "first": first, "last": last, "fields": fields})
            if entry["deleted"]:
                lists["deleted"].append({**ref, "first": entry["deleted"], "last": entry["deleted"]})
        return {node_type: {kind: _capped(sorted(items, key=lambda item: -item["last"]["seq"]), newest_first=False)
                            for kind, items in lists.items()}
                for node_type, lists in sorted(found.items()) if any(lists.values())}

    def _fields(self, type_name: str, before: dict | None, after: dict | None) -> list[dict]:
        """Each property whose value differs between the first before and the last after, in the vocabulary's
        order; stamps never, sensitive values only for readers who may see them."""
        before, after, node_type = before or {}, after or {}, self.vocabulary.node_type(type_name)
        order = list(node_type.properties) if node_type else []
        hidden = frozenset() if self.audience.sensitive or node_type is None else node_type.sensitive_properties
        names = dict.fromkeys([*order, *sorted(before), *sorted(after)])
        return [{"name": name, "before": before.get(name), "after": after.get(name)} for name in names
                if name not in STAMPS and name not in hidden and before.get(name) != after.get(name)]

    def _link_counts(self) -> dict:
        counts: dict[str, Counter] = {}
        for rel_type, created, source, target in self.links:
            if self.types and not (self._wanted(source) or self._wanted(target)):
                continue
            counts.setdefault(rel_type, Counter())["created" if created else "deleted"] += 1
        return {rel_type: {"created": c["created"], "deleted": c["deleted"]} for rel_type, c in sorted(counts.items())}

    def _decision(self, review: dict) -> dict:
        a, b = self.ref(review["a"]), self.ref(review["b"])
        note = review.pop("note")
        # A note on a pair of people may name them: say there is one, never what it says.
        shown = {} if PERSON in (a["type"], b["type"]) else {"note": note}
        return {**review, "a": a, "b": b, "has_note": bool(note), **shown}

    # -- records by id --------------------------------------------------------------------------

    def look_up(self, ids: set) -> None:
        missing = [node_id for node_id in ids if node_id and node_id not in self.known and not erased(node_id)]
        if missing:
            self.known.update({node_id: node.as_record() for node_id, node in self.store.get_nodes(missing).items()})

    def _wanted(self, node_id: str | None) -> bool:
        return not self.types or (self.known.get(node_id) or {}).get("type") in self.types

    def ref(self, node_id: str | None) -> dict:
        record = self.known.get(node_id) or {}
        node_type = record.get("type")
        if erased(node_id):
            return {"id": node_id, "type": node_type, "label": None, "example": False, "erased": True}
        kind = self.vocabulary.node_type(node_type or "")
        main = record.get(kind.main_property) if kind else None
        return {"id": node_id, "type": node_type, "label": str(main) if main else node_id,
                "example": record.get("example") is True}


def stamp(change: Change) -> dict[str, Any]:
    return {"seq": change.seq, "at": change.at, "actor": change.actor}


def _follows(item: dict, change: Change) -> bool:
    return item["seq"] == change.seq - 1 and item["actor"] == change.actor


def erased(node_id: str | None) -> bool:
    return bool(node_id) and node_id.startswith(PSEUDONYM_PREFIX)


def _capped(items: list, newest_first: bool = True) -> dict:
    ordered = items[::-1] if newest_first else items
    return {"count": len(items), "items": ordered[:ITEMS_PER_LIST]}
