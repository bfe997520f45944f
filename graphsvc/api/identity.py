"""Who is making the request: the name recorded as actor in the change log."""

from __future__ import annotations

from flask import g

__all__ = ["current_actor"]


def current_actor() -> str:
    """The token's name (authentication runs before every view that writes)."""
    identity = g.get("identity")
    return identity.name if identity is not None else "anonymous"
