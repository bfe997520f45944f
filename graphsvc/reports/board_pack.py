"""The board pack: pure shaping of what the read layer gathered, and its workbook and printable page.

No Flask and no store: functions of the action-log rows, the projection graph (as it stood) and the
changes summary. The pack names people only where accountability needs it (DESIGN.md §9): an action's
and a decision's accountable owner, and the people an accountability was handed from and to. Other
people (a decision about a person, a likely-duplicate pair of people) are shown as "a person".

>>> pack_areas([{"id": "r1", "title": "Clarify", "number": 1, "area": "Purpose", "example": False}], [])[0]
{'area': 'Purpose', 'recommendations': [{'id': 'r1', 'number': 1, 'title': 'Clarify', 'example': False, \
'actions': [], 'no_action': True}]}
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from .action_log import RAG_RULES, RAGS
from .documents import EXAMPLE_WORDS, contains_examples, render, workbook

__all__ = ["NO_ACTION", "NO_AREA", "SECTIONS", "action_item", "changes_section", "contains_examples",
           "pack_areas", "to_html", "to_xlsx"]

NO_AREA = "No area recorded"
NO_ACTION = "No action yet"
PERSON = "Person"
# (anchor, heading) of each section after the areas, in the order the pack prints them.
SECTIONS = (("decisions", "Decisions taken and due"), ("changes", "What changed since the last meeting"),
            ("flags", "Flags opened and closed"), ("indicators", "Indicators that moved"))
NOTABLE = ("handovers", "status_transitions", "rag_transitions", "overlap_decisions", "imports")


def action_item(row: dict) -> dict:
    """One action of the pack from its action-log row: the owner's names and nothing else about people."""
    update = row["latest_update"] or {}
    return {"id": row["id"], "reference": row["reference"], "title": row["title"], "example": row["example"],
            "owners": [{"id": p["id"], "type": p["type"], "name": p["name"]} for p in row["accountable"]],
            "status": row["status"], "rag": row["rag"], "rag_reasons": row["rag_reasons"],
            "reported_rag": update.get("rag"), "latest_update_date": update.get("date"),
            "due_date": row["due_date"], "original_due_date": row["original_due_date"]}


def pack_areas(recommendations: Iterable[dict], rows: Iterable[dict]) -> list[dict]:
    """The report's areas in its order (an area's place is its first recommendation's number), each with
    its recommendations by number and their actions; a recommendation with no action says so. Actions
    implementing no recommendation come last, under ``area: None``."""
    items = {row["id"]: action_item(row) for row in rows}
    by_rec: dict[str, list[dict]] = {}
    for row in rows:
        for rec in row["recommendations"]:
            by_rec.setdefault(rec["id"], []).append(items[row["id"]])
    areas: dict[str, list[dict]] = {}
    for rec in sorted(recommendations, key=_by_number):
        actions = by_rec.pop(rec["id"], [])
        areas.setdefault(rec["area"] or NO_AREA, []).append(
            {**{key: rec[key] for key in ("id", "number", "title", "example")}, "actions": actions,
             "no_action": not actions})
    ordered = sorted(areas.items(), key=lambda item: (item[0] == NO_AREA, min(_by_number(r) for r in item[1])))
    found = [{"area": name, "recommendations": recs} for name, recs in ordered]
    linked = {item["id"] for recs in areas.values() for rec in recs for item in rec["actions"]}
    unlinked = [items[row["id"]] for row in rows if row["id"] not in linked]
    if unlinked:
        found.append({"area": None, "recommendations": [], "actions": unlinked})
    return found


def changes_section(summary: dict, name_of: Callable[[str], str | None], examples: bool = True) -> dict:
    """Counts per type and the notable items of a changes summary (docs/changes.md), records named as the
    pack's graph names them (``name_of(id)``, None: as the log does), people named only in hand-overs,
    no actor names."""
    def keep(item: dict) -> bool:
        return examples or not any(ref.get("example") for ref in _refs(item))

    notable = {"handovers": summary["handovers"], "status_transitions": summary["transitions"]["status"],
               "rag_transitions": summary["transitions"]["rag"], "overlap_decisions": summary["overlap_decisions"],
               "imports": summary["imports"]}
    section = {}
    for name, listing in notable.items():
        items = [_without_actor(_named(item, name_of, name == "handovers")) for item in listing["items"] if keep(item)]
        section[name] = {"count": listing["count"] if examples else len(items), "items": items}
    counts = {}
    for type_name, lists in summary["types"].items():
        kept = {kind: [item for item in lists[kind]["items"] if examples or not item["example"]]
                for kind in ("created", "changed", "deleted")}
        counts[type_name] = {kind: lists[kind]["count"] if examples else len(items) for kind, items in kept.items()}
    return {"entries": summary["totals"]["entries"], "counts": {k: v for k, v in counts.items() if any(v.values())},
            **section}




def to_html(pack: dict) -> str:
    """The pack as a standalone print-ready A4 document (no scripts, no external files)."""
    return render(
        "board_pack.html", **pack, sections=SECTIONS, rags=RAGS, rag_rules=RAG_RULES, no_area=NO_AREA,
        no_action=NO_ACTION)


def to_xlsx(pack: dict) -> bytes:
    """The pack as a workbook: one sheet per section, header row frozen, every cell formula-safe."""
    return workbook(_sheets(pack))


# -- helpers ----------------------------------------------------------------------------------



