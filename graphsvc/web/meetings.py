"""Meeting pages: the group's meetings, and one meeting with its agenda (built from its board pack), the
decisions taken at it, the form that records one and the button that marks it held.

Views are thin: reads come from the read layer (``graphsvc.queries.board_pack``: the meetings, the pack a
meeting sees, its decisions), writes from ``graphsvc.decisions.record_decision`` and
``graphsvc.meetings_record.mark_held``, the same functions and roles as the API. The owner picker is the
accountable-owner picker's (``parties``, static/picker.js): a GET search on this page, whose results area
sits inside the decision form. `?format=json` gives each page's context as data.
"""

from __future__ import annotations

import datetime as dt
import re

from flask import Response, abort, current_app, flash, g, redirect, request

from ..app import get_service
from ..decisions import DECISION, MAX_CONCERNS, RECORD_ROLE, record_decision
from ..errors import Conflict, Invalid
from ..meetings import overseeing_group
from ..meetings_record import HELD, HOLD_ROLE, PLANNED, mark_held, meeting_group
from ..queries.board_pack import decisions_at, group_meetings, meeting_pack
from ..reports.action_log import natural_key
from ..reports.board_pack import NO_AREA, to_html, to_xlsx
from ..vocabulary import EXAMPLE_PROPERTY
from . import web
from .as_json import render_page
from .board_pack import PRINT_CSP, XLSX
from .edit_forms import body_from_form, form_fields, summary_errors
from .formatting import label_of, phrase, readable_date
from .parties import party_choices

__all__ = ["FORM_FIELDS"]

FORM_FIELDS = ("title", "description", "kind", "due_date")  # status starts open; it changes on the record
ADD_ROLE = "coordinator"  # the generic "Add a record" form's role
CLOSED_RAGS = ("complete", "cancelled")  # the action log's RAG for done and cancelled actions
MOST_CHOICES = 100  # per list of the concerns' choices: a borough's agenda fits; a national one is trimmed


@web.route("/meetings")
def meetings_list():
    service = get_service()
    graph = service.graph()
    group = overseeing_group(graph)
    meetings = [{**m, "date_text": readable_date(m["date"] or ""), "status_text": phrase(m["status"] or "not set")}
                for m in group_meetings(graph, group)]
    context = {"page_title": "Meetings", "meetings": meetings,
               "group": {"id": group, "name": label_of(service.vocabulary, "Group", graph.nodes[group], group),
                         "example": graph.nodes[group].get(EXAMPLE_PROPERTY) is True} if group else None,
               "can_add": g.user.can(ADD_ROLE), "add_href": "/records/new?type=Meeting"}
    return render_page("web/meetings.html", context)


@web.route("/meetings/<meeting_id>")
def meeting_page(meeting_id: str):
    return _render(get_service(), meeting_id, {}, {}, 200)


@web.route("/meetings/<meeting_id>/decisions", methods=["POST"])
def record_meeting_decision(meeting_id: str):
    if not g.user.can(RECORD_ROLE):
        abort(403)
    service = get_service()
    service.get_node(meeting_id, "Meeting")  # NotFound becomes the 404 page
    body, values = body_from_form(service.node_type(DECISION), g.user, request.form, editing=False)
    body = {name: value for name, value in body.items() if name in FORM_FIELDS}
    owner, concerns = request.form.get("owner", "").strip(), request.form.getlist("concerns")
    values |= {"owner": owner, "concerns": concerns, "q": request.form.get("q", "")[:200]}
    body |= {"owner": owner or None, "concerns": concerns}
    try:
        saved = record_decision(service, meeting_id, body, g.user.name)
    except (Invalid, Conflict) as error:
        return _render(service, meeting_id, values, error.errors or {"_record": [error.message]}, error.status)
    flash(f"Decision recorded: {saved.decision.properties['title']}.", "success")
    return redirect(f"/meetings/{meeting_id}#decisions")


@web.route("/meetings/<meeting_id>/held", methods=["POST"])
def mark_meeting_held(meeting_id: str):
    if not g.user.can(HOLD_ROLE):
        abort(403)
    service = get_service()
    try:
        mark_held(service, meeting_id, g.user.name)
    except (Invalid, Conflict) as error:
        reasons = [str(m) for messages in (error.errors or {}).values() for m in messages if isinstance(m, str)]
        return _render(service, meeting_id, {}, {"held": [error.message, *reasons]}, error.status)
    flash("The meeting is marked as held; its board pack is pinned as it stands now.", "success")
    return redirect(f"/meetings/{meeting_id}")


@web.route("/meetings/<meeting_id>/board-pack/print")
def meeting_pack_print(meeting_id: str):
    pack = _pack_or_404(meeting_id)
    response = Response(to_html(pack), content_type="text/html; charset=utf-8")
    response.headers["Content-Security-Policy"] = PRINT_CSP
    return response


