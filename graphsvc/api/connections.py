"""Placeholder: endpoints for connections are being built."""

from __future__ import annotations

from flask_smorest import Blueprint

from ..service import GraphService

__all__ = ["connections_blueprint"]


def connections_blueprint(service: GraphService) -> Blueprint:
    return Blueprint("connections", __name__, url_prefix="/api/v1")
