"""The board action log: one row per action with its owners, due date, RAG, latest progress update
and open gap flags.

Pure functions of the projection graph, the gap flags and a ``last_changed`` lookup; no Flask.
RAG is derived by :func:`derive_rag`, whose rules (:data:`RAG_RULES`) the HTML page and
docs/action-log.md print; the owner's own RAG, from the latest progress update, is shown beside it
(``latest_update``) and changes nothing in the derived one.

>>> import networkx as nx, datetime as dt
>>> g = nx.MultiDiGraph()
>>> g.add_node("a1", type="Action", reference="A-1", title="Publish", status="in_progress", due_date="2026-11-01")
>>> [(row["reference"], row["rag"]) for row in build_action_log(g, [], lambda _: None, dt.date(2026, 12, 1))]
[('A-1', 'red')]
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterable, Sequence

import networkx as nx

from ..analysis.common import label, parse_date
from ..analysis.gaps import Gap
from ..progress import latest_update
from ..spreadsheet_safety import guard_cell, xml_safe_text
from ..store.model import Change
from ..vocabulary import EXAMPLE_PROPERTY

__all__ = ["CSV_COLUMNS", "RAGS", "RAG_RULES", "SOON_DAYS", "build_action_log", "count_by_rag", "derive_rag",
           "natural_key", "select_rows", "to_csv"]

RAGS = ("red", "amber", "green", "complete", "cancelled")
SOON_DAYS = 30  # an open action due within this many days is amber
RAG_RULES = (
    ("red", "Open and overdue (due before the as-of date), or blocked, or with no accountable owner, or more "
            "than one, or its accountable owner has left (owner-left)."),
    ("amber", f"Open, not red, and due within {SOON_DAYS} days, or with no due date, or stale: no progress "
              "reported for longer than the stale threshold (action-stale)."),
    ("green", f"Open, one current accountable owner, due more than {SOON_DAYS} days ahead, not stale, not blocked."),
    ("complete", "Status done."),
    ("cancelled", "Status cancelled."),
)
CSV_COLUMNS = ("Reference", "Action", "Recommendations", "Accountable owner", "Owner flags", "Responsible",
               "Due date", "Original due date", "Status", "RAG", "Why", "Latest update", "Reported RAG",
               "Update summary", "Blockers", "Last changed (UTC)", "Open flags", "Id", "Example data")
LATEST_UPDATE_FIELDS = ("id", "date", "rag", "summary", "blockers")  # what a row shows of the latest update

LastChanged = Callable[[str], Change | None]


def derive_rag(status: str | None, due_date: dt.date | None, owners: int, flags: Iterable[str] = (), *,
               as_of: dt.date, soon_days: int = SOON_DAYS) -> tuple[str, list[str]]:
    """(RAG, reasons) for one action; no status counts as open.

    >>> derive_rag("in_progress", dt.date(2026, 12, 20), 1, as_of=dt.date(2026, 12, 1))
    ('amber', ['due in 19 days'])
    """
    if status == "done":
        return "complete", []
    if status == "cancelled":
        return "cancelled", []
    flags = set(flags)
    red = []
    if due_date and due_date < as_of:
        red.append(f"overdue: due {due_date.isoformat()}, {_days((as_of - due_date).days)} ago")
    if status == "blocked":
        red.append("blocked")
    if owners == 0:
        red.append("no accountable owner")
    elif owners > 1:
        red.append(f"{owners} accountable owners")
    if "owner-left" in flags:
        red.append("accountable owner has left")
    if red:
        return "red", red
    amber = []
    if due_date is None:
        amber.append("no due date")
    elif (due_date - as_of).days <= soon_days:
        days = (due_date - as_of).days
        amber.append("due today" if days == 0 else f"due in {_days(days)}")
    if "action-stale" in flags:
        amber.append("stale: no recent progress reported")
    if amber:
        return "amber", amber
    return "green", [f"on track: due in {_days((due_date - as_of).days)}"]


def build_action_log(graph: nx.MultiDiGraph, gaps: Iterable[Gap], last_changed: LastChanged, as_of: dt.date,
                     soon_days: int = SOON_DAYS) -> list[dict]:
    """One row per Action node, ordered by reference (natural order: A-2 before A-10), then title.

    ``gaps`` are the flags for the same ``as_of``; ``last_changed(action_id)`` gives the newest
    change-log entry about the action, or None.
    """
    gaps = list(gaps)
    by_subject: dict[str, list[str]] = {}
    for gap in gaps:
        rules = by_subject.setdefault(gap.subject["id"], [])
        if gap.rule not in rules:
            rules.append(gap.rule)
    related = _owner_flags(gaps)
    rows = [_row(graph, node, data, by_subject, related, last_changed, as_of, soon_days)
            for node, data in graph.nodes(data=True) if data.get("type") == "Action"]
    rows.sort(key=lambda r: (not r["reference"], natural_key(r["reference"] or ""), r["title"].lower(), r["id"]))
    return rows


def select_rows(rows: Iterable[dict], statuses: Sequence[str] | None = None,
                rags: Sequence[str] | None = None) -> list[dict]:
    """The rows whose status and RAG are among those given (None or empty: any)."""
    return [row for row in rows if (not statuses or row["status"] in statuses) and (not rags or row["rag"] in rags)]


def count_by_rag(rows: Iterable[dict]) -> dict[str, int]:
    """Rows per RAG value, every value present (zeros included) in :data:`RAGS` order."""
    counts = dict.fromkeys(RAGS, 0)
    for row in rows:
        counts[row["rag"]] += 1
    return counts


def to_csv(rows: Iterable[dict]) -> str:
    """The log as CSV text starting with a UTF-8 byte-order mark (so Excel reads it as UTF-8):
    a header row, then one row per action; several values in a cell are joined with '; '."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        # Names and titles come from users: guard_cell keeps a spreadsheet from running them as formulas,
        # xml_safe_text replaces control characters that older records may hold.
        update = row["latest_update"] or {}
        writer.writerow([guard_cell(xml_safe_text(value)) for value in (
            row["reference"], row["title"], _join(r["title"] for r in row["recommendations"]),
            _join(p["name"] for p in row["accountable"]), _join(row["owner_flags"]),
            _join(p["name"] for p in row["responsible"]), row["due_date"] or "", row["original_due_date"] or "",
            row["status"] or "", row["rag"], _join(row["rag_reasons"]), update.get("date") or "",
            update.get("rag") or "", update.get("summary") or "", update.get("blockers") or "",
            _excel_time(row["last_changed"]), _join(row["flags"]), row["id"],
            "example (fictional)" if row["example"] else "")])
    return out.getvalue()


