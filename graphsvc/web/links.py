"""One-time sign-in links: `graphsvc token create --link` prints one beside the token.

The link carries, signed with the app's secret key (itsdangerous, as Flask's own cookie is), the
token's hash and a random nonce, and is valid for 15 minutes. It works once: the first use creates a
file named after the nonce in the instance folder with O_CREAT | O_EXCL, which is atomic, so two
requests (or two worker processes) racing with the same link cannot both succeed. Used nonces need
keeping only while their links could still be valid, so files older than the lifetime are removed.
No new store table: the store port (SQLite and Neo4j) stays as it is, and a nonce is not graph data.

Opening the link (GET) shows a "Sign in" button and changes nothing; pressing it (POST, with the CSRF
token) uses the link. Mail scanners that fetch links therefore cannot spend it, and another site
cannot sign someone in as somebody else by sending them a link.
"""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

from flask import Flask, current_app, redirect, render_template, request
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from ..app import get_service
from ..auth import identity_for_hash
from . import web
from .sessions import secret_key_from_instance, start_session_for_hash
from .views import SignInForm

__all__ = ["LINK_MINUTES", "make_sign_in_link", "read_link", "spend_nonce"]

LINK_MINUTES = 15
SALT = "graphsvc-sign-in-link"
USED_FOLDER = "used_sign_in_links"
EXPIRED = ("That sign-in link has expired: links work for 15 minutes. "
           "Ask for a new one, or sign in with your access token.")
INVALID = "That sign-in link is not valid. Check you copied all of it, or sign in with your access token."
USED = ("That sign-in link has already been used: each link works once. "
        "Ask for a new one, or sign in with your access token.")
REVOKED = "The access token behind that sign-in link has been revoked. Ask an administrator for a new one."


def _serializer(app: Flask) -> URLSafeTimedSerializer:
    key = app.secret_key or secret_key_from_instance(Path(app.instance_path))
    return URLSafeTimedSerializer(key, salt=SALT)


def make_sign_in_link(app: Flask, token_hash: str, base_url: str) -> str:
    """A link valid for 15 minutes that signs in, once, as the token with this hash."""
    value = _serializer(app).dumps({"h": token_hash, "n": secrets.token_urlsafe(16)})
    return f"{base_url.rstrip('/')}/sign-in/link/{value}"


def read_link(app: Flask, value: str) -> tuple[dict | None, str | None]:
    """The link's content, or None and the reason it cannot be used (not yet spending it)."""
    try:
        data = _serializer(app).loads(value, max_age=LINK_MINUTES * 60)
    except SignatureExpired:
        return None, EXPIRED
    except BadSignature:
        return None, INVALID
    if not isinstance(data, dict) or not isinstance(data.get("h"), str) or not isinstance(data.get("n"), str):
        return None, INVALID
    if _used_path(app, data["n"]).exists():
        return None, USED
    return data, None


def spend_nonce(app: Flask, nonce: str) -> bool:
    """Mark the nonce used; False if it already was (atomic, across processes)."""
    folder = _used_folder(app)
    folder.mkdir(parents=True, exist_ok=True)
    _forget_old(folder)
    try:
        os.close(os.open(_used_path(app, nonce), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        return False
    return True


def _used_path(app: Flask, nonce: str) -> Path:
    # The nonce is signed by us and URL-safe base64, so it is a safe file name; checked anyway.
    safe = "".join(char for char in nonce if char.isalnum() or char in "-_")
    return _used_folder(app) / safe


def _used_folder(app: Flask) -> Path:
    """`SIGN_IN_LINKS_FOLDER` if set (tests give a temporary one), else a folder in the instance folder."""
    return Path(app.config.get("SIGN_IN_LINKS_FOLDER") or Path(app.instance_path) / USED_FOLDER)


def _forget_old(folder: Path) -> None:
    """Used nonces whose links have expired anyway (with a minute's margin) need no keeping."""
    cutoff = time.time() - (LINK_MINUTES + 1) * 60
    for path in folder.iterdir():
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except FileNotFoundError:
            pass


@web.route("/sign-in/link/<value>", methods=["GET", "POST"])
def sign_in_link(value: str):
    app = current_app._get_current_object()
    data, problem = read_link(app, value)
    if problem is None and identity_for_hash(get_service().store, data["h"]) is None:
        problem = REVOKED
    if problem is None and request.method == "POST":
        if not spend_nonce(app, data["n"]):
            problem = USED
        elif start_session_for_hash(data["h"]) is None:
            problem = REVOKED
        else:
            return redirect("/")
    if problem is not None:
        form = SignInForm(formdata=None)
        form.token.errors = [problem]
        return render_template("web/sign_in.html", form=form, next="/"), 400
    return render_template("web/sign_in_link.html", value=value)
