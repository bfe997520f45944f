"""The Flask application factory."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from flask import Flask

from .config import DEFAULTS, settings_from_environment
from .service import GraphService
from .store import open_store
from .vocabulary import load_vocabulary

__all__ = ["create_app", "get_service"]

EXTENSION = "graphsvc"


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app: settings, vocabulary, store, service, API and CLI commands.

    Nothing touches the disk until the first request or command needs the store.
    """
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(DEFAULTS)
    app.config.update(settings_from_environment())
    if test_config:
        app.config.update(test_config)
    app.config["DEBUG"] = False  # never: the debugger would hand clients a console
    if not app.config["DATABASE"]:
        app.config["DATABASE"] = str(Path(app.instance_path) / "graphsvc.sqlite3")
    init_service(app)

    from .api import register_api
    from .cli import register_commands
    from .web import register_web

    register_api(app)
    register_web(app)  # after the API: its error pages hand /api/ errors back to the API's handler
    register_commands(app)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return app


def init_service(app: Flask) -> None:
    vocabulary = load_vocabulary(app.config["VOCABULARY"])
    store = open_store(app.config, vocabulary)
    app.extensions[EXTENSION] = GraphService(vocabulary, store)


def get_service(app: Flask | None = None) -> GraphService:
    from flask import current_app

    return (app or current_app).extensions[EXTENSION]
