"""The `graphsvc generate` command (being built)."""

from __future__ import annotations

from flask import Flask

__all__ = ["register"]


def register(app: Flask) -> None:
    return None
