"""Placeholder: endpoints for overlaps are being built."""

from __future__ import annotations

from flask_smorest import Blueprint

from ..service import GraphService

__all__ = ["overlaps_blueprint"]


def overlaps_blueprint(service: GraphService) -> Blueprint:
    return Blueprint("overlaps", __name__, url_prefix="/api/v1")
