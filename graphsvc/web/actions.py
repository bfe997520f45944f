"""The action register (the board action log as a page, CSV and Excel) and handing an action to an owner.

Views are thin: they read the request, call the read layer (`graphsvc.queries.action_log`) or
`graphsvc.accountability`, and render one context dict. The register's state (filters, sort,
grouping) lives in the address, so any view of it can be bookmarked, printed or downloaded.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from urllib.parse import urlencode

from flask import Response, abort, current_app, g, redirect, render_template, request
from openpyxl import Workbook

from ..accountability import accountable_etag, owner_of, set_owner
from ..app import get_service
from ..errors import Invalid, PreconditionFailed
from ..queries.action_log import action_log
from ..queries.settings import gap_settings
from ..reports.action_log import RAG_RULES, RAGS, natural_key, to_csv
from ..vocabulary import EXAMPLE_PROPERTY
from . import web
from .as_json import render_page
from .formatting import label_of, phrase, readable_date
from .parties import OWNER_TYPES, party_choices, party_summary

__all__ = ["OWNER_TYPES", "RegisterQuery"]

# Which records may answer for an action (the vocabulary's ACCOUNTABLE_FOR endpoints into Action).
RAG_COLOURS = {"red": "red", "amber": "orange", "green": "green", "complete": "blue", "cancelled": "grey"}
SORTS = {
    "reference": ("Reference", lambda row: (not row["reference"], natural_key(row["reference"]))),
    "due": ("Due date (soonest first)", lambda row: (row["due_date"] is None, row["due_date"] or "")),
    "rag": ("RAG (red first)", lambda row: RAGS.index(row["rag"])),
    "owner": ("Accountable owner", lambda row: (not row["accountable"],
                                                 [p["name"].lower() for p in row["accountable"]])),
}
NO_AREA = "No area recorded"
STALE_OWNER = ("Someone changed this action's accountable owner since you opened this page. "
               "Check the owner shown now and save again if you still want to change it.")
CHOOSE_OWNER = "Choose who is accountable for this action."
# A borough's register fits on one page; a national one (thousands of actions) is read a page at a
# time. Downloads always hold every row that matches the filters.
REGISTER_PAGE_SIZE = 200


@dataclass(frozen=True)
class RegisterQuery:
    """The register's state from the address: values outside the allowed ones are ignored."""
    statuses: tuple[str, ...]
    rags: tuple[str, ...]
    sort: str
    group: str

    @classmethod
    def from_args(cls, args, statuses: tuple[str, ...]) -> RegisterQuery:
        sort = args.get("sort", "reference")
        return cls(statuses=tuple(s for s in statuses if s in args.getlist("status")),
                   rags=tuple(r for r in RAGS if r in args.getlist("rag")),
                   sort=sort if sort in SORTS else "reference",
                   group="area" if args.get("group") == "area" else "")

    def query_string(self, **changes) -> str:
        pairs = [("status", s) for s in self.statuses] + [("rag", r) for r in self.rags]
        values = {"sort": self.sort if self.sort != "reference" else "", "group": self.group} | changes
        pairs += [(name, value) for name, value in values.items() if value]
        return urlencode(pairs)


# -- the register -------------------------------------------------------------------------------------

@web.route("/actions")
def actions_register():
    return render_page("web/actions_register.html", register_context(get_service(), request.args))


@web.route("/actions.csv")
def actions_csv():
    report = _report(get_service(), request.args)
    return _download(to_csv(report["rows"]).encode("utf-8"), "text/csv; charset=utf-8",
                     f"action-log-{report['as_of']}.csv")


@web.route("/actions.xlsx")
def actions_xlsx():
    report = _report(get_service(), request.args)
    return _download(workbook_bytes(report["rows"]),
                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     f"action-log-{report['as_of']}.xlsx")


