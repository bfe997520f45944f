"""Sessions for people, flaskr style: sign in with an access token, `g.user` loaded once per request.

The signed session cookie holds the token's hash (never the token) and when the person was last
seen. Every request looks the hash up again, so revoking a token ends its sessions at once, and a
session idle for longer than ``SESSION_IDLE_MINUTES`` ends too. The JSON API never opens the
session: a cookie cannot authorise `/api/`.
"""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

from flask import Flask, flash, g, session
from flask.sessions import SecureCookieSessionInterface

from ..app import get_service
from ..auth import Identity, authenticate, hash_token, identity_for_hash

__all__ = ["PageSessionInterface", "configure_sessions", "end_session", "load_logged_in_user",
           "secret_key_from_instance", "start_session", "start_session_for_hash"]

SECRET_KEY_FILE = "secret_key"
IDLE_MESSAGE = "You were signed out because you had been inactive for a while. Sign in again to carry on."
ENDED_MESSAGE = "Your access has ended or changed. Sign in again with a current access token."


def configure_sessions(app: Flask) -> None:
    """Cookie settings (config.py reads the environment's) over safe defaults; the secret key is found
    lazily, so creating the app writes nothing."""
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["SESSION_COOKIE_NAME"] = "graphsvc_session"
    app.session_interface = PageSessionInterface()


class PageSessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie, opened for pages only, with the key made on first need.

    The API gets an empty session it never saves, so a session cookie is simply not read there; and
    the key file is written by the first page request, not by `create_app` (no start-up side effects).
    """

    def open_session(self, app, request):
        if request.path.startswith("/api/"):
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app, session, response):
        from flask import request

        if request.path.startswith("/api/"):
            return None
        return super().save_session(app, session, response)

    def get_signing_serializer(self, app):
        if not app.secret_key:
            app.secret_key = secret_key_from_instance(Path(app.instance_path))
        return super().get_signing_serializer(app)


def secret_key_from_instance(folder: Path) -> str:
    """The key kept in the instance folder, made once (mode 0600) if it is not there yet.

    Written to a private temporary file and linked into place, so two processes starting at once
    agree on one key and neither ever reads a half-written file.
    """
    path = folder / SECRET_KEY_FILE
    if path.exists():
        return path.read_text().strip()
    folder.mkdir(parents=True, exist_ok=True)
    draft = folder / f".{SECRET_KEY_FILE}.{secrets.token_hex(8)}"
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(secrets.token_hex(32))
    try:
        os.link(draft, path)
    except FileExistsError:
        pass  # another process won the race: use its key
    finally:
        draft.unlink()
    return path.read_text().strip()


def start_session(token: str) -> Identity | None:
    """Sign in with `token`: a fresh session (no fixation) holding its hash, or None if it is not valid."""
    identity = authenticate(get_service().store, token.strip())
    if identity is None:
        return None
    session.clear()
    session["token_hash"] = hash_token(token.strip())
    session["seen"] = time.time()
    return identity


def start_session_for_hash(token_hash: str) -> Identity | None:
    """Sign in as the token with this hash (a one-time sign-in link carries the hash, not the token)."""
    identity = identity_for_hash(get_service().store, token_hash)
    if identity is None:
        return None
    session.clear()
    session["token_hash"] = token_hash
    session["seen"] = time.time()
    return identity


def end_session() -> None:
    session.clear()


def load_logged_in_user(idle_minutes: int) -> None:
    """Set `g.user` (and `g.identity`, which the shared redaction rule reads) from the session."""
    g.user = None
    token_hash = session.get("token_hash")
    if not token_hash:
        return
    if time.time() - float(session.get("seen") or 0) > idle_minutes * 60:
        _end_with(IDLE_MESSAGE)
        return
    identity = identity_for_hash(get_service().store, token_hash)
    if identity is None:
        _end_with(ENDED_MESSAGE)
        return
    session["seen"] = time.time()
    g.user = g.identity = identity


def _end_with(message: str) -> None:
    session.clear()
    flash(message)