def _sheets(pack: dict):
    mark = lambda item: EXAMPLE_WORDS if item.get("example") else ""  # noqa: E731
    owners = lambda item: "; ".join(o["name"] for o in item.get("owners") or ())  # noqa: E731
    progress = []
    for area in pack["areas"]:
        for rec in area["recommendations"]:
            if rec["no_action"]:
                progress.append([area["area"], rec["number"], rec["title"], "", NO_ACTION] + [""] * 9 + [mark(rec)])
            for item in rec["actions"]:
                progress.append([area["area"], rec["number"], rec["title"], *_action_cells(item, owners, mark)])
        for item in area.get("actions", ()):
            progress.append(["No recommendation", "", "", *_action_cells(item, owners, mark)])
    decisions = [[kind, d["title"], (d["meeting"] or {}).get("title", ""), (d["meeting"] or {}).get("date", ""),
                  (d["owner"] or {}).get("name", ""), d["due_date"] or "", d["status"] or "",
                  "; ".join(c["label"] for c in d["concerns"]), mark(d)]
                 for kind, key in (("Taken", "taken"), ("Due", "due")) for d in pack["decisions"][key]]
    changes = [[name.replace("_", " "), _ref_words(item.get("record") or item.get("a") or {}),
                _change_words(name, item), item.get("at") or (item.get("first") or {}).get("at", ""),
                mark(item.get("record") or {})] for name in NOTABLE for item in pack["changes"][name]["items"]]
    counts = [[name, c["created"], c["changed"], c["deleted"]] for name, c in pack["changes"]["counts"].items()]
    flags = [[kind, f.get("rule", ""), (f.get("subject") or {}).get("name", ""), f.get("message", ""),
              (f.get("open_since") or {}).get("date", ""), mark(f)]
             for kind in ("opened", "closed") for f in pack["flags"].get(kind, ())]
    moved = [[i["name"], i["unit"] or "", i["before"]["value"], i["before"]["date"], i["after"]["value"],
              i["after"]["date"], mark(i)] for i in pack["indicators"]]
    cover = [["Group", (pack["group"] or {}).get("name", "")], ["Meeting", (pack["meeting"] or {}).get("title", "")],
             ["Since", pack["window"]["since"]["at"] or f"change {pack['window']['since']['seq']}"],
             ["Map as of change", pack["graph_as_of"]["seq"]], ["Judged on", pack["judged_on"]],
             ["Example data", "Contains example (fictional) records" if pack["contains_examples"] else "None"]]
    return [("Pack", ["Item", "Value"], cover),
            ("Progress", ["Area", "Rec no.", "Recommendation", "Ref", "Action", "Accountable owner", "Status", "RAG",
                          "Why", "Reported RAG", "Latest update", "Due date", "Original due date", "Id",
                          "Example data"], progress),
            ("Decisions", ["Taken or due", "Decision", "Meeting", "Meeting date", "Accountable owner", "Due date",
                           "Status", "Concerns", "Example data"], decisions),
            ("Changes", ["Kind", "Record", "Change", "When (UTC)", "Example data"], changes),
            ("Change counts", ["Record type", "Created", "Changed", "Deleted"], counts),
            ("Flags", ["Opened or closed", "Rule", "Subject", "Message", "Open since", "Example data"], flags),
            ("Indicators", ["Indicator", "Unit", "Before", "Before date", "After", "After date", "Example data"],
             moved)]


def _action_cells(item: dict, owners, mark) -> list:
    return [item["reference"], item["title"], owners(item), item["status"] or "", item["rag"],
            "; ".join(item["rag_reasons"]), item["reported_rag"] or "", item["latest_update_date"] or "",
            item["due_date"] or "", item["original_due_date"] or "", item["id"], mark(item)]


def _change_words(name: str, item: dict) -> str:
    if name == "handovers":
        return f"{_names(item['from'])} → {_names(item['to'])}"
    if name in ("status_transitions", "rag_transitions"):
        return f"{item.get('before') or 'none'} → {item.get('after') or 'none'}"
    if name == "overlap_decisions":
        return f"{item['change']}: {item['decision']} (with {_ref_words(item['b'])})"
    return f"{item.get('entries', '')} entries"


def _names(refs: list[dict]) -> str:
    return "; ".join(_ref_words(ref) for ref in refs) or "no owner"


def _ref_words(ref: dict) -> str:
    return ref.get("label") or ("an erased record" if ref.get("erased") else ref.get("id") or "")


def _named(item: dict, name_of: Callable, people_named: bool) -> dict:
    """The item with each record named as the pack's graph names it; people unnamed unless ``people_named``."""
    out = dict(item)
    for key in ("record", "a", "b"):
        if isinstance(item.get(key), dict):
            out[key] = _label(item[key], name_of, people_named)
    for key in ("from", "to"):
        if isinstance(item.get(key), list):
            out[key] = [_label(ref, name_of, people_named) for ref in item[key]]
    return out


def _label(ref: dict, name_of: Callable, people_named: bool) -> dict:
    if ref.get("type") == PERSON and not people_named:
        return {**ref, "id": None, "label": "a person"}
    if ref.get("erased") or not ref.get("id"):
        return ref
    return {**ref, "label": name_of(ref["id"]) or ref.get("label")}


def _without_actor(item: dict) -> dict:
    # Who typed a change is the audit trail's business (/changes, /history), not the board's.
    return {key: value for key, value in item.items() if key != "actor"}


def _refs(item: dict) -> list[dict]:
    found = [item[key] for key in ("record", "a", "b") if isinstance(item.get(key), dict)]
    return found + [ref for key in ("from", "to") for ref in item.get(key) or () if isinstance(ref, dict)]


def _by_number(rec: dict) -> tuple:
    number = rec.get("number")
    return (number is None, number if number is not None else 0, str(rec.get("title", "")).lower(), rec["id"])



