"""Who is making the request: the name recorded as actor in the change log."""

from __future__ import annotations

from flask import g

__all__ = ["current_actor", "current_role"]


def current_actor() -> str:
    """The token's name (authentication runs before every view that writes)."""
    identity = g.get("identity")
    return identity.name if identity is not None else "anonymous"


def current_role() -> str:
    """The caller's role, which the service checks where a change needs more than a coordinator's."""
    identity = g.get("identity")
    return identity.role if identity is not None else "viewer"