@web.route("/meetings/<meeting_id>/board-pack.xlsx")
def meeting_pack_xlsx(meeting_id: str):
    pack = _pack_or_404(meeting_id)
    response = Response(to_xlsx(pack), content_type=XLSX)
    name = re.sub(r"[^A-Za-z0-9_-]+", "-", meeting_id)[:60]
    response.headers["Content-Disposition"] = (f'attachment; filename="board-pack-{name}-{pack["judged_on"]}'
                                               f'-seq-{pack["graph_as_of"]["seq"]}.xlsx"')
    return response


# -- helpers ---------------------------------------------------------------------------------------

def _pack_or_404(meeting_id: str) -> dict:
    pack = meeting_pack(get_service(), meeting_id, current_app.config)
    if pack is None:
        abort(404)  # a cancelled meeting saw no pack
    return pack


def _render(service, meeting_id: str, values: dict, errors: dict, status: int):
    return render_page("web/meetings_detail.html", meeting_context(service, meeting_id, values, errors), status)


def meeting_context(service, meeting_id: str, values: dict, errors: dict) -> dict:
    """The meeting page: its details, agenda, pack links, decisions and (for governance) the forms."""
    meeting = service.get_node(meeting_id, "Meeting")
    properties, graph = meeting.properties, service.graph()
    group = meeting_group(service.store, meeting_id)
    today = dt.datetime.now(dt.UTC).date()
    pack = meeting_pack(service, meeting_id, current_app.config)
    status = properties.get("status")
    title = label_of(service.vocabulary, "Meeting", properties, meeting_id)
    context = {
        "meeting": {"id": meeting_id, "title": title, "date": readable_date(properties.get("date") or ""),
                    "status": status, "status_text": phrase(status or "not set"),
                    "format": phrase(properties["format"]) if properties.get("format") else None,
                    "notes": properties.get("notes"), "example": properties.get(EXAMPLE_PROPERTY) is True,
                    "group": {"id": group, "name": label_of(service.vocabulary, "Group", graph.nodes[group], group),
                              "example": graph.nodes[group].get(EXAMPLE_PROPERTY) is True} if group else None},
        "agenda": agenda(pack, _pack_links(meeting_id, status, group)) if pack else None,
        "pack_links": _pack_links(meeting_id, status, group) if pack else None,
        "decisions": [_decision_view(d) for d in decisions_at(graph, meeting_id, today)],
        "can_mark_held": g.user.can(HOLD_ROLE) and status == PLANNED
                         and (properties.get("date") or "9999") <= today.isoformat(),
        "held_error": " ".join(map(str, errors.get("held", []))) or None,
    }
    if g.user.can(RECORD_ROLE) and status != "cancelled":
        form_errors = {key: value for key, value in errors.items() if key != "held"}
        context["form"] = _form(service, pack, context["meeting"]["example"], values, form_errors)
    title_prefix = "Error: " if errors else ""
    return {"page_title": f"{title_prefix}{title}", **context}


def _form(service, pack: dict | None, example: bool, values: dict, errors: dict) -> dict:
    """The "Record a decision" form: the vocabulary's fields, the owner picker and what it concerns."""
    node_type = service.node_type(DECISION)
    fields = [field for field in form_fields(node_type, g.user, values, errors) if field["name"] in FORM_FIELDS]
    query = values.get("q", request.args.get("q", ""))
    candidates, search_error = party_choices(service, query, values.get("owner", ""))
    candidates = [candidate for candidate in candidates if candidate]  # a chosen non-party: its error says why
    chosen = set(values.get("concerns", ()))
    concerns = concern_choices(pack, chosen, example) if pack else {"actions": [], "recommendations": []}
    owner_error = _first(errors.get("owner"))
    concerns_error = _first(errors.get("concerns"))
    error_list = summary_errors(fields, {k: v for k, v in errors.items() if k not in ("owner", "concerns", "rule")})
    error_list += [{"text": f"Owner: {owner_error}", "href": "#owner" if candidates else "#q"}] if owner_error else []
    error_list += [{"text": f"Concerns: {concerns_error}", "href": "#concerns"}] if concerns_error else []
    error_list += [{"text": search_error, "href": "#q"}] if search_error else []
    return {"fields": fields, "query": query, "searched": bool(query.strip()), "candidates": candidates,
            "chosen_owner": values.get("owner", ""), "owner_error": owner_error, "search_error": search_error,
            "concerns": concerns, "concerns_error": concerns_error, "concerns_open": bool(chosen or concerns_error),
            "most": MAX_CONCERNS,
            "error_list": error_list}


