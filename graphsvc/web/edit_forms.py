"""Forms generated from the vocabulary: one field per property, the right NHS.UK control per type.

The form only collects input: it turns what was typed into a body for the service (text as typed,
numbers parsed when they parse, date parts joined) and maps the service's field errors back to the
fields. Every rule (required, lengths, enum values, dates, storable text) is the service's.
"""

from __future__ import annotations

from ..api.security import SENSITIVE_READER
from ..rules import property_write_roles
from .formatting import phrase

__all__ = ["body_from_form", "form_fields", "summary_errors"]

RADIOS_AT_MOST = 6  # enums with more values than this use a select
DATE_PARTS = ("day", "month", "year")
PARTIAL_DATE_HINT = "YYYY, YYYY-MM or YYYY-MM-DD"
DATE_ERROR = "Enter a real date, with day, month and year, for example 27 3 2026"
REQUIRED_MESSAGES = {"Missing data for required field.", "Field may not be null.", "Shorter than minimum length 1."}


def visible_properties(node_type, identity) -> list:
    """The properties this person may see in a form: contact details only for coordinators and above."""
    return [spec for spec in node_type.properties.values()
            if not spec.sensitive or identity.can(SENSITIVE_READER)]


def form_fields(node_type, identity, values: dict, errors: dict) -> list[dict]:
    """The fields of the form, in the vocabulary's order, each with its control, value and error."""
    locked = property_write_roles(node_type, node_type.properties)
    return [_field(spec, values.get(spec.name), errors.get(spec.name),
                   locked.get(spec.name) if not identity.can(locked.get(spec.name, "viewer")) else None)
            for spec in visible_properties(node_type, identity)]


def body_from_form(node_type, identity, form, editing: bool) -> tuple[dict, dict]:
    """(the body for the service, the values to show again) from a submitted form.

    Blank means "not set": left out when creating, sent as null (removed) when editing. A property
    this person may not set is left out unless the request carries it anyway, so the service's role
    check refuses a forged one rather than it being dropped silently.
    """
    locked = property_write_roles(node_type, node_type.properties)
    body, shown = {}, {}
    for spec in visible_properties(node_type, identity):
        if spec.name in locked and not identity.can(locked[spec.name]) and not _submitted(spec, form):
            continue
        value, shown[spec.name] = _collect(spec, form)
        if value is not None or editing:
            body[spec.name] = value
    return body, shown


def summary_errors(fields: list[dict], errors: dict) -> list[dict]:
    """The error summary's list: each field's error linking to its control, then errors about no field."""
    listed = [{"text": f"{field['plain_label']}: {field['error']}", "href": "#" + field["focus_id"]}
              for field in fields if field["error"]]
    named = {field["name"] for field in fields}
    others = [{"text": _message(messages)} for name, messages in errors.items() if name not in named]
    return listed + others


def record_values(node_type, properties: dict) -> dict:
    """A stored record's values as the form shows them (dates split into their parts)."""
    shown = {}
    for name, spec in node_type.properties.items():
        value = properties.get(name)
        if spec.type == "date" and isinstance(value, str) and value.count("-") == 2:
            year, month, day = value.split("-")
            shown[name] = {"day": day, "month": month, "year": year}
        elif spec.type == "boolean":
            shown[name] = value is True
        elif value is not None:
            shown[name] = str(value)
    return shown


# -- helpers ---------------------------------------------------------------------------------------

def _field(spec, value, messages, needs_role: str | None) -> dict:
    hint = spec.description
    if spec.type == "partial_date":
        hint = f"{hint} Enter {PARTIAL_DATE_HINT}.".strip() if hint else f"Enter {PARTIAL_DATE_HINT}"
    if needs_role:
        hint = f"Only the {needs_role} role can change this. {hint}".strip()
    label = phrase(spec.name)
    field = {"name": spec.name, "label": label + ("" if spec.required else " (optional)"), "plain_label": label,
             "hint": hint, "control": _control(spec), "value": value, "disabled": bool(needs_role),
             "error": (DATE_ERROR if spec.type == "date" else _message(messages, label)) if messages else None,
             "focus_id": f"{spec.name}-day" if spec.type == "date" else spec.name}
    if spec.type in ("string", "email", "url", "partial_date", "integer", "number"):
        field["input_type"] = {"email": "email", "url": "url"}.get(spec.type, "text")
        field["inputmode"] = {"integer": "numeric", "number": "decimal"}.get(spec.type)
    if spec.type == "enum":
        blank = [] if spec.required else [""]
        # "Not set" comes last among radios, first in a select (where the first option shows).
        choices = [*blank, *spec.values] if _control(spec) == "select" else [*spec.values, *blank]
        field["items"] = [{"value": item, "text": phrase(item) if item else "Not set",
                           "checked": (value or "") == item, "selected": (value or "") == item} for item in choices]
    return field


def _control(spec) -> str:
    if spec.type == "text":
        return "textarea"
    if spec.type == "enum":
        return "radios" if len(spec.values) <= RADIOS_AT_MOST else "select"
    if spec.type == "date":
        return "date"
    if spec.type == "boolean":
        return "checkbox"
    return "input"


def _submitted(spec, form) -> bool:
    if spec.type == "date":
        return any(f"{spec.name}-{part}" in form for part in DATE_PARTS)
    return spec.name in form


def _collect(spec, form):
    """(the value for the service, the value to show again) of one property."""
    if spec.type == "boolean":
        checked = form.get(spec.name) == "yes"
        return (True if checked else None), checked
    if spec.type == "date":
        parts = {part: form.get(f"{spec.name}-{part}", "").strip() for part in DATE_PARTS}
        if not any(parts.values()):
            return None, parts
        day, month, year = (parts[part] for part in DATE_PARTS)
        return f"{year.zfill(4)}-{month.zfill(2)}-{day.zfill(2)}", parts
    text = form.get(spec.name, "")
    if text.strip() == "":
        return None, text
    if spec.type in ("integer", "number"):
        return _number(text.strip(), int if spec.type == "integer" else float), text
    if spec.type in ("string", "email", "url", "partial_date", "enum"):
        return text.strip(), text
    return text, text


def _number(text: str, kind):
    """The number typed, or the text itself for the service to refuse in its own words."""
    try:
        return kind(text.replace(",", ""))
    except ValueError:
        return text


def _message(messages, label: str | None = None) -> str:
    if isinstance(messages, dict):  # nested (not expected for flat properties): flatten
        messages = [item for value in messages.values() for item in (value if isinstance(value, list) else [value])]
    if isinstance(messages, str):
        messages = [messages]
    first = str(messages[0]) if messages else "Check this."
    if label and first in REQUIRED_MESSAGES:
        return f"Enter {label.lower()}"
    return first
