"""Mapping the work: browse initiatives, review the overlap queue, read the coverage matrix.

Views validate, call the shared read layer (graphsvc.queries) or graphsvc.reviews, and render one
context dict (as JSON with `?format=json`). Who may record or change a review is decided in
graphsvc.reviews; its Forbidden is shown on the page as an error. The queue and a record's page shape
pairs alike, in `overlap_pairs`.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import abort, g, redirect, request
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, TextAreaField
from wtforms.validators import DataRequired, Length

from ..api.connections import COVERAGE_TYPES
from ..app import get_service
from ..errors import Forbidden, Invalid
from ..queries.connections import coverage
from ..queries.initiatives import LINKED_TYPES, find_initiatives, initiative_choices
from ..queries.overlaps import overlaps
from ..reviews import decisions, record_review
from ..schemas import TEXT_MAX
from . import web
from .as_json import render_page
from .formatting import label_of, phrase
from .overlap_pairs import KIND_WORDS, REVIEW_ROLE, compared_on, pair_view, score_in_words

__all__ = ["ReviewForm", "score_in_words"]

PAGE_SIZE = 20
QUEUE_PAGE_SIZE = 20  # pairs per page of the overlap queue: each pair is a card with its own form
# The GET parameter naming each linked type on /initiatives (a coverage cell's link uses the same).
PARAMETERS = {node_type: node_type.lower() for node_type in LINKED_TYPES}
DECISION_HINTS = {
    "aligned": "Both go ahead and work together (they are recorded as aligned).",
    "duplicate": "They are the same work recorded twice.",
    "distinct": "They only look alike: the pair leaves the queue.",
}


class ReviewForm(FlaskForm):
    class Meta:
        csrf = False  # checked for every unsafe request by the blueprint, before any view runs

    a = HiddenField(validators=[DataRequired(message="The pair is missing. Go back and try again.")])
    b = HiddenField(validators=[DataRequired(message="The pair is missing. Go back and try again.")])
    decision = RadioField("Decision", validate_choice=True,
                          validators=[DataRequired(message="Select aligned, duplicate or distinct.")])
    note = TextAreaField("Note", validators=[Length(max=TEXT_MAX, message=f"Write {TEXT_MAX:,} characters or fewer.")])
    # Where the form was, so the answer (or its errors) comes back to the same view of the queue.
    back = HiddenField()
    page = HiddenField()
    include_reviewed = HiddenField()


# -- initiatives -------------------------------------------------------------------------------------

@web.route("/initiatives")
def initiatives():
    context = initiatives_context(get_service(), request.args)
    return render_page("web/mapping_initiatives.html", context, 400 if context["errors"] else 200)


def initiatives_context(service, args) -> dict:
    statuses = list(service.vocabulary.node_type("Initiative").properties["status"].values)
    query = args.get("q", "").strip()
    status = args.get("status", "")
    errors = {}
    if status and status != "any" and status not in statuses:
        errors["status"] = "Select a status from the list."
    linked = {node_type: [value for value in args.getlist(name) if value] for node_type, name in PARAMETERS.items()}
    linked = {node_type: ids for node_type, ids in linked.items() if ids}
    leads = [value for value in args.getlist("lead") if value]
    page = _page(args.get("page", ""))
    found = {"initiatives": [], "total": 0} if errors else find_initiatives(
        service, query, None if status in ("", "any") else status, linked, leads, PAGE_SIZE, (page - 1) * PAGE_SIZE)
    choices = initiative_choices(service)
    chosen = {name: args.getlist(name) for name in [*PARAMETERS.values(), "lead"]}
    state = {"q": query, "status": status, **{name: values for name, values in chosen.items() if values}}
    last_page = max(1, -(-found["total"] // PAGE_SIZE))
    return {
        "page_title": ("Error: " if errors else "") + "Initiatives",
        "query": query, "status": status, "errors": errors,
        "status_items": [{"value": "", "text": "Any status"}] + [{"value": value, "text": phrase(value)}
                                                                  for value in statuses],
        "filters": [_select(name, label, choices[key], chosen[name]) for key, name, label in (
            ("Theme", "theme", "Theme"), ("Population", "population", "Population"), ("Place", "place", "Place"),
            ("lead", "lead", "Lead organisation"))],
        # Values the form has no control for (an organisation from a coverage cell, a second theme...).
        "hidden": [(name, value) for name, values in chosen.items() for value in
                   (values if name == "organisation" else values[1:])],
        "active_filters": [_label_of(choices, key, value) for key, name in [*PARAMETERS.items(), ("lead", "lead")]
                           for value in chosen[name]],
        "initiatives": [{**row, "status_text": phrase(row["status"]) if row["status"] else "No status"}
                        for row in found["initiatives"]],
        "total": found["total"], "page": page, "last_page": last_page,
        "previous_href": _href("/initiatives", {**state, "page": page - 1}) if page > 1 else None,
        "next_href": _href("/initiatives", {**state, "page": page + 1}) if page < last_page else None,
    }


# -- overlaps ----------------------------------------------------------------------------------------

@web.route("/overlaps")
def overlap_queue():
    args = request.args
    context = overlaps_context(get_service(), args.get("id") or None, args.get("include_reviewed") == "yes", g.user,
                               _page(args.get("page", "")))
    recorded = args.get("recorded")
    context["recorded"] = phrase(recorded) if recorded in decisions(get_service()) else None
    return render_page("web/mapping_overlaps.html", context)


@web.route("/overlaps/review", methods=["POST"])
def review_overlap():
    if not g.user.can(REVIEW_ROLE):
        abort(403)
    service = get_service()
    form = ReviewForm()
    form.decision.choices = decisions(service)
    back, page = form.back.data or None, _page(form.page.data or "")
    include_reviewed = form.include_reviewed.data == "yes"
    errors: dict[str, str] = {}
    if form.validate():
        try:
            record_review(service, form.a.data, form.b.data, form.decision.data, form.note.data.strip() or None,
                          g.user.name, role=g.user.role)
        except Forbidden as error:
            errors, status = {"decision": str(error)}, 403
        except Invalid as error:
            errors = {field: " ".join(messages) for field, messages in (error.errors or {}).items()} or {
                "decision": str(error)}
            status = 422
        else:
            state = {**_queue_state(back, include_reviewed), "page": page if page > 1 else None,
                     "recorded": form.decision.data}
            return redirect(_href("/overlaps", state), code=303)
    else:
        errors, status = {field: messages[0] for field, messages in form.errors.items()}, 400
    # The posted page again, so the pair's form (and what was typed in it) is where it was.
    context = overlaps_context(service, back, include_reviewed, g.user, page)
    context.update(problem=_problem(context, form, errors), page_title="Error: " + context["page_title"])
    return render_page("web/mapping_overlaps.html", context, status)


def overlaps_context(service, node_id: str | None, include_reviewed: bool, user, page: int = 1) -> dict:
    """The queue of initiative pairs (or one initiative's or action's), a page at a time, each pair side by
    side with why they overlap."""
    # Every pair, then a slice: the read layer keeps the whole queue per change, and the total is needed.
    found = overlaps(service, None if node_id else "initiative", node_id, limit=None,
                     include_reviewed=include_reviewed)
    kind, entries = found["kind"], found["overlaps"]
    last_page = max(1, -(-len(entries) // QUEUE_PAGE_SIZE))
    page = min(page, last_page)  # a review can empty the last page: show the one before it
    start = (page - 1) * QUEUE_PAGE_SIZE
    pairs = [pair_view(index, entry, kind)
             for index, entry in enumerate(entries[start:start + QUEUE_PAGE_SIZE], start=start + 1)]
    subject = None
    if node_id:
        subject = next((side for entry in entries for side in (entry["a"], entry["b"]) if side["id"] == node_id),
                       None) or _named(service, node_id)
    state = _queue_state(node_id, include_reviewed)
    return {
        "page_title": f"Overlaps of {subject['name']}" if subject else "Overlap queue",
        "subject": subject, "kind": KIND_WORDS[kind], "pairs": pairs, "min_score": found["min_score"],
        "compared_on": compared_on(kind),
        "include_reviewed": include_reviewed, "total": len(entries), "page": page, "last_page": last_page,
        "first_shown": start + 1 if pairs else 0, "last_shown": start + len(pairs),
        "previous_href": _href("/overlaps", {**state, "page": page - 1}) if page > 1 else None,
        "next_href": _href("/overlaps", {**state, "page": page + 1}) if page < last_page else None,
        "can_review": user.can(REVIEW_ROLE), "problem": None, "recorded": None,
        "decision_items": [{"value": value, "text": phrase(value), "hint": {"text": DECISION_HINTS.get(value, "")}}
                           for value in decisions(service)],
    }


# -- coverage ----------------------------------------------------------------------------------------

@web.route("/coverage")
def coverage_matrix():
    context = coverage_context(get_service(), request.args)
    return render_page("web/mapping_coverage.html", context, 400 if context["errors"] else 200)


def coverage_context(service, args) -> dict:
    statuses = list(service.vocabulary.node_type("Initiative").properties["status"].values)
    rows, cols, status = args.get("rows", "Theme"), args.get("cols", "Population"), args.get("status", "active")
    errors = {}
    for field, value in (("rows", rows), ("cols", cols)):
        if value not in COVERAGE_TYPES:
            errors[field] = "Select one of: " + ", ".join(COVERAGE_TYPES) + "."
    if status not in [*statuses, "any"]:
        errors["status"] = "Select a status from the list."
    context = {
        "page_title": ("Error: " if errors else "") + "Coverage", "errors": errors,
        "error_list": [{"text": message, "href": f"#{field}"} for field, message in errors.items()],
        "rows": rows, "cols": cols, "status": status,
        "axis_items": [{"value": value, "text": value} for value in COVERAGE_TYPES],
        "status_items": [{"value": value, "text": phrase(value)} for value in statuses]
        + [{"value": "any", "text": "Any status"}],
        "matrix": None,
    }
    if errors:
        return context
    found = coverage(service, rows, cols, status)
    status_args = {} if status == "any" else {"status": status}
    table = []
    for row, counts in zip(found["rows"], found["cells"], strict=True):
        cells = []
        for col, count in zip(found["cols"], counts, strict=True):
            query = [(PARAMETERS[rows], row["id"]), (PARAMETERS[cols], col["id"]), *status_args.items()]
            cells.append({"count": count, "href": "/initiatives?" + urlencode(query) if count else None,
                          "label": f"{count} {'initiative' if count == 1 else 'initiatives'}: "
                                   f"{row['name']} and {col['name']}"})
        table.append({"header": row, "cells": cells, "total_empty": sum(1 for count in counts if not count)})
    return {**context, "matrix": {"cols": found["cols"], "rows": table, "empty": len(found["empty"]),
                                  "counted": found["initiatives"], "status_text": phrase(found["status"])}}


# -- helpers -----------------------------------------------------------------------------------------

def _problem(context: dict, form: ReviewForm, errors: dict[str, str]) -> dict:
    """The posted pair's errors and values, and where on the page its form is."""
    index = next((pair["index"] for pair in context["pairs"]
                  if {pair["a"]["id"], pair["b"]["id"]} == {form.a.data, form.b.data}), None)
    anchor = f"#decision-{index}" if index else "#maincontent"
    return {"index": index, "errors": errors, "decision": form.decision.data, "note": form.note.data or "",
            "summary": [{"text": message, "href": f"#note-{index}" if field == "note" and index else anchor}
                        for field, message in errors.items()]}