def _pack_links(meeting_id: str, status: str | None, group: str | None) -> dict:
    """Where the meeting's pack is read: a held meeting's is its pinned pack; a planned one's the current pack."""
    own = {"print": f"/meetings/{meeting_id}/board-pack/print", "xlsx": f"/meetings/{meeting_id}/board-pack.xlsx"}
    if status == HELD:
        return {**own, "page": None, "sections": own["print"], "pinned": True}
    page = "/board-pack" + (f"?group={group}" if group else "")
    return {**own, "page": page, "sections": page, "pinned": False}


def agenda(pack: dict, links: dict) -> list[dict]:
    """The agenda, item by item, from the pack the meeting sees; each item links to the pack's section."""
    def at(anchor: str) -> str:
        return f"{links['sections']}#{anchor}"

    due, changes, flags = pack["decisions"]["due"], pack["changes"], pack["flags"]
    flags_text = (f"{len(flags['opened'])} opened, {len(flags['closed'])} closed, {flags['still_open']} still open."
                  if flags["available"] else "Flags over time are not available yet.")
    return [
        {"title": "Apologies", "text": "Apologies for absence.", "href": None, "list": []},
        {"title": "Decisions of earlier meetings now due", "href": at("decisions"),
         "text": f"{_count(len(due), 'open decision')} due by this meeting or overdue.",
         "list": [d["title"] + (" (overdue)" if d["overdue"] else "") for d in due]},
        {"title": "Progress by area", "href": at("area-1") if pack["areas"] else None, "text": None,
         "list": [], "areas": [{"heading": area["area"] or NO_AREA, "text": _area_counts(area),
                                "href": at(f"area-{index}")} for index, area in enumerate(pack["areas"], 1)]},
        {"title": "Flags opened and closed", "text": flags_text, "href": at("flags"), "list": []},
        {"title": "What changed since the last meeting", "href": at("changes"), "list": [],
         "text": _changes_text(changes)},
        {"title": "Indicators that moved", "href": at("indicators"),
         "text": f"{_count(len(pack['indicators']), 'indicator')} moved.",
         "list": [i["name"] for i in pack["indicators"]]},
        {"title": "Any other business", "text": None, "href": None, "list": []},
    ]


def concern_choices(pack: dict, chosen: set[str], example: bool) -> dict:
    """What a decision may concern, from the agenda: its open actions and its recommendations, as checkboxes;
    only example records at an example meeting and only real ones at a real one (examples-stay-apart)."""
    actions, recommendations = {}, []
    for area in pack["areas"]:
        for rec in area["recommendations"]:
            recommendations.append(_choice(rec["id"], f"Recommendation {rec['number']}: " if rec["number"] else "",
                                           rec["title"], rec["example"], chosen))
            for action in rec["actions"]:
                actions.setdefault(action["id"], action)
        for action in area.get("actions", ()):
            actions.setdefault(action["id"], action)
    open_actions = sorted((a for a in actions.values() if a["rag"] not in CLOSED_RAGS and a["example"] == example),
                          key=lambda a: (natural_key(a["reference"] or ""), a["title"].lower()))
    return {"actions": [_choice(a["id"], f"{a['reference']} " if a["reference"] else "", a["title"], a["example"],
                                chosen) for a in open_actions[:MOST_CHOICES]],
            "recommendations": [r for r in recommendations if (r["hint"] is not None) == example][:MOST_CHOICES]}


def _choice(node_id: str, prefix: str, title: str, example: bool, chosen: set[str]) -> dict:
    return {"value": node_id, "text": f"{prefix}{title}", "checked": node_id in chosen,
            "hint": {"text": "Example data"} if example else None}


def _area_counts(area: dict) -> str:
    rags = [a["rag"] for rec in area["recommendations"] for a in rec["actions"]] + [
        a["rag"] for a in area.get("actions", ())]
    parts = [f"{rags.count(rag)} {rag}" for rag in ("red", "amber", "green")]
    no_action = sum(1 for rec in area["recommendations"] if rec["no_action"])
    return ", ".join(parts) + f"; {_count(no_action, 'recommendation')} with no action yet."


def _changes_text(changes: dict) -> str:
    counts = [_count(changes[key]["count"], noun) for key, noun in (
        ("handovers", "owner hand-over"), ("status_transitions", "status change"), ("rag_transitions", "RAG change"))]
    return f"{_count(changes['entries'], 'change')} to the map: {', '.join(counts)}."


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _decision_view(decision: dict) -> dict:
    return {**decision, "kind_text": phrase(decision["kind"]) if decision["kind"] else "Not set",
            "status_text": phrase(decision["status"] or "open"),
            "due": readable_date(decision["due_date"]) if decision["due_date"] else "None"}


def _first(messages) -> str | None:
    if not messages:
        return None
    return str(messages[0]) if isinstance(messages, list) else str(messages)
