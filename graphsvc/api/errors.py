"""One JSON error shape everywhere: `{code, status, message, errors}`; never a traceback."""

from __future__ import annotations

import logging

from apispec import BasePlugin
from flask import Flask, request
from flask_smorest import Api, abort
from werkzeug.exceptions import HTTPException, InternalServerError

from ..errors import DomainError
from .json_bodies import check_json_body, register_json_bodies

__all__ = ["EDGE_REFUSALS", "GraphApi", "register_error_handlers"]

log = logging.getLogger(__name__)

BODY_METHODS = {"POST", "PUT", "PATCH"}

_PLAIN_MESSAGES = {
    400: "The request could not be understood; if it has a body, check it is valid JSON.",
    404: "No such resource. See /api/v1/docs for the endpoints.",
    405: "This method is not allowed here.",
    413: "The request body is larger than the limit (1 MiB by default; 32 MiB for imports).",
    415: "Send the request body as JSON with 'Content-Type: application/json'.",
}


# Answers the HTTP server itself may send before the app sees the request (graphsvc.server writes
# them in the same JSON shape): request line too long, too many or too large headers, unparsable HTTP.
EDGE_REFUSALS = {"400": "BAD_REQUEST", "414": "REQUEST_URI_TOO_LONG", "431": "REQUEST_HEADER_FIELDS_TOO_LARGE"}


class EdgeRefusalsPlugin(BasePlugin):
    """Documents :data:`EDGE_REFUSALS` on every operation (keeping any answer an operation documents)."""

    def operation_helper(self, path=None, operations=None, **kwargs):
        for operation in (operations or {}).values():
            responses = operation.setdefault("responses", {})
            for status, component in EDGE_REFUSALS.items():
                if status not in responses and int(status) not in responses:
                    responses[status] = component


class GraphApi(Api):
    """flask-smorest's Api with a message on every error and field errors not nested by location."""

    def __init__(self, app=None, *, spec_kwargs=None, **kwargs):
        spec_kwargs = dict(spec_kwargs or {})
        spec_kwargs["extra_plugins"] = [*spec_kwargs.get("extra_plugins", ()), EdgeRefusalsPlugin()]
        super().__init__(app, spec_kwargs=spec_kwargs, **kwargs)

    def handle_http_exception(self, error: HTTPException):
        data = getattr(error, "data", None) or {}
        errors = data.get("errors", data.get("messages", {}))
        if isinstance(errors, dict) and set(errors) <= {"json", "query", "form", "files", "headers", "path"}:
            flat: dict = {}
            for located in errors.values():
                flat.update(located if isinstance(located, dict) else {"_schema": located})
            errors = flat
        message = data.get("message") or _default_message(error, errors)
        payload = {"code": error.code, "status": error.name, "message": message, "errors": errors or {}}
        return payload, error.code, data.get("headers", {})


def register_error_handlers(app: Flask) -> None:
    register_json_bodies(app)
    api_handler = app.extensions["flask-smorest"]["apis"][""]["ext_obj"].handle_http_exception

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        status = {400: "Bad Request", 403: "Forbidden", 404: "Not Found", 409: "Conflict", 412: "Precondition Failed",
                  422: "Unprocessable Entity", 503: "Service Unavailable"}.get(error.status, "Error")
        return {"code": error.status, "status": status, "message": error.message, "errors": error.errors}, error.status

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        if isinstance(error, HTTPException):
            return api_handler(error)
        log.exception("unhandled error on %s %s", request.method, request.path)
        return api_handler(InternalServerError("Something went wrong on our side; it has been logged."))

    @app.before_request
    def require_json_body():
        if request.routing_exception is not None:
            return None  # 404/405 first: there is no view to give the body to
        if request.method in BODY_METHODS and request.path.startswith("/api/"):
            view = app.view_functions.get(request.endpoint or "")
            view_class = getattr(view, "view_class", None)
            handler = getattr(view_class, request.method.lower(), None) if view_class else view
            if getattr(handler, "accepts_any_body", False):
                return None  # the view reads its body itself (file uploads)
            if not request.is_json:
                abort(415)
            check_json_body()
        return None


def _default_message(error: HTTPException, errors) -> str:
    if error.code == 422 and set(errors) == {"_schema"}:
        return "The request body is invalid: " + " ".join(map(str, errors["_schema"]))
    if error.code == 422 and errors:
        return "The request is invalid. Check: " + ", ".join(sorted(map(str, errors))) + "."
    if error.code == 400 and errors.get("_schema") == ["Invalid JSON body."]:
        return "The body is not valid JSON."
    if error.code in _PLAIN_MESSAGES:
        return _PLAIN_MESSAGES[error.code]
    return error.description or error.name
