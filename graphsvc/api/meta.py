"""Service-level endpoints: health, the vocabulary, and the docs page's static assets."""

from __future__ import annotations

from flask import Flask, send_from_directory
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from ..app import get_service

__all__ = ["blp", "register_docs_assets"]

blp = Blueprint("meta", __name__, url_prefix="/api/v1", description="Service health and vocabulary.")


class HealthSchema(Schema):
    status = fields.String(metadata={"example": "ok"})
    store = fields.String(metadata={"description": "The store of record: sqlite or neo4j."})
    nodes = fields.Integer()
    relationships = fields.Integer()
    seq = fields.Integer(metadata={"description": "The newest change-log entry the projection reflects."})


@blp.route("/health")
class Health(MethodView):
    @blp.response(200, HealthSchema)
    @blp.doc(security=[])
    def get(self):
        """Is the service up, and how big is the graph?"""
        service = get_service()
        nodes, relationships = service.counts()
        return {"status": "ok", "store": service.store.name, "nodes": nodes,
                "relationships": relationships, "seq": service.projection.seq}


@blp.route("/schema")
class VocabularyView(MethodView):
    @blp.response(200)
    def get(self):
        """The vocabulary: node types, properties, relationship types, allowed endpoints and rules."""
        return get_service().vocabulary.as_dict()


def register_docs_assets(app: Flask) -> None:
    """Serve Swagger UI's files from the installed bundle, so the docs page works offline."""
    import swagger_ui_bundle

    @app.route("/api/v1/docs/assets/<path:filename>")
    def docs_assets(filename: str):
        return send_from_directory(swagger_ui_bundle.swagger_ui_path, filename, max_age=86400)
