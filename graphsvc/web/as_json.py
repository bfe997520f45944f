"""Datasette-style `?format=json`: a page's context dict, the very data its template shows, as JSON.

Pages need a signed-in person (the blueprint sees to that), and the dict is the one the template gets,
so the JSON carries exactly what the page shows — the same redaction, nothing more.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from flask import jsonify, render_template, request

__all__ = ["json_safe", "render_page"]


def render_page(template: str, context: dict, status: int = 200):
    """The page, or its context as JSON when the address asks for `?format=json`."""
    if request.args.get("format") == "json":
        response = jsonify(json_safe(context))
        response.status_code = status
        return response
    return render_template(template, **context), status


def json_safe(value):
    """Plain JSON values from a context: dataclasses as dicts, dates as ISO text; anything else that is
    not data (forms, functions, markup helpers) is left out."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            converted = json_safe(item)
            if converted is not _SKIP:
                out[str(key)] = converted
        return out
    if isinstance(value, (list, tuple, set, frozenset)):
        return [item for item in (json_safe(v) for v in value) if item is not _SKIP]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return json_safe(dataclasses.asdict(value))
    return _SKIP


_SKIP = object()