def natural_key(text: str) -> tuple:
    """A sort key that orders the numbers inside text by value: 'A-2' before 'A-10'."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part.lower())
                 for part in re.split(r"(\d+)", text) if part)


# -- helpers ----------------------------------------------------------------------------------

def _row(graph, node, data, by_subject, owner_flags, last_changed, as_of, soon_days) -> dict:
    owners = _parties(graph, node, "ACCOUNTABLE_FOR")
    flags = by_subject.get(node, [])
    about_owners = sorted({rule for owner in owners for rule in owner_flags.get((owner["id"], node), ())})
    due = parse_date(data.get("due_date"))
    rag, reasons = derive_rag(data.get("status"), due, len(owners), [*flags, *about_owners],
                              as_of=as_of, soon_days=soon_days)
    changed_at, changed_by = _last_change(data.get("updated_at"), last_changed(node))
    recommendations = sorted(({"id": rec, "title": label(graph, rec)} for rec in _targets(graph, node, "IMPLEMENTS")),
                             key=lambda r: (r["title"].lower(), r["id"]))
    latest = latest_update(graph, node)
    original = parse_date(data.get("original_due_date"))
    return {"id": node, "reference": data.get("reference") or "", "title": label(graph, node),
            "recommendations": recommendations, "accountable": owners, "multiple_owners": len(owners) > 1,
            "owner_flags": about_owners, "responsible": _parties(graph, node, "RESPONSIBLE_FOR"),
            "due_date": due.isoformat() if due else None,
            "original_due_date": original.isoformat() if original and original != due else None,
            "latest_update": {key: latest.get(key) for key in LATEST_UPDATE_FIELDS} if latest else None,
            "status": data.get("status"),
            "priority": data.get("priority"), "rag": rag, "rag_reasons": reasons,
            "last_changed": changed_at, "last_changed_by": changed_by, "flags": flags,
            "example": data.get(EXAMPLE_PROPERTY) is True}


def _owner_flags(gaps: Iterable[Gap]) -> dict[tuple[str, str], list[str]]:
    """(owner id, action id) -> rules flagging the owner about that action (owner-left, owner-overloaded)."""
    found: dict[tuple[str, str], list[str]] = {}
    for gap in gaps:
        if gap.subject["type"] != "Action":
            for item in gap.related:
                found.setdefault((gap.subject["id"], item), []).append(gap.rule)
    return found


def _parties(graph: nx.MultiDiGraph, node: str, rel_type: str) -> list[dict]:
    ids = {source for source, keyed in graph.pred[node].items() for d in keyed.values() if d.get("type") == rel_type}
    parties = [{"id": p, "type": graph.nodes[p].get("type"), "name": label(graph, p)} for p in ids]
    return sorted(parties, key=lambda p: (p["name"].lower(), p["id"]))


def _targets(graph: nx.MultiDiGraph, node: str, rel_type: str) -> set[str]:
    return {target for target, keyed in graph.succ[node].items() for d in keyed.values() if d.get("type") == rel_type}


def _last_change(updated_at: str | None, change: Change | None) -> tuple[str | None, str | None]:
    """The later of the record's stamp and the newest change-log entry (both UTC ISO text, so they sort)."""
    if change is not None and (not updated_at or change.at >= updated_at):
        return change.at, change.actor
    return updated_at, None


def _days(count: int) -> str:
    return f"{count} day" if count == 1 else f"{count} days"


def _join(values: Iterable[str]) -> str:
    return "; ".join(values)


def _excel_time(stamp: str | None) -> str:
    """'2026-12-01T10:00:00.123456Z' -> '2026-12-01 10:00:00', which spreadsheets read as a time."""
    return stamp[:19].replace("T", " ") if stamp else ""

