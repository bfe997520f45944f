"""Who is making the request: the name recorded as actor in the change log."""

from __future__ import annotations

__all__ = ["current_actor"]

ANONYMOUS = "anonymous"


def current_actor() -> str:
    """The actor for the change log. Until tokens exist every caller is anonymous."""
    return ANONYMOUS