def _named(service, node_id: str) -> dict:
    """A record with no pairs to show, as a pair's side would name it (an action by its title)."""
    node = service.get_node(node_id)
    return {"id": node_id, "name": label_of(service.vocabulary, node.type, node.properties, node_id)}


def _queue_state(node_id: str | None, include_reviewed: bool) -> dict:
    """The queue's state in its address: whose pairs, and whether distinct ones show (defaults left out)."""
    return {"id": node_id, "include_reviewed": "yes" if include_reviewed else None}


def _select(name: str, label: str, options: list[dict], chosen: list[str]) -> dict:
    current = chosen[0] if chosen else ""
    return {"name": name, "label": label, "items": [{"value": "", "text": f"Any {label.lower()}"}] + [
        {"value": option["id"], "text": option["name"] + (" (example)" if option["example"] else ""),
         "selected": option["id"] == current} for option in options]}


def _label_of(choices: dict, key: str, value: str) -> str:
    names = {option["id"]: option["name"] for option in choices[key]}
    return f"{'Lead organisation' if key == 'lead' else key}: {names.get(value, value)}"


def _page(text: str) -> int:
    return int(text) if text.isdigit() and 0 < int(text) < 1_000_000 else 1


def _href(path: str, state: dict) -> str:
    pairs = [(name, value) for name, values in state.items() if values not in (None, "", [])
             for value in (values if isinstance(values, list) else [values])]
    return path + ("?" + urlencode(pairs) if pairs else "")