def register_context(service, args) -> dict:
    report, query = _report(service, args, with_query=True)
    total = len(report["rows"])
    pages = max(1, -(-total // REGISTER_PAGE_SIZE))
    page = min(max(_whole_number(args.get("page")), 1), pages)
    start = (page - 1) * REGISTER_PAGE_SIZE
    rows = [_row(row) for row in report["rows"][start:start + REGISTER_PAGE_SIZE]]
    if query.group == "area":
        groups = _group_by_area(service, rows)
    else:
        groups = [{"title": None, "rows": rows}]
    return {
        "page_title": "Action register",
        "as_of": readable_date(report["as_of"]),
        "total": total,
        "paging": {"page": page, "pages": pages, "first": start + 1, "last": start + len(rows),
                   "previous": f"/actions?{query.query_string(page=str(page - 1))}" if page > 1 else None,
                   "next": f"/actions?{query.query_string(page=str(page + 1))}" if page < pages else None},
        "counts": [{"rag": rag, "label": phrase(rag), "colour": RAG_COLOURS[rag], "count": report["counts"][rag]}
                   for rag in RAGS],
        "groups": groups,
        "filters": {
            "status": [{"value": s, "text": phrase(s), "checked": s in query.statuses} for s in _statuses(service)],
            "rag": [{"value": r, "text": phrase(r), "checked": r in query.rags} for r in RAGS],
            "sort": [{"value": key, "text": text, "selected": key == query.sort} for key, (text, _) in SORTS.items()],
            "group": query.group,
        },
        "filtered": bool(query.statuses or query.rags),
        "query": query.query_string(),
        "csv_href": "/actions.csv?" + query.query_string(sort="", group=""),
        "xlsx_href": "/actions.xlsx?" + query.query_string(sort="", group=""),
        "rag_rules": [{"rag": phrase(rag), "colour": RAG_COLOURS[rag], "rule": rule} for rag, rule in RAG_RULES],
        "can_assign": g.user.can("governance"),
    }


def workbook_bytes(rows: list[dict]) -> bytes:
    """The log as an .xlsx file holding exactly the CSV's cells, written in openpyxl's streaming mode.

    The cells come from the API's CSV builder, which has passed every value through `guard_cell`
    (formula-like text gets a leading apostrophe, so a spreadsheet shows it as text) and
    `xml_safe_text`; guarding again would add a second apostrophe."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Action log")
    for cells in csv.reader(io.StringIO(to_csv(rows).lstrip("\ufeff"))):
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# -- changing the accountable owner ----------------------------------------------------------------

@web.route("/actions/<action_id>/owner", methods=["GET", "POST"])
def action_owner(action_id: str):
    if not g.user.can("governance"):
        abort(403)
    service = get_service()
    assignment = owner_of(service, action_id)  # NotFound (not an action) becomes the 404 page
    errors: dict[str, str] = {}
    chosen = request.form.get("owner", "") if request.method == "POST" else ""
    if request.method == "POST":
        if not chosen:
            errors["owner"] = CHOOSE_OWNER
        else:
            try:
                saved = set_owner(service, action_id, chosen, g.user.name, request.form.get("etag") or "")
            except PreconditionFailed:
                errors["owner"] = STALE_OWNER
                assignment = owner_of(service, action_id)
            except Invalid as exc:
                errors["owner"] = exc.message
            else:
                if not saved.warnings:
                    return redirect(f"/records/{action_id}")
                return render_template("web/actions_owner_saved.html", **_saved_context(service, saved))
    context = owner_context(service, assignment, request.values.get("q", ""), chosen, errors)
    status = 409 if errors.get("owner") == STALE_OWNER else 400 if errors else 200
    return render_template("web/actions_owner.html", **context), status


def owner_context(service, assignment, text: str, chosen: str, errors: dict[str, str]) -> dict:
    """The owner form: who answers now, the people, groups and organisations matching `text`."""
    action = assignment.action
    query = text.strip()
    candidates, search_error = party_choices(service, query, chosen)
    action_label = label_of(service.vocabulary, action.type, action.properties, action.id)
    return {
        "page_title": ("Error: " if errors or search_error else "") + f"Change accountable owner – {action_label}",
        "action": {"id": action.id, "label": action_label, "reference": action.properties.get("reference"),
                   "example": action.properties.get(EXAMPLE_PROPERTY) is True},
        "owner": party_summary(service, assignment.owner),
        "warnings": assignment.warnings,
        "etag": accountable_etag(assignment),
        "query": query,
        "searched": bool(query) and not search_error,
        "search_error": search_error,
        "candidates": [c for c in candidates if c is not None],
        "chosen": chosen,
        "errors": errors,
    }


# -- helpers ---------------------------------------------------------------------------------------

def _report(service, args, with_query: bool = False):
    query = RegisterQuery.from_args(args, _statuses(service))
    report = action_log(service, gap_settings(current_app.config), True, query.statuses, query.rags)
    report = {**report, "rows": sorted(report["rows"], key=SORTS[query.sort][1])}
    return (report, query) if with_query else report


def _whole_number(text: str | None) -> int:
    return int(text) if text and text.isdigit() and len(text) < 7 else 1


def _statuses(service) -> tuple[str, ...]:
    return tuple(service.vocabulary.node_type("Action").properties["status"].values)


def _row(row: dict) -> dict:
    update = row["latest_update"]
    return {**row, "rag_label": phrase(row["rag"]), "rag_colour": RAG_COLOURS[row["rag"]],
            "status_label": phrase(row["status"]) if row["status"] else "Not set",
            "due": readable_date(row["due_date"]) if row["due_date"] else None,
            "original_due": readable_date(row["original_due_date"]) if row["original_due_date"] else None,
            # The owner's own RAG, beside the log's derived one: both in words.
            "latest": {"date": readable_date(update["date"] or ""), "rag_label": phrase(update["rag"] or ""),
                       "rag_colour": RAG_COLOURS.get(update["rag"], "grey")} if update else None,
            "flag_labels": [phrase(flag.replace("-", "_")) for flag in [*row["flags"], *row["owner_flags"]]]}


def _group_by_area(service, rows: list[dict]) -> list[dict]:
    """Rows under each area of the report their recommendations belong to, in the report's order;
    a row answering recommendations in two areas appears under both."""
    graph = service.graph()
    order: dict[str, tuple] = {}
    groups: dict[str, list[dict]] = {}
    for row in rows:
        areas = []
        for rec in row["recommendations"]:
            data = graph.nodes[rec["id"]] if rec["id"] in graph else {}
            area = data.get("area") or NO_AREA
            number = data.get("number")
            order[area] = min(order.get(area, (1, 0)), (0, number if isinstance(number, int) else 0))
            if area not in areas:
                areas.append(area)
        for area in areas or [NO_AREA]:
            groups.setdefault(area, []).append(row)
    order.setdefault(NO_AREA, (2, 0))
    return [{"title": area, "rows": groups[area]}
            for area in sorted(groups, key=lambda area: (area == NO_AREA, order.get(area, (1, 0)), area))]


def _download(body: bytes, content_type: str, filename: str) -> Response:
    response = Response(body, content_type=content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _saved_context(service, saved) -> dict:
    label = label_of(service.vocabulary, saved.action.type, saved.action.properties, saved.action.id)
    return {"page_title": f"Accountable owner changed – {label}",
            "action": {"id": saved.action.id, "label": label}, "owner": party_summary(service, saved.owner),
            "warnings": saved.warnings}
