"""Domain errors, raised inside the service and mapped to HTTP answers at the edge."""

from __future__ import annotations

from typing import Any

__all__ = ["Conflict", "DomainError", "Forbidden", "Invalid", "NotFound", "PreconditionFailed", "StoreUnavailable",
           "TooExpensive"]


class DomainError(Exception):
    """Base class: carries a plain-words message and optional field-level errors."""

    status = 400

    def __init__(self, message: str, errors: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors or {}


class Invalid(DomainError):
    """The input breaks the vocabulary or one of its rules (HTTP 422)."""

    status = 422


class Forbidden(DomainError):
    """The caller's role does not allow this change, e.g. undoing a governance decision (HTTP 403)."""

    status = 403


class NotFound(DomainError):
    """No node or relationship has that id (HTTP 404)."""

    status = 404


class Conflict(DomainError):
    """The write clashes with what is stored, e.g. a duplicate id (HTTP 409)."""

    status = 409


class StoreUnavailable(DomainError):
    """The store cannot be reached or is busy beyond the wait limit (HTTP 503)."""

    status = 503


class TooExpensive(DomainError):
    """The query would run too long on this graph; narrow it (HTTP 422, never a hang)."""

    status = 422


class PreconditionFailed(DomainError):
    """The record changed since the caller read it (If-Match did not match) (HTTP 412)."""

    status = 412
