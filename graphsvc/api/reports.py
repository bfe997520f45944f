"""Placeholder: report endpoints are being built."""

from __future__ import annotations

from flask_smorest import Blueprint

from ..service import GraphService

__all__ = ["reports_blueprint"]


def reports_blueprint(service: GraphService) -> Blueprint:
    return Blueprint("reports", __name__, url_prefix="/api/v1/reports")
