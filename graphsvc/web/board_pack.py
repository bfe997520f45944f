"""The board pack page: the pack's sections on screen, with its printable A4 document and workbook.

A GET form (since: the last meeting or a date; the map as of a date; the group), so the choice lives in the
address. The view asks the read layer (``graphsvc.queries.board_pack``, the same pack as
`GET /api/v1/reports/board-pack`) and renders it; `?format=json` gives the page's context as data. The
printable document and the workbook are served here too, since a person's cookie never opens `/api/`.
"""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlencode

from flask import Response, current_app, request

from ..app import get_service
from ..errors import Invalid
from ..meetings import governance_groups
from ..queries.board_pack import board_pack
from ..queries.changes import LAST_MEETING
from ..queries.moments import parse_as_of, resolve
from ..queries.settings import gap_settings
from ..reports.action_log import RAG_RULES
from ..reports.board_pack import NO_ACTION, NO_AREA, SECTIONS, to_html, to_xlsx
from . import web
from .actions import RAG_COLOURS
from .as_json import render_page
from .formatting import phrase, readable_date

__all__ = ["pack_context"]

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The printable document carries its own styles inline and no script: only that is allowed.
PRINT_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'"


@web.route("/board-pack")
def board_pack_page():
    context = pack_context(get_service(), request.args)
    return render_page("web/board_pack.html", context, 400 if context["errors"] else 200)


@web.route("/board-pack/print")
def board_pack_print():
    pack, errors = _pack(get_service(), request.args)
    if errors:
        return board_pack_page()
    response = Response(to_html(pack), content_type="text/html; charset=utf-8")
    response.headers["Content-Security-Policy"] = PRINT_CSP
    return response


@web.route("/board-pack.xlsx")
def board_pack_xlsx():
    pack, errors = _pack(get_service(), request.args)
    if errors:
        return board_pack_page()
    response = Response(to_xlsx(pack), content_type=XLSX)
    filename = f"board-pack-{pack['judged_on']}-seq-{pack['graph_as_of']['seq']}.xlsx"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def pack_context(service, args) -> dict:
    pack, errors = _pack(service, args)
    state = _state(args)
    graph = service.graph()
    context = {
        "page_title": ("Error: " if errors else "") + "Board pack",
        "errors": errors,
        "error_list": [{"text": message, "href": f"#{field}"} for field, message in errors.items()],
        "since_value": state.get("since") if _DATE.fullmatch(state.get("since", "")) else "",
        "as_of_value": state.get("as_of", ""),
        "groups": [{"value": "", "text": "The governance group that oversees the work"}] + [
            {"value": node, "text": graph.nodes[node].get("name") or node, "selected": node == state.get("group")}
            for node in governance_groups(graph)],
        "print_href": "/board-pack/print?" + urlencode(state),
        "xlsx_href": "/board-pack.xlsx?" + urlencode(state),
        "json_href": "/board-pack?" + urlencode({**state, "format": "json"}),
        "rag_rules": [{"rag": phrase(rag), "colour": RAG_COLOURS[rag], "rule": rule} for rag, rule in RAG_RULES],
        "no_action": NO_ACTION, "no_area": NO_AREA, "sections": SECTIONS,
    }
    if pack is not None:
        context["pack"] = {**pack, "areas": [_area(area) for area in pack["areas"]]}
        context["window"] = _window(pack)
    return context


def _pack(service, args) -> tuple[dict | None, dict]:
    """The pack the form asks for, or the field errors that stop it."""
    state, errors, moment, judged_on = _state(args), {}, None, None
    since = state.get("since") or None
    if since is not None and since != LAST_MEETING and not _DATE.fullmatch(since):
        errors["since"] = "Enter the date as YYYY-MM-DD, or choose the last meeting."
    if state.get("as_of"):
        try:
            if not _DATE.fullmatch(state["as_of"]):
                raise ValueError("Enter the date as YYYY-MM-DD.")
            when = resolve(service.store, parse_as_of(state["as_of"]))
            moment, judged_on = when.moment, when.judged_on
        except ValueError as problem:
            errors["as_of"] = str(problem)
    if errors:
        return None, errors
    judged_on = judged_on or dt.datetime.now(dt.UTC).date()
    try:
        settings = gap_settings(current_app.config, {"as_of": judged_on})
        return board_pack(service, since, moment, judged_on, state.get("group") or None, True, settings), {}
    except Invalid as problem:
        return None, {field: " ".join(map(str, messages)) for field, messages in (problem.errors or {}).items()}


def _state(args) -> dict:
    found = {name: args.get(name, "").strip()[:200] for name in ("since", "as_of", "group")}
    return {name: value for name, value in found.items() if value}


def _area(area: dict) -> dict:
    shaped = {**area, "heading": area["area"] or "Actions not linked to a recommendation"}
    shaped["recommendations"] = [{**rec, "actions": [_action(a) for a in rec["actions"]]}
                                 for rec in area["recommendations"]]
    shaped["actions"] = [_action(a) for a in area.get("actions", ())]
    return shaped


def _action(item: dict) -> dict:
    return {**item, "rag_label": phrase(item["rag"]), "rag_colour": RAG_COLOURS[item["rag"]],
            "status_label": phrase(item["status"] or "not recorded"),
            "due": readable_date(item["due_date"]) if item["due_date"] else "None",
            "reported": phrase(item["reported_rag"]) if item["reported_rag"] else None}


def _window(pack: dict) -> dict:
    since = pack["window"]["since"]
    if since["meeting"]:
        start = f"the start of {readable_date(since['meeting']['date'])}, the day of {since['meeting']['title']}"
    elif since["at"]:
        start = readable_date(since["at"][:10])
    else:
        start = "the beginning of the record"
    return {"since": start, "judged_on": readable_date(pack["judged_on"]),
            "meeting": pack["meeting"] and f"{pack['meeting']['title']}, {readable_date(pack['meeting']['date'])}"}
