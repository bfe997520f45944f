"""The HTTP edge: flask-smorest blueprints, one per resource, plus uniform JSON errors."""

from __future__ import annotations

from flask import Flask

from ..app import get_service
from .accountability import blp as accountability_blp
from .changes import blp as changes_blp
from .connections import connections_blueprint
from .erasure import blp as erasure_blp
from .errors import GraphApi, register_error_handlers
from .export import export_blueprint
from .frameworks import blp as frameworks_blp
from .gaps import gaps_blueprint
from .history import blp as history_blp
from .impact import blp as impact_blp
from .imports import imports_blueprint
from .measurements import blp as measurements_blp
from .meetings import blp as meetings_blp
from .meta import blp as meta_blp
from .meta import register_docs_assets
from .nodes import node_blueprint, nodes_blp
from .overlaps import overlaps_blueprint
from .progress import blp as progress_blp
from .relationships import relationships_blueprint
from .reports import reports_blueprint
from .search import search_blueprint
from .security import register_security
from .tokens import blp as tokens_blp

__all__ = ["register_api"]


def register_api(app: Flask) -> GraphApi:
    api = GraphApi(app)
    # Shown by the docs page's "Authorize" button; every operation needs it unless it says otherwise.
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer",
                                                       "description": "A token from `graphsvc token create`."})
    register_security(app)  # first: an unauthenticated caller learns nothing else about the request
    if app.config["CORS_ORIGINS"]:
        from flask_cors import CORS

        CORS(app, resources={r"/api/*": {"origins": app.config["CORS_ORIGINS"]}},
             allow_headers=["Authorization", "Content-Type", "If-Match"],
             expose_headers=["ETag", "Location", "Graph-As-Of-Seq", "Graph-As-Of-Time"])
    register_error_handlers(app)
    register_docs_assets(app)
    service = get_service(app)
    api.register_blueprint(meta_blp)
    for node_type in service.vocabulary.node_types.values():
        api.register_blueprint(node_blueprint(service, node_type))
    api.register_blueprint(nodes_blp)
    api.register_blueprint(relationships_blueprint(service))
    api.register_blueprint(gaps_blueprint(service))
    api.register_blueprint(overlaps_blueprint(service))
    api.register_blueprint(connections_blueprint(service))
    api.register_blueprint(tokens_blp)
    api.register_blueprint(accountability_blp)
    api.register_blueprint(history_blp)
    api.register_blueprint(reports_blueprint(service))
    api.register_blueprint(export_blueprint(service))
    api.register_blueprint(imports_blueprint(service))
    api.register_blueprint(search_blueprint(service))
    api.register_blueprint(erasure_blp)
    api.register_blueprint(progress_blp)
    api.register_blueprint(changes_blp)
    api.register_blueprint(meetings_blp)
    api.register_blueprint(measurements_blp)
    api.register_blueprint(impact_blp)
    api.register_blueprint(frameworks_blp)
    return api
