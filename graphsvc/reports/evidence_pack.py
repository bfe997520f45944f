"""The evidence pack for a framework (docs/frameworks.md): the starting point of an annual return against it.

Pure shaping of the coverage the read layer gathered (graphsvc/queries/frameworks.py), and its printable A4
page and workbook. No Flask and no store. People are named only as accountable owners, as in the board pack.

>>> track_words({"on_track": False, "latest": {"value": 3}}), track_words({"on_track": None, "latest": None})
('Off track', 'No value yet')
"""

from __future__ import annotations

from .documents import EXAMPLE_WORDS, contains_examples, render, workbook

__all__ = ["EXAMPLE_WORDS", "NO_EVIDENCE", "build_pack", "contains_examples", "to_html", "to_xlsx", "track_words",
           "trend_words"]

NO_EVIDENCE = "No evidence recorded yet"
EVIDENCE_KINDS = (("work", "Work"), ("outcomes", "Outcomes"), ("indicators", "Indicators"))


def build_pack(coverage: dict) -> dict:
    """The coverage as a pack: its items in sections, one per top-level item (an EDS 2022 domain) with the
    items under it, and the items nothing evidences listed again at the end."""
    sections: list[dict] = []
    for item in coverage["items"]:
        if item["depth"] == 0:
            sections.append({"id": item["id"], "code": item["code"], "title": item["title"], "example": item["example"],
                             "items": []})
        sections[-1]["items"].append(item)
    missing = [item for item in coverage["items"] if not item["evidence"]]
    pack = {**coverage, "sections": sections, "without_evidence": missing}
    return {**pack, "contains_examples": coverage["contains_examples"] or contains_examples(coverage["items"])}


def track_words(indicator: dict) -> str:
    """The judgement in words (judge()'s on_track): colour is never the only sign."""
    if not indicator.get("latest"):
        return "No value yet"
    if indicator.get("on_track") is None:
        return "Not judged: no trajectory"
    return "On track" if indicator["on_track"] else "Off track"


def trend_words(indicator: dict) -> str:
    return str(indicator["trend"]).capitalize() if indicator.get("trend") else "Not enough values"


def to_html(pack: dict) -> str:
    """The pack as a standalone print-ready A4 document (no scripts, no external files)."""
    return render(
        "evidence_pack.html", **pack, no_evidence=NO_EVIDENCE, kinds=EVIDENCE_KINDS, track_words=track_words,
        trend_words=trend_words)


def to_xlsx(pack: dict) -> bytes:
    """The pack as a workbook (Items, Evidence, Indicators): header row frozen, every cell formula-safe."""
    return workbook(_sheets(pack))


# -- helpers ----------------------------------------------------------------------------------

def _sheets(pack: dict):
    mark = lambda entry: EXAMPLE_WORDS if entry.get("example") else ""  # noqa: E731
    codes = {item["id"]: item["code"] or "" for item in pack["items"]}
    items, evidence, indicators = [], [], []
    for item in pack["items"]:
        counts = [len(item[kind]) for kind, _ in EVIDENCE_KINDS]
        items.append([item["code"] or "", item["title"], item["kind"] or "", codes.get(item["parent"], ""),
                      "Evidence recorded" if item["evidence"] else NO_EVIDENCE,
                      "Yes" if item["direct_evidence"] else "No", *counts,
                      "; ".join(item["flags"]), item["id"], mark(item)])
        for kind, _ in EVIDENCE_KINDS:
            for entry in item[kind]:
                evidence.append([item["code"] or "", item["title"], entry["type"], entry["name"],
                                 (entry.get("status") or "").replace("_", " "), _owners(entry),
                                 "; ".join(p["name"] for p in entry.get("leads", ())), entry["id"], mark(entry)])
        for entry in item["indicators"]:
            for point in entry.get("series") or [None]:
                latest = point is not None and entry["latest"] is not None and point["date"] == entry["latest"]["date"]
                indicators.append([item["code"] or "", item["title"], entry["name"], entry["unit"] or "",
                                   (point or {}).get("period") or "", (point or {}).get("date") or "",
                                   (point or {}).get("value"), "Latest" if latest else "",
                                   trend_words(entry), track_words(entry), entry["id"], mark(entry)])
    return [("Items", ["Code", "Item", "Kind", "Part of", "Evidence", "Evidenced directly", "Work", "Outcomes",
                       "Indicators", "Flag", "Id", "Example"], items),
            ("Evidence", ["Item code", "Item", "Record type", "Record", "Status", "Accountable owner", "Led by", "Id",
                          "Example"], evidence),
            ("Indicators", ["Item code", "Item", "Indicator", "Unit", "Period", "Date", "Value", "Latest",
                            "Trend", "On or off track", "Id", "Example"], indicators)]


def _owners(entry: dict) -> str:
    return "; ".join(owner["name"] for owner in entry.get("owners", ()))



