"""Progress updates on an action's page, and the form that records one (coordinators and above).

The form is the vocabulary's ProgressUpdate drawn like every other form (`edit_forms`), less the
example mark (an update is example data exactly when its action is). Saving goes through
`graphsvc.progress.record_update`, the same rules and transaction as the API; its field messages
come back beside the fields.
"""

from __future__ import annotations

import datetime as dt

from flask import abort, flash, g, redirect, request

from ..analysis.gaps import CLOSED_ACTION
from ..app import get_service
from ..errors import Invalid
from ..progress import RECORD_ROLE, UPDATE, record_update, update_entries
from ..schemas import IsoDate
from ..vocabulary import EXAMPLE_PROPERTY
from . import web
from .actions import RAG_COLOURS
from .as_json import render_page
from .edit_forms import REQUIRED_MESSAGES, body_from_form, form_fields, summary_errors
from .formatting import label_of, phrase, readable_date, readable_time

__all__ = ["progress_section"]

SHOWN_ON_RECORD = 100  # an action's page lists its newest updates; the API pages through them all
REVISION_FIELDS = ("revised_due_date", "revision_reason")  # a closed action's due date is not revised
CHOOSE_RAG = "Choose red, amber or green"
SUMMARY_HINT = "The update in a line. Leave it blank to call it “Progress update” and its date."
# Date errors from the form's own parsing read as the form's usual date message; the service's own
# (a date after today, a revision on a closed action) are shown as it words them.
DATE_PARSE_MESSAGES = {IsoDate.default_error_messages["invalid"], *REQUIRED_MESSAGES}


@web.route("/actions/<action_id>/updates/new", methods=["GET", "POST"])
def new_progress_update(action_id: str):
    if not g.user.can(RECORD_ROLE):
        abort(403)
    service = get_service()
    action = service.get_node(action_id, "Action")  # NotFound (not an action) becomes the 404 page
    node_type = service.node_type(UPDATE)
    today = dt.datetime.now(dt.UTC).date()
    values = {"date": {"day": str(today.day), "month": str(today.month), "year": str(today.year)}}
    errors, status = {}, 200
    if request.method == "POST":
        body, values = body_from_form(node_type, g.user, request.form, editing=False)
        body.pop(EXAMPLE_PROPERTY, None)  # follows the action; the service refuses nothing it was not sent
        try:
            saved = record_update(service, action_id, body, g.user.name, today=today)
        except Invalid as error:
            errors, status = error.errors or {"_record": [error.message]}, error.status
        else:
            flash(_saved_message(service, saved), "success")
            return redirect(f"/records/{action_id}#progress")
    return render_page("web/progress_form.html", form_context(service, action, node_type, values, errors), status)


def form_context(service, action, node_type, values: dict, errors: dict) -> dict:
    """The form: the action it reports on, then the update's fields with their values and errors."""
    summary = _action_summary(service, action)
    fields = [_adjusted(field, errors) for field in form_fields(node_type, g.user, values, errors)
              if field["name"] != EXAMPLE_PROPERTY
              and not (summary["closed"] and field["name"] in REVISION_FIELDS)]
    error_list = summary_errors(fields, errors)
    title = "Record a progress update"
    return {"page_title": ("Error: " if error_list else "") + f"{title} – {summary['label']}", "heading": title,
            "action": summary, "fields": fields, "error_list": error_list,
            "form_action": f"/actions/{action.id}/updates/new", "cancel": f"/records/{action.id}"}


def progress_section(service, action, identity) -> dict:
    """An action's page: its due dates, its updates newest first, and whether this person may add one."""
    page = update_entries(service, action.id, limit=SHOWN_ON_RECORD)
    summary = _action_summary(service, action)
    return {"due": summary["due"], "original_due": summary["original_due"], "total": page["total"],
            "updates": [_update_view(update) for update in page["items"]],
            "can_record": identity.can(RECORD_ROLE), "record_href": f"/actions/{action.id}/updates/new"}


# -- helpers ---------------------------------------------------------------------------------------

def _action_summary(service, action) -> dict:
    properties = action.properties
    status = properties.get("status")
    due, original = properties.get("due_date"), properties.get("original_due_date")
    return {"id": action.id, "label": label_of(service.vocabulary, action.type, properties, action.id),
            "reference": properties.get("reference"), "example": properties.get(EXAMPLE_PROPERTY) is True,
            "status": phrase(status) if status else "Not set", "closed": status in CLOSED_ACTION,
            "due": readable_date(due) if due else None,
            "original_due": readable_date(original) if original and original != due else None}


def _update_view(update: dict) -> dict:
    revised = update.get("revised_due_date")
    return {"id": update["id"], "date": readable_date(update.get("date") or ""), "summary": update.get("summary"),
            "rag": phrase(update.get("rag") or ""), "rag_colour": RAG_COLOURS.get(update.get("rag"), "grey"),
            "done": update.get("done"), "next": update.get("next"), "blockers": update.get("blockers"),
            "revised_due": readable_date(revised) if revised else None,
            "revision_reason": update.get("revision_reason"), "example": update.get(EXAMPLE_PROPERTY) is True,
            "recorded_by": update.get("recorded_by"), "recorded_at": readable_time(update.get("recorded_at"))}


def _adjusted(field: dict, errors: dict) -> dict:
    """The vocabulary's field as this form needs it: the summary is optional here (one is written),
    and a date's error is the service's own words unless the date could not be read."""
    messages = errors.get(field["name"])
    if field["name"] == "summary":
        field = {**field, "label": f"{field['plain_label']} (optional)", "hint": SUMMARY_HINT}
    if field["name"] == "rag":  # "Rag" is how the name reads as a phrase; people say RAG status
        field = {**field, "label": "RAG status", "plain_label": "RAG status",
                 "error": CHOOSE_RAG if field["error"] else None}
    if field["control"] == "date" and messages and str(messages[0]) not in DATE_PARSE_MESSAGES:
        field = {**field, "error": str(messages[0])}
    return field


def _saved_message(service, saved) -> str:
    label = label_of(service.vocabulary, saved.action.type, saved.action.properties, saved.action.id)
    message = f"Your progress update on {label} has been recorded."
    if saved.update.properties.get("revised_due_date"):
        message += f" Its due date is now {readable_date(saved.action.properties['due_date'])}."
    return message
