"""Create, edit and delete records through forms generated from the vocabulary (coordinators and above).

Each view: check the role, collect the form, call the service, then redirect with a banner or render
the form again with the service's errors beside the fields. The service decides what is valid,
whether the record changed since the form was opened (If-Match) and what only governance may undo.
"""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request

from ..app import get_service
from ..errors import Forbidden, Invalid, PreconditionFailed
from ..rules import property_write_roles, require_property_roles
from ..service import node_etag
from . import web
from .edit_forms import body_from_form, form_fields, record_values, summary_errors
from .formatting import label_of, phrase
from .pages import record_context

__all__ = ["WRITE_ROLE"]

WRITE_ROLE = "coordinator"
STALE = ("Someone else changed this record after you opened this form, so your changes have not been "
         "saved. Open the record again to see its current details, then make your changes again.")


@web.before_request
def writers_only():
    """Every page of this area is for coordinators and above, whatever the method."""
    if request.endpoint in ("web.new_record", "web.edit_record", "web.delete_record") \
            and g.get("user") is not None and not g.user.can(WRITE_ROLE):
        abort(403)


@web.route("/records/new", methods=["GET", "POST"], endpoint="new_record")
def new_record():
    service = get_service()
    type_name = request.args.get("type", "")
    if not type_name:
        return choose_type()
    node_type = service.vocabulary.node_type(type_name)
    if node_type is None:
        abort(404)
    values, errors, status = {}, {}, 200
    if request.method == "POST":
        body, values = body_from_form(node_type, g.user, request.form, editing=False)
        try:
            require_property_roles(node_type, body, g.user.role)
            node = service.create_node(node_type.name, body, g.user.name)
        except (Invalid, Forbidden) as error:
            errors, status = _errors_of(error), error.status
        else:
            return _saved(node, "added")
    return render_template("web/edit_form.html", **_form_context(
        node_type, values, errors, title=f"Add {_a(phrase(node_type.name).lower())}",
        action=f"/records/new?type={node_type.name}", cancel="/records/new")), status


def choose_type():
    """The first step of adding a record: which kind of record."""
    vocabulary = get_service().vocabulary
    types = [{"name": name, "label": phrase(name), "description": kind.description,
              "href": f"/records/new?type={name}"} for name, kind in vocabulary.node_types.items()]
    return render_template("web/edit_choose.html", page_title="Add a record", types=types)


@web.route("/records/<record_id>/edit", methods=["GET", "POST"], endpoint="edit_record")
def edit_record(record_id: str):
    service = get_service()
    node = service.get_node(record_id)  # NotFound becomes the 404 page
    node_type = service.node_type(node.type)
    values, errors, status, version = record_values(node_type, node.properties), {}, 200, node_etag(node)
    if request.method == "POST":
        version = request.form.get("version", "")
        body, typed = body_from_form(node_type, g.user, request.form, editing=True)
        values = {**values, **{name: value for name, value in typed.items() if not _locked(node_type, name)}}
        try:
            require_property_roles(node_type, body, g.user.role)
            node = service.update_node(record_id, body, g.user.name, if_match=version or None)
        except PreconditionFailed as error:
            errors, status = {"_record": [STALE]}, error.status
        except (Invalid, Forbidden) as error:
            errors, status = _errors_of(error), error.status
        else:
            return _saved(node, "changed")
    label = label_of(service.vocabulary, node.type, node.properties, node.id)
    return render_template("web/edit_form.html", **_form_context(
        node_type, values, errors, title=f"Change {label}", action=f"/records/{node.id}/edit",
        cancel=f"/records/{node.id}", version=version, record_id=node.id)), status


@web.route("/records/<record_id>/delete", methods=["GET", "POST"], endpoint="delete_record")
def delete_record(record_id: str):
    service = get_service()
    context = record_context(service, record_id, g.user)
    node = service.get_node(record_id)
    errors, status, version = [], 200, node_etag(node)
    if request.method == "POST":
        version = request.form.get("version", "")
        try:
            service.delete_node(record_id, g.user.name, if_match=version or None, role=g.user.role)
        except PreconditionFailed as error:
            errors, status = [{"text": STALE}], error.status
        except Forbidden as error:
            errors, status = [{"text": error.message}], error.status
        else:
            flash(f"{context['record']['label']} has been deleted, with its relationships.", "success")
            return redirect("/records/deleted")
    return render_template("web/edit_delete.html", page_title=f"Delete {context['record']['label']}",
                           record=context["record"], relationship_groups=context["relationship_groups"],
                           error_list=errors, version=version), status


@web.route("/records/deleted", endpoint="record_deleted")
def record_deleted():
    return render_template("web/edit_deleted.html", page_title="Record deleted")


# -- helpers ---------------------------------------------------------------------------------------

def _form_context(node_type, values: dict, errors: dict, *, title: str, action: str, cancel: str,
                  version: str | None = None, record_id: str | None = None) -> dict:
    fields = form_fields(node_type, g.user, values, errors)
    error_list = summary_errors(fields, errors)
    return {"page_title": ("Error: " if error_list else "") + title, "heading": title,
            "type_label": phrase(node_type.name), "fields": fields, "error_list": error_list,
            "action": action, "cancel": cancel, "version": version, "record_id": record_id}


def _locked(node_type, name: str) -> bool:
    """Whether this person may not set `name` (its form shows the stored value, never a forged one)."""
    needed = property_write_roles(node_type, [name]).get(name)
    return needed is not None and not g.user.can(needed)


def _errors_of(error) -> dict:
    return error.errors if error.errors and not set(error.errors) <= {"role"} else {"_record": [error.message]}


def _saved(node, done: str):
    label = label_of(get_service().vocabulary, node.type, node.properties, node.id)
    flash(f"{label} has been {done}.", "success")
    return redirect(f"/records/{node.id}")


def _a(noun: str) -> str:
    return ("an " if noun[:1] in "aeiou" else "a ") + noun
