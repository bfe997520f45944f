"""CLI commands beyond init/seed/serve, one module per topic, each with ``register(app)``."""

from __future__ import annotations

from flask import Flask

__all__ = ["register_all"]


def register_all(app: Flask) -> None:
    from . import export, gaps, generate, importing, migrate, privacy, tokens

    for module in (export, gaps, generate, importing, migrate, privacy, tokens):
        module.register(app)
