"""One JSON loader for the whole app, and one check of every JSON request body before any view.

Python's ``json`` accepts two things the service cannot keep: lone surrogates (``"\\ud800"``
escaped in the text, which cannot be stored as UTF-8) and nesting so deep that the parser runs
out of stack (a ``RecursionError``, i.e. a 500). :class:`StrictJSONProvider` refuses both as a
:class:`BodyRefused` (a ``ValueError``, as any JSON decoding error). Nesting is capped far below
the recursion limit, so a body that passes here cannot exhaust the stack later in a view.
"""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Flask, current_app, request
from flask.json.provider import DefaultJSONProvider
from flask_smorest import abort

__all__ = ["MAX_JSON_DEPTH", "BodyRefused", "StrictJSONProvider", "check_json_body", "register_json_bodies"]

MAX_JSON_DEPTH = 64  # bodies are records of properties: a handful of levels is all any endpoint needs
_SURROGATE = re.compile("[\ud800-\udfff]")


class BodyRefused(ValueError):
    """A JSON text that parses but that the service refuses to hold."""


class StrictJSONProvider(DefaultJSONProvider):
    """Flask's JSON provider whose ``loads`` refuses lone surrogates and deep nesting."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            value = json.loads(s, **kwargs)
        except RecursionError:
            raise BodyRefused(f"The JSON is nested too deeply (more than {MAX_JSON_DEPTH} levels).") from None
        _check_value(value)
        return value


def register_json_bodies(app: Flask) -> None:
    app.json = StrictJSONProvider(app)


def check_json_body() -> None:
    """Refuse, with 400, a JSON request body that is not valid JSON or that the loader refuses.

    Called before the view for every JSON body, so the views' own parsing only ever sees a body
    this check accepted.
    """
    data = request.get_data(cache=True) if request.is_json else b""
    if not data:
        return
    try:
        current_app.json.loads(data)
    except BodyRefused as exc:
        abort(400, message=str(exc), errors={"_schema": [str(exc)]})
    except ValueError:  # also UnicodeDecodeError: the bytes are not UTF-8
        abort(400, message="The body is not valid JSON.", errors={"_schema": ["Invalid JSON body."]})


def _check_value(value: Any) -> None:
    """Walk the parsed value without recursion: depth and lone surrogates in keys and strings."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                raise BodyRefused("The JSON holds a lone surrogate (an escape in \\ud800-\\udfff that is not "
                                  "half of a pair): it is not a character and cannot be stored.")
        elif isinstance(item, dict | list):
            if depth > MAX_JSON_DEPTH:
                raise BodyRefused(f"The JSON is nested too deeply (more than {MAX_JSON_DEPTH} levels).")
            children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
