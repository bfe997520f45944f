"""graphsvc: a knowledge graph of anti-racism and health-equity work that flags overlaps and gaps."""

from .app import create_app

__all__ = ["create_app"]
