"""Placeholder: endpoints for gaps are being built."""

from __future__ import annotations

from flask_smorest import Blueprint

from ..service import GraphService

__all__ = ["gaps_blueprint"]


def gaps_blueprint(service: GraphService) -> Blueprint:
    return Blueprint("gaps", __name__, url_prefix="/api/v1")
