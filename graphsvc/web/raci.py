"""Responsible, consulted and informed: who else has a part in an action, beside its accountable owner.

Governance only. The page lists each role's parties with a Remove button, and an add form that works
like the owner form: search people, groups and organisations, then choose one and a role. Every change
goes through `graphsvc.accountability` (the same rules and change log as the API).
"""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request

from ..accountability import RACI_TYPES, add_party, owner_of, parties, remove_party
from ..app import get_service
from ..errors import Invalid, NotFound
from ..vocabulary import EXAMPLE_PROPERTY
from . import web
from .formatting import label_of, phrase
from .parties import chosen_party, party_choices, party_summary

__all__ = ["RACI_ROLES", "raci_context"]

RACI_ROLES = {
    "responsible": ("Responsible", "Does the work."),
    "consulted": ("Consulted", "Gives views before decisions are made."),
    "informed": ("Informed", "Is kept up to date."),
}
CHOOSE_ROLE = "Choose responsible, consulted or informed."
CHOOSE_PARTY = "Choose a person, group or organisation."


@web.route("/actions/<action_id>/raci", methods=["GET", "POST"])
def action_raci(action_id: str):
    if not g.user.can("governance"):
        abort(403)
    service = get_service()
    parties(service, action_id)  # NotFound (not an action) becomes the 404 page
    errors: dict[str, str] = {}
    form = request.form if request.method == "POST" else {}
    role = form.get("role", "")
    chosen = form.get("party", "")
    if request.method == "POST":
        operation = form.get("operation", "add")
        if role not in RACI_TYPES:
            errors["role"] = CHOOSE_ROLE
        if not chosen:
            errors["party"] = CHOOSE_PARTY
        if not errors:
            try:
                message = _change(service, action_id, operation, role, chosen)
            except (Invalid, NotFound) as exc:
                errors["remove" if operation == "remove" else "party"] = exc.message
            else:
                flash(message, "success")
                return redirect(f"/actions/{action_id}/raci")
        if operation == "remove" and not errors.get("remove"):
            errors = {"remove": " ".join(errors.values())}
    context = raci_context(service, action_id, request.values.get("q", ""), role, chosen, errors)
    return render_template("web/raci_form.html", **context), 400 if errors else 200


def _change(service, action_id: str, operation: str, role: str, party_id: str) -> str:
    """Add or remove one party; the sentence saying what was done."""
    found = chosen_party(service, party_id)
    name = found["label"] if found else party_id
    if operation == "remove":
        remove_party(service, action_id, role, party_id, g.user.name)
        return f"{name} is no longer {role} for this action."
    _, created = add_party(service, action_id, role, party_id, g.user.name)
    return f"{name} is {'now' if created else 'already'} {role} for this action."


def raci_context(service, action_id: str, text: str, role: str, chosen: str, errors: dict[str, str]) -> dict:
    """The page: the accountable owner, each role's parties, and the people, groups and organisations
    matching `text` to add."""
    action = owner_of(service, action_id)
    owner, action = action.owner, action.action
    current = parties(service, action_id)
    query = text.strip()
    candidates, search_error = party_choices(service, query, chosen)
    action_label = label_of(service.vocabulary, action.type, action.properties, action.id)
    roles = []
    for key, (title, hint) in RACI_ROLES.items():
        members = []
        for party in current[key]:
            node = service.get_node(party["id"])
            members.append({"id": party["id"], "name": party["name"], "type": phrase(party["type"]),
                            "example": node.properties.get(EXAMPLE_PROPERTY) is True})
        roles.append({"key": key, "title": title, "hint": hint, "parties": members})
    problem = errors or search_error
    return {
        "page_title": ("Error: " if problem else "") + f"Responsible, consulted and informed – {action_label}",
        "action": {"id": action.id, "label": action_label, "reference": action.properties.get("reference"),
                   "example": action.properties.get(EXAMPLE_PROPERTY) is True},
        "owner": party_summary(service, owner),
        "roles": roles,
        "role_items": [{"value": key, "text": title, "hint": {"text": hint}, "checked": key == role}
                       for key, (title, hint) in RACI_ROLES.items()],
        "query": query,
        "searched": bool(query) and not search_error,
        "search_error": search_error,
        "candidates": [c for c in candidates if c is not None],
        "chosen": chosen,
        "errors": errors,
    }
