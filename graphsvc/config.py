"""Settings, read from the environment with sensible defaults (12-factor style)."""

from __future__ import annotations

import os
from typing import Any

__all__ = ["settings_from_environment"]

ONE_MIB = 1024 * 1024


def settings_from_environment(environ: dict[str, str] | None = None) -> dict[str, Any]:
    """Flask config keys taken from ``GRAPHSVC_*`` variables; unset ones are left to defaults."""
    env = os.environ if environ is None else environ
    settings: dict[str, Any] = {}
    mapping = {
        "GRAPHSVC_DATABASE": "DATABASE",
        "GRAPHSVC_STORE": "STORE",
        "GRAPHSVC_VOCABULARY": "VOCABULARY",
        # The Neo4j store (GRAPHSVC_STORE=neo4j): the driver's usual variable names.
        "NEO4J_URI": "NEO4J_URI",
        "NEO4J_USER": "NEO4J_USER",
        "NEO4J_PASSWORD": "NEO4J_PASSWORD",
        "NEO4J_DATABASE": "NEO4J_DATABASE",
        # Where used one-time sign-in links are remembered (default: a folder in the instance folder).
        "GRAPHSVC_SIGN_IN_LINKS_FOLDER": "SIGN_IN_LINKS_FOLDER",
    }
    for variable, key in mapping.items():
        if env.get(variable):
            settings[key] = env[variable]
    if env.get("GRAPHSVC_SECRET_KEY"):
        settings["SECRET_KEY"] = env["GRAPHSVC_SECRET_KEY"]  # signs page sessions; else made once in instance/
    if env.get("GRAPHSVC_SECURE_COOKIES"):
        # Secure cookies need https: set it when the service is served over TLS (directly or by a proxy).
        settings["SESSION_COOKIE_SECURE"] = env["GRAPHSVC_SECURE_COOKIES"].lower() in ("1", "true", "yes")
    if env.get("GRAPHSVC_CORS_ORIGINS"):
        settings["CORS_ORIGINS"] = [o.strip() for o in env["GRAPHSVC_CORS_ORIGINS"].split(",") if o.strip()]
    for variable, key in (("GRAPHSVC_MAX_BODY_BYTES", "MAX_CONTENT_LENGTH"),
                          ("GRAPHSVC_MAX_IMPORT_BYTES", "IMPORT_MAX_BYTES"),
                          ("GRAPHSVC_GAP_STALE_DAYS", "GAP_STALE_DAYS"),
                          ("GRAPHSVC_GAP_OVERLOAD_ACTIONS", "GAP_OVERLOAD_ACTIONS"),
                          ("GRAPHSVC_GAP_SCHEDULE_DAYS", "GAP_SCHEDULE_DAYS"),
                          ("GRAPHSVC_GAP_RECENT_DATA_DAYS", "GAP_RECENT_DATA_DAYS"),
                          ("GRAPHSVC_SESSION_IDLE_MINUTES", "SESSION_IDLE_MINUTES")):
        if env.get(variable):
            settings[key] = int(env[variable])
    for variable, value in env.items():
        # GRAPHSVC_IMPORT_MAX_JSON_DEPTH=8 -> IMPORT_MAX_JSON_DEPTH (the caps on import files, docs/import.md)
        if variable.startswith("GRAPHSVC_IMPORT_MAX_") and value:
            settings[variable.removeprefix("GRAPHSVC_")] = int(value)
    for variable in ("NEO4J_CONNECTION_TIMEOUT", "NEO4J_MAX_RETRY_TIME"):
        if env.get(variable):
            settings[variable] = float(env[variable])
    return settings


DEFAULTS: dict[str, Any] = {
    "STORE": "sqlite",
    "DATABASE": None,  # default: <instance path>/graphsvc.sqlite3
    "VOCABULARY": None,  # default: schema/vocabulary.yaml
    # Neo4j (used when STORE is "neo4j"): where, who, which database, and how long to wait.
    "NEO4J_URI": "neo4j://localhost:7687",
    "NEO4J_USER": "neo4j",
    "NEO4J_PASSWORD": "",
    "NEO4J_DATABASE": "neo4j",
    "NEO4J_CONNECTION_TIMEOUT": 5.0,  # seconds to open a connection
    "NEO4J_MAX_RETRY_TIME": 15.0,  # seconds a read may be retried through a failover
    "MAX_CONTENT_LENGTH": ONE_MIB,
    "IMPORT_MAX_BYTES": 32 * ONE_MIB,  # POST /api/v1/import only; larger files: graphsvc import (streams)
    "CORS_ORIGINS": [],  # browsers on other origins are refused unless listed here
    "SECRET_KEY": None,  # page sessions: GRAPHSVC_SECRET_KEY, else a key made once in the instance folder
    "SESSION_COOKIE_SECURE": False,
    "SESSION_IDLE_MINUTES": 60,  # a page session unused this long ends
    # Gap thresholds (each can also be given per request).
    "GAP_STALE_DAYS": 60,  # an open action unchanged this long is stale
    "GAP_OVERLOAD_ACTIONS": 5,  # an owner accountable for more open actions than this is overloaded
    "GAP_SCHEDULE_DAYS": 183,  # a theme needs an event within this horizon (about six months)
    "GAP_RECENT_DATA_DAYS": 400,  # an indicator needs a value this recent (annual returns, a month's grace)
    "JSON_SORT_KEYS": False,
    "API_TITLE": "graphsvc",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/api/v1",
    "OPENAPI_JSON_PATH": "openapi.json",
    "OPENAPI_SWAGGER_UI_PATH": "docs",
    "OPENAPI_SWAGGER_UI_URL": "/api/v1/docs/assets/",
    "API_SPEC_OPTIONS": {
        "security": [{"bearerAuth": []}],
        "info": {"description": "A knowledge graph of anti-racism and health-equity work: initiatives, "
                 "organisations, people, actions and accountability, with queries that flag overlaps and gaps."},
    },
}
