"""Authentication and roles at the HTTP edge, plus protective response headers.

Every `/api/` request except the public ones (health, the OpenAPI document and the docs page)
needs `Authorization: Bearer <token>`. Reads need `viewer`; writes need `coordinator` unless
the view asks for more with :func:`requires`, or calls :func:`require_role` when the needed role
depends on the body (e.g. accountability relationships need `governance`).

HEAD and OPTIONS are authorised as the route's GET (HEAD runs the GET view); on a route without
GET, OPTIONS needs the strictest role any of its methods needs. The one exception is a real CORS
preflight (when origins are configured): browsers send it without credentials, and Flask answers
it without running any view.
"""

from __future__ import annotations

from flask import Flask, g, request
from flask_smorest import abort

from ..app import get_service
from ..auth import ROLES, Identity, authenticate
from ..rules import property_write_roles

__all__ = ["WRITE_ROLE", "current_identity", "redact", "register_security", "require_role", "require_write_roles",
           "requires"]

SENSITIVE_READER = "coordinator"  # contact details are shown to coordinators and above

PUBLIC_ENDPOINTS = frozenset({"meta.Health", "api-docs.openapi_json", "api-docs.openapi_swagger_ui", "docs_assets"})
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
WRITE_ROLE = "coordinator"

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
# JSON answers need no scripts at all; the docs page and printable reports need their own files only.
API_CSP = "default-src 'none'; frame-ancestors 'none'"
PAGE_CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data:; frame-ancestors 'none'")
# People's pages (graphsvc.web) load our own files only: no inline script or style at all.
WEB_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
           "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")


def requires(role: str):
    """Mark a view method as needing at least `role`."""
    def mark(method):
        method.required_role = role
        return method
    return mark


def current_identity() -> Identity | None:
    return g.get("identity")


def require_role(role: str) -> None:
    """Refuse with 403 unless the caller holds `role` (for checks that depend on the body)."""
    identity = current_identity()
    if identity is None or not identity.can(role):
        abort(403, message=f"This needs the '{role}' role; your token has '{identity.role if identity else 'none'}'.")


def require_write_roles(node_type=None, body: dict | None = None, rel_type_name: str | None = None) -> None:
    """Enforce the vocabulary's `write_role` for the properties in `body` or for a relationship type
    (e.g. an action's status, or accountability, needs the governance role)."""
    vocabulary = get_service().vocabulary
    if node_type is not None:
        for needed in property_write_roles(node_type, body or {}).values():
            require_role(needed)
    if rel_type_name is not None:
        rel_type = vocabulary.relationship_type(rel_type_name)
        if rel_type is not None and rel_type.write_role:
            require_role(rel_type.write_role)


def redact(record: dict | None) -> dict | None:
    """The record without sensitive properties (e.g. a person's email) unless the caller may see them."""
    if record is None:
        return None
    identity = current_identity()
    if identity is not None and identity.can(SENSITIVE_READER):
        return record
    node_type = get_service().vocabulary.node_type(record.get("type", ""))
    if node_type is None:
        return record
    hidden = node_type.sensitive_properties
    return {key: value for key, value in record.items() if key not in hidden} if hidden else record


def register_security(app: Flask) -> None:
    @app.before_request
    def authenticate_request():
        if not request.path.startswith("/api/") or request.routing_exception is not None:
            return None
        if request.endpoint in PUBLIC_ENDPOINTS or _is_cors_preflight():
            return None
        identity = _identity_from_header()
        needed = _needed_role()
        if not identity.can(needed):
            abort(403, message=f"This needs the '{needed}' role; your token has '{identity.role}'.")
        g.identity = identity
        return None

    @app.after_request
    def protective_headers(response):
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        response.headers.setdefault("Content-Security-Policy", _content_security_policy(response))
        if request.path.startswith("/api/") and request.endpoint != "docs_assets":
            response.headers.setdefault("Cache-Control", "no-store")
        return response


def _content_security_policy(response) -> str:
    if not request.path.startswith("/api/"):
        return WEB_CSP
    is_page = response.mimetype == "text/html" or request.endpoint == "docs_assets"
    return PAGE_CSP if is_page else API_CSP


def _identity_from_header() -> Identity:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    challenge = {"WWW-Authenticate": 'Bearer realm="graphsvc"'}
    if scheme.lower() != "bearer" or not token.strip():
        abort(401, message="Send a token: 'Authorization: Bearer <token>'. An admin creates tokens "
                           "with 'graphsvc token create'.", headers=challenge)
    identity = authenticate(get_service().store, token.strip())
    if identity is None:
        abort(401, message="That token is not valid or has been revoked.", headers=challenge)
    return identity


def _is_cors_preflight() -> bool:
    from flask import current_app

    return (request.method == "OPTIONS" and bool(current_app.config.get("CORS_ORIGINS"))
            and "Origin" in request.headers and "Access-Control-Request-Method" in request.headers)


def _needed_role() -> str:
    """The role the request's method needs on its route: HEAD as GET; OPTIONS as GET if the route
    has one, otherwise as its strictest method."""
    methods = request.url_rule.methods if request.url_rule is not None else {request.method}
    if request.method in ("HEAD", "OPTIONS") and "GET" in methods:
        return _method_role("GET")
    if request.method == "OPTIONS":
        roles = [_method_role(method) for method in methods - {"HEAD", "OPTIONS"}] or ["viewer"]
        return max(roles, key=ROLES.index)
    return _method_role(request.method)


def _method_role(method: str) -> str:
    from flask import current_app

    view = current_app.view_functions.get(request.endpoint or "")
    view_class = getattr(view, "view_class", None)
    handler = getattr(view_class, method.lower(), None) if view_class else view
    declared = getattr(handler, "required_role", None)
    return declared or ("viewer" if method in READ_METHODS else WRITE_ROLE)
